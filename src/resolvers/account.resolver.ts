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
import {
  accountConnections,
  accountIntegrations,
  accountMembers,
  accountOrganization,
} from '../permissions/field-decisions';
import { listReportsOfAccount } from '../services/report.service';
import { selectsTotal } from './selection';

@ArgsType()
class ArchivedPageArgs extends PageArgsType {
  @Field({ defaultValue: false, nullable: true })
  archived!: boolean;
}

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
  organization(@Root() account: Account, @Ctx() ctx: RequestContext) {
    return accountOrganization.answer(ctx, account.id, () =>
      ctx.loaders.organization.load(account.organizationId),
    );
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
    const all = await ctx.loaders.connectionsByAccount.load(account.id);
    const shown = await accountConnections.shown(ctx, account, all);
    return shown.filter((connection) => !status || connection.status === status);
  }

  @FieldResolver(() => [Membership])
  members(@Root() account: Account, @Ctx() ctx: RequestContext) {
    return accountMembers.answer(ctx, account.id, () =>
      ctx.loaders.membershipsByAccount.load(account.id),
    );
  }

  @FieldResolver(() => [Integration])
  integrations(@Root() account: Account, @Ctx() ctx: RequestContext) {
    return accountIntegrations.answer(ctx, account.id, () =>
      ctx.loaders.integrationsByOwner.load(account.id),
    );
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
