import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { statementCounter } from '../src/database/data-source';
import { openDatabase } from '../src/database/database';
import { parse } from 'graphql';
import { logger } from '../src/config/logger';
import { buildContext } from '../src/context/request-context';
import { authenticate, signUserToken } from '../src/server/auth';
import { startHandover, type RunningHandover } from '../src/server/bootstrap';
import * as schemaBuilder from '../src/schema/build-schema';
import { benchDisconnections, benchShield, type BenchRow } from './disconnect.bench';
import { benchExport } from './export.bench';
import { applyPeerPolicies, benchPeer } from './peer/peer.bench';
import {
  envFor,
  flag,
  JWT_SECRET,
  option,
  percentile,
  postJson,
  writeMarkdown,
  world as sharedWorld,
  worldSizeFromFlags,
} from './shared';
import { emailOf, type WorldSize } from './world';

/**
 * `npm run bench` (issue 10): lists cost what the viewer sees, not what the platform holds.
 * Builds (or reuses) a large world and a small one on PostgreSQL, then measures interleaved,
 * in one run, the API against hand-written SQL for the same rows and totalCount, and writes
 * bench/results.md and the plans of every list statement to bench/plans/. Not a test: only
 * `--strict` turns a missed target into a non-zero exit. See bench/README.md.
 */

const ROOT = path.join(__dirname, '..', '..');

const tiny = flag('tiny');
const size: WorldSize = worldSizeFromFlags({
  agencies: tiny ? 20 : 1000,
  clients: tiny ? 300 : 10_000,
  premiums: tiny ? 5 : 50,
  reports: tiny ? 20_000 : 1_000_000,
  reportItems: tiny ? 60_000 : 3_000_000,
  bigClients: tiny ? 60 : 1000,
  bigReportsPerClient: tiny ? 50 : 110,
  bigArchivedClients: tiny ? 3 : 20,
});
/** B1's baseline: the same small tenant on a platform of this many reports. */
const baseReports = option('base-reports', tiny ? 2_000 : 10_000);
const baseSize: WorldSize = {
  ...size,
  agencies: Math.min(size.agencies, 100),
  clients: Math.min(size.clients, 200),
  premiums: Math.min(size.premiums, 5),
  reports: baseReports,
  reportItems: baseReports * 3,
  bigClients: 0,
  bigReportsPerClient: 0,
  bigArchivedClients: 0,
};
const rounds = option('rounds', tiny ? 8 : 200);
const warmup = option('warmup', tiny ? 2 : 5);

const world = (suffix: string, worldSize: WorldSize) =>
  sharedWorld(`handover_bench${tiny ? '_tiny' : ''}${suffix}`, worldSize);

// ---- what is measured --------------------------------------------------------------------

/** The frontend's reports page (examples/operations/ReportsPage.graphql). */
const REPORTS_PAGE = `query ReportsPage($archived: Boolean = false, $first: Int = 20) {
  reports(filter: { archived: $archived }, first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id name visibility archived archivedAt createdAt account { id name type } createdBy { id name } }
  }
}`;
/** Partner/archived list (examples/operations/ArchivedReports.graphql). */
const ARCHIVED_PAGE = `query ArchivedReports($first: Int = 50) {
  reports(filter: { archived: true }, first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id name archivedAt account { id name } }
  }
}`;
const ACCOUNTS_PAGE = `query AccountsWithReports($first: Int = 20) {
  accounts(first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id name type reports(first: 5) { totalCount nodes { id name createdAt } } }
  }
}`;

interface Viewer {
  id: string;
  token: string;
  isAdmin: boolean;
  /** Accounts whose ACTIVE reports the viewer reads (the bench knows its world). */
  accounts: string[];
}

/**
 * Hand-written SQL for one known viewer: the same rows and totalCount as the API, one statement,
 * written as a developer would for this page with the viewer's accounts in hand.
 */
