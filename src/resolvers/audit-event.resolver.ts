import { Arg, Args, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { Account, AuditEvent, User } from '../entities';
import type { RequestContext } from '../context/request-context';
import { AuditEventConnection } from '../schema/types/connections.type';
import { listAuditEvents } from '../services/account.service';
import { PageArgsType } from '../schema/types/page-args.type';

@Resolver(() => AuditEvent)
export class AuditEventResolver {
  @Query(() => AuditEventConnection)
  auditEvents(
    @Arg('accountId', () => ID) accountId: string,
    @Args() page: PageArgsType,
    @Ctx() ctx: RequestContext,
  ) {
    return listAuditEvents(ctx, accountId.toLowerCase(), page);
  }

  @FieldResolver(() => User, { nullable: true })
  actor(@Root() event: AuditEvent, @Ctx() ctx: RequestContext) {
    return event.actorId ? ctx.loaders.user.load(event.actorId) : null;
  }

  @FieldResolver(() => Account, { nullable: true })
  account(@Root() event: AuditEvent, @Ctx() ctx: RequestContext) {
    return event.accountId ? ctx.loaders.account.load(event.accountId) : null;
  }

  @FieldResolver(() => String, {
    description: 'Counts and ids of what the action changed, as JSON text.',
  })
  details(@Root() event: AuditEvent): string {
    return JSON.stringify(event.details);
  }
}
