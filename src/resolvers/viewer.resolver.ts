import { Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { Membership, User } from '../entities';
import { requireViewer, type RequestContext } from '../server/context';

@Resolver(() => User)
export class ViewerResolver {
  @Query(() => User, { description: 'The signed-in user (for an API token: its creator).' })
  viewer(@Ctx() ctx: RequestContext): User {
    return requireViewer(ctx).viewer.user;
  }

  @FieldResolver(() => [Membership])
  memberships(@Root() user: User, @Ctx() ctx: RequestContext): Promise<Membership[]> {
    return ctx.loaders.membershipsByUser.load(user.id);
  }
}
