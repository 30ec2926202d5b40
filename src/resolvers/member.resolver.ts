import { Arg, Ctx, ID, Mutation, Resolver, UseMiddleware } from 'type-graphql';
import type { RequestContext } from '../context/request-context';
import { AddMemberInput, ChangeMemberRoleInput, RemoveMemberInput } from '../schema/types/inputs';
import { MembershipPayload, RemoveMemberPayload, UserPayload } from '../schema/types/payloads';
import * as members from '../services/membership.service';
import { ReturnUserErrors } from './middleware/return-user-errors';

/** Members of accounts over time (R24). */
@Resolver()
@UseMiddleware(ReturnUserErrors)
export class MemberResolver {
  @Mutation(() => MembershipPayload, {
    description: 'Account ADMIN (or staff). Creates the user when the email is new.',
  })
  async addMember(
    @Arg('input', () => AddMemberInput) input: AddMemberInput,
    @Ctx() ctx: RequestContext,
  ): Promise<MembershipPayload> {
    return { membership: await members.addMember(ctx, input), userErrors: [] };
  }

  @Mutation(() => RemoveMemberPayload, {
    description:
      'Account ADMIN (or staff). The user loses the account at once (I3); leaving an agency ends R16 access for good.',
  })
  async removeMember(
    @Arg('input', () => RemoveMemberInput) input: RemoveMemberInput,
    @Ctx() ctx: RequestContext,
  ): Promise<RemoveMemberPayload> {
    return { removedUserId: await members.removeMember(ctx, input), userErrors: [] };
  }

  @Mutation(() => MembershipPayload, { description: 'Account ADMIN (or staff).' })
  async changeMemberRole(
    @Arg('input', () => ChangeMemberRoleInput) input: ChangeMemberRoleInput,
    @Ctx() ctx: RequestContext,
  ): Promise<MembershipPayload> {
    return { membership: await members.changeMemberRole(ctx, input), userErrors: [] };
  }

  @Mutation(() => UserPayload, {
    description: "Platform staff: a deactivated user's tokens stop working at once.",
  })
  async deactivateUser(
    @Arg('userId', () => ID) userId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<UserPayload> {
    return { user: await members.deactivateUser(ctx, userId), userErrors: [] };
  }
}
