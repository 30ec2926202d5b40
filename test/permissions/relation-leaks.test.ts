/**
 * Relation fields are not wrapped by shield (`parentIsVisible`): a visible object's relations are
 * shown with it. This test follows every relation chain a client can write from visible roots
 * (memberships of users met on the way, an account's agency, connections' other side, reports'
 * accounts) and checks that whatever account the chain lands on, its lists of people, integrations
 * and connections are shown only when the viewer may see that account itself.
 */
import {
  ClientAccessMode,
  ConnectionStatus,
  ItemSource,
  Role,
  type Account,
  type User,
} from '../../src/entities';
import {
  RelationAccountListsDocument,
  RelationAccountVisibleDocument,
  RelationItemIntegrationsDocument,
  RelationUserMembershipsDocument,
  RelationViewerMembershipsDocument,
} from '../generated/graphql';
import { useTestServer } from '../helpers/test-server';

// Hundreds of requests: generous on a loaded CI machine.
jest.setTimeout(600_000);

const { server, f } = useTestServer();
const u: Record<string, User> = {};
const a: Record<string, Account> = {};

async function integration(owner: Account, ...clients: Account[]) {
  const [row]: { id: string }[] = await server.db.query(
    `INSERT INTO integrations (name, ad_server, owner_account_id) VALUES ('CM360', 'CAMPAIGN_MANAGER', $1) RETURNING id`,
    [owner.id],
  );
  for (const client of clients) {
    await server.db.query(
      `INSERT INTO integration_mappings (integration_id, client_account_id, external_advertiser_id) VALUES ($1, $2, $3)`,
      [row.id, client.id, `adv-${client.id}`],
    );
  }
  return row.id;
}

beforeAll(async () => {
  a.agencyA = await f.agency();
  a.agencyB = await f.agency();
  a.clientA = await f.client(a.agencyA, { clientAccess: ClientAccessMode.EVERYONE_IN_AGENCY });
  a.clientB = await f.client(a.agencyB, { clientAccess: ClientAccessMode.EVERYONE_IN_AGENCY });
  a.premium = await f.premium();
  await f.connection(a.agencyA, a.premium, { status: ConnectionStatus.ACTIVE });
  await f.connection(a.agencyB, a.premium, { status: ConnectionStatus.DISCONNECTED });
  u.twoHats = await f.member(a.agencyA, Role.REGULAR);
  await f.membership(u.twoHats, a.agencyB, Role.ADMIN);
  u.aRegular = await f.member(a.agencyA, Role.REGULAR);
  u.bAdmin = await f.member(a.agencyB, Role.ADMIN);
  u.clientUser = await f.member(a.clientA, Role.VIEW_ONLY);
  u.premiumUser = await f.member(a.premium, Role.REGULAR);
  a.clientA2 = await f.client(a.agencyA); // another brand of agency A
  const cm360 = await integration(a.agencyA, a.clientA, a.clientA2, a.premium);
  await integration(a.agencyB, a.clientB);
  // Items fed by agency A's integration into its client and into the premium client.
  const fedClient = await f.item(a.clientA, {
    source: ItemSource.INTEGRATION,
    integrationId: cm360,
  });
  const fedPremium = await f.item(a.premium, {
    source: ItemSource.INTEGRATION,
    integrationId: cm360,
  });
  await f.report(a.clientA, { createdById: u.twoHats.id, items: [fedClient] });
  await f.report(a.premium, { createdById: u.premiumUser.id, items: [fedPremium] });
  await f.report(a.clientB, { createdById: u.twoHats.id });
});

const LIST_FIELDS = ['members { role }', 'integrations { id }', 'connections { id }'];
/** One chain and one list per request (graphql-armor's cost limit). */
const WALKS = [
  `{ viewer { memberships { account { ...A agency { ...A } } } } }`,
  `{ accounts(first: 100) { nodes { ...A agency { ...A } } } }`,
  `query($id: ID!) { account(id: $id) { connections { agency { ...A } premiumClient { ...A } } } }`,
  `query($id: ID!) { account(id: $id) { members { user { memberships { account { ...A } } } } } }`,
  `{ reports(first: 100) { nodes { account { ...A agency { ...A } } } } }`,
  `query($id: ID!) { report(id: $id) { createdBy { memberships { account { ...A } } } } }`,
].flatMap((walk) => LIST_FIELDS.map((list) => `fragment A on Account { id ${list} }\n${walk}`));