const visibleActive = (alias: string) => `${alias}.status = 'ACTIVE'
  AND (${alias}.visibility = 'ACCOUNT' OR $2 OR ${alias}.created_by_id = $3
       OR EXISTS (SELECT 1 FROM report_shares sh WHERE sh.report_id = ${alias}.id AND sh.user_id = $3))`;
const HAND_REPORTS = `
  SELECT p.id, p.name, p.visibility, p.status, p.archived_at, p.created_at, a.id AS account_id,
         a.name AS account_name, a.type, u.id AS user_id, u.name AS user_name,
         (SELECT count(*) FROM reports r WHERE r.account_id = ANY($1) AND ${visibleActive('r')}) AS total
    FROM (SELECT r.* FROM reports r WHERE r.account_id = ANY($1) AND ${visibleActive('r')}
           ORDER BY r.created_at DESC, r.id DESC LIMIT $4) p
    JOIN accounts a ON a.id = p.account_id LEFT JOIN users u ON u.id = p.created_by_id
   ORDER BY p.created_at DESC, p.id DESC`;
// The viewer is a member of the owning agency of every archived client in the world, so the
// R16 rows alone decide: the account-level ones for ACCOUNT reports, per-report ones otherwise.
const HAND_ARCHIVED = `
  WITH mine AS (
    SELECT r.* FROM archived_account_access aa
      JOIN reports r ON r.account_id = aa.account_id AND r.status = 'ARCHIVED' AND r.visibility = 'ACCOUNT'
     WHERE aa.user_id = $1
    UNION ALL
    SELECT r.* FROM archived_report_access s JOIN reports r ON r.id = s.report_id
     WHERE s.user_id = $1 AND r.status = 'ARCHIVED' AND r.visibility = 'RESTRICTED')
  SELECT r.id, r.name, r.archived_at, a.id AS account_id, a.name AS account_name,
         (SELECT count(*) FROM mine) AS total
    FROM mine r JOIN accounts a ON a.id = r.account_id
   ORDER BY r.created_at DESC, r.id DESC LIMIT $2`;
const HAND_ACCOUNTS = `
  WITH page AS (SELECT a.* FROM accounts a WHERE a.id = ANY($1) AND a.status = 'ACTIVE'
                 ORDER BY a.created_at DESC, a.id DESC LIMIT $4)
  SELECT page.id, page.name, page.type,
         (SELECT count(*) FROM accounts a WHERE a.id = ANY($1) AND a.status = 'ACTIVE') AS total,
         (SELECT count(*) FROM reports r WHERE r.account_id = page.id AND ${visibleActive('r')}) AS reports_total,
         rp.id AS report_id, rp.name AS report_name, rp.created_at
    FROM page LEFT JOIN LATERAL (
      SELECT r.id, r.name, r.created_at FROM reports r WHERE r.account_id = page.id AND ${visibleActive('r')}
       ORDER BY r.created_at DESC, r.id DESC LIMIT 6) rp ON TRUE
   ORDER BY page.created_at DESC, page.id DESC, rp.created_at DESC, rp.id DESC`;

interface Scenario {
  name: string;
  run: () => Promise<unknown>;
}

