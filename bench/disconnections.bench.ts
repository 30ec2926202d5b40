/**
 * `npm run bench:disconnections` — B11 (issue 28: disconnections planned ahead). Its own world in
 * its own database, rebuilt each run: one agency (an ADMIN, a selected manager and a regular
 * user, an integration) whose fresh CLIENTs of `--reports` reports each (bench/disconnect.bench.ts
 * `makeClient`) are disconnected three ways, and a small tenant whose reports page is read during
 * a bulk. Every number is a ratio of two things measured in the same run; writes
 * bench/results-disconnections.md.
 *
 * - bulk: `disconnectClients` of `--clients` clients (default 100) / `--clients` single
 *   `disconnectClient` calls of as many equal clients, each order once (bulk first, then singles
 *   first), summed per side;
 * - reads: the small tenant's reports page (p99) while a bulk runs / idle, before and after;
 * - scheduled: a due schedule's run (a scheduler tick: claim + run) / the same disconnection
 *   called directly, 5 pairs in alternating order, medians.
 */
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { openDatabase } from '../src/database/database';
import { runSchedulerTick } from '../src/jobs/disconnection-scheduler';
import { startHandover } from '../src/server/bootstrap';
import { signUserToken } from '../src/server/auth';
import { makeClient } from './disconnect.bench';
import {
  envFor,
  JWT_SECRET,
  median,
  option,
  percentile,
  postJson,
  serverUrl,
  urlOf,
  withClient,
  writeMarkdown,
} from './shared';

const CLIENTS = option('clients', 100);
const REPORTS = option('reports', 1000);
const SCHEDULED_PAIRS = option('scheduled-pairs', 5);
const DATABASE = 'handover_bench_disconnections';
const RESULTS = 'bench/results-disconnections.md';

const SINGLE = `mutation ($id: ID!) { disconnectClient(clientAccountId: $id) {
  account { id status } impact { reportsToArchive } userErrors { code message } } }`;
const BULK = `mutation ($ids: [ID!]!) { disconnectClients(clientAccountIds: $ids) {
  results { clientAccountId impact { reportsToArchive } userErrors { code message } }
  userErrors { code message } } }`;
const SCHEDULE = `mutation ($input: ScheduleDisconnectionInput!) { scheduleDisconnection(input: $input) {
  schedule { id runAt } userErrors { code message } } }`;
const SMALL_PAGE = `query { reports(filter: { archived: false }, first: 20) {
  totalCount nodes { id name createdAt account { id name } createdBy { id name } } } }`;

