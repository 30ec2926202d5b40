import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root, UseMiddleware } from 'type-graphql';
import { Account, Integration, ReportingItem } from '../entities';
import type { RequestContext } from '../context/request-context';
import { CreateReportingItemInput, RecordCampaignDataInput } from '../schema/types/inputs';
import { Metrics } from '../schema/types/metrics.type';
import { ReportingItemPayload } from '../schema/types/payloads';
import { recordCampaignData } from '../services/campaign-data.service';
import { createReportingItem } from '../services/report.service';
import { itemIntegration } from '../permissions/field-decisions';
import { ReturnUserErrors } from './middleware/return-user-errors';

@Resolver(() => ReportingItem)
export class ReportingItemResolver {
  @FieldResolver(() => Account)
  account(@Root() item: ReportingItem, @Ctx() ctx: RequestContext) {
    return ctx.loaders.account.load(item.accountId);
  }

  /** A3, R18: the integration that fed the item, or null (field-decisions.ts). */
  @FieldResolver(() => Integration, { nullable: true })
  async integration(@Root() item: ReportingItem, @Ctx() ctx: RequestContext) {
    if (!item.integrationId) return null;
    const integration = await ctx.loaders.integration.load(item.integrationId);
    if (!integration) return null;
    return itemIntegration.answer(ctx, integration.ownerAccountId, () => integration);
  }

  @FieldResolver(() => Metrics)
  metrics(@Root() item: ReportingItem): Metrics {
    return { impressions: item.impressions, clicks: item.clicks, reach: item.reach };
  }

  @Mutation(() => ReportingItemPayload)
  @UseMiddleware(ReturnUserErrors)
  async createReportingItem(
    @Arg('input', () => CreateReportingItemInput) input: CreateReportingItemInput,
    @Ctx() ctx: RequestContext,
  ) {
    return { item: await createReportingItem(ctx, input), userErrors: [] };
  }

  @Mutation(() => ReportingItemPayload, {
    description: 'Campaign data for an item, as the pixel or an integration delivers it.',
  })
  @UseMiddleware(ReturnUserErrors)
  async recordCampaignData(
    @Arg('input', () => RecordCampaignDataInput) input: RecordCampaignDataInput,
    @Ctx() ctx: RequestContext,
  ) {
    return { item: await recordCampaignData(ctx, input), userErrors: [] };
  }
}
