import type { DataSource, EntityManager } from 'typeorm';
import { ItemStatus, ReportingItem } from '../entities';
import { Visibility } from '../permissions/visibility';
import { requireViewer, type RequestContext } from '../server/context';
import type { Viewer } from '../server/viewer';
import type { RecordCampaignDataInput } from '../schema/types/inputs';
import { DomainError, invalidInput, notFound } from './errors';
import { isId } from './ids';
import { queryNamed } from './sql';

export interface CampaignData {
  impressions: number;
  clicks: number;
  reach: number;
}

/** R7, R12 input: metrics must be finite and non-negative (they are added to the totals). */
export function validCampaignData(data: CampaignData, field: (name: string) => string[]) {
  for (const key of ['impressions', 'clicks', 'reach'] as const) {
    const value = data[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw invalidInput(field(key), `${key} must be a finite number >= 0`);
    }
  }
  return data;
}

/** R5, R16, R18: the visibility predicates of a viewer outside a GraphQL request. */
export const visibilityOf = (viewer: Viewer) =>
  new Visibility({
    userId: viewer.user.id,
    isStaff: viewer.user.isStaff,
    scopeAccountId: viewer.kind === 'token' ? viewer.scopeAccountId : null,
  });

/**
 * R7, R12: adds campaign data to an ACTIVE item with one atomic UPDATE (no read-modify-write:
 * concurrent increments all count). A FROZEN item accepts nothing (ITEM_FROZEN, unchanged); an
 * item the caller cannot reach is NOT_FOUND. `alsoOwnIntegrationItems` (the pixel, R7): a token
 * of the account owning the item's integration keeps delivering pixel data to items that
 * integration created, also after an agency disconnection moved them out of its scope.
 */
export async function addCampaignData(
  em: EntityManager,
  visibility: Visibility,
  itemId: string,
  data: CampaignData,
  options: { alsoOwnIntegrationItems?: boolean } = {},
): Promise<ReportingItem> {
  if (!isId(itemId)) throw notFound('Reporting item', ['input', 'itemId']);
  const scope = visibility.viewer.scopeAccountId;
  const reach =
    options.alsoOwnIntegrationItems && scope
      ? `(${visibility.item('i')} OR i.integration_id IN
           (SELECT ig.id FROM integrations ig WHERE ig.owner_account_id = CAST(:scopeAccountId AS uuid)))`
      : visibility.item('i');
  const params = {
    ...visibility.params,
    itemId: itemId.toLowerCase(),
    addImpressions: data.impressions,
    addClicks: data.clicks,
    addReach: data.reach,
  };
  const updated = await queryNamed<ReportingItem>(
    em,
    `UPDATE reporting_items i
        SET impressions = i.impressions + CAST(:addImpressions AS float8),
            clicks = i.clicks + CAST(:addClicks AS float8),
            reach = i.reach + CAST(:addReach AS float8),
            last_data_at = now()
      WHERE i.id = :itemId AND i.status = '${ItemStatus.ACTIVE}' AND ${reach}
      RETURNING ${ITEM_COLUMNS}`,
    params,
  );
  if (updated.length === 0) {
    const [found] = await queryNamed<{ status: ItemStatus }>(
      em,
      `SELECT i.status FROM reporting_items i WHERE i.id = :itemId AND ${reach}`,
      params,
    );
    if (found?.status === ItemStatus.FROZEN) {
      throw new DomainError('ITEM_FROZEN', 'The item is frozen and accepts no campaign data', [
        'input',
        'itemId',
      ]);
    }
    throw notFound('Reporting item', ['input', 'itemId']);
  }
  return Object.assign(new ReportingItem(), updated[0]);
}

const ITEM_COLUMNS = `i.id, i.name, i.account_id AS "accountId", i.source, i.status,
  i.integration_id AS "integrationId", i.external_id AS "externalId", i.impressions, i.clicks,
  i.reach, i.last_data_at AS "lastDataAt", i.frozen_at AS "frozenAt", i.created_at AS "createdAt"`;

/** R7, R12: recordCampaignData (staff or ADMIN of the item's account: shield gate). */
export async function recordCampaignData(ctx: RequestContext, input: RecordCampaignDataInput) {
  const { visibility } = requireViewer(ctx);
  const data = validCampaignData(input, (key) => ['input', key]);
  // One UPDATE statement: atomic on its own, so no explicit transaction around it.
  return addCampaignData(ctx.db.manager, visibility, input.itemId, data);
}

/** R7, R12: the pixel endpoint (POST /pixel/:itemId) for an API-token viewer. */
export async function recordPixelData(
  db: DataSource,
  viewer: Viewer,
  itemId: string,
  data: CampaignData,
) {
  const visibility = visibilityOf(viewer);
  return addCampaignData(db.manager, visibility, itemId, data, { alsoOwnIntegrationItems: true });
}
