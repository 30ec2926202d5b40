import { simulatedCampaigns } from '../../src/ad-servers';
import {
  AccountStatus,
  ConnectionStatus,
  IntegrationMapping,
  ItemStatus,
  MappingStatus,
  ReportingItem,
  Role,
  type Account,
  type User,
} from '../../src/entities';
import {
  TestCreateIntegrationDocument,
  TestIntegrationMappingsDocument,
  TestMapAdvertiserDocument,
  TestSyncIntegrationDocument,
} from '../generated/graphql';
import { pgOnly } from '../helpers/requirements';
import { useTestServer } from '../helpers/test-server';

const { server, f } = useTestServer();
let agency: Account;
let admin: User;
let manager: User;
let regular: User;

beforeAll(async () => {
  agency = await f.agency();
  admin = await f.member(agency, Role.ADMIN);
  manager = await f.member(agency, Role.ACCOUNT_MANAGER);
  regular = await f.member(agency, Role.REGULAR);
});

async function createIntegration(owner: Account, as: User = admin, adServer = 'SIMULATED') {
  const response = await server.op(
    TestCreateIntegrationDocument,
    { input: { ownerAccountId: owner.id, name: 'DCM', adServer } },
    as,
  );
  expect(response.errors).toBeUndefined();
  return response.data!.createIntegration;
}

/** An integration that must be created: the refusals call createIntegration. */
async function newIntegration(owner: Account, as: User = admin) {
  const { integration, userErrors } = await createIntegration(owner, as);
  expect(userErrors).toEqual([]);
  return integration!;
}

async function map(integrationId: string, account: Account, advertiser: string, as: User = admin) {
  const response = await server.op(
    TestMapAdvertiserDocument,
    { input: { integrationId, clientAccountId: account.id, externalAdvertiserId: advertiser } },
    as,
  );
  expect(response.errors).toBeUndefined();
  return response.data!.mapAdvertiser;
}

async function sync(integrationId: string, as: User = admin, client?: string) {
  const response = await server.op(
    TestSyncIntegrationDocument,
    { id: integrationId, client: client ?? null },
    as,
  );
  expect(response.errors).toBeUndefined();
  return response.data!.syncIntegration;
}

const itemsOf = (account: Account) =>
  server.db.getRepository(ReportingItem).find({
    where: { accountId: account.id },
    order: { externalId: 'ASC' },
  });

describe('createIntegration (R3)', () => {
  it('creates an integration on an agency for a manager', async () => {
    const payload = await createIntegration(agency, manager);
    expect(payload.userErrors).toEqual([]);
    expect(payload.integration).toMatchObject({
      name: 'DCM',
      adServer: 'SIMULATED',
      owner: { id: agency.id },
      mappings: [],
    });
  });

  it('creates one on a premium client for its admin', async () => {
    const premium = await f.premium();
    const premiumAdmin = await f.member(premium, Role.ADMIN);
    const payload = await createIntegration(premium, premiumAdmin);
    expect(payload.userErrors).toEqual([]);
    expect(payload.integration!.owner.id).toBe(premium.id);
  });

  it('refuses a CLIENT owner with INVALID_INPUT', async () => {
    const client = await f.client(agency);
    const payload = await createIntegration(client);
    expect(payload.integration).toBeNull();
    expect(payload.userErrors).toEqual([
      expect.objectContaining({ code: 'INVALID_INPUT', field: ['input', 'ownerAccountId'] }),
    ]);
  });

  it('refuses an unknown ad server naming the field', async () => {
    const payload = await createIntegration(agency, admin, 'NO_SUCH_SERVER');
    expect(payload.integration).toBeNull();
    expect(payload.userErrors).toEqual([
      expect.objectContaining({ code: 'INVALID_INPUT', field: ['input', 'adServer'] }),
    ]);
  });

  it('is FORBIDDEN for a REGULAR user and NOT_FOUND for an invisible account', async () => {
    const forbidden = await server.op(
      TestCreateIntegrationDocument,
      { input: { ownerAccountId: agency.id, name: 'x', adServer: 'SIMULATED' } },
      regular,
    );
    expect(forbidden.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    const other = await f.agency();
    const payload = await createIntegration(other);
    expect(payload.userErrors).toEqual([
      expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'ownerAccountId'] }),
    ]);
  });
});

