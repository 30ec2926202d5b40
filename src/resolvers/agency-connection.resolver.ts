import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root, UseMiddleware } from 'type-graphql';
import { Account, AgencyConnection, User } from '../entities';
import type { RequestContext } from '../context/request-context';
import { RequestConnectionInput, SetConnectionAccessInput } from '../schema/types/inputs';
import { ConnectionPayload } from '../schema/types/payloads';
import { setConnectionAccess } from '../services/client-access.service';
import * as connections from '../services/connection.service';
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
  async requestConnection(
    @Arg('input', () => RequestConnectionInput) input: RequestConnectionInput,
    @Ctx() ctx: RequestContext,
  ): Promise<ConnectionPayload> {
    return { connection: await connections.requestConnection(ctx, input), userErrors: [] };
  }

  @Mutation(() => ConnectionPayload)
  @UseMiddleware(ReturnUserErrors)
  async acceptConnection(
    @Arg('connectionId', () => ID) connectionId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<ConnectionPayload> {
    return {
      connection: await connections.respondToConnection(ctx, connectionId, 'accept'),
      userErrors: [],
    };
  }

  @Mutation(() => ConnectionPayload)
  @UseMiddleware(ReturnUserErrors)
  async declineConnection(
    @Arg('connectionId', () => ID) connectionId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<ConnectionPayload> {
    return {
      connection: await connections.respondToConnection(ctx, connectionId, 'decline'),
      userErrors: [],
    };
  }

  @Mutation(() => ConnectionPayload)
  @UseMiddleware(ReturnUserErrors)
  async cancelConnection(
    @Arg('connectionId', () => ID) connectionId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<ConnectionPayload> {
    return {
      connection: await connections.respondToConnection(ctx, connectionId, 'cancel'),
      userErrors: [],
    };
  }

  @Mutation(() => ConnectionPayload, {
    description:
      "The agency's ADMIN or ACCOUNT_MANAGER: which agency users reach the connected premium client.",
  })
  @UseMiddleware(ReturnUserErrors)
  async setConnectionAccess(
    @Arg('input', () => SetConnectionAccessInput) input: SetConnectionAccessInput,
    @Ctx() ctx: RequestContext,
  ): Promise<ConnectionPayload> {
    return { connection: await setConnectionAccess(ctx, input), userErrors: [] };
  }
}