async function main() {
  process.env.LOG_LEVEL = 'silent';
  const started = Date.now();
  const bigUrl = await world('', size);
  const baseUrl = await world('_base', baseSize);

  const servers: RunningHandover[] = [];
  const serve = async (url: string) => {
    const env = envFor(url);
    const database = await openDatabase(env);
    const running = await startHandover(env, { database });
    servers.push(running);
    return running;
  };
  const big = await serve(bigUrl);
  const base = await serve(baseUrl);
  // B4: the same server built without the permission middleware. The bench swaps the schema
  // builder's export for the bare schema while this one server starts; nothing in the
  // application (configuration, env) can reach this.
  const servedSchema = schemaBuilder.buildServedSchema;
  (schemaBuilder as { buildServedSchema: () => unknown }).buildServedSchema =
    schemaBuilder.buildBareSchema;
  const bare = await serve(bigUrl).finally(() => {
    (schemaBuilder as { buildServedSchema: () => unknown }).buildServedSchema = servedSchema;
  });
  const sqlBig = new Client({ connectionString: bigUrl });
  await sqlBig.connect();
  // B9's row-level security, before anything is checked: Handover's answers below prove it
  // filters nothing of theirs.
  await applyPeerPolicies(sqlBig);
  const sqlBase = new Client({ connectionString: baseUrl });
  await sqlBase.connect();

  const viewer = async (sql: Client, email: string): Promise<Viewer> => {
    const { rows } = await sql.query<{ id: string; role: string }>(
      `SELECT u.id, m.role FROM users u JOIN memberships m ON m.user_id = u.id WHERE u.email = $1`,
      [email],
    );
    if (!rows[0]) throw new Error(`no bench user ${email}`);
    const { id, role } = rows[0];
    const isAdmin = role === 'ADMIN';
    // The accounts this agency member reaches in this world: the agency, and its ACTIVE clients
    // where they are ADMIN, everyone has access or they are selected; connected premiums.
    const accounts = await sql.query<{ id: string }>(
      `SELECT m.account_id AS id FROM memberships m WHERE m.user_id = $1
       UNION SELECT c.id FROM memberships m JOIN accounts c ON c.agency_id = m.account_id
        WHERE m.user_id = $1 AND (m.role = 'ADMIN' OR c.client_access = 'EVERYONE_IN_AGENCY'
              OR EXISTS (SELECT 1 FROM client_access_grants g WHERE g.account_id = c.id AND g.user_id = $1))
       UNION SELECT k.premium_client_id FROM memberships m JOIN agency_connections k ON k.agency_id = m.account_id
        WHERE m.user_id = $1 AND k.status = 'ACTIVE'`,
      [id],
    );
    return {
      id,
      isAdmin,
      token: await signUserToken(JWT_SECRET, id),
      accounts: accounts.rows.map((r) => r.id),
    };
  };
  const smallOnBig = await viewer(sqlBig, emailOf(1, 0));
  const smallOnBase = await viewer(sqlBase, emailOf(1, 0));
  const manager = await viewer(sqlBig, emailOf(0, 1));

  const gql = async (
    server: RunningHandover,
    who: Viewer,
    query: string,
    variables: Record<string, unknown> = {},
  ) => {
    const { body } = await postJson(
      `${server.url}/graphql`,
      { query, variables },
      { authorization: `Bearer ${who.token}` },
    );
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  const handReports = (sql: Client, who: Viewer, first: number, prepared = false) => {
    const values = [who.accounts, who.isAdmin, who.id, first + 1];
    return prepared
      ? sql.query({ name: 'hand-reports', text: HAND_REPORTS, values })
      : sql.query(HAND_REPORTS, values);
  };
  const handArchived = (who: Viewer, first: number) =>
    sqlBig.query(HAND_ARCHIVED, [who.id, first + 1]);
  const handAccounts = (who: Viewer, first: number) =>
    sqlBig.query(HAND_ACCOUNTS, [who.accounts, who.isAdmin, who.id, first + 1]);

  // Same rows and totalCount, checked once before anything is timed.
  const checks: string[] = [];
  const same = (label: string, api: { ids: string[]; total: number }, hand: typeof api) => {
    const ok = api.total === hand.total && api.ids.join() === hand.ids.join();
    checks.push(
      `| ${label} | ${api.ids.length} rows, totalCount ${api.total} | ${hand.ids.length} rows, count ${hand.total} | ${ok ? 'same' : '**differ**'} |`,
    );
    if (!ok) console.error(`MISMATCH ${label}`, api, hand);
  };
  const reportsOf = (data: any) => ({
    ids: data.reports.nodes.map((n: { id: string }) => n.id),
    total: data.reports.totalCount,
  });
  const handOf = (rows: { id: string; total: string }[], first: number) => ({
    ids: rows.slice(0, first).map((r) => r.id),
    total: Number(rows[0]?.total ?? 0),
  });
  for (const [label, server, sql, who] of [
    ['small tenant (1M)', big, sqlBig, smallOnBig],
    ['small tenant (base)', base, sqlBase, smallOnBase],
    ['big-agency manager', big, sqlBig, manager],
  ] as const) {
    same(
      label,
      reportsOf(await gql(server, who, REPORTS_PAGE)),
      handOf((await handReports(sql, who, 20)).rows, 20),
    );
  }
  same(
    'archived list',
    reportsOf(await gql(big, manager, ARCHIVED_PAGE)),
    handOf((await handArchived(manager, 50)).rows, 50),
  );
  {
    const api = (await gql(big, manager, ACCOUNTS_PAGE)).accounts;
    const rows = (await handAccounts(manager, 20)).rows as {
      id: string;
      total: string;
      reports_total: string;
      report_id: string | null;
    }[];
    const accountIds = [...new Set(rows.map((r) => r.id))].slice(0, 20);
    const apiShape = api.nodes.map(
      (n: { id: string; reports: { totalCount: number; nodes: { id: string }[] } }) =>
        `${n.id}:${n.reports.totalCount}:${n.reports.nodes.map((r) => r.id).join('+')}`,
    );
    const handShape = accountIds.map((id) => {
      const mine = rows.filter((r) => r.id === id);
      const reports = mine
        .map((r) => r.report_id)
        .filter(Boolean)
        .slice(0, 5);
      return `${id}:${mine[0].reports_total}:${reports.join('+')}`;
    });
    same(
      'accounts page + reports(first: 5)',
      { ids: apiShape, total: api.totalCount },
      { ids: handShape, total: Number(rows[0]?.total ?? 0) },
    );
  }

  // ---- latency, interleaved -------------------------------------------------------------
  const scenarios: Scenario[] = [
    { name: 'small/api/1M', run: () => gql(big, smallOnBig, REPORTS_PAGE) },
    { name: 'small/api/base', run: () => gql(base, smallOnBase, REPORTS_PAGE) },
    { name: 'small/sql/1M', run: () => handReports(sqlBig, smallOnBig, 20) },
    { name: 'small/sql-prepared/1M', run: () => handReports(sqlBig, smallOnBig, 20, true) },
    { name: 'manager/api', run: () => gql(big, manager, REPORTS_PAGE) },
    { name: 'manager/sql', run: () => handReports(sqlBig, manager, 20) },
    { name: 'manager/sql-prepared', run: () => handReports(sqlBig, manager, 20, true) },
    { name: 'archived/api', run: () => gql(big, manager, ARCHIVED_PAGE) },
    { name: 'archived/sql', run: () => handArchived(manager, 50) },
    { name: 'accounts/api', run: () => gql(big, manager, ACCOUNTS_PAGE) },
    { name: 'accounts/sql', run: () => handAccounts(manager, 20) },
    // Not a target: the fixed cost of any authenticated request (HTTP, Apollo, shield, the
    // authentication statement), the floor under every API number above.
    { name: 'floor/api: { viewer { id } }', run: () => gql(big, manager, '{ viewer { id } }') },
  ];
  const timings = new Map<string, number[]>(scenarios.map((s) => [s.name, []]));
  for (let round = 0; round < warmup + rounds; round++) {
    // Rotate the order each round so no scenario always runs first after another.
    for (let i = 0; i < scenarios.length; i++) {
      const scenario = scenarios[(i + round) % scenarios.length];
      const start = performance.now();
      await scenario.run();
      if (round >= warmup) timings.get(scenario.name)!.push(performance.now() - start);
    }
  }
  const p50 = (name: string) => percentile(timings.get(name)!, 0.5);
  const p99 = (name: string) => percentile(timings.get(name)!, 0.99);

  // ---- statements per request -------------------------------------------------------------
  const statements = async (server: RunningHandover, who: Viewer, query: string, vars = {}) => {
    const before = statementCounter.count;
    await gql(server, who, query, vars);
    return statementCounter.count - before;
  };
  const st = {
    first5: await statements(big, manager, REPORTS_PAGE, { first: 5 }),
    first100: await statements(big, manager, REPORTS_PAGE, { first: 100 }),
    visible10: await statements(big, smallOnBig, REPORTS_PAGE),
    visibleMany: await statements(big, manager, REPORTS_PAGE),
    accounts: await statements(big, manager, ACCOUNTS_PAGE),
    archived: await statements(big, manager, ARCHIVED_PAGE),
  };
  const visibleManyCount = reportsOf(await gql(big, manager, REPORTS_PAGE)).total;

  // ---- targets ------------------------------------------------------------------------------
  const rows: BenchRow[] = [];
  const ratio = (id: string, what: string, value: number, target: number) =>
    rows.push({ id, what, value, target, unit: '×' });
  ratio(
    'B1',
    'small tenant page p50, 1M platform / base platform',
    p50('small/api/1M') / p50('small/api/base'),
    1.2,
  );
  for (const [label, key] of [
    ['small tenant', 'small'],
    ['big-agency manager', 'manager'],
    ['archived list', 'archived'],
    ['accounts page + reports(first: 5)', 'accounts'],
  ] as const) {
    const api = key === 'small' ? 'small/api/1M' : `${key}/api`;
    const sql = key === 'small' ? 'small/sql/1M' : `${key}/sql`;
    ratio('B2', `${label}: API p50 / SQL p50`, p50(api) / p50(sql), 2.5);
    ratio('B2', `${label}: API p99 / SQL p99`, p99(api) / p99(sql), 3);
  }
  const equal = (a: number, b: number) => (a === b ? 0 : 1);
  rows.push(
    {
      id: 'B3',
      what: `statements, first: 5 (${st.first5}) vs first: 100 (${st.first100}): difference`,
      value: equal(st.first5, st.first100),
      target: 0,
      unit: '',
    },
    {
      id: 'B3',
      what: `statements, 10 visible (${st.visible10}) vs ${visibleManyCount} visible (${st.visibleMany}): difference`,
      value: equal(st.visible10, st.visibleMany),
      target: 0,
      unit: '',
    },
    {
      id: 'B3',
      what: 'statements per reports page (authentication included), most of the above',
      value: Math.max(st.first5, st.first100, st.visible10, st.visibleMany),
      target: 4,
      unit: '',
    },
  );

  // ---- issue 11: B4 shield cost, B5/B6 disconnections ----------------------------------------
  const managerPrincipal = await authenticate(
    big.database.db,
    JWT_SECRET,
    `Bearer ${manager.token}`,
  );
  // Parsed once: envalid's parse per context would be most of the µs the line below reports.
  const bigEnv = envFor(bigUrl);
  const shield = await benchShield({
    withShield: (query) => gql(big, manager, query),
    withoutShield: (query) => gql(bare, manager, query),
    queries: [
      {
        label: 'reports page (first: 100)',
        query: REPORTS_PAGE.replace('$first: Int = 20', '$first: Int = 100'),
      },
      { label: '{ viewer { id } }', query: '{ viewer { id } }' },
    ],
    concurrency: 10,
    seconds: option('shield-seconds', tiny ? 1 : 2.5),
    phases: tiny ? 2 : 10,
    execute: {
      label: '{ viewer { id } }',
      served: schemaBuilder.buildServedSchema(),
      bare: schemaBuilder.buildBareSchema(),
      document: parse('{ viewer { id } }'),
      contextValue: () =>
        buildContext({
          requestId: 'bench',
          viewer: managerPrincipal,
          db: big.database.db,
          env: bigEnv,
          log: logger,
          baseUrl: big.url,
        }),
      requestMs: p50('floor/api: { viewer { id } }'),
    },
  });
  const agencyUser = async (k: 0 | 1 | 2) => viewer(sqlBig, emailOf(2, k));
  const disconnections = await benchDisconnections({
    sql: sqlBig,
    gql: (who, query, variables) => gql(big, who as Viewer, query, variables),
    admin: await agencyUser(0),
    manager: await agencyUser(1),
    regular: await agencyUser(2),
    sizes: tiny ? [200, 1000, 2000] : [1000, 20_000, 100_000],
    concurrent: { clients: 8, reports: tiny ? 200 : 2000 },
    readRequests: tiny ? 20 : 60,
  });
  rows.push(...shield.rows, ...disconnections.rows);
  // Issue 11, B7: the CSV export through its signed link vs COPY (bench/export.bench.ts).
  const exports = await benchExport({
    sql: sqlBig,
    gql: (who, query, variables) => gql(big, who as Viewer, query, variables),
    viewer: await viewer(sqlBig, emailOf(3, 0)),
    items: option('export-items', tiny ? 5000 : 100_000),
    rounds: tiny ? 9 : 15,
  });
  rows.push(...exports.rows);
  const peer = await benchPeer({
    databaseUrl: bigUrl,
    poolSize: envFor(bigUrl).DB_POOL_SIZE,
    jwtSecret: JWT_SECRET,
    handover: (who) => gql(big, who, REPORTS_PAGE),
    viewers: [
      ['small tenant', smallOnBig],
      ['big-agency manager', manager],
    ],
    rounds,
    warmup,
  });
  rows.push(...peer.rows);
  const holds = (r: BenchRow) => (r.atLeast ? r.value >= r.target : r.value <= r.target);

  // ---- plans --------------------------------------------------------------------------------
  const planDir = tiny
    ? path.join(ROOT, 'test-results', 'bench-plans-tiny')
    : path.join(ROOT, 'bench', 'plans');
  mkdirSync(planDir, { recursive: true });
  const explain = async (
    file: string,
    title: string,
    server: RunningHandover,
    who: Viewer,
    query: string,
  ) => {
    statementCounter.capture = [];
    await gql(server, who, query);
    const captured = statementCounter.capture;
    statementCounter.capture = null;
    const out = [
      `# ${title}`,
      '',
      `${captured.length} statements for one request (authentication included). EXPLAIN (ANALYZE, BUFFERS) of each, on the ${tiny ? 'tiny' : 'large'} world.`,
      '',
    ];
    const sql = server === big ? sqlBig : sqlBase;
    for (const [i, statement] of captured.entries()) {
      const plan = await sql.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN (ANALYZE, BUFFERS) ${statement.query}`,
        statement.parameters,
      );
      out.push(
        `## Statement ${i + 1}`,
        '',
        '```sql',
        statement.query.trim(),
        '```',
        '',
        '```',
        ...plan.rows.map((r) => r['QUERY PLAN']),
        '```',
        '',
      );
    }
    await writeMarkdown(path.join(planDir, file), out.join('\n'));
  };
  await explain(
    'reports-small-tenant.md',
    'Reports page, small tenant (10 visible)',
    big,
    smallOnBig,
    REPORTS_PAGE,
  );
  await explain(
    'reports-big-manager.md',
    `Reports page, big-agency ACCOUNT_MANAGER (${visibleManyCount} visible)`,
    big,
    manager,
    REPORTS_PAGE,
  );
  await explain(
    'reports-archived.md',
    'Archived reports list (R16), big-agency ACCOUNT_MANAGER',
    big,
    manager,
    ARCHIVED_PAGE,
  );
  await explain(
    'accounts-with-reports.md',
    'Accounts page with reports(first: 5), big-agency ACCOUNT_MANAGER',
    big,
    manager,
    ACCOUNTS_PAGE,
  );

  // ---- results ------------------------------------------------------------------------------
  const pg = (await sqlBig.query<{ server_version: string }>(`SHOW server_version`)).rows[0]
    .server_version;
  const counts = (
    await sqlBig.query<Record<string, string>>(
      `SELECT (SELECT count(*) FROM reports) AS reports, (SELECT count(*) FROM report_items) AS report_items,
              (SELECT count(*) FROM accounts) AS accounts, (SELECT count(*) FROM users) AS users,
              (SELECT count(*) FROM reports WHERE visibility = 'RESTRICTED') AS restricted,
              (SELECT count(*) FROM reports WHERE status = 'ARCHIVED') AS archived,
              (SELECT count(*) FROM archived_report_access) AS snapshots,
              (SELECT count(*) FROM archived_account_access) AS account_snapshots`,
    )
  ).rows[0];
  const baseCount = (await sqlBase.query<{ n: string }>(`SELECT count(*) AS n FROM reports`))
    .rows[0].n;
  const ms = (v: number) => v.toFixed(2);
  const lines = [
    `# Lists, shield cost and disconnections side by side (issues 10 and 11)`,
    '',
    `Generated by \`npm run bench${tiny ? ' -- --tiny' : ''}\` on ${new Date().toISOString().slice(0, 10)}.`,
    '',
    `- Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? 'unknown'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB memory, ${process.platform}/${process.arch}; load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(
        ' / ',
      )} when the results were written (other work on the machine slows every scenario of a round alike).`,
    `- Node ${process.version}; PostgreSQL ${pg} (local server, default settings).`,
    `- Large world: ${Object.entries(counts)
      .map(([k, v]) => `${Number(v).toLocaleString('en')} ${k.replace('_', ' ')}`)
      .join(', ')}; sizes ${JSON.stringify(size)}.`,
    `- Base world (B1): ${Number(baseCount).toLocaleString('en')} reports, the same small tenant.`,
    `- ${rounds} measured rounds after ${warmup} warm-up rounds; every round runs every scenario once, in a rotating order (interleaved). API = one HTTP POST /graphql on loopback over a keep-alive \`node:http\` agent (JWT verified, authentication statement, shield, resolvers); SQL = one hand-written statement (bench/reports-page.bench.ts) for the same rows and totalCount, over one open connection, sent as pg sends a plain query (parsed and planned each time). The API runs its read statements as prepared statements (src/database/raw-sql.ts); the \`sql-prepared\` rows (no target) are the same hand-written statements prepared, so the part of each ratio that is plan caching can be read off.`,
    '',
    '## Targets',
    '',
    '| | what | value | target | holds |',
    '|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.id} | ${r.what} | ${r.unit === '×' ? r.value.toFixed(r.value < 0.1 ? 3 : 2) + '×' : r.value} | ${r.atLeast ? '≥' : '≤'} ${r.target}${r.unit} | ${holds(r) ? 'yes' : '**no**'} |`,
    ),
    '',
    ...shield.lines,
    ...disconnections.lines,
    ...exports.lines,
    ...peer.lines,
    '## Latency (ms)',
    '',
    '| scenario | p50 | p99 |',
    '|---|---|---|',
    ...scenarios.map((s) => `| ${s.name} | ${ms(p50(s.name))} | ${ms(p99(s.name))} |`),
    '',
    '## Statements per request',
    '',
    `Reports page as the big-agency manager: first: 5 → ${st.first5}, first: 100 → ${st.first100}; small tenant (10 visible) → ${st.visible10}; manager (${visibleManyCount} visible) → ${st.visibleMany}. Archived list → ${st.archived}. Accounts page with reports(first: 5) per account → ${st.accounts}.`,
    '',
    '## Same rows',
    '',
    '| page | API | hand-written SQL | |',
    '|---|---|---|---|',
    ...checks,
    '',
    `Plans: ${tiny ? 'test-results/bench-plans-tiny/' : 'bench/plans/'}. Total run ${((Date.now() - started) / 1000).toFixed(0)} s.`,
    '',
  ];
  const resultFile = tiny
    ? path.join(ROOT, 'test-results', 'bench-tiny.md')
    : path.join(ROOT, 'bench', 'results.md');
  mkdirSync(path.dirname(resultFile), { recursive: true });
  await writeMarkdown(resultFile, lines.join('\n'));
  console.log(lines.slice(lines.indexOf('## Targets')).join('\n'));
  console.log(`Wrote ${path.relative(ROOT, resultFile)}`);

  await sqlBig.end();
  await sqlBase.end();
  for (const server of servers) await server.stop();
  const missed = rows.filter((r) => !holds(r));
  const mismatched = checks.some((c) => c.includes('differ')) || peer.mismatched;
  if (flag('strict') && (missed.length > 0 || mismatched)) process.exit(1);
  if (mismatched) process.exit(1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