/** Every Account object in a response, with the lists it showed. */
function accountsIn(value: unknown, found: Record<string, unknown>[] = []) {
  if (Array.isArray(value)) value.forEach((v) => accountsIn(v, found));
  else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const lists = ['members', 'integrations', 'connections'].filter((k) => k in record);
    if ('id' in record && lists.length > 0 && !('agency' in record && 'premiumClient' in record)) {
      found.push(record);
    }
    Object.values(record).forEach((v) => accountsIn(v, found));
  }
  return found;
}

describe('relation chains do not open invisible accounts', () => {
  it.each(['twoHats', 'aRegular', 'bAdmin', 'clientUser', 'premiumUser'])('as %s', async (who) => {
    const reached: Record<string, unknown>[] = [];
    const reportIds: { id: string }[] = await server.db.query(`SELECT id FROM reports`);
    for (const walk of WALKS) {
      const ids = walk.includes('report(id')
        ? reportIds.map((r) => r.id)
        : Object.values(a).map((x) => x.id);
      for (const id of walk.includes('$id') ? ids : [null]) {
        const response = await server.gql(walk, id ? { id } : {}, u[who]);
        expect(response.errors).toBeUndefined();
        accountsIn(response.data, reached);
      }
    }
    expect(reached.length).toBeGreaterThan(0);
    const leaks: string[] = [];
    for (const account of reached) {
      const visible = await server.op(
        RelationAccountVisibleDocument,
        { id: account.id as string },
        u[who],
      );
      if (visible.data!.account) continue;
      const name = Object.entries(a).find(([, x]) => x.id === account.id)?.[0];
      for (const list of ['members', 'integrations', 'connections']) {
        if (((account[list] as unknown[] | undefined) ?? []).length > 0) {
          leaks.push(`${who} reads ${name}.${list} without seeing ${name}`);
        }
      }
    }
    expect([...new Set(leaks)]).toEqual([]);
  });

  it('visible accounts keep all their lists', async () => {
    const query = RelationAccountListsDocument;
    const premium = await server.op(query, { id: a.premium.id }, u.premiumUser);
    expect(premium.data!.account!.members).toEqual([{ user: { id: u.premiumUser.id } }]);
    expect(premium.data!.account!.connections.map((c) => c.status).sort()).toEqual([
      'ACTIVE',
      'DISCONNECTED',
    ]);
    const agencyB = await server.op(query, { id: a.agencyB.id }, u.bAdmin);
    expect(agencyB.data!.account!.members).toHaveLength(2);
    expect(agencyB.data!.account!.integrations).toHaveLength(1);
    expect(agencyB.data!.account!.connections).toEqual([{ status: 'DISCONNECTED' }]);
  });

  it('an integration reached through an item shows to its owner’s people only', async () => {
    const mappingsSeenBy = async (who: User) => {
      const response = await server.op(RelationItemIntegrationsDocument, {}, who);
      expect(response.errors).toBeUndefined();
      return response
        .data!.reports.nodes.flatMap((r) => r.items.nodes)
        .filter((i) => i.integration)
        .map((i) => i.integration!.mappings.length);
    };
    // The client's own user and the premium's user do not see agency A's integration at all: it
    // is A's configuration (A3, issue 30 #5).
    expect(await mappingsSeenBy(u.clientUser)).toEqual([]);
    expect(await mappingsSeenBy(u.premiumUser)).toEqual([]);
    // Agency A's users see them all (three mappings) on both items.
    expect(await mappingsSeenBy(u.aRegular)).toEqual([3, 3]);
  });

  it('a user’s memberships are listed only in accounts the viewer sees (their own always)', async () => {
    const other = await server.op(
      RelationUserMembershipsDocument,
      { id: u.twoHats.id },
      u.aRegular,
    );
    const node = other.data!.node;
    expect(node && 'memberships' in node && node.memberships.map((m) => m.account.id)).toEqual([
      a.agencyA.id,
    ]);
    const own = await server.op(RelationViewerMembershipsDocument, {}, u.twoHats);
    expect(own.data!.viewer.memberships.map((m) => m.account.id).sort()).toEqual(
      [a.agencyA.id, a.agencyB.id].sort(),
    );
  });
});
