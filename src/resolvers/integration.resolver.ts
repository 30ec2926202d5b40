import {
  Arg,
  Ctx,
  FieldResolver,
  ID,
  type MiddlewareFn,
  Mutation,
  Resolver,
  Root,
  UseMiddleware,
} from 'type-graphql';
import { Account, Integration, IntegrationMapping } from '../entities';
import type { RequestContext } from '../context/request-context';
import { CreateIntegrationInput, MapAdvertiserInput } from '../schema/types/inputs';
import { IntegrationPayload, MappingPayload, SyncPayload } from '../schema/types/payloads';
import { createIntegration, mapAdvertiser, syncIntegration } from '../services/integration.service';
import { ReturnUserErrors } from './middleware/return-user-errors';

/** SyncPayload's counts are non-null: a refused sync (userErrors) changed nothing. */
const ZeroCountsOnUserErrors: MiddlewareFn = async (_action, next) => ({
  itemsCreated: 0,
  itemsUpdated: 0,
  mappingsSynced: 0,
  mappingsSkipped: 0,
  ...((await next()) as object),
});

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

  @Mutation(() => IntegrationPayload, {
    description: 'R3: ADMIN or ACCOUNT_MANAGER of an AGENCY or PREMIUM_CLIENT account.',
  })
  @UseMiddleware(ReturnUserErrors)
  async createIntegration(
    @Arg('input', () => CreateIntegrationInput) input: CreateIntegrationInput,
    @Ctx() ctx: RequestContext,
  ): Promise<IntegrationPayload> {
    return { integration: await createIntegration(ctx, input), userErrors: [] };
  }

  @Mutation(() => MappingPayload, {
    description: 'R3: maps an advertiser to a client or connected premium account.',
  })
  @UseMiddleware(ReturnUserErrors)
  async mapAdvertiser(
    @Arg('input', () => MapAdvertiserInput) input: MapAdvertiserInput,
    @Ctx() ctx: RequestContext,
  ): Promise<MappingPayload> {
    return { mapping: await mapAdvertiser(ctx, input), userErrors: [] };
  }

  @Mutation(() => SyncPayload, {
    description:
      'Pull campaigns and data for every ACTIVE mapping of the integration (or of one client ' +
      'with clientAccountId). PAUSED mappings are skipped; a sync that could only reach paused ' +
      'mappings is refused with MAPPING_PAUSED.',
  })
  @UseMiddleware(ZeroCountsOnUserErrors, ReturnUserErrors)
  async syncIntegration(
    @Arg('integrationId', () => ID) integrationId: string,
    @Arg('clientAccountId', () => ID, {
      nullable: true,
      description: 'Sync only the mappings of this account.',
    })
    clientAccountId: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<SyncPayload> {
    return { ...(await syncIntegration(ctx, integrationId, clientAccountId)), userErrors: [] };
  }
}

@Resolver(() => IntegrationMapping)
export class IntegrationMappingResolver {
  @FieldResolver(() => Account)
  client(@Root() mapping: IntegrationMapping, @Ctx() ctx: RequestContext) {
    return ctx.loaders.account.load(mapping.clientAccountId);
  }
}
