import { createHash } from 'node:crypto';
import type { AdServerCampaign, AdServerClient } from './ad-server-client';

/**
 * SIMULATED: a built-in ad server for demos and tests (contract README, Integrations). For an
 * advertiser id it reports a deterministic set of 1-5 campaigns; the numbers are derived from a
 * SHA-256 of the advertiser id, so every sync of the same advertiser sees the same campaigns and
 * the same data, without any network.
 */
export class SimulatedAdServer implements AdServerClient {
  readonly key = 'SIMULATED';

  async listCampaigns(advertiserId: string): Promise<AdServerCampaign[]> {
    return simulatedCampaigns(advertiserId);
  }
}

const word = (digest: Buffer, offset: number) => digest.readUInt32BE(offset % (digest.length - 3));

export function simulatedCampaigns(advertiserId: string): AdServerCampaign[] {
  const seed = createHash('sha256').update(`simulated:${advertiserId}`).digest();
  const count = 1 + (seed[0] % 5);
  const campaigns: AdServerCampaign[] = [];
  for (let n = 1; n <= count; n += 1) {
    const digest = createHash('sha256').update(`simulated:${advertiserId}:${n}`).digest();
    const impressions = 1000 + (word(digest, 0) % 1_000_000);
    const reach = Math.floor(impressions * (0.2 + (digest[8] % 60) / 100));
    const clicks = Math.floor(impressions * ((1 + (digest[9] % 50)) / 1000));
    campaigns.push({
      externalId: `${advertiserId}-c${n}`,
      name: `Campaign ${n} of advertiser ${advertiserId}`,
      impressions,
      clicks,
      reach,
    });
  }
  return campaigns;
}
