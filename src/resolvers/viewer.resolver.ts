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
   * A3, R18, R28 (issue 30 #5, #7): the email, to whom may know it (Visibility.userEmail); empty
   * for everyone else — a premium's ADMIN sees the names of the agency users who reach the brand,
   * never their emails, and an API token not even its creator's. The field stays non-null as the
   * contract has it.
   */
  @FieldResolver(() => String)
  async email(@Root() user: User, @Ctx() ctx: RequestContext): Promise<string> {
    return (await ctx.loaders.emailKnown.load(user.id)) ? user.email : '';
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
