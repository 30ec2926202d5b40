import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { openDatabase } from '../../src/database/database';
import { lsnValue } from '../../src/database/read-routing';
import { ClientAccessMode, Role, type Account, type User } from '../../src/entities';
import { signUserToken } from '../../src/server/auth';
import { startHandover, type RunningHandover } from '../../src/server/bootstrap';
import { factories, type Factories } from '../helpers/factories';
import { testEnv } from '../helpers/test-database';
import { waitFor } from './processes';
import { startReplicatedPair, type ReplicatedPair } from '../helpers/replicated-pair';

/**
 * Issue 27: reads on a real streaming standby with I3 intact. A primary and a hot standby of it
 * (test/helpers/replicated-pair.ts), Handover with DATABASE_URL = the primary and DATABASE_REPLICA_URLS =
 * the standby. With the standby's replay paused, 200 revocations of every kind, each read back
 * through lists and by id as the user who lost access: nothing revoked is seen. Replay resumed:
 * reads return to the standby. A writer reads its write back at once; a standby that is down is
 * skipped.
 */
const DATABASE = 'handover_standby';
const ROUNDS = Number(process.env.STANDBY_REVOCATIONS ?? 200);

let pair: ReplicatedPair;
let running: RunningHandover;
let db: DataSource;
let f: Factories;
let standby: Client;
let secret: string;
let staff: User;

const REPORT = `query StandbyReport($id: ID!) { report(id: $id) { id } }`;
const REPORTS = `query StandbyReports($accountId: ID) {
  reports(filter: { accountId: $accountId }, first: 50) { totalCount nodes { id } } }`;
const ACCOUNT = `query StandbyAccount($id: ID!) { account(id: $id) { id } }`;

async function gql(query: string, variables: Record<string, unknown>, as: User) {
  const response = await fetch(`${running.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${await signUserToken(secret, as.id)}`,
    },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: Record<string, any>; errors?: any[] };
}

/** The routing counter by target and reason (handover_read_routing_total). */
async function routed() {
  const metric = await running.http.metrics.readRouting.get();
  const count = (target: string, reason?: string) =>
    metric.values
      .filter((v) => v.labels.target === target && (!reason || v.labels.reason === reason))
      .reduce((sum, v) => sum + v.value, 0);
  return { standby: count('standby'), lagging: count('primary', 'lagging') };
}

async function standbyHasReplayedPrimary() {
  const [{ lsn }] = await db.query<{ lsn: string }[]>(
    `SELECT pg_current_wal_insert_lsn()::text AS lsn`,
  );
  const { rows } = await standby.query<{ lsn: string }>(
    `SELECT pg_last_wal_replay_lsn()::text AS lsn`,
  );
  return lsnValue(rows[0].lsn) >= lsnValue(lsn);
}

