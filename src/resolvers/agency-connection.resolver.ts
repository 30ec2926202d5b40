import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root, UseMiddleware } from 'type-graphql';
import { Account, AgencyConnection, User } from '../entities';
import type { RequestContext } from '../server/context';
import { RequestConnectionInput } from '../schema/types/inputs';
import { ConnectionPayload } from '../schema/types/payloads';
import { notImplemented } from '../services/errors';
import { ReturnUserErrors } from './middleware/return-user-errors';

@Resolver(() => AgencyConnection)
export class AgencyConnectionResolver {
  @FieldResolver(() => Account)
  agency(@Root() connection: AgencyConnection, @Ctx() ctx: RequestContext) {
    return ctx.loaders.account.load(connection.agencyId);
  }

  @FieldResolver(() => Account)
  premiumClient(@Root() connection: AgencyConnection, @Ctx() ctx: RequestContext) {
    return ctx.loaders.account.load(connection.premiumClientId);
  }

  @FieldResolver(() => User, { nullable: true })
  requestedBy(@Root() connection: AgencyConnection, @Ctx() ctx: RequestContext) {
    return connection.requestedById ? ctx.loaders.user.load(connection.requestedById) : null;
  }

  @FieldResolver(() => User, { nullable: true })
  disconnectedBy(@Root() connection: AgencyConnection, @Ctx() ctx: RequestContext) {
    return connection.disconnectedById ? ctx.loaders.user.load(connection.disconnectedById) : null;
  }

  @Mutation(() => ConnectionPayload)
  @UseMiddleware(ReturnUserErrors)
  requestConnection(
    @Arg('input', () => RequestConnectionInput) _input: RequestConnectionInput,
  ): ConnectionPayload {
    throw notImplemented('requestConnection');
  }

  @Mutation(() => ConnectionPayload)
  @UseMiddleware(ReturnUserErrors)
  acceptConnection(@Arg('connectionId', () => ID) _connectionId: string): ConnectionPayload {
    throw notImplemented('acceptConnection');
  }

  @Mutation(() => ConnectionPayload)
  @UseMiddleware(ReturnUserErrors)
  declineConnection(@Arg('connectionId', () => ID) _connectionId: string): ConnectionPayload {
    throw notImplemented('declineConnection');
  }

  @Mutation(() => ConnectionPayload)
  @UseMiddleware(ReturnUserErrors)
  cancelConnection(@Arg('connectionId', () => ID) _connectionId: string): ConnectionPayload {
    throw notImplemented('cancelConnection');
  }
}
