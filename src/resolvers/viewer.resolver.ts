import { Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { Membership, User } from '../entities';
import { requireViewer, type RequestContext } from '../context/request-context';

@Resolver(() => User)
export class ViewerResolver {
  @Query(() => User, { description: 'The signed-in user (for an API token: its creator).' })
  viewer(@Ctx() ctx: RequestContext): User {
    return requireViewer(ctx).viewer.user;
  }

  /**
   * The user's memberships; of another user only those in accounts the viewer may see (a user met
   * through a shared account must not reveal their other accounts).
   */
  @FieldResolver(() => [Membership])
  async memberships(@Root() user: User, @Ctx() ctx: RequestContext): Promise<Membership[]> {
    const memberships = await ctx.loaders.membershipsByUser.load(user.id);
    const { viewer } = requireViewer(ctx);
    if (viewer.kind === 'user' && viewer.user.id === user.id) return memberships;
    const visible = await Promise.all(
      memberships.map((m) => ctx.loaders.accountInternals.load(m.accountId)),
    );
    return memberships.filter((_m, index) => visible[index]);
  }
}