beforeAll(async () => {
  pair = await startReplicatedPair();
  const admin = new Client({ connectionString: pair.primaryUrl('postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${DATABASE}`);
  await admin.end();
  const env = testEnv({
    DATABASE_URL: pair.primaryUrl(DATABASE),
    DATABASE_REPLICA_URLS: pair.standbyUrl(DATABASE),
  });
  secret = env.JWT_SECRET;
  const database = await openDatabase(env);
  running = await startHandover(env, { database });
  db = database.db;
  f = factories(db);
  staff = await f.staff();
  standby = new Client({ connectionString: pair.standbyUrl(DATABASE) });
  // stopStandby() ends this connection too: that is the test, not a failure.
  standby.on('error', () => undefined);
  await waitFor(
    'the standby to have the migrated database',
    async () => {
      await standby.connect();
      return true;
    },
    30_000,
  );
  await waitFor('the standby to catch up', standbyHasReplayedPrimary, 30_000);
}, 180_000);

afterAll(async () => {
  await standby?.end().catch(() => undefined);
  await running?.stop();
  pair?.stop();
});

/** An agency with an ADMIN, a REGULAR who reaches everything, a client and a connected premium. */
async function world() {
  const agency = await f.agency();
  const admin = await f.member(agency, Role.ADMIN);
  const regular = await f.member(agency, Role.REGULAR);
  const client = await f.client(agency, { clientAccess: ClientAccessMode.EVERYONE_IN_AGENCY });
  const brandUser = await f.member(client, Role.VIEW_ONLY);
  const clientReport = await f.report(client);
  const premium = await f.premium();
  const premiumReport = await f.report(premium);
  const connection = await f.connection(agency, premium);
  return {
    agency,
    admin,
    regular,
    brandUser,
    client,
    clientReport,
    premium,
    premiumReport,
    connection,
  };
}
type World = Awaited<ReturnType<typeof world>>;

/**
 * One revocation of each kind, through the API, and who lost what. A disconnected client's
 * reports stay open to the agency's users under R16: its own (brand) user is who loses it.
 */
interface Lost {
  user: User;
  account: Account;
  reportId: string;
  /** The user is refused at authentication (deactivated), on the primary, before any routing. */
  refused?: boolean;
}
const REVOCATIONS: ((w: World) => Promise<Lost>)[] = [
  async (w) => {
    const r = await gql(
      `mutation($id: ID!) { disconnectClient(clientAccountId: $id) { userErrors { code } } }`,
      { id: w.client.id },
      w.admin,
    );
    expect(r.data?.disconnectClient.userErrors).toEqual([]);
    // The brand's organization is removed with its last account, its users deactivated (R20).
    return { user: w.brandUser, account: w.client, reportId: w.clientReport.id, refused: true };
  },
  async (w) => {
    const r = await gql(
      `mutation($id: ID!) { disconnectAgency(connectionId: $id) { userErrors { code } } }`,
      { id: w.connection.id },
      w.admin,
    );
    expect(r.data?.disconnectAgency.userErrors).toEqual([]);
    return { user: w.regular, account: w.premium, reportId: w.premiumReport.id };
  },
  async (w) => {
    const r = await gql(
      `mutation($input: RemoveMemberInput!) { removeMember(input: $input) { userErrors { code } } }`,
      { input: { accountId: w.agency.id, userId: w.regular.id } },
      w.admin,
    );
    expect(r.data?.removeMember.userErrors).toEqual([]);
    return { user: w.regular, account: w.client, reportId: w.clientReport.id };
  },
  async (w) => {
    const r = await gql(
      `mutation($input: SetClientAccessInput!) { setClientAccess(input: $input) { userErrors { code } } }`,
      { input: { accountId: w.client.id, access: 'SELECTED_USERS', userIds: [] } },
      w.admin,
    );
    expect(r.data?.setClientAccess.userErrors).toEqual([]);
    return { user: w.regular, account: w.client, reportId: w.clientReport.id };
  },
  async (w) => {
    const r = await gql(
      `mutation($input: SetConnectionAccessInput!) { setConnectionAccess(input: $input) { userErrors { code } } }`,
      { input: { connectionId: w.connection.id, access: 'SELECTED_USERS', userIds: [] } },
      w.admin,
    );
    expect(r.data?.setConnectionAccess.userErrors).toEqual([]);
    return { user: w.regular, account: w.premium, reportId: w.premiumReport.id };
  },
  async (w) => {
    const r = await gql(
      `mutation($userId: ID!) { deactivateUser(userId: $userId) { userErrors { code } } }`,
      { userId: w.regular.id },
      staff,
    );
    expect(r.data?.deactivateUser.userErrors).toEqual([]);
    return { user: w.regular, account: w.client, reportId: w.clientReport.id, refused: true };
  },
];

/** What the user who lost access still sees of it: nothing, or a refusal of the request. */
async function leaks({ user, refused: _refused, ...lost }: Lost) {
  const seen: string[] = [];
  const byId = await gql(REPORT, { id: lost.reportId }, user);
  if (byId.data?.report) seen.push('report(id)');
  const list = await gql(REPORTS, { accountId: lost.account.id }, user);
  if (list.data?.reports?.totalCount) seen.push('reports(accountId)');
  const all = await gql(REPORTS, {}, user);
  if (all.data?.reports?.nodes.some((n: { id: string }) => n.id === lost.reportId))
    seen.push('reports');
  const account = await gql(ACCOUNT, { id: lost.account.id }, user);
  if (account.data?.account) seen.push('account(id)');
  return seen;
}

it('reads go to the standby once it has replayed what a request must see', async () => {
  const w = await world();
  await waitFor('the standby to catch up', standbyHasReplayedPrimary, 30_000);
  const before = await routed();
  const seen = await gql(REPORT, { id: w.clientReport.id }, w.regular);
  expect(seen.data?.report).toEqual({ id: w.clientReport.id });
  expect((await routed()).standby).toBe(before.standby + 1);
});

it(`with replay paused, ${ROUNDS} revocations of every kind (disconnections, member removal, client and connection access, deactivation): 0 reads see revoked data; resumed, reads return to the standby`, async () => {
  // The worlds exist on the standby before it stops replaying: a read sent to it would see
  // exactly what each revocation took away.
  const worlds: World[] = [];
  for (let round = 0; round < ROUNDS; round++) worlds.push(await world());
  await waitFor('the standby to catch up', standbyHasReplayedPrimary, 60_000);
  await standby.query(`SELECT pg_wal_replay_pause()`);
  const violations: string[] = [];
  const sample: Lost[] = [];
  let refused = 0;
  const before = await routed();
  for (let round = 0; round < ROUNDS; round++) {
    const lost = await REVOCATIONS[round % REVOCATIONS.length](worlds[round]);
    for (const where of await leaks(lost)) violations.push(`round ${round}: ${where}`);
    if (lost.refused) refused += 1;
    if (round % 7 === 0) sample.push(lost);
  }
  const during = await routed();
  await standby.query(`SELECT pg_wal_replay_resume()`);
  expect(violations).toEqual([]);
  // Every read after a revocation waited for nothing: the paused standby was skipped.
  expect(during.standby).toBe(before.standby);
  // Four reads per round, but deactivated users (a disconnected client's brand users, R20, and
  // deactivateUser) are refused at authentication, on the primary, before any routing.
  expect(during.lagging - before.lagging).toBe((ROUNDS - refused) * 4);

  await waitFor('the standby to catch up', standbyHasReplayedPrimary, 60_000);
  for (const lost of sample) expect(await leaks(lost)).toEqual([]);
  expect((await routed()).standby).toBeGreaterThan(during.standby);
});

it('a writer reads its own write back at once, whatever the standby replayed', async () => {
  const w = await world();
  const item = await f.item(w.client);
  await waitFor('the standby to catch up', standbyHasReplayedPrimary, 30_000);
  await standby.query(`SELECT pg_wal_replay_pause()`);
  try {
    for (let n = 0; n < 20; n++) {
      const created = await gql(
        `mutation($input: CreateReportInput!) { createReport(input: $input) { report { id } userErrors { code } } }`,
        { input: { accountId: w.client.id, name: `Mine ${n}`, itemIds: [item.id] } },
        w.regular,
      );
      const id = created.data?.createReport.report.id as string;
      expect((await gql(REPORT, { id }, w.regular)).data?.report).toEqual({ id });
    }
  } finally {
    await standby.query(`SELECT pg_wal_replay_resume()`);
  }
});

it('a standby that is down is skipped without an error', async () => {
  const w = await world();
  pair.stopStandby();
  for (let n = 0; n < 5; n++) {
    const seen = await gql(REPORT, { id: w.clientReport.id }, w.regular);
    expect(seen.errors).toBeUndefined();
    expect(seen.data?.report).toEqual({ id: w.clientReport.id });
  }
  const metric = await running.http.metrics.readRouting.get();
  expect(
    metric.values.find((v) => v.labels.target === 'primary' && v.labels.reason === 'unreachable')
      ?.value,
  ).toBeGreaterThanOrEqual(5);
});
