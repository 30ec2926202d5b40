import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/database/data-source';
import { ClientAccessMode, Role, type Account, type User } from '../../src/entities';
import { signUserToken } from '../../src/server/auth';
import { factories } from '../helpers/factories';
import { parsePrometheusText, type Sample } from '../server/prometheus-text';
import { freePort, sleep, startProcess, waitFor, type Proc } from './processes';
import { startSmtpSink, type SinkMessage } from '../helpers/smtp-sink';

/**
 * Issue 14: Handover as several processes. 3 API replicas (`node dist/main.js`) and 2 relay
 * workers (`node dist/worker.js`) share one PostgreSQL database, one Redis and one SMTP sink;
 * the API replicas do not relay (MAIL_RELAY_IN_SERVER=false), the workers do. The test drives
 * disconnections, creations and reads through all three replicas at once, kills an API replica
 * mid-disconnection and a worker mid-send (SIGKILL), checks shared rate limits and /metrics, and
 * ends with a graceful SIGTERM of everything left.
 */
const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const JWT_SECRET = 'cluster-test-secret-0123456789';
const TOKEN_BUDGET = 40;
const LEASE_SECONDS = 4;
const AGENCIES = 4;
const CLIENTS_PER_AGENCY = 8;

const DISCONNECT = `mutation ClusterDisconnect($id: ID!) {
  disconnectClient(clientAccountId: $id) { account { id status } userErrors { code } } }`;
const CREATE_REPORT = `mutation ClusterCreateReport($input: CreateReportInput!) {
  createReport(input: $input) { report { id } userErrors { code } } }`;
const REPORTS = `query ClusterReports($accountId: ID, $archived: Boolean) {
  reports(filter: { accountId: $accountId, archived: $archived }, first: 20) {
    totalCount nodes { id name } } }`;
const ACCOUNT = `query ClusterAccount($id: ID!) { account(id: $id) { id status } }`;

interface AgencyWorld {
  agency: Account;
  admins: User[];
  manager: User;
  regular: User;
  clients: { client: Account; brandUser: User }[];
}

let dbName: string;
let databaseUrl: string;
let db: DataSource;
let sink: Awaited<ReturnType<typeof startSmtpSink>>;
const apis: (Proc & { url: string })[] = [];
const workers: Proc[] = [];
const tokens = new Map<string, string>();
/** Every HTTP status any replica answered (network failures of the killed replica excluded). */
const statuses: number[] = [];
let worlds: AgencyWorld[] = [];
/** R31: connections whose disconnection is scheduled to fall due at one instant. */
let scheduled: { scheduleId: string; connectionId: string }[] = [];
const SCHEDULES = 50;

