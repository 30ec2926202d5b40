import type { DataSource, EntityManager } from 'typeorm';
import { ItemStatus, ReportingItem } from '../entities';
import { Visibility } from '../permissions/visibility';
import { requireViewer, type RequestContext } from '../context/request-context';
import type { Principal as Viewer } from '../permissions/principal';
import type { RecordCampaignDataInput } from '../schema/types/inputs';
import { DomainError, invalidInput, notFound } from '../shared/errors';
import { isId } from '../shared/ids';
import { confirmGateDecisions } from '../permissions/gate-decisions';
import { inTransaction } from './transaction';
import { query } from '../database/raw-sql';

export interface CampaignData {
  impressions: number;
  clicks: number;
  reach: number;
}

const METRICS = ['impressions', 'clicks', 'reach'] as const;

/**
 * The most one delivery (a recordCampaignData call or one pixel) may add to a metric: far above
 * any real campaign's numbers, far below what could overflow a total.
 */
export const MAX_METRIC_DELIVERY = 1e12;

/**
 * The most an item's metric total may reach (2^53 - 1): counts stay exact integers in the
 * float8 columns and in JSON. An addition that would pass it is refused (INVALID_INPUT), never
 * left to PostgreSQL's "value out of range" error.
 */
export const MAX_METRIC_TOTAL = Number.MAX_SAFE_INTEGER;

/**
 * R7, R12 input — the one check for recordCampaignData and the pixel: each metric a finite
 * number from 0 to MAX_METRIC_DELIVERY (they are added to the totals). INVALID_INPUT names it.
 */
export function validCampaignData(
  data: Record<keyof CampaignData, unknown>,
  field: (name: string) => string[],
): CampaignData {
  for (const key of METRICS) {
    const value = data[key];
    if (
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      value < 0 ||
      value > MAX_METRIC_DELIVERY
    ) {
      throw invalidInput(
        field(key),
        `${key} must be a finite number from 0 to ${MAX_METRIC_DELIVERY}`,
      );
    }
  }
  return data as CampaignData;
}

/**
 * R7, R12: adds campaign data to an ACTIVE item with one atomic UPDATE (no read-modify-write:
 * concurrent increments all count). A FROZEN item accepts nothing (ITEM_FROZEN, unchanged); an
 * item the caller cannot reach is NOT_FOUND. `pixel` (R7): a token (Visibility.pixelItem)
 * of the account owning the item's integration keeps delivering pixel data to items that
 * integration created, also after an agency disconnection moved them out of its scope.
 */
export async function addCampaignData(
  em: EntityManager,
  visibility: Visibility,
  itemId: string,
  data: CampaignData,
  options: { pixel?: boolean } = {},
): Promise<ReportingItem> {
  if (!isId(itemId)) throw notFound('Reporting item', ['input', 'itemId']);
  const reach = options.pixel ? visibility.pixelItem('i') : visibility.item('i');
  const params = {
    ...visibility.params,
    itemId: itemId.toLowerCase(),
    addImpressions: data.impressions,
    addClicks: data.clicks,
    addReach: data.reach,
    maxTotal: MAX_METRIC_TOTAL,
  };
  const updated = await query<ReportingItem>(
    em,
    `UPDATE reporting_items i
        SET impressions = i.impressions + CAST(:addImpressions AS float8),
            clicks = i.clicks + CAST(:addClicks AS float8),
            reach = i.reach + CAST(:addReach AS float8),
            last_data_at = now()
      WHERE i.id = :itemId AND i.status = '${ItemStatus.ACTIVE}' AND ${reach}
        -- Each total stays <= MAX_METRIC_TOTAL; written as a subtraction, the check itself
        -- cannot overflow float8 whatever the stored total.
        AND i.impressions <= CAST(:maxTotal AS float8) - CAST(:addImpressions AS float8)
        AND i.clicks <= CAST(:maxTotal AS float8) - CAST(:addClicks AS float8)
        AND i.reach <= CAST(:maxTotal AS float8) - CAST(:addReach AS float8)
      RETURNING ${ITEM_COLUMNS}`,
    params,
  );
  if (updated.length === 0) {
    const [found] = await query<{ status: ItemStatus } & CampaignData>(
      em,
      `SELECT i.status, i.impressions, i.clicks, i.reach
         FROM reporting_items i WHERE i.id = :itemId AND ${reach}`,
      params,
    );
    if (found?.status === ItemStatus.FROZEN) {
      throw new DomainError('ITEM_FROZEN', 'The item is frozen and accepts no campaign data', [
        'input',
        'itemId',
      ]);
    }
    const over = found && METRICS.find((key) => found[key] > MAX_METRIC_TOTAL - data[key]);
    if (over) {
      throw invalidInput(
        ['input', over],
        `${over} would take the item's total above ${MAX_METRIC_TOTAL}; nothing was added`,
      );
    }
    throw notFound('Reporting item', ['input', 'itemId']);
  }
  return Object.assign(new ReportingItem(), updated[0]);
}

const ITEM_COLUMNS = `i.id, i.name, i.account_id AS "accountId", i.source, i.status,
  i.integration_id AS "integrationId", i.external_id AS "externalId", i.impressions, i.clicks,
  i.reach, i.last_data_at AS "lastDataAt", i.frozen_at AS "frozenAt", i.created_at AS "createdAt"`;

/**
 * R7, R12: recordCampaignData (staff or ADMIN of the item's account: shield gate, decided again
 * in the transaction of the UPDATE: issue 30 #6).
 */
export async function recordCampaignData(ctx: RequestContext, input: RecordCampaignDataInput) {
  const { visibility } = requireViewer(ctx);
  const data = validCampaignData(input, (key) => ['input', key]);
  return inTransaction(ctx, async (em) => {
    // The UPDATE locks the item row; the data commits only if the gate still holds.
    const item = await addCampaignData(em, visibility, input.itemId, data);
    await confirmGateDecisions(em, ctx);
    return item;
  });
}

/** R7, R12: the pixel endpoint (POST /pixel/:itemId) for an API-token viewer. */
export async function recordPixelData(
  db: DataSource,
  viewer: Viewer,
  itemId: string,
  data: CampaignData,
) {
  return addCampaignData(db.manager, new Visibility(viewer), itemId, data, { pixel: true });
}
