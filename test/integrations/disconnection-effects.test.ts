import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { simulatedCampaigns } from '../../src/ad-servers';
import { ReportingItem, Role, type Account, type User } from '../../src/entities';
import { useTestServer } from '../helpers/test-server';
import { EffectsSyncDocument } from '../generated/graphql';
import {
  EffectsCreateApiTokenDocument,
  EffectsCreateIntegrationDocument,
  EffectsDisconnectAgencyDocument,
  EffectsDisconnectClientDocument,
  EffectsMapAdvertiserDocument,
  EffectsIntegrationMappingsDocument,
} from '../generated/graphql';

/**
 * Issue 5 against the real disconnections (issue 4): syncs skip what a disconnection paused
 * (R7, R13), frozen items refuse pixel data (R12), a premium's items keep receiving it (R7).
 */
const { server, f } = useTestServer();
let agency: Account;
let admin: User;

beforeAll(async () => {
  agency = await f.agency();
  admin = await f.member(agency, Role.ADMIN);
});

async function gqlOk<V extends Record<string, unknown>>(
  document: TypedDocumentNode<any, V>,
  variables: V,
  as: User | { token: string } = admin,
) {
  const response = await server.op(document, variables, as);
  expect(response.errors).toBeUndefined();
  return response.data!;
}

async function integrationWith(mapped: [Account, string][]) {
  const created = await gqlOk(EffectsCreateIntegrationDocument, {
    input: { ownerAccountId: agency.id, name: 'Adform', adServer: 'SIMULATED' },
  });
  const id = created.createIntegration.integration.id as string;
  for (const [account, advertiser] of mapped) {
    const mapping = await gqlOk(EffectsMapAdvertiserDocument, {
      input: { integrationId: id, clientAccountId: account.id, externalAdvertiserId: advertiser },
    });
    expect(mapping.mapAdvertiser.userErrors).toEqual([]);
  }
  return id;
}

const SYNC = EffectsSyncDocument;

async function token() {
  const data = await gqlOk(EffectsCreateApiTokenDocument, {
    input: { accountId: agency.id, name: 'pixels' },
  });
  return data.createApiToken.token as string;
}

const pixel = (itemId: string, bearer: string) =>
  fetch(`${server.url}/pixel/${itemId}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    body: JSON.stringify({ impressions: 5, clicks: 1, reach: 2 }),
  });

it('disconnectClient: the client is skipped, its items frozen, the others go on (R12, R13)', async () => {
  const leaving = await f.client(agency);
  const staying = await f.client(agency);
  const id = await integrationWith([
    [leaving, 'adv-leaving'],
    [staying, 'adv-staying'],
  ]);
  const leavingCount = simulatedCampaigns('adv-leaving').length;
  const stayingCount = simulatedCampaigns('adv-staying').length;
  expect((await gqlOk(SYNC, { id })).syncIntegration.itemsCreated).toBe(
    leavingCount + stayingCount,
  );
  const bearer = await token();
  const [frozenItem] = await server.db
    .getRepository(ReportingItem)
    .findBy({ accountId: leaving.id });

  const disconnected = await gqlOk(EffectsDisconnectClientDocument, { id: leaving.id });
  expect(disconnected.disconnectClient.userErrors).toEqual([]);

  expect((await gqlOk(SYNC, { id })).syncIntegration).toEqual({
    itemsCreated: 0,
    itemsUpdated: stayingCount,
    mappingsSynced: 1,
    mappingsSkipped: 1,
    userErrors: [],
  });
  expect((await gqlOk(SYNC, { id, client: leaving.id })).syncIntegration.userErrors).toEqual([
    { code: 'MAPPING_PAUSED' },
  ]);
  const before = await server.db
    .getRepository(ReportingItem)
    .findOneByOrFail({ id: frozenItem.id });
  expect((await pixel(frozenItem.id, bearer)).status).toBe(409);
  const after = await server.db.getRepository(ReportingItem).findOneByOrFail({ id: frozenItem.id });
  expect(after).toEqual(before);
});

it('disconnectAgency: the premium is skipped by syncs but its items keep receiving pixel data (R7)', async () => {
  const premium = await f.premium();
  const premiumAdmin = await f.member(premium, Role.ADMIN);
  const connection = await f.connection(agency, premium);
  const other = await f.client(agency);
  const id = await integrationWith([
    [premium, 'adv-premium'],
    [other, 'adv-other'],
  ]);
  await gqlOk(SYNC, { id });
  const bearer = await token();
  const [fed] = await server.db.getRepository(ReportingItem).findBy({ accountId: premium.id });

  const result = await gqlOk(EffectsDisconnectAgencyDocument, { id: connection.id }, premiumAdmin);
  expect(result.disconnectAgency.userErrors).toEqual([]);

  expect((await gqlOk(SYNC, { id })).syncIntegration).toMatchObject({
    itemsCreated: 0,
    itemsUpdated: simulatedCampaigns('adv-other').length,
    mappingsSynced: 1,
    mappingsSkipped: 1,
  });
  const before = await server.db.getRepository(ReportingItem).findOneByOrFail({ id: fed.id });
  expect((await pixel(fed.id, bearer)).status).toBe(202);
  const after = await server.db.getRepository(ReportingItem).findOneByOrFail({ id: fed.id });
  expect(after.impressions).toBe(before.impressions + 5);
  expect(after.status).toBe('ACTIVE');
});

it('issue 26 #2, R7: after disconnectAgency the agency still sees its PAUSED mapping, the premium by id, name and type', async () => {
  const premium = await f.premium({ name: `Brand ${Date.now()}` });
  const premiumAdmin = await f.member(premium, Role.ADMIN);
  const connection = await f.connection(agency, premium);
  const id = await integrationWith([[premium, 'adv-paused']]);
  const result = await gqlOk(EffectsDisconnectAgencyDocument, { id: connection.id }, premiumAdmin);
  expect(result.disconnectAgency.userErrors).toEqual([]);
  const seen = await gqlOk(EffectsIntegrationMappingsDocument, { id });
  expect(seen.node.mappings).toEqual([
    {
      externalAdvertiserId: 'adv-paused',
      status: 'PAUSED',
      client: {
        id: premium.id,
        name: premium.name,
        type: 'PREMIUM_CLIENT',
        members: [],
        reports: { totalCount: 0 },
      },
    },
  ]);
});
