import {
  TestCreateApiTokenDocument,
  TestRecordCampaignMetricsDocument,
} from '../generated/graphql';
import http from 'node:http';
import {
  ConnectionStatus,
  ItemSource,
  ItemStatus,
  ReportingItem,
  Role,
  type Account,
  type User,
} from '../../src/entities';
import { MAX_METRIC_DELIVERY, MAX_METRIC_TOTAL } from '../../src/services/campaign-data.service';
import { pgOnly } from '../helpers/requirements';
import { useTestServer } from '../helpers/test-server';

const { server, f } = useTestServer();
let agency: Account;
let client: Account;
let admin: User;
let token: string;

async function createToken(accountId: string, as: User) {
  const response = await server.op(
    TestCreateApiTokenDocument,
    { input: { accountId, name: 'pixel' } },
    as,
  );
  expect(response.data!.createApiToken.userErrors).toEqual([]);
  return response.data!.createApiToken.token!;
}

beforeAll(async () => {
  agency = await f.agency();
  client = await f.client(agency);
  admin = await f.member(agency, Role.ADMIN);
  token = await createToken(agency.id, admin);
});

const pixel = (itemId: string, body: unknown, bearer: string | null = token, raw?: string) =>
  fetch(`${server.url}/pixel/${itemId}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
    },
    body: raw ?? JSON.stringify(body),
  });

const metricsOf = async (id: string) => {
  const item = await server.db.getRepository(ReportingItem).findOneByOrFail({ id });
  return { impressions: item.impressions, clicks: item.clicks, reach: item.reach };
};

describe('POST /pixel/:itemId', () => {
  it('answers 202 and adds the data', async () => {
    const item = await f.item(client);
    const response = await pixel(item.id, { impressions: 10, clicks: 2, reach: 7 });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: true, itemId: item.id });
    await pixel(item.id, { impressions: 5 });
    expect(await metricsOf(item.id)).toEqual({ impressions: 15, clicks: 2, reach: 7 });
    const stored = await server.db.getRepository(ReportingItem).findOneByOrFail({ id: item.id });
    expect(stored.lastDataAt).not.toBeNull();
  });

  it('answers 409 for a FROZEN item and changes nothing (R12)', async () => {
    const item = await f.item(client, { status: ItemStatus.FROZEN, frozenAt: new Date() });
    const response = await pixel(item.id, { impressions: 10, clicks: 1, reach: 1 });
    expect(response.status).toBe(409);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('ITEM_FROZEN');
    expect(await metricsOf(item.id)).toEqual({ impressions: 0, clicks: 0, reach: 0 });
  });

  it('answers 404 for an unknown item, a malformed id and an item out of scope', async () => {
    const foreign = await f.item(await f.client(await f.agency()));
    expect((await pixel('00000000-0000-4000-8000-000000000000', { impressions: 1 })).status).toBe(
      404,
    );
    expect((await pixel('not-an-id', { impressions: 1 })).status).toBe(404);
    expect((await pixel(foreign.id, { impressions: 1 })).status).toBe(404);
    expect(await metricsOf(foreign.id)).toEqual({ impressions: 0, clicks: 0, reach: 0 });
  });

  it.each([
    ['not JSON', null, '{nope'],
    ['an array', [1, 2], undefined],
    ['a negative number', { impressions: -1 }, undefined],
    ['a string metric', { impressions: '5' }, undefined],
    ['no metric', { other: 1 }, undefined],
    ['a non-finite number', null, '{"impressions": 1e400}'],
  ])('answers 400 for %s', async (_label, body, raw) => {
    const item = await f.item(client);
    const response = await pixel(item.id, body, token, raw);
    expect(response.status).toBe(400);
    expect(await metricsOf(item.id)).toEqual({ impressions: 0, clicks: 0, reach: 0 });
  });

  const badRequest = (message: string) => ({ error: { code: 'BAD_REQUEST', message } });
  const NOT_A_METRIC = (key: string) =>
    `${key} must be a finite number from 0 to ${MAX_METRIC_DELIVERY}`;

  it('finding 6: pixel value 1.7e308 that would overflow answers 400, never 500', async () => {
    const item = await f.item(client);
    for (const body of [{ impressions: 1.7e308 }, { clicks: 1.7e308 }, { reach: 1.7e308 }]) {
      // The second of each pair is the one whose sum used to overflow float8 (HTTP 500).
      for (let i = 0; i < 2; i++) {
        const response = await pixel(item.id, body);
        expect({ status: response.status, body: await response.json() }).toEqual({
          status: 400,
          body: badRequest(NOT_A_METRIC(Object.keys(body)[0])),
        });
      }
    }
    expect(await metricsOf(item.id)).toEqual({ impressions: 0, clicks: 0, reach: 0 });
  });

  it('finding 6: pixel accepts up to MAX_METRIC_DELIVERY per delivery, 400 above', async () => {
    const item = await f.item(client);
    expect((await pixel(item.id, { impressions: MAX_METRIC_DELIVERY })).status).toBe(202);
    const above = await pixel(item.id, { clicks: 1, impressions: MAX_METRIC_DELIVERY + 1 });
    expect({ status: above.status, body: await above.json() }).toEqual({
      status: 400,
      body: badRequest(NOT_A_METRIC('impressions')),
    });
    expect(await metricsOf(item.id)).toEqual({
      impressions: MAX_METRIC_DELIVERY,
      clicks: 0,
      reach: 0,
    });
  });

  it('finding 6: pixel data that would take a total past MAX_METRIC_TOTAL answers 400, nothing changes', async () => {
    // Totals that high only come from an ad-server sync, which replaces them.
    const item = await f.item(client, { impressions: MAX_METRIC_TOTAL - 5, clicks: 3 });
    const over = await pixel(item.id, { impressions: 6, clicks: 1 });
    expect({ status: over.status, body: await over.json() }).toEqual({
      status: 400,
      body: badRequest(
        `impressions would take the item's total above ${MAX_METRIC_TOTAL}; nothing was added`,
      ),
    });
    expect(await metricsOf(item.id)).toEqual({
      impressions: MAX_METRIC_TOTAL - 5,
      clicks: 3,
      reach: 0,
    });
    expect((await pixel(item.id, { impressions: 5, clicks: 1 })).status).toBe(202);
    expect(await metricsOf(item.id)).toEqual({
      impressions: MAX_METRIC_TOTAL,
      clicks: 4,
      reach: 0,
    });

    const huge = await f.item(client, { reach: 1.7e308 });
    const onHuge = await pixel(huge.id, { reach: MAX_METRIC_DELIVERY });
    expect({ status: onHuge.status, body: await onHuge.json() }).toEqual({
      status: 400,
      body: badRequest(
        `reach would take the item's total above ${MAX_METRIC_TOTAL}; nothing was added`,
      ),
    });
    expect((await metricsOf(huge.id)).reach).toBe(1.7e308);
  });

  it('answers 413 for an oversized body', async () => {
    const item = await f.item(client);
    const response = await pixel(item.id, { impressions: 1, padding: 'x'.repeat(10_000) });
    expect(response.status).toBe(413);
  });

  it('answers 401 without a token, with a bad token, a revoked token or a user JWT', async () => {
    const item = await f.item(client);
    expect((await pixel(item.id, { impressions: 1 }, null)).status).toBe(401);
    expect((await pixel(item.id, { impressions: 1 }, 'hov_nope')).status).toBe(401);
    expect((await pixel(item.id, { impressions: 1 }, await server.tokenFor(admin))).status).toBe(
      401,
    );
    const revoked = await createToken(agency.id, admin);
    await server.db.query(
      `UPDATE api_tokens SET revoked_at = now() WHERE account_id = $1 AND revoked_at IS NULL AND id <> (SELECT id FROM api_tokens WHERE account_id = $1 ORDER BY created_at LIMIT 1)`,
      [agency.id],
    );
    expect((await pixel(item.id, { impressions: 1 }, revoked)).status).toBe(401);
    expect(await metricsOf(item.id)).toEqual({ impressions: 0, clicks: 0, reach: 0 });
  });

  it('keeps feeding ACTIVE items on a premium after an agency disconnection (R7)', async () => {
    const premium = await f.premium();
    const premiumAdmin = await f.member(premium, Role.ADMIN);
    const connection = await f.connection(agency, premium);
    const integration = await server.db.query(
      `INSERT INTO integrations (name, ad_server, owner_account_id) VALUES ('DCM', 'SIMULATED', $1) RETURNING id`,
      [agency.id],
    );
    const fed = await f.item(premium, {
      source: ItemSource.INTEGRATION,
      integrationId: integration[0].id,
      externalId: 'camp-1',
    });
    const manual = await f.item(premium);
    const premiumToken = await createToken(premium.id, premiumAdmin);
    expect((await pixel(fed.id, { impressions: 1 })).status).toBe(202);
    // Issue 30 #8: while connected, the agency's pixel feeds only what its integration created,
    // not the brand's own (manual) items.
    expect((await pixel(manual.id, { impressions: 1 })).status).toBe(404);

    await server.db.query(
      `UPDATE agency_connections SET status = $2, disconnected_at = now() WHERE id = $1`,
      [connection.id, ConnectionStatus.DISCONNECTED],
    );
    // The agency's pixel keeps delivering to the item its integration created...
    expect((await pixel(fed.id, { impressions: 2 })).status).toBe(202);
    // ...but reaches nothing else of the premium any more.
    expect((await pixel(manual.id, { impressions: 2 })).status).toBe(404);
    // The premium's own token feeds its items.
    expect((await pixel(fed.id, { impressions: 4 }, premiumToken)).status).toBe(202);
    expect((await pixel(manual.id, { impressions: 4 }, premiumToken)).status).toBe(202);
    expect((await metricsOf(fed.id)).impressions).toBe(7);
    expect((await metricsOf(manual.id)).impressions).toBe(4);
  });
});