async function buildWorld(url: string) {
  await withClient(serverUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${DATABASE}`);
  });
  const migrated = await openDatabase(envFor(url));
  await migrated.close();
  return withClient(url, async (c) => {
    const { rows } = await c.query<Record<string, string>>(
      `WITH
       ao AS (INSERT INTO organizations (name) VALUES ('Winding Down') RETURNING id),
       so AS (INSERT INTO organizations (name) VALUES ('Small') RETURNING id),
       a AS (INSERT INTO accounts (name, type, organization_id) SELECT 'Winding Down', 'AGENCY', id FROM ao RETURNING id),
       s AS (INSERT INTO accounts (name, type, organization_id) SELECT 'Small', 'AGENCY', id FROM so RETURNING id),
       u AS (INSERT INTO users (email, name, organization_id)
             SELECT e, n, ao.id FROM ao, (VALUES ('admin@wd.example', 'WD admin'),
                                                 ('manager@wd.example', 'WD manager'),
                                                 ('regular@wd.example', 'WD regular')) v(e, n)
             RETURNING id, email),
       su AS (INSERT INTO users (email, name, organization_id) SELECT 's-admin@bench.example', 'Small admin', id FROM so RETURNING id),
       m AS (INSERT INTO memberships (user_id, account_id, role)
             SELECT u.id, a.id, CASE u.email WHEN 'admin@wd.example' THEN 'ADMIN'
                                             WHEN 'manager@wd.example' THEN 'ACCOUNT_MANAGER'
                                             ELSE 'REGULAR' END::role FROM u, a
             UNION ALL SELECT su.id, s.id, 'ADMIN'::role FROM su, s RETURNING user_id),
       i AS (INSERT INTO integrations (name, owner_account_id, ad_server)
             SELECT 'CM360', a.id, 'CM360' FROM a RETURNING id),
       r AS (INSERT INTO reports (name, account_id, status, created_by_id)
             SELECT 'Small report ' || g, s.id, 'ACTIVE', su.id FROM s, su, generate_series(1, 20) g RETURNING id)
       SELECT a.id AS agency, s.id AS small, i.id AS integration,
              (SELECT id FROM u WHERE email = 'admin@wd.example') AS admin,
              (SELECT id FROM u WHERE email = 'manager@wd.example') AS manager,
              (SELECT id FROM u WHERE email = 'regular@wd.example') AS regular,
              su.id AS s_admin, (SELECT count(*) FROM m) AS members, (SELECT count(*) FROM r) AS reports
         FROM a, s, i, su`,
    );
    return rows[0];
  });
}

async function main() {
  process.env.LOG_LEVEL = 'silent';
  const started = Date.now();
  const url = urlOf(DATABASE);
  const w = await buildWorld(url);
  const sql = new Client({ connectionString: url });
  await sql.connect();
  const agency = {
    id: w.agency,
    integrationId: w.integration,
    manager: w.manager,
    regular: w.regular,
  };
  let made = 0;
  const fresh = async (count: number) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push(await makeClient(sql, agency, REPORTS, `c${made++}`));
    return ids;
  };
  console.log(
    `Building ${DATABASE}: ${5 * CLIENTS + 2 * SCHEDULED_PAIRS + 2} clients of ${REPORTS} reports`,
  );
  const batches = [
    await fresh(CLIENTS),
    await fresh(CLIENTS),
    await fresh(CLIENTS),
    await fresh(CLIENTS),
    await fresh(CLIENTS),
  ];
  const scheduledPairs = await fresh(2 * SCHEDULED_PAIRS);
  const warmup = await fresh(2);
  await sql.query('VACUUM ANALYZE');

  const env = envFor(url);
  const database = await openDatabase(env);
  const server = await startHandover(env, { database });
  const admin = await signUserToken(JWT_SECRET, w.admin);
  const small = await signUserToken(JWT_SECRET, w.s_admin);
  const gql = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
    const { status, body } = await postJson(
      `${server.url}/graphql`,
      { query, variables },
      {
        authorization: `Bearer ${token}`,
      },
    );
    if (status !== 200 || body.errors) throw new Error(JSON.stringify(body));
    return body.data;
  };
  const single = async (id: string) => {
    const { disconnectClient: p } = await gql(admin, SINGLE, { id });
    if (p.userErrors.length || p.impact.reportsToArchive !== REPORTS)
      throw new Error(JSON.stringify(p));
  };
  const bulk = async (ids: string[]) => {
    const { disconnectClients: p } = await gql(admin, BULK, { ids });
    const bad = p.results.filter(
      (r: any) => r.userErrors.length || r.impact.reportsToArchive !== REPORTS,
    );
    if (p.userErrors.length || bad.length || p.results.length !== ids.length) {
      throw new Error(JSON.stringify(p).slice(0, 500));
    }
  };
  const timed = async (work: () => Promise<unknown>) => {
    const t = performance.now();
    await work();
    return performance.now() - t;
  };

  // Unmeasured: one of each, so neither side pays for the first plans and caches.
  await single(warmup[0]);
  await bulk([warmup[1]]);
  for (let i = 0; i < 50; i++) await gql(small, SMALL_PAGE);

  // B11 bulk / singles, each order once, nothing else running.
  let bulkMs = 0;
  let singlesMs = 0;
  const runSingles = async (ids: string[]) => {
    singlesMs += await timed(async () => {
      for (const id of ids) await single(id);
    });
  };
  const runBulk = async (ids: string[]) => (bulkMs += await timed(() => bulk(ids)));
  await runBulk(batches[0]);
  await runSingles(batches[1]);
  await sql.query('VACUUM ANALYZE reports, reporting_items, accounts');
  await runSingles(batches[2]);
  await runBulk(batches[3]);
  await sql.query('VACUUM ANALYZE reports, reporting_items, accounts');

  // B11 reads: the small tenant's page idle, then all the while one more bulk runs, then idle.
  const idle: number[] = [];
  for (let i = 0; i < 300; i++) idle.push(await timed(() => gql(small, SMALL_PAGE)));
  const during: number[] = [];
  let finished = false;
  const reading = bulk(batches[4]).finally(() => (finished = true));
  while (!finished) during.push(await timed(() => gql(small, SMALL_PAGE)));
  await reading;
  // Idle again after it (the idle side is both stretches: one alone was swung by the VACUUM
  // before it).
  for (let i = 0; i < 300; i++) idle.push(await timed(() => gql(small, SMALL_PAGE)));

  // B11 scheduled run / direct: a due schedule's tick against the same disconnection called
  // directly, alternating which goes first.
  const scheduledTimes: number[] = [];
  const directTimes: number[] = [];
  for (let pair = 0; pair < SCHEDULED_PAIRS; pair++) {
    const [a, b] = scheduledPairs.slice(2 * pair, 2 * pair + 2);
    const { scheduleDisconnection: s } = await gql(admin, SCHEDULE, {
      input: { clientAccountId: a, runAt: new Date(Date.now() + 2 * 3600_000).toISOString() },
    });
    if (s.userErrors.length) throw new Error(JSON.stringify(s));
    const due = new Date(Date.parse(s.schedule.runAt) + 1000);
    const runScheduled = async () =>
      scheduledTimes.push(
        await timed(async () => {
          const { runs } = await runSchedulerTick({ db: database.db, env }, due);
          if (runs[s.schedule.id] !== 'DONE') throw new Error(JSON.stringify(runs));
        }),
      );
    const runDirect = async () => directTimes.push(await timed(() => single(b)));
    if (pair % 2 === 0) {
      await runScheduled();
      await runDirect();
    } else {
      await runDirect();
      await runScheduled();
    }
  }

  const p99 = (values: number[]) => percentile(values, 0.99);
  const rows = [
    {
      what: `disconnectClients of ${CLIENTS} clients × ${REPORTS.toLocaleString('en')} reports / ${CLIENTS} single disconnectClient calls (each order once, summed; nothing else running)`,
      value: bulkMs / singlesMs,
      target: 1.1,
    },
    {
      what: `small tenant's reports page p99 while a bulk of ${CLIENTS} runs (${during.length} reads, one at a time) / idle (${idle.length} reads, before and after)`,
      value: p99(during) / p99(idle),
      target: 1.5,
    },
    {
      what: `a due schedule's run (scheduler tick: claim + run) / the same disconnection called directly, medians of ${SCHEDULED_PAIRS}`,
      value: median(scheduledTimes) / median(directTimes),
      target: 1.2,
    },
  ];
  const load = (await import('node:os')).loadavg().map((x) => x.toFixed(2));
  const text = [
    '# Disconnections planned ahead (issue 28, B11)',
    '',
    `Generated by \`npm run bench:disconnections\` on ${new Date().toISOString().slice(0, 10)} (bench/disconnections.bench.ts); load average ${load.join(' / ')} when written; ${Math.round((Date.now() - started) / 1000)} s.`,
    '',
    `- World (database \`${DATABASE}\`, rebuilt each run): one agency; every disconnected client is fresh, made by \`makeClient\` of bench/disconnect.bench.ts with ${REPORTS.toLocaleString('en')} reports, as many items and ~7 snapshot users per report; a small tenant of 20 reports reads its page.`,
    '- API = HTTP POST /graphql on loopback, as the frontend calls it; the scheduler tick runs in the server process, on its pool.',
    '',
    '| | what | value | target | holds |',
    '|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| B11 | ${r.what} | ${r.value.toFixed(2)}× | ≤ ${r.target}× | ${r.value <= r.target ? 'yes' : '**no**'} |`,
    ),
    '',
    '## Times (ms)',
    '',
    '| | value |',
    '|---|---|',
    `| ${CLIENTS} clients by one disconnectClients, summed over both orders | ${bulkMs.toFixed(0)} |`,
    `| ${CLIENTS} single disconnectClient calls, summed over both orders | ${singlesMs.toFixed(0)} |`,
    `| small page p50 / p99 idle | ${median(idle).toFixed(2)} / ${p99(idle).toFixed(2)} |`,
    `| small page p50 / p99 during a bulk | ${median(during).toFixed(2)} / ${p99(during).toFixed(2)} |`,
    `| scheduled run median / direct median | ${median(scheduledTimes).toFixed(1)} / ${median(directTimes).toFixed(1)} |`,
    '',
  ].join('\n');
  await writeMarkdown(RESULTS, text);
  console.log(text);
  await server.stop();
  await sql.end();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
