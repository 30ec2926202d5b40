import { User } from '../../src/entities';
import { seedDemoWorldIfEmpty } from '../../src/seed/demo-world';
import { useTestServer } from '../helpers/test-server';
import {
  DemoDisconnectClientDocument,
  DemoSyncIntegrationDocument,
  DemoIntegrationsDocument,
} from '../generated/graphql';

/** The demo world a newcomer explores: its integration syncs, and pauses per R7/R13. */
const { server } = useTestServer();
let admin: User;

beforeAll(async () => {
  const demo = await seedDemoWorldIfEmpty(server.db, server.database.env);
  expect(demo?.map((u) => u.email)).toContain('admin@northwind.example');
  admin = await server.db.getRepository(User).findOneByOrFail({ email: 'admin@northwind.example' });
});

const integrationQuery = DemoIntegrationsDocument;

async function integration() {
  const response = await server.op(integrationQuery, {}, admin);
  return response.data!.viewer.memberships[0].account.integrations[0];
}

it('seeds only once', async () => {
  expect(await seedDemoWorldIfEmpty(server.db, server.database.env)).toBeNull();
});

it('syncs the demo integration, then pauses only the disconnected client’s advertiser', async () => {
  const { id, mappings } = await integration();
  expect(mappings.map((m: any) => [m.externalAdvertiserId, m.status]).sort()).toEqual([
    ['adv-acme', 'ACTIVE'],
    ['adv-globex', 'ACTIVE'],
    ['adv-initech', 'ACTIVE'],
  ]);
  const sync = DemoSyncIntegrationDocument;
  const first = await server.op(sync, { id }, admin);
  const created = first.data?.syncIntegration.itemsCreated;
  expect(first.data?.syncIntegration.userErrors).toEqual([]);
  expect(created).toBeGreaterThanOrEqual(3); // at least one campaign per advertiser

  const globex = mappings.find((m) => m.externalAdvertiserId === 'adv-globex')!.client;
  const disconnect = await server.op(DemoDisconnectClientDocument, { id: globex.id }, admin);
  expect(disconnect.data?.disconnectClient).toEqual({
    account: { status: 'ARCHIVED' },
    impact: { mappingsToPause: 1 },
    userErrors: [],
  });
  const after = await integration();
  expect(after.mappings.map((m: any) => [m.externalAdvertiserId, m.status]).sort()).toEqual([
    ['adv-acme', 'ACTIVE'],
    ['adv-globex', 'PAUSED'],
    ['adv-initech', 'ACTIVE'],
  ]);
  const [{ n: globexItems }] = await server.db.query(
    `SELECT count(*)::int AS n FROM reporting_items WHERE account_id = $1 AND source = 'INTEGRATION'`,
    [globex.id],
  );
  const second = await server.op(sync, { id }, admin);
  expect(second.data?.syncIntegration).toEqual({
    itemsCreated: 0,
    itemsUpdated: created! - globexItems,
    userErrors: [],
  });
});
