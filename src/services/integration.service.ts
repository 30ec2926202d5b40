import type { EntityManager } from 'typeorm';
import { adServerFor, adServerKeys, type AdServerCampaign } from '../ad-servers';
import {
  AccountStatus,
  AccountType,
  Integration,
  IntegrationMapping,
  MappingStatus,
} from '../entities';
import { requireViewer, type RequestContext } from '../context/request-context';
import { integrationServes } from '../permissions/authority';
import type { CreateIntegrationInput, MapAdvertiserInput } from '../schema/types/inputs';
import { DomainError, invalidInput, notFound, requiredText } from '../shared/errors';
import { isId } from '../shared/ids';
import { confirmGateDecisions } from '../permissions/gate-decisions';
import { query } from '../database/raw-sql';
import { inTransaction } from './transaction';
import { assertActiveAccount, findVisibleIntegration, lockVisibleAccount } from './locks';

/**
 * R3: an ADMIN or ACCOUNT_MANAGER (shield gate) sets up an integration on an ACTIVE AGENCY or
 * PREMIUM_CLIENT account; `adServer` must name a registered adapter (src/ad-servers).
 */
export async function createIntegration(ctx: RequestContext, input: CreateIntegrationInput) {
  const { viewer } = requireViewer(ctx);
  const name = requiredText(input.name, ['input', 'name']);
  const adServer = adServerFor(input.adServer);
  if (!adServer) {
    throw invalidInput(
      ['input', 'adServer'],
      `Unknown ad server "${input.adServer}"; available: ${adServerKeys().join(', ')}`,
    );
  }
  return inTransaction(ctx, async (em) => {
    const owner = await lockVisibleAccount(em, ctx, input.ownerAccountId, 'share', [
      'input',
      'ownerAccountId',
    ]);
    assertActiveAccount(owner);
    if (owner.type !== AccountType.AGENCY && owner.type !== AccountType.PREMIUM_CLIENT) {
      throw invalidInput(
        ['input', 'ownerAccountId'],
        'Integrations are set up on an AGENCY or PREMIUM_CLIENT account',
      );
    }
    return em.getRepository(Integration).save({
      name,
      adServer: adServer.key,
      ownerAccountId: owner.id,
      createdById: viewer.user.id,
    });
  });
}

/**
 * R3, R7, R13: maps an advertiser of the integration to an account the viewer can see: a CLIENT
 * of the owning agency or a PREMIUM_CLIENT with an ACTIVE connection to it; an integration owned
 * by a premium client maps to that premium client only. ARCHIVED targets → ACCOUNT_ARCHIVED.
 * One mapping per (integration, advertiser): a second one is INVALID_INPUT on the advertiser id.
 */
export async function mapAdvertiser(ctx: RequestContext, input: MapAdvertiserInput) {
  const { visibility } = requireViewer(ctx);
  const advertiserId = requiredText(input.externalAdvertiserId, ['input', 'externalAdvertiserId']);
  return inTransaction(ctx, async (em) => {
    const integration = await findVisibleIntegration(em, visibility, input.integrationId);
    if (!integration) throw notFound('Integration', ['input', 'integrationId']);
    // Lock order as in every write: the account first (I2).
    const target = await lockVisibleAccount(em, ctx, input.clientAccountId, 'share', [
      'input',
      'clientAccountId',
    ]);
    assertActiveAccount(target);
    // The target's FOR SHARE lock orders this read before or after a disconnection (which takes
    // the account FOR UPDATE before it changes the connection), so the answer holds until commit.
    const [served]: { ownerType: AccountType; allowed: boolean }[] = await em.query(
      `SELECT o.type AS "ownerType",
              (t.type <> '${AccountType.AGENCY}' AND ${integrationServes('o.id', 't.id')}) AS allowed
         FROM accounts o, accounts t
        WHERE o.id = $1 AND t.id = $2`,
      [integration.ownerAccountId, target.id],
    );
    if (!served) throw notFound('Integration', ['input', 'integrationId']);
    const { ownerType, allowed } = served;
    if (!allowed) {
      throw invalidInput(
        ['input', 'clientAccountId'],
        ownerType === AccountType.PREMIUM_CLIENT
          ? 'An integration of a premium client maps advertisers to that premium client only'
          : 'Advertisers map to a client of the agency or a premium client connected to it',
      );
    }
    const inserted = await em
      .createQueryBuilder()
      .insert()
      .into(IntegrationMapping)
      .values({
        integrationId: integration.id,
        clientAccountId: target.id,
        externalAdvertiserId: advertiserId,
        status: MappingStatus.ACTIVE,
        pausedAt: null,
      })
      .orIgnore()
      .returning('*')
      .execute();
    const row = (inserted.raw as Record<string, unknown>[])[0];
    if (!row) {
      throw invalidInput(
        ['input', 'externalAdvertiserId'],
        `Advertiser "${advertiserId}" is already mapped in this integration`,
      );
    }
    return em.getRepository(IntegrationMapping).findOneByOrFail({ id: row.id as string });
  });
}

