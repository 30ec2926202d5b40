import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root, UseMiddleware } from 'type-graphql';
import { Account, Integration, IntegrationMapping } from '../entities';
import type { RequestContext } from '../server/context';
import { CreateIntegrationInput, MapAdvertiserInput } from '../schema/types/inputs';
import { IntegrationPayload, MappingPayload, SyncPayload } from '../schema/types/payloads';
import { notImplemented } from '../services/errors';
import { ReturnUserErrors } from './middleware/return-user-errors';

@Resolver(() => Integration)
export class IntegrationResolver {
  @FieldResolver(() => Account)
  owner(@Root() integration: Integration, @Ctx() ctx: RequestContext) {
    return ctx.loaders.account.load(integration.ownerAccountId);
  }

  @FieldResolver(() => [IntegrationMapping])
  mappings(@Root() integration: Integration, @Ctx() ctx: RequestContext) {
    return ctx.loaders.mappingsByIntegration.load(integration.id);
  }

  @Mutation(() => IntegrationPayload)
  @UseMiddleware(ReturnUserErrors)
  createIntegration(
    @Arg('input', () => CreateIntegrationInput) _input: CreateIntegrationInput,
  ): IntegrationPayload {
    throw notImplemented('createIntegration');
  }

  @Mutation(() => MappingPayload)
  @UseMiddleware(ReturnUserErrors)
  mapAdvertiser(
    @Arg('input', () => MapAdvertiserInput) _input: MapAdvertiserInput,
  ): MappingPayload {
    throw notImplemented('mapAdvertiser');
  }

  @Mutation(() => SyncPayload, {
    description: 'Pull campaigns and data for every ACTIVE mapping of the integration.',
  })
  @UseMiddleware(ReturnUserErrors)
  syncIntegration(@Arg('integrationId', () => ID) _integrationId: string): SyncPayload {
    throw notImplemented('syncIntegration');
  }
}

@Resolver(() => IntegrationMapping)
export class IntegrationMappingResolver {
  @FieldResolver(() => Account)
  client(@Root() mapping: IntegrationMapping, @Ctx() ctx: RequestContext) {
    return ctx.loaders.account.load(mapping.clientAccountId);
  }
}
