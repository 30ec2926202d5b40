import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { Account, Membership, User } from '../entities';
import type { RequestContext } from '../context/request-context';

@Resolver(() => Membership)
export class MembershipResolver {
  @FieldResolver(() => Account)
  async account(@Root() membership: Membership, @Ctx() ctx: RequestContext) {
    return ctx.loaders.account.load(membership.accountId);
  }

  @FieldResolver(() => User)
  async user(@Root() membership: Membership, @Ctx() ctx: RequestContext) {
    return ctx.loaders.user.load(membership.userId);
  }
}
