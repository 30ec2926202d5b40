import { Arg, ID, Mutation, Query, Resolver, UseMiddleware } from 'type-graphql';
import { ConvertClientToPremiumInput } from '../schema/types/inputs';
import {
  AccountPayload,
  DisconnectAgencyPayload,
  DisconnectClientPayload,
  DisconnectImpact,
} from '../schema/types/payloads';
import { notImplemented } from '../services/errors';
import { ReturnUserErrors } from './middleware/return-user-errors';

@Resolver()
export class DisconnectionResolver {
  @Query(() => DisconnectImpact)
  disconnectAgencyPreview(@Arg('connectionId', () => ID) _connectionId: string): DisconnectImpact {
    throw notImplemented('disconnectAgencyPreview');
  }

  @Query(() => DisconnectImpact)
  disconnectClientPreview(
    @Arg('clientAccountId', () => ID) _clientAccountId: string,
  ): DisconnectImpact {
    throw notImplemented('disconnectClientPreview');
  }

  @Mutation(() => DisconnectAgencyPayload, { description: 'R4-R8, R19, R22.' })
  @UseMiddleware(ReturnUserErrors)
  disconnectAgency(@Arg('connectionId', () => ID) _connectionId: string): DisconnectAgencyPayload {
    throw notImplemented('disconnectAgency');
  }

  @Mutation(() => DisconnectClientPayload, { description: 'R9-R15, R19, R20, R22.' })
  @UseMiddleware(ReturnUserErrors)
  disconnectClient(
    @Arg('clientAccountId', () => ID) _clientAccountId: string,
  ): DisconnectClientPayload {
    throw notImplemented('disconnectClient');
  }

  @Mutation(() => AccountPayload, { description: 'Platform staff (R21).' })
  @UseMiddleware(ReturnUserErrors)
  convertClientToPremium(
    @Arg('input', () => ConvertClientToPremiumInput) _input: ConvertClientToPremiumInput,
  ): AccountPayload {
    throw notImplemented('convertClientToPremium');
  }
}