it("issue 30 #8: an agency's pixel never writes into a connected premium's own integration's items", async () => {
  const premium = await f.premium();
  await f.connection(agency, premium);
  const [own] = await server.db.query(
    `INSERT INTO integrations (name, ad_server, owner_account_id) VALUES ('Brand DV360', 'SIMULATED', $1) RETURNING id`,
    [premium.id],
  );
  const brandFed = await f.item(premium, {
    source: ItemSource.INTEGRATION,
    integrationId: own.id,
    externalId: 'brand-1',
  });
  expect((await pixel(brandFed.id, { impressions: 5 })).status).toBe(404);
  expect((await metricsOf(brandFed.id)).impressions).toBe(0);
  // Its own client's manual items it still feeds.
  const clientItem = await f.item(client);
  expect((await pixel(clientItem.id, { impressions: 5 })).status).toBe(202);
});

describe('concurrent increments', () => {
  /**
   * All requests are in flight at once; a keep-alive agent of 200 sockets carries them, so the
   * OS accept backlog (511) never overflows into connection resets.
   */
  const agent = new http.Agent({ keepAlive: true, maxSockets: 200 });
  afterAll(() => agent.destroy());
  const post = (itemId: string, body: unknown) =>
    new Promise<number>((resolve, reject) => {
      const request = http.request(
        `${server.url}/pixel/${itemId}`,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        },
        (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        },
      );
      request.on('error', reject);
      request.end(JSON.stringify(body));
    });

  const run = async (n: number) => {
    const item = await f.item(client);
    const statuses = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        post(item.id, { impressions: 1, clicks: i % 2, reach: 0.5 }),
      ),
    );
    expect(statuses.filter((s) => s !== 202)).toEqual([]);
    expect(await metricsOf(item.id)).toEqual({
      impressions: n,
      clicks: Math.floor(n / 2),
      reach: n / 2,
    });
  };

  pgOnly('on PostgreSQL', () => {
    it('1,000 concurrent pixel increments sum exactly', () => run(1000));
  });

  it('100 concurrent pixel increments sum exactly', () => run(100));
});