interface MappingRow {
  id: string;
  clientAccountId: string;
  externalAdvertiserId: string;
  status: MappingStatus;
  syncable: boolean;
}

/**
 * The integration's mappings (optionally one client's) with whether they may receive data now:
 * mapping ACTIVE (R7, R13), account ACTIVE (R12), and the account still the owner's (its CLIENT,
 * a premium with an ACTIVE connection, or the owning premium itself). `lock` takes FOR SHARE on
 * the mapped accounts and mappings, so a disconnection either committed before (and is seen) or
 * waits for the sync to commit (I2).
 */
async function mappingsOf(
  em: EntityManager,
  integration: Integration,
  clientAccountId: string | null,
  lock: boolean,
): Promise<MappingRow[]> {
  const params = { integrationId: integration.id, clientAccountId };
  const onlyClient = clientAccountId ? 'AND m.client_account_id = :clientAccountId' : '';
  if (lock) {
    await query(
      em,
      `SELECT a.id FROM accounts a
        WHERE a.id IN (SELECT m.client_account_id FROM integration_mappings m
                        WHERE m.integration_id = :integrationId ${onlyClient})
        ORDER BY a.id FOR SHARE`,
      params,
    );
  }
  return query<MappingRow>(
    em,
    `SELECT m.id, m.client_account_id AS "clientAccountId",
            m.external_advertiser_id AS "externalAdvertiserId", m.status,
            (m.status = '${MappingStatus.ACTIVE}' AND a.status = '${AccountStatus.ACTIVE}'
             AND ${integrationServes('ig.owner_account_id', 'a.id')}) AS syncable
       FROM integration_mappings m
       JOIN integrations ig ON ig.id = m.integration_id
       JOIN accounts a ON a.id = m.client_account_id
      WHERE m.integration_id = :integrationId ${onlyClient}
      ORDER BY m.id ${lock ? 'FOR SHARE OF m' : ''}`,
    params,
  );
}

export interface SyncResult {
  itemsCreated: number;
  itemsUpdated: number;
  mappingsSynced: number;
  mappingsSkipped: number;
}

/**
 * MAPPING_PAUSED (decision, docs/ad-servers.md): syncing one client alone (`client`) whose
 * mappings are all paused (R7, R13), or an integration whose every mapping is paused, is refused.
 */
function assertNotAllPaused(rows: MappingRow[], client: string | null) {
  if (rows.length > 0 && rows.every((m) => m.status === MappingStatus.PAUSED)) {
    throw new DomainError(
      'MAPPING_PAUSED',
      client
        ? 'The integration is paused for this account; no data is pulled for it'
        : 'Every mapping of this integration is paused',
      client ? ['clientAccountId'] : ['integrationId'],
    );
  }
}

/**
 * R3: the integration (visible to the viewer), the one client to sync if named, and the ad
 * server's adapter — before anything is pulled.
 */
async function syncTarget(
  ctx: RequestContext,
  integrationId: string,
  clientAccountId: string | null | undefined,
) {
  const { visibility } = requireViewer(ctx);
  const integration = await findVisibleIntegration(ctx.db.manager, visibility, integrationId);
  if (!integration) throw notFound('Integration', ['integrationId']);
  let client: string | null = null;
  if (clientAccountId !== null && clientAccountId !== undefined) {
    if (!isId(clientAccountId)) throw notFound('Mapping', ['clientAccountId']);
    client = clientAccountId.toLowerCase();
  }
  const adServer = adServerFor(integration.adServer);
  if (!adServer) {
    throw new DomainError('INVALID_STATE', `No adapter for ad server "${integration.adServer}"`);
  }
  return { integration, client, adServer };
}

/**
 * R7, R13: the campaigns of every advertiser with a syncable mapping, pulled outside the
 * transaction (an ad server's latency must not hold row locks).
 */
async function pullCampaigns(
  adServer: NonNullable<ReturnType<typeof adServerFor>>,
  mappings: MappingRow[],
): Promise<Map<string, AdServerCampaign[]>> {
  const campaigns = new Map<string, AdServerCampaign[]>();
  const advertisers = [
    ...new Set(mappings.filter((m) => m.syncable).map((m) => m.externalAdvertiserId)),
  ];
  await Promise.all(
    advertisers.map(async (advertiserId) => {
      campaigns.set(advertiserId, await adServer.listCampaigns(advertiserId));
    }),
  );
  return campaigns;
}