async function adminQuery(sql: string) {
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const tokenOf = async (user: User) => {
  if (!tokens.has(user.id)) tokens.set(user.id, await signUserToken(JWT_SECRET, user.id));
  return tokens.get(user.id)!;
};

/** POST /graphql to replica `i` (0-based) as `as` (a user or a raw bearer token). */
async function gql(
  i: number,
  query: string,
  variables: Record<string, unknown>,
  as: User | string,
): Promise<{ status: number; headers: Headers; body: Record<string, any> }> {
  const token = typeof as === 'string' ? as : await tokenOf(as);
  const response = await fetch(`${apis[i].url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  statuses.push(response.status);
  const body = (await response.json()) as Record<string, any>;
  return { status: response.status, headers: response.headers, body };
}

const payload = (response: { body: Record<string, any> }) => {
  if (response.body.errors) throw new Error(JSON.stringify(response.body.errors));
  return Object.values(response.body.data ?? {})[0] as Record<string, any>;
};

function apiEnv(name: string, port: number): Record<string, string> {
  return {
    NODE_ENV: 'production',
    JWT_SECRET,
    DATABASE_URL: databaseUrl,
    HOST: '127.0.0.1',
    PORT: String(port),
    SMTP_URL: sink.urlFor(name),
    REDIS_URL,
    RATE_LIMIT: 'on',
    RATE_LIMIT_TOKEN_POINTS: String(TOKEN_BUDGET),
    MAIL_RELAY_IN_SERVER: 'false',
    MAIL_LEASE_SECONDS: String(LEASE_SECONDS),
    SCHEDULER_INTERVAL_MS: '200',
    SCHEDULER_LEASE_SECONDS: String(LEASE_SECONDS),
    DB_POOL_SIZE: '5',
    LOG_LEVEL: 'warn',
  };
}

/**
 * R31: SCHEDULES agency ↔ premium pairs (an ADMIN each side), each with its disconnection
 * scheduled for one instant a few seconds after the processes start — written directly, as the
 * API allows nothing less than an hour ahead.
 */
async function seedSchedules() {
  const f = factories(db);
  const result = [];
  for (let i = 0; i < SCHEDULES; i += 1) {
    const agency = await f.agency();
    const premium = await f.premium();
    const admin = await f.member(agency, Role.ADMIN);
    await f.member(premium, Role.ADMIN);
    const connection = await f.connection(agency, premium);
    result.push({ connectionId: connection.id, agencyId: agency.id, adminId: admin.id });
  }
  const rows = await db.query<{ id: string; connection_id: string }[]>(
    `INSERT INTO scheduled_disconnections (connection_id, scheduling_account_id, run_at, scheduled_by_id)
     SELECT (x->>'connectionId')::uuid, (x->>'agencyId')::uuid,
            date_trunc('second', now()) + interval '8 seconds', (x->>'adminId')::uuid
       FROM jsonb_array_elements($1::jsonb) x
     RETURNING id, connection_id`,
    [JSON.stringify(result)],
  );
  return rows.map((row) => ({ scheduleId: row.id, connectionId: row.connection_id }));
}

async function seed(): Promise<AgencyWorld[]> {
  const f = factories(db);
  const result: AgencyWorld[] = [];
  for (let a = 0; a < AGENCIES; a += 1) {
    const agency = await f.agency();
    const admins = [await f.member(agency, Role.ADMIN), await f.member(agency, Role.ADMIN)];
    const manager = await f.member(agency, Role.ACCOUNT_MANAGER);
    const regular = await f.member(agency, Role.REGULAR);
    const clients = [];
    for (let c = 0; c < CLIENTS_PER_AGENCY; c += 1) {
      const client = await f.client(agency, { clientAccess: ClientAccessMode.EVERYONE_IN_AGENCY });
      const brandUser = await f.member(client, Role.VIEW_ONLY);
      const items = [await f.item(client), await f.item(client)];
      await f.report(client, { items });
      await f.report(client, { items: [items[0]] });
      clients.push({ client, brandUser });
    }
    result.push({ agency, admins, manager, regular, clients });
  }
  return result;
}

beforeAll(async () => {
  dbName = `handover_cluster_${randomBytes(5).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${dbName}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${dbName}`;
  databaseUrl = url.toString();
  sink = await startSmtpSink();

  // Migrations run once, before any replica starts (the deployment's release step).
  const migrate = startProcess('migrate', 'dist/database/migrate.js', {
    DATABASE_URL: databaseUrl,
    JWT_SECRET,
    NODE_ENV: 'production',
  });
  const migrated = await migrate.exited;
  if (migrated.code !== 0) throw new Error(`migrate failed:\n${migrate.output()}`);

  db = createDataSource(databaseUrl, 4);
  await db.initialize();
  worlds = await seed();
  scheduled = await seedSchedules();

  for (let i = 0; i < 3; i += 1) {
    const port = await freePort();
    const proc = startProcess(`api-${i + 1}`, 'dist/main.js', apiEnv(`api-${i + 1}`, port));
    apis.push({ ...proc, url: `http://127.0.0.1:${port}` });
  }
  for (let i = 0; i < 2; i += 1) {
    const name = `worker-${i + 1}`;
    workers.push(startProcess(name, 'dist/worker.js', { ...apiEnv(name, 0), LOG_LEVEL: 'info' }));
  }
  for (const api of apis) {
    await waitFor(
      `${api.name} ready`,
      async () => (await fetch(`${api.url}/health/ready`)).status === 200,
      60_000,
      api,
    );
  }
  for (const worker of workers) {
    await waitFor(
      `${worker.name} running`,
      () => /mail relay running/.test(worker.output()),
      60_000,
      worker,
    );
  }
}, 180_000);

afterAll(async () => {
  for (const proc of [...apis, ...workers]) {
    if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
  }
  await db?.destroy().catch(() => {});
  await sink?.close();
  await adminQuery(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
});

/** The state of one client's disconnection, read straight from the database. */
async function disconnectionState(clientId: string) {
  const [row] = await db.query<
    {
      status: string;
      audits: string;
      outbox: string;
      active_reports: string;
      active_items: string;
    }[]
  >(
    `SELECT a.status,
            (SELECT count(*) FROM audit_events e
              WHERE e.action = 'CLIENT_DISCONNECTED' AND e.account_id = a.id) AS audits,
            (SELECT count(*) FROM email_outbox o
              WHERE o.dedupe_key LIKE 'disconnect-client:' || a.id || ':%') AS outbox,
            (SELECT count(*) FROM reports r WHERE r.account_id = a.id AND r.status = 'ACTIVE') AS active_reports,
            (SELECT count(*) FROM reporting_items i
              WHERE i.account_id = a.id AND i.status = 'ACTIVE') AS active_items
       FROM accounts a WHERE a.id = $1`,
    [clientId],
  );
  return {
    status: row.status,
    audits: Number(row.audits),
    outbox: Number(row.outbox),
    activeReports: Number(row.active_reports),
    activeItems: Number(row.active_items),
  };
}

/** All or nothing (I1): archived with one audit event, one email row per admin and nothing
 * left active — or untouched. */
async function expectAllOrNothing(clientId: string, admins: number) {
  const state = await disconnectionState(clientId);
  if (state.status === 'ARCHIVED') {
    expect(state).toEqual({
      status: 'ARCHIVED',
      audits: 1,
      outbox: admins,
      activeReports: 0,
      activeItems: 0,
    });
  } else {
    expect(state).toEqual({
      status: 'ACTIVE',
      audits: 0,
      outbox: 0,
      // the two seeded reports and any created meanwhile
      activeReports: expect.any(Number),
      activeItems: 2,
    });
    expect(state.activeReports).toBeGreaterThanOrEqual(2);
  }
  return state.status;
}

it('runs as 3 API replicas and 2 relay workers on one database', async () => {
  // ---- 0. R31: 50 schedules due at one instant, 5 schedulers (3 replicas, 2 workers) ---------
  await waitFor(
    'every scheduled disconnection ran',
    async () =>
      Number(
        (
          await db.query<{ n: string }[]>(
            `SELECT count(*) AS n FROM scheduled_disconnections WHERE status = 'SCHEDULED'`,
          )
        )[0].n,
      ) === 0,
    90_000,
  );
  const ends = await db.query<{ status: string; attempts: number; events: number }[]>(
    `SELECT s.status, s.attempts,
            (SELECT count(*)::int FROM audit_events e
              WHERE e.action = 'AGENCY_DISCONNECTED'
                AND e.details->>'connectionId' = s.connection_id::text
                AND e.details->'scheduledRun'->>'scheduleId' = s.id::text) AS events
       FROM scheduled_disconnections s WHERE s.id = ANY($1::uuid[])`,
    [scheduled.map((x) => x.scheduleId)],
  );
  // Each ran exactly once: claimed once, DONE, one disconnection event of its own.
  expect(ends).toHaveLength(SCHEDULES);
  expect(ends.filter((e) => !(e.status === 'DONE' && e.attempts === 1 && e.events === 1))).toEqual(
    [],
  );
  const [{ disconnected }] = await db.query<{ disconnected: number }[]>(
    `SELECT count(*)::int AS disconnected FROM agency_connections
      WHERE id = ANY($1::uuid[]) AND status = 'DISCONNECTED'`,
    [scheduled.map((x) => x.connectionId)],
  );
  expect(disconnected).toBe(SCHEDULES);
  const runners = [...apis, ...workers].filter((p) =>
    /scheduled disconnections \(R31\)/.test(p.output()),
  );
  console.log(`scheduled runs shared by: ${runners.map((p) => p.name).join(', ')}`);

  // ---- 1. concurrent disconnections, creations and reads through all three replicas ----------
  const doubleClicks: Promise<Record<string, any>>[][] = [];
  const work: Promise<unknown>[] = [];
  const i3Checks: Promise<void>[] = [];
  worlds.forEach((w, a) => {
    // a double click landing on two replicas at once (I4)
    const twice = [0, 1].map((i) =>
      gql(i, DISCONNECT, { id: w.clients[0].client.id }, w.manager).then(payload),
    );
    doubleClicks.push(twice);
    work.push(...twice);
    work.push(gql(1, DISCONNECT, { id: w.clients[1].client.id }, w.manager).then(payload));
    work.push(gql(2, DISCONNECT, { id: w.clients[2].client.id }, w.admins[0]).then(payload));
    for (let n = 0; n < 6; n += 1) {
      const target = w.clients[4 + (n % 4)].client;
      work.push(
        gql(
          n % 3,
          CREATE_REPORT,
          { input: { accountId: target.id, name: `Cluster ${a}-${n}` } },
          w.manager,
        )
          .then(payload)
          .then((created) => expect(created.userErrors).toEqual([])),
      );
    }
    for (let n = 0; n < 10; n += 1) {
      work.push(gql(n % 3, REPORTS, {}, n % 2 ? w.regular : w.admins[1]).then(payload));
    }
    // I3 across processes: disconnected on replica 1, refused on replica 3 right after.
    const { client, brandUser } = w.clients[3];
    i3Checks.push(
      (async () => {
        expect((await gql(2, ACCOUNT, { id: client.id }, brandUser).then(payload))?.id).toBe(
          client.id,
        );
        const done = await gql(0, DISCONNECT, { id: client.id }, w.manager).then(payload);
        expect(done.userErrors).toEqual([]);
        // refused: the brand user was deactivated with its last account (401), or sees nothing
        const after = await gql(2, ACCOUNT, { id: client.id }, brandUser);
        expect(
          after.body.errors?.[0]?.extensions?.code === 'UNAUTHENTICATED' ||
            after.body.data?.account === null,
        ).toBe(true);
        const list = await gql(
          2,
          REPORTS,
          { accountId: client.id, archived: false },
          w.regular,
        ).then(payload);
        expect(list.totalCount).toBe(0);
      })(),
    );
  });
  await Promise.all([...work, ...i3Checks]);
  for (const twice of doubleClicks) {
    const results = await Promise.all(twice);
    const codes = results
      .map((r) => r.userErrors.map((e: { code: string }) => e.code).join(','))
      .sort();
    expect(codes).toEqual(['', 'ALREADY_DISCONNECTED']);
  }
  for (const w of worlds) {
    for (const c of [0, 1, 2, 3]) {
      expect(await expectAllOrNothing(w.clients[c].client.id, 2)).toBe('ARCHIVED');
    }
  }

  // ---- 2. SIGKILL replica 2 in the middle of disconnections ---------------------------------
  const victims = worlds.flatMap((w) => [4, 5].map((c) => ({ w, client: w.clients[c].client })));
  const attempts = victims.map(({ w, client }) =>
    gql(1, DISCONNECT, { id: client.id }, w.manager).then(
      () => 'answered',
      () => 'connection lost',
    ),
  );
  await Promise.race(attempts);
  apis[1].child.kill('SIGKILL');
  await apis[1].exited;
  await Promise.all(attempts);
  let committedBeforeKill = 0;
  for (const { client } of victims) {
    if ((await expectAllOrNothing(client.id, 2)) === 'ARCHIVED') committedBeforeKill += 1;
  }
  // The client retries on another replica: done ones answer ALREADY_DISCONNECTED (I4).
  for (const { w, client } of victims) {
    const before = (await disconnectionState(client.id)).status;
    const retried = await gql(0, DISCONNECT, { id: client.id }, w.manager).then(payload);
    expect(retried.userErrors.map((e: { code: string }) => e.code)).toEqual(
      before === 'ARCHIVED' ? ['ALREADY_DISCONNECTED'] : [],
    );
    expect(await expectAllOrNothing(client.id, 2)).toBe('ARCHIVED');
  }
  console.log(
    `replica killed: ${committedBeforeKill}/${victims.length} disconnections had committed`,
  );

  // ---- 3. SIGKILL a worker while it sends -----------------------------------------------------
  await waitFor('the outbox to drain', async () => (await pendingOutbox()) === 0, 60_000);
  const held = sink.holdNext();
  const spares = worlds.flatMap((w) => [6, 7].map((c) => ({ w, client: w.clients[c].client })));
  let heldMessage: SinkMessage | null = null;
  for (const { w, client } of spares) {
    expect(
      (await gql(0, DISCONNECT, { id: client.id }, w.manager).then(payload)).userErrors,
    ).toEqual([]);
    heldMessage = await Promise.race([held, sleep(4000).then(() => null)]);
    if (heldMessage) break;
  }
  expect(heldMessage).not.toBeNull();
  const victim = workers.find((worker) => worker.name === heldMessage!.sender)!;
  expect(victim).toBeDefined();
  victim.child.kill('SIGKILL');
  await victim.exited;

  // ---- 4. one budget for an API token across replicas --------------------------------------
  const created = await gql(
    0,
    `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }`,
    { input: { accountId: worlds[0].agency.id, name: 'cluster' } },
    worlds[0].admins[0],
  ).then(payload);
  const apiToken = created.token as string;
  const limited: number[] = [];
  const retryAfter: string[] = [];
  for (let n = 0; n < TOKEN_BUDGET + 20; n += 1) {
    const response = await gql(n % 2 === 0 ? 0 : 2, '{ __typename }', {}, apiToken);
    limited.push(response.status);
    if (response.status === 429) {
      retryAfter.push(response.headers.get('retry-after') ?? '');
      expect(response.body.errors[0].extensions.code).toBe('RATE_LIMITED');
    } else {
      expect(response.body.extensions.cost.remaining).toBe(TOKEN_BUDGET - 1 - n);
    }
  }
  expect(limited.filter((s) => s === 200)).toHaveLength(TOKEN_BUDGET);
  expect(limited.slice(TOKEN_BUDGET)).toEqual(Array(20).fill(429));
  expect(retryAfter.every((value) => Number(value) >= 1 && Number(value) <= 60)).toBe(true);

  // ---- 5. every email once; a duplicate only for the message the killed worker had sent ------
  await waitFor(
    'every outbox row SENT (the killed worker’s lease expires first)',
    async () => (await pendingOutbox()) === 0,
    60_000,
  );
  const rows = await db.query<
    { id: string; to_address: string; status: string; dedupe_key: string }[]
  >(`SELECT id, to_address, status, dedupe_key FROM email_outbox`);
  // Section 0's scheduled disconnections sent theirs too (one per admin of either side).
  const clientRows = rows.filter((row) => row.dedupe_key.startsWith('disconnect-client:'));
  expect(rows.length - clientRows.length).toBe(SCHEDULES * 2);
  const archived = await db.query<{ id: string }[]>(
    `SELECT id FROM accounts WHERE type = 'CLIENT' AND status = 'ARCHIVED'`,
  );
  // one row per admin per disconnection, all SENT
  expect(clientRows).toHaveLength(archived.length * 2);
  expect(rows.every((row) => row.status === 'SENT')).toBe(true);
  const byMessageId = new Map<string, SinkMessage[]>();
  for (const message of sink.received) {
    byMessageId.set(message.messageId, [...(byMessageId.get(message.messageId) ?? []), message]);
  }
  for (const row of rows) {
    const copies = byMessageId.get(`<${row.id}@handover.local>`) ?? [];
    expect(copies.map((m) => m.to.join(','))).toEqual(
      copies.length > 0 ? Array(copies.length).fill(row.to_address) : [row.to_address],
    );
    const allowed = `<${row.id}@handover.local>` === heldMessage!.messageId ? 2 : 1;
    expect(copies.length).toBeGreaterThanOrEqual(1);
    expect(copies.length).toBeLessThanOrEqual(allowed);
  }
  expect(byMessageId.size).toBe(rows.length);
  const duplicates = [...byMessageId.values()].filter((copies) => copies.length > 1).length;
  console.log(`worker killed mid-send: ${duplicates} duplicate(s), same Message-ID`);

  // ---- 6. /metrics of the surviving replicas, parsed ----------------------------------------
  const scraped: Sample[][] = [];
  for (const i of [0, 2]) {
    const response = await fetch(`${apis[i].url}/metrics`);
    expect(response.status).toBe(200);
    scraped.push(parsePrometheusText(await response.text()));
  }
  const total = (name: string, labels: Record<string, string>) =>
    scraped
      .flat()
      .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
      .reduce((sum, s) => sum + s.value, 0);
  expect(total('handover_rate_limit_rejections_total', { principal: 'token' })).toBe(20);
  expect(total('handover_http_responses_total', { status_class: '5xx' })).toBe(0);
  expect(
    total('handover_graphql_request_duration_seconds_count', { operation: 'ClusterDisconnect' }),
  ).toBeGreaterThan(0);
  expect(total('handover_outbox_emails', { status: 'PENDING' })).toBe(0);
  expect(total('handover_db_pool_waiting', {})).toBe(0);

  // ---- no 5xx anywhere; I1/I2 over the whole database ---------------------------------------
  expect(statuses.filter((s) => s >= 500)).toEqual([]);
  const leftovers = await db.query(
    `SELECT a.id FROM accounts a WHERE a.type = 'CLIENT' AND a.status = 'ARCHIVED' AND (
       EXISTS (SELECT 1 FROM reports r WHERE r.account_id = a.id AND r.status = 'ACTIVE') OR
       EXISTS (SELECT 1 FROM reporting_items i WHERE i.account_id = a.id AND i.status = 'ACTIVE') OR
       EXISTS (SELECT 1 FROM client_access_grants g WHERE g.account_id = a.id) OR
       (SELECT count(*) FROM audit_events e
         WHERE e.action = 'CLIENT_DISCONNECTED' AND e.account_id = a.id) <> 1)`,
  );
  expect(leftovers).toEqual([]);

  // ---- graceful stop: SIGTERM drains and exits 0 --------------------------------------------
  const survivors = [apis[0], apis[2], ...workers.filter((w) => w !== victim)];
  for (const proc of survivors) proc.child.kill('SIGTERM');
  for (const proc of survivors) {
    const exit = await Promise.race([proc.exited, sleep(20_000).then(() => null)]);
    expect({ name: proc.name, exit }).toEqual({ name: proc.name, exit: { code: 0, signal: null } });
  }
});

async function pendingOutbox() {
  const [row] = await db.query<{ n: string }[]>(
    `SELECT count(*) AS n FROM email_outbox WHERE status = 'PENDING'`,
  );
  return Number(row.n);
}
