import { Arg, Args, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { Account, AgencyConnection, AuditEvent, User } from '../entities';
import type { RequestContext } from '../context/request-context';
import {
  AccessExplanation,
  AccessPath,
  AccessReview,
  AccessReviewEntryConnection,
  UserAccessConnection,
} from '../schema/types/access.type';
import {
  accessReview,
  auditEventOfPath,
  explainAccess,
  reviewArchivedAccess,
  reviewEntries,
  userAccess,
} from '../services/access-review.service';
import { PageArgsType } from '../schema/types/page-args.type';

/** R28–R29: the permission layer answering for itself (src/services/access-review.service.ts). */
@Resolver(() => AccessReview)
export class AccessReviewResolver {
  @Query(() => AccessExplanation, {
    nullable: true,
    description:
      'R28: can this user read / act for this report or account, and through what. Exactly one of reportId, accountId.',
  })
  explainAccess(
    @Arg('userId', () => ID) userId: string,
    @Arg('reportId', () => ID, { nullable: true }) reportId: string | null,
    @Arg('accountId', () => ID, { nullable: true }) accountId: string | null,
    @Ctx() ctx: RequestContext,
  ) {
    return explainAccess(ctx, userId, { reportId, accountId });
  }

  @Query(() => AccessReview, {
    nullable: true,
    description:
      'R29 (now) and R30 (at a past moment): everyone who reaches or acts for the account.',
  })
  accessReview(
    @Arg('accountId', () => ID) accountId: string,
    @Arg('at', () => Date, { nullable: true }) at: Date | null,
    @Ctx() ctx: RequestContext,
  ) {
    return accessReview(ctx, accountId, at);
  }

  @Query(() => UserAccessConnection, {
    description: 'R29: everything one user reaches or acts for (what they lose when they leave).',
  })
  userAccess(
    @Arg('userId', () => ID) userId: string,
    @Args() page: PageArgsType,
    @Ctx() ctx: RequestContext,
  ) {
    return userAccess(ctx, userId, page);
  }

  @FieldResolver(() => AccessReviewEntryConnection)
  entries(@Root() review: AccessReview, @Args() page: PageArgsType, @Ctx() ctx: RequestContext) {
    return reviewEntries(ctx, review.account.id, page, review.asOf);
  }

  @FieldResolver(() => AccessReviewEntryConnection, {
    description: 'R16: users who keep read access to archived reports of this account.',
  })
  archivedAccess(
    @Root() review: AccessReview,
    @Args() page: PageArgsType,
    @Ctx() ctx: RequestContext,
  ) {
    return reviewArchivedAccess(ctx, review.account.id, page, review.asOf);
  }
}

/** The objects a path names, shown as A3 allows them. */
@Resolver(() => AccessPath)
export class AccessPathResolver {
  @FieldResolver(() => Account, {
    nullable: true,
    description: 'The account the path runs through (the agency, the client, the premium client).',
  })
  via(@Root() path: AccessPath, @Ctx() ctx: RequestContext) {
    return path.viaAccountId ? ctx.loaders.account.load(path.viaAccountId) : null;
  }

  /** A3: the connection, where it exists for the viewer (they act for one of its sides). */
  @FieldResolver(() => AgencyConnection, { nullable: true })
  connection(@Root() path: AccessPath, @Ctx() ctx: RequestContext) {
    return path.connectionId ? ctx.loaders.visibleConnection.load(path.connectionId) : null;
  }

  @FieldResolver(() => User, { nullable: true })
  grantedBy(@Root() path: AccessPath, @Ctx() ctx: RequestContext) {
    return path.grantedById ? ctx.loaders.user.load(path.grantedById) : null;
  }

  @FieldResolver(() => AuditEvent, {
    nullable: true,
    description: 'The audit event that made it, where one was recorded.',
  })
  auditEvent(@Root() path: AccessPath, @Ctx() ctx: RequestContext) {
    return auditEventOfPath(ctx, path.auditEventId);
  }
}