type ItemRow = { accountId: string } & AdServerCampaign;

/**
 * R7, R13: one row per (account, external id) of the syncable mappings' valid campaigns — the
 * upsert may not touch a row twice — in a stable order, so two concurrent syncs do not deadlock
 * on the unique index.
 */
function itemRows(syncable: MappingRow[], campaigns: Map<string, AdServerCampaign[]>): ItemRow[] {
  const rows = new Map<string, ItemRow>();
  for (const mapping of syncable) {
    for (const campaign of campaigns.get(mapping.externalAdvertiserId) ?? []) {
      if (!valid(campaign)) continue;
      rows.set(`${mapping.clientAccountId}\u0000${campaign.externalId}`, {
        accountId: mapping.clientAccountId,
        ...campaign,
      });
    }
  }
  const sorted = [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return sorted.map(([, row]) => row);
}

/**
 * R3, R12: one set-based INSERT ... ON CONFLICT on reporting_items_external_key (never a
 * duplicate, also under concurrent syncs); a FROZEN item is never updated.
 */
async function upsertIntegrationItems(
  em: EntityManager,
  integrationId: string,
  values: ItemRow[],
): Promise<{ created: number; updated: number }> {
  let created = 0;
  let updated = 0;
  if (values.length === 0) return { created, updated };
  const result: { created: boolean }[] = await em.query(
    `INSERT INTO reporting_items
       (name, account_id, source, status, integration_id, external_id,
        impressions, clicks, reach, last_data_at)
     SELECT c.name, c.account_id, 'INTEGRATION', 'ACTIVE', $1, c.external_id,
            c.impressions, c.clicks, c.reach, now()
       FROM unnest($2::uuid[], $3::text[], $4::text[], $5::float8[], $6::float8[], $7::float8[])
            AS c(account_id, external_id, name, impressions, clicks, reach)
     ON CONFLICT (account_id, integration_id, external_id) WHERE external_id IS NOT NULL
     DO UPDATE SET name = EXCLUDED.name, impressions = EXCLUDED.impressions,
                   clicks = EXCLUDED.clicks, reach = EXCLUDED.reach, last_data_at = now()
      WHERE reporting_items.status = 'ACTIVE'
     RETURNING (xmax = 0) AS created`,
    [
      integrationId,
      values.map((v) => v.accountId),
      values.map((v) => v.externalId),
      values.map((v) => v.name),
      values.map((v) => v.impressions),
      values.map((v) => v.clicks),
      values.map((v) => v.reach),
    ],
  );
  for (const row of result) {
    if (row.created) created += 1;
    else updated += 1;
  }
  return { created, updated };
}

/**
 * R3, R7, R12, R13: pulls campaigns for every ACTIVE mapping and upserts INTEGRATION items on the
 * mapped accounts. PAUSED mappings and ARCHIVED accounts are skipped; FROZEN items are never
 * updated; MAPPING_PAUSED as assertNotAllPaused says. The ad server is called outside the
 * transaction; the transaction re-checks pause states under lock before it writes.
 */
export async function syncIntegration(
  ctx: RequestContext,
  integrationId: string,
  clientAccountId: string | null | undefined,
): Promise<SyncResult> {
  const { integration, client, adServer } = await syncTarget(ctx, integrationId, clientAccountId);
  const before = await mappingsOf(ctx.db.manager, integration, client, false);
  if (client && before.length === 0) throw notFound('Mapping', ['clientAccountId']);
  assertNotAllPaused(before, client);
  const campaigns = await pullCampaigns(adServer, before);

  return inTransaction(ctx, async (em) => {
    const mappings = await mappingsOf(em, integration, client, true);
    await confirmGateDecisions(em, ctx);
    assertNotAllPaused(mappings, client);
    const syncable = mappings.filter((m) => m.syncable && campaigns.has(m.externalAdvertiserId));
    const { created, updated } = await upsertIntegrationItems(
      em,
      integration.id,
      itemRows(syncable, campaigns),
    );
    return {
      itemsCreated: created,
      itemsUpdated: updated,
      mappingsSynced: syncable.length,
      mappingsSkipped: mappings.length - syncable.length,
    };
  });
}

const valid = (c: AdServerCampaign) =>
  typeof c.externalId === 'string' &&
  c.externalId.length > 0 &&
  typeof c.name === 'string' &&
  [c.impressions, c.clicks, c.reach].every((n) => Number.isFinite(n) && n >= 0);