describe('recordCampaignData', () => {
  it('adds data for an account ADMIN and for staff', async () => {
    const item = await f.item(client);
    const first = await server.op(
      TestRecordCampaignMetricsDocument,
      { input: { itemId: item.id, impressions: 3, clicks: 1, reach: 2 } },
      admin,
    );
    expect(first.data!.recordCampaignData.userErrors).toEqual([]);
    expect(first.data!.recordCampaignData.item?.metrics).toEqual({
      impressions: 3,
      clicks: 1,
      reach: 2,
    });
    const staff = await f.staff();
    const second = await server.op(
      TestRecordCampaignMetricsDocument,
      { input: { itemId: item.id, impressions: 1, clicks: 1, reach: 1 } },
      staff,
    );
    expect(second.data!.recordCampaignData.item?.metrics).toEqual({
      impressions: 4,
      clicks: 2,
      reach: 3,
    });
  });

  it('answers ITEM_FROZEN for a frozen item and leaves it unchanged', async () => {
    const item = await f.item(client, { status: ItemStatus.FROZEN, frozenAt: new Date() });
    const response = await server.op(
      TestRecordCampaignMetricsDocument,
      { input: { itemId: item.id, impressions: 3, clicks: 1, reach: 2 } },
      admin,
    );
    expect(response.data!.recordCampaignData).toEqual({
      item: null,
      userErrors: [{ code: 'ITEM_FROZEN', field: ['input', 'itemId'] }],
    });
    expect(await metricsOf(item.id)).toEqual({ impressions: 0, clicks: 0, reach: 0 });
  });

  it('answers NOT_FOUND for an invisible item, INVALID_INPUT for negative data', async () => {
    const foreign = await f.item(await f.client(await f.agency()));
    const hidden = await server.op(
      TestRecordCampaignMetricsDocument,
      { input: { itemId: foreign.id, impressions: 1, clicks: 1, reach: 1 } },
      admin,
    );
    expect(hidden.data!.recordCampaignData.userErrors).toEqual([
      { code: 'NOT_FOUND', field: ['input', 'itemId'] },
    ]);
    const item = await f.item(client);
    const negative = await server.op(
      TestRecordCampaignMetricsDocument,
      { input: { itemId: item.id, impressions: -1, clicks: 1, reach: 1 } },
      admin,
    );
    expect(negative.data!.recordCampaignData.userErrors).toEqual([
      { code: 'INVALID_INPUT', field: ['input', 'impressions'] },
    ]);
  });

  it('finding 6: recordCampaignData answers INVALID_INPUT, never a 500, for 1.7e308 and an overflowing total', async () => {
    const item = await f.item(client, { clicks: MAX_METRIC_TOTAL - 1 });
    const record = (input: Record<string, number>) =>
      server.op(
        TestRecordCampaignMetricsDocument,
        { input: { itemId: item.id, impressions: 0, clicks: 0, reach: 0, ...input } },
        admin,
      );
    for (let i = 0; i < 2; i++) {
      const huge = await record({ reach: 1.7e308 });
      expect({ status: huge.status, errors: huge.errors, payload: huge.data }).toEqual({
        status: 200,
        errors: undefined,
        payload: {
          recordCampaignData: {
            item: null,
            userErrors: [{ code: 'INVALID_INPUT', field: ['input', 'reach'] }],
          },
        },
      });
    }
    const overflow = await record({ impressions: 1, clicks: 2 });
    expect(overflow.errors).toBeUndefined();
    expect(overflow.data!.recordCampaignData).toEqual({
      item: null,
      userErrors: [{ code: 'INVALID_INPUT', field: ['input', 'clicks'] }],
    });
    expect(await metricsOf(item.id)).toEqual({
      impressions: 0,
      clicks: MAX_METRIC_TOTAL - 1,
      reach: 0,
    });
  });

  it('is FORBIDDEN for a non-admin and for an API token', async () => {
    const item = await f.item(client);
    const manager = await f.member(agency, Role.ACCOUNT_MANAGER);
    const input = { itemId: item.id, impressions: 1, clicks: 1, reach: 1 };
    const asManager = await server.op(TestRecordCampaignMetricsDocument, { input }, manager);
    expect(asManager.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    const asToken = await server.op(TestRecordCampaignMetricsDocument, { input }, { token });
    expect(asToken.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(await metricsOf(item.id)).toEqual({ impressions: 0, clicks: 0, reach: 0 });
  });
});
