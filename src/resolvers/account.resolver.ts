import {
  Arg,
  Args,
  ArgsType,
  Ctx,
  Field,
  FieldResolver,
  ID,
  Info,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import type { GraphQLResolveInfo } from 'graphql';
import {
  Account,
  AgencyConnection,
  ConnectionStatus,
  Integration,
  Membership,
  Organization,
} from '../entities';
import type { RequestContext } from '../context/request-context';
import { AccountFilter } from '../schema/types/inputs';
import { PageArgsType } from '../schema/types/page-args.type';
import { AccountConnection, ReportConnection } from '../schema/types/connections.type';
import { findAccount, listAccounts, listClients } from '../services/account.service';
import { forbidden } from '../shared/errors';
import { listReportsOfAccount } from '../services/report.service';
import { selectsTotal } from './selection';

@ArgsType()
class ArchivedPageArgs extends PageArgsType {
  @Field({ defaultValue: false, nullable: true })
  archived!: boolean;
}

/**
 * Relation fields are not wrapped by shield: an account reached through a relation (a client's
 * agency, the other side of a connection, a membership of a user met on the way) is shown by id,
 * name and type (A3), but its organization only if the viewer reaches it, and its people,
 * integrations and connections only if the viewer may see its internals (R6: a disconnected
 * agency's users see nothing of the premium client; R18: an API token sees none). One batched
 * statement per request, whatever the number of accounts.
 */
const seesInternals = async (ctx: RequestContext, account: Account) =>
  !!(await ctx.loaders.accountInternals.load(account.id));

@Resolver(() => Account)
export class AccountResolver {
  @Query(() => Account, { nullable: true })
  account(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
    return findAccount(ctx, id);
  }

  @Query(() => AccountConnection)
  accounts(
    @Arg('filter', () => AccountFilter, { nullable: true }) filter: AccountFilter | null,
    @Args() page: PageArgsType,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    return listAccounts(ctx, filter, page, selectsTotal(info));
  }

  @FieldResolver(() => Organization)
  async organization(@Root() account: Account, @Ctx() ctx: RequestContext) {
    // R18: an API token reads no organization, its own account's neither.
    if (!(await seesInternals(ctx, account))) {
      throw forbidden('The organization of an account you do not reach is not shown (A3)');
    }
    return ctx.loaders.organization.load(account.organizationId);
  }

  @FieldResolver(() => Account, {
    nullable: true,
    description: 'The owning agency of a CLIENT account; null for other types.',
  })
  agency(@Root() account: Account, @Ctx() ctx: RequestContext) {
    return account.agencyId ? ctx.loaders.account.load(account.agencyId) : null;
  }

  @FieldResolver(() => AccountConnection, {
    description: 'CLIENT accounts of an AGENCY; archived ones with archived: true.',
  })
  clients(
    @Root() account: Account,
    @Args() { archived, ...page }: ArchivedPageArgs,
    @Ctx() ctx: RequestContext,
  ) {
    return listClients(ctx, account, archived ?? false, page);
  }

  @FieldResolver(() => [AgencyConnection], {
    description: 'Agency <-> premium connections of this account, newest first.',
  })
  async connections(
    @Root() account: Account,
    @Arg('status', () => ConnectionStatus, { nullable: true }) status: ConnectionStatus | null,
    @Ctx() ctx: RequestContext,
  ) {
    if (!(await seesInternals(ctx, account))) return [];
    const all = await ctx.loaders.connectionsByAccount.load(account.id);
    // A3: only the connections the viewer acts for a side of (not another agency's).
    const visible = await ctx.loaders.visibleConnection.loadMany(all.map((k) => k.id));
    return all.filter((connection, i) => !!visible[i] && (!status || connection.status === status));
  }

  @FieldResolver(() => [Membership])
  async members(@Root() account: Account, @Ctx() ctx: RequestContext) {
    if (!(await seesInternals(ctx, account))) return [];
    return ctx.loaders.membershipsByAccount.load(account.id);
  }

  @FieldResolver(() => [Integration])
  async integrations(@Root() account: Account, @Ctx() ctx: RequestContext) {
    if (!(await seesInternals(ctx, account))) return [];
    return ctx.loaders.integrationsByOwner.load(account.id);
  }

  @FieldResolver(() => ReportConnection)
  reports(
    @Root() account: Account,
    @Args() { archived, ...page }: ArchivedPageArgs,
    @Ctx() ctx: RequestContext,
  ) {
    return listReportsOfAccount(ctx, account.id, archived ?? false, page);
  }
}
