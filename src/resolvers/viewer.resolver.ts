import { Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { Membership, User } from '../entities';
import { requireViewer, type RequestContext } from '../context/request-context';
import { userEmail, userMemberships } from '../permissions/field-decisions';

@Resolver(() => User)
export class ViewerResolver {
  @Query(() => User, { description: 'The signed-in user (for an API token: its creator).' })
  viewer(@Ctx() ctx: RequestContext): User {
    return requireViewer(ctx).viewer.user;
  }

  /** A3, R18, R28: an empty string to those who may not know it (field-decisions.ts). */
  @FieldResolver(() => String)
  email(@Root() user: User, @Ctx() ctx: RequestContext): Promise<string> {
    return userEmail.answer(ctx, user.id, () => user.email);
  }

  /** A3: of another user only the memberships the viewer may see (field-decisions.ts). */
  @FieldResolver(() => [Membership])
  async memberships(@Root() user: User, @Ctx() ctx: RequestContext): Promise<Membership[]> {
    requireViewer(ctx);
    return userMemberships.shown(ctx, user, await ctx.loaders.membershipsByUser.load(user.id));
  }
}
