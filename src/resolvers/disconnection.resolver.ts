import { Arg, Ctx, ID, Mutation, Query, Resolver, UseMiddleware } from 'type-graphql';
import type { RequestContext } from '../context/request-context';
import { ConvertClientToPremiumInput } from '../schema/types/inputs';
import {
  AccountPayload,
  DisconnectAgencyPayload,
  DisconnectClientPayload,
  DisconnectClientsPayload,
  DisconnectImpact,
} from '../schema/types/payloads';
import * as bulk from '../services/bulk-disconnection.service';
import { convertClientToPremium } from '../services/convert-to-premium.service';
import * as disconnection from '../services/disconnection.service';
import { ReturnUserErrors } from './middleware/return-user-errors';

@Resolver()
export class DisconnectionResolver {
  @Query(() => DisconnectImpact)
  disconnectAgencyPreview(
    @Arg('connectionId', () => ID) connectionId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<DisconnectImpact> {
    return disconnection.disconnectAgencyPreview(ctx, connectionId);
  }

  @Query(() => DisconnectImpact)
  disconnectClientPreview(
    @Arg('clientAccountId', () => ID) clientAccountId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<DisconnectImpact> {
    return disconnection.disconnectClientPreview(ctx, clientAccountId);
  }

  @Query(() => DisconnectImpact, { description: "R32: the sum of the clients' previews." })
  disconnectClientsPreview(
    @Arg('clientAccountIds', () => [ID]) clientAccountIds: string[],
    @Ctx() ctx: RequestContext,
  ): Promise<DisconnectImpact> {
    return bulk.disconnectClientsPreview(ctx, clientAccountIds);
  }

  @Mutation(() => DisconnectClientsPayload, {
    description: 'R32: up to 100 clients of one agency, each in its own transaction.',
  })
  disconnectClients(
    @Arg('clientAccountIds', () => [ID]) clientAccountIds: string[],
    @Ctx() ctx: RequestContext,
  ): Promise<DisconnectClientsPayload> {
    return bulk.disconnectClients(ctx, clientAccountIds);
  }

  @Mutation(() => DisconnectAgencyPayload, { description: 'R4-R8, R19, R22.' })
  @UseMiddleware(ReturnUserErrors)
  async disconnectAgency(
    @Arg('connectionId', () => ID) connectionId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<DisconnectAgencyPayload> {
    return { ...(await disconnection.disconnectAgency(ctx, connectionId)), userErrors: [] };
  }

  @Mutation(() => DisconnectClientPayload, { description: 'R9-R15, R19, R20, R22.' })
  @UseMiddleware(ReturnUserErrors)
  async disconnectClient(
    @Arg('clientAccountId', () => ID) clientAccountId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<DisconnectClientPayload> {
    return { ...(await disconnection.disconnectClient(ctx, clientAccountId)), userErrors: [] };
  }

  @Mutation(() => AccountPayload, { description: 'Platform staff (R21).' })
  @UseMiddleware(ReturnUserErrors)
  async convertClientToPremium(
    @Arg('input', () => ConvertClientToPremiumInput) input: ConvertClientToPremiumInput,
    @Ctx() ctx: RequestContext,
  ): Promise<AccountPayload> {
    return { account: await convertClientToPremium(ctx, input), userErrors: [] };
  }
}