describe('mapAdvertiser (R3)', () => {
  it('maps a client and a connected premium; one mapping per advertiser', async () => {
    const integration = await newIntegration(agency);
    const client = await f.client(agency);
    const premium = await f.premium();
    await f.connection(agency, premium);

    const first = await map(integration.id, client, 'adv-1');
    expect(first.userErrors).toEqual([]);
    expect(first.mapping).toMatchObject({
      externalAdvertiserId: 'adv-1',
      status: 'ACTIVE',
      pausedAt: null,
      client: { id: client.id },
    });
    expect((await map(integration.id, premium, 'adv-2')).userErrors).toEqual([]);

    const again = await map(integration.id, premium, 'adv-1');
    expect(again.mapping).toBeNull();
    expect(again.userErrors).toEqual([
      expect.objectContaining({ code: 'INVALID_INPUT', field: ['input', 'externalAdvertiserId'] }),
    ]);
    expect(
      await server.db.getRepository(IntegrationMapping).countBy({ integrationId: integration.id }),
    ).toBe(2);
  });

  it('refuses an archived client with ACCOUNT_ARCHIVED', async () => {
    const integration = await newIntegration(agency);
    const archived = await f.client(agency, {
      status: AccountStatus.ARCHIVED,
      archivedAt: new Date(),
    });
    const payload = await map(integration.id, archived, 'adv-x');
    expect(payload.userErrors).toEqual([expect.objectContaining({ code: 'ACCOUNT_ARCHIVED' })]);
  });

  it('refuses a premium that is not connected, and another agency’s client', async () => {
    const integration = await newIntegration(agency);
    const premium = await f.premium();
    await f.connection(agency, premium, { status: ConnectionStatus.DISCONNECTED });
    const otherAgency = await f.agency();
    await f.membership(admin, otherAgency, Role.ADMIN);
    const foreignClient = await f.client(otherAgency);

    const disconnected = await map(integration.id, premium, 'adv-p');
    expect(disconnected.userErrors.map((e: { code: string }) => e.code)).toEqual(['NOT_FOUND']);
    const foreign = await map(integration.id, foreignClient, 'adv-f');
    expect(foreign.userErrors).toEqual([
      expect.objectContaining({ code: 'INVALID_INPUT', field: ['input', 'clientAccountId'] }),
    ]);
  });

  it('maps a premium integration only to the premium itself', async () => {
    const premium = await f.premium();
    const premiumAdmin = await f.member(premium, Role.ADMIN);
    const integration = await newIntegration(premium, premiumAdmin);
    expect((await map(integration.id, premium, 'own', premiumAdmin)).userErrors).toEqual([]);
  });
});

