/**
 * The seam between Handover and ad servers (domain.md: Integration; R3, R7, R13).
 * An adapter lists the campaigns of one advertiser with their delivery totals; the sync service
 * (src/services/integration.service.ts) turns them into INTEGRATION reporting items.
 * See docs/ad-servers.md for how a real adapter plugs in.
 */

/** One campaign of an advertiser, as the ad server reports it. */
export interface AdServerCampaign {
  /** The campaign id in the ad server; stored as the item's externalId (stable across syncs). */
  externalId: string;
  name: string;
  /** Delivery totals to date (the ad server's numbers replace the item's on every sync). */
  impressions: number;
  clicks: number;
  reach: number;
}

export interface AdServerClient {
  /** The registry key, e.g. SIMULATED, CAMPAIGN_MANAGER, ADFORM, DV360. */
  readonly key: string;
  /** Every campaign of the advertiser with its delivery data. Must not write anything. */
  listCampaigns(
    advertiserId: string,
    options?: { signal?: AbortSignal },
  ): Promise<AdServerCampaign[]>;
}