describe('syncIntegration', () => {
  it('creates items, then updates them, and skips paused mappings (R7, R13)', async () => {
    const integration = await newIntegration(agency);
    const clientA = await f.client(agency);
    const clientB = await f.client(agency);
    await map(integration.id, clientA, 'alpha');
    await map(integration.id, clientB, 'beta');
    const alpha = simulatedCampaigns('alpha');
    const beta = simulatedCampaigns('beta');

    const first = await sync(integration.id);
    expect(first).toEqual({
      itemsCreated: alpha.length + beta.length,
      itemsUpdated: 0,
      mappingsSynced: 2,
      mappingsSkipped: 0,
      userErrors: [],
    });
    const items = await itemsOf(clientA);
    expect(
      items.map((i) => [i.externalId, i.source, i.status, i.impressions, i.clicks, i.reach]),
    ).toEqual(
      [...alpha]
        .sort((x, y) => (x.externalId < y.externalId ? -1 : 1))
        .map((c) => [c.externalId, 'INTEGRATION', 'ACTIVE', c.impressions, c.clicks, c.reach]),
    );
    expect(items.every((i) => i.integrationId === integration.id && i.lastDataAt)).toBe(true);

    // Second sync: same campaigns, all updated, none created.
    expect(await sync(integration.id)).toMatchObject({
      itemsCreated: 0,
      itemsUpdated: alpha.length + beta.length,
    });

    // Pause B's mapping (as a disconnection does): B gets nothing, A goes on.
    await server.db
      .getRepository(IntegrationMapping)
      .update(
        { integrationId: integration.id, clientAccountId: clientB.id },
        { status: MappingStatus.PAUSED, pausedAt: new Date() },
      );
    const bBefore = await itemsOf(clientB);
    const third = await sync(integration.id);
    expect(third).toEqual({
      itemsCreated: 0,
      itemsUpdated: alpha.length,
      mappingsSynced: 1,
      mappingsSkipped: 1,
      userErrors: [],
    });
    expect(await itemsOf(clientB)).toEqual(bBefore);

    // Syncing the paused client alone is refused.
    const alone = await sync(integration.id, admin, clientB.id);
    expect(alone.userErrors).toEqual([
      expect.objectContaining({ code: 'MAPPING_PAUSED', field: ['clientAccountId'] }),
    ]);
    expect(await sync(integration.id, admin, clientA.id)).toMatchObject({
      itemsCreated: 0,
      itemsUpdated: alpha.length,
      userErrors: [],
    });

    // The mappings show their state.
    const read = await server.op(TestIntegrationMappingsDocument, { id: integration.id }, admin);
    const node = read.data!.node;
    const mappings = node && 'mappings' in node ? node.mappings : [];
    expect(
      mappings.map((m) => [m.externalAdvertiserId, m.status, m.pausedAt !== null]).sort(),
    ).toEqual([
      ['alpha', 'ACTIVE', false],
      ['beta', 'PAUSED', true],
    ]);
  });

  it('never updates FROZEN items and never feeds an ARCHIVED account (R12)', async () => {
    const integration = await newIntegration(agency);
    const client = await f.client(agency);
    await map(integration.id, client, 'gamma');
    const gamma = simulatedCampaigns('gamma');
    await sync(integration.id);
    // Freeze one item and zero its data: the next sync must leave it alone.
    const [frozen] = await itemsOf(client);
    await server.db
      .getRepository(ReportingItem)
      .update(frozen.id, { status: ItemStatus.FROZEN, frozenAt: new Date(), impressions: 0 });
    expect(await sync(integration.id)).toMatchObject({
      itemsCreated: 0,
      itemsUpdated: gamma.length - 1,
    });
    expect(
      (await server.db.getRepository(ReportingItem).findOneByOrFail({ id: frozen.id })).impressions,
    ).toBe(0);

    // Archived account with a still-ACTIVE mapping: skipped all the same.
    const archivedClient = await f.client(agency);
    await map(integration.id, archivedClient, 'delta');
    await server.db
      .getRepository(ReportingItem)
      .manager.query(`UPDATE accounts SET status = 'ARCHIVED', archived_at = now() WHERE id = $1`, [
        archivedClient.id,
      ]);
    const result = await sync(integration.id);
    expect(result).toMatchObject({ itemsCreated: 0, mappingsSkipped: 1, userErrors: [] });
    expect(await itemsOf(archivedClient)).toEqual([]);
  });

  it('refuses an integration whose every mapping is paused with MAPPING_PAUSED', async () => {
    const integration = await newIntegration(agency);
    const client = await f.client(agency);
    await map(integration.id, client, 'epsilon');
    await server.db
      .getRepository(IntegrationMapping)
      .update(
        { integrationId: integration.id },
        { status: MappingStatus.PAUSED, pausedAt: new Date() },
      );
    const result = await sync(integration.id);
    expect(result).toMatchObject({ itemsCreated: 0, itemsUpdated: 0 });
    expect(result.userErrors).toEqual([
      expect.objectContaining({ code: 'MAPPING_PAUSED', field: ['integrationId'] }),
    ]);
    expect(await itemsOf(client)).toEqual([]);
  });

  it('skips a premium whose agency connection ended, even if its mapping was not paused (R7)', async () => {
    const integration = await newIntegration(agency);
    const premium = await f.premium();
    const connection = await f.connection(agency, premium);
    const client = await f.client(agency);
    await map(integration.id, premium, 'zeta');
    await map(integration.id, client, 'eta');
    await server.db.query(`UPDATE agency_connections SET status = 'DISCONNECTED' WHERE id = $1`, [
      connection.id,
    ]);
    const result = await sync(integration.id);
    expect(result).toMatchObject({
      itemsCreated: simulatedCampaigns('eta').length,
      mappingsSynced: 1,
      mappingsSkipped: 1,
    });
    expect(await itemsOf(premium)).toEqual([]);
  });

  it('answers NOT_FOUND for an invisible integration and FORBIDDEN for a REGULAR user', async () => {
    const integration = await newIntegration(agency);
    const stranger = await f.member(await f.agency(), Role.ADMIN);
    const hidden = await sync(integration.id, stranger);
    expect(hidden.userErrors).toEqual([
      expect.objectContaining({ code: 'NOT_FOUND', field: ['integrationId'] }),
    ]);
    const response = await server.op(TestSyncIntegrationDocument, { id: integration.id }, regular);
    expect(response.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
  });
});

pgOnly('concurrent syncs (PostgreSQL)', () => {
  it('never duplicate an item: every campaign is created exactly once', async () => {
    const integration = await newIntegration(agency);
    const clients = [await f.client(agency), await f.client(agency), await f.client(agency)];
    const advertisers = ['c-one', 'c-two', 'c-three'];
    for (const [n, client] of clients.entries()) await map(integration.id, client, advertisers[n]);
    const total = advertisers.reduce((sum, a) => sum + simulatedCampaigns(a).length, 0);

    const results = await Promise.all(Array.from({ length: 8 }, () => sync(integration.id)));
    expect(results.every((r) => r.userErrors.length === 0)).toBe(true);
    expect(results.reduce((sum, r) => sum + r.itemsCreated, 0)).toBe(total);
    expect(results.reduce((sum, r) => sum + r.itemsCreated + r.itemsUpdated, 0)).toBe(8 * total);
    const rows: { n: number; distinct: number }[] = await server.db.query(
      `SELECT COUNT(*)::int AS n, COUNT(DISTINCT (account_id, external_id))::int AS distinct
         FROM reporting_items WHERE integration_id = $1`,
      [integration.id],
    );
    expect(rows[0]).toEqual({ n: total, distinct: total });
  });
});
