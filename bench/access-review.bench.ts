/**
 * `npm run bench:access` — B10 (issue 25: explain and review access, now and as it was) and B12
 * (issue 26: requests by trusted documentId against the same by full document). Its own small
 * world in its own database, rebuilt each run (a minute, not the large world's quarter hour):
 * agency Northwind with 10,000 users connected to the premium Acme (EVERYONE_IN_AGENCY, so every
 * one of them reaches Acme), and a small tenant with 10 reports. Every number is a ratio of two
 * things measured in the same interleaved rounds; writes bench/results-access.md.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { statementCounter } from '../src/database/data-source';
import { openDatabase } from '../src/database/database';
import { startHandover } from '../src/server/bootstrap';
import { signUserToken } from '../src/server/auth';
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

const USERS = option('users', 10_000);
const ROUNDS = option('rounds', 100);
const WARMUP = 5;
const DATABASE = 'handover_bench_access';
const RESULTS = 'bench/results-access.md';

/** The frontend's operations as codegen persisted them (examples/generated): id → document. */
const MANIFEST: Record<string, string> = JSON.parse(
  readFileSync('examples/generated/persisted-documents.json', 'utf8'),
);
/** The persisted text of operation `name` — sent in full, or by its id, as the same document. */
const read = (name: string) => {
  const found = Object.values(MANIFEST).find(
    (text) => text.startsWith(`query ${name}(`) || text.startsWith(`query ${name} `),
  );
  if (!found) throw new Error(`no persisted document ${name}`);
  return found;
};
const documentIdOf = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

/** The review page a hand-written statement would give: the same 50 users, paths and count. */
const HAND_REVIEW = `
  WITH reach AS (
    SELECT m.user_id, 'MEMBERSHIP' AS kind, m.role, m.created_at AS since
      FROM memberships m WHERE m.account_id = $1
    UNION ALL
    SELECT m.user_id, 'CONNECTION', m.role, GREATEST(m.created_at, k.responded_at)
      FROM agency_connections k JOIN memberships m ON m.account_id = k.agency_id
     WHERE k.premium_client_id = $1 AND k.status = 'ACTIVE'
       AND (m.role = 'ADMIN' OR k.client_access = 'EVERYONE_IN_AGENCY'
            OR EXISTS (SELECT 1 FROM connection_access_grants g
                        WHERE g.connection_id = k.id AND g.user_id = m.user_id))),
  page AS (
    SELECT u.id, u.name, u.email, u.created_at FROM users u
     WHERE u.id IN (SELECT user_id FROM reach) ORDER BY u.created_at DESC, u.id DESC LIMIT $2)
  SELECT page.id, page.name, page.email, reach.kind, reach.role, reach.since,
         (SELECT count(DISTINCT user_id) FROM reach) AS total
    FROM page JOIN reach ON reach.user_id = page.id
   ORDER BY page.created_at DESC, page.id DESC`;

const REVIEW_PAGE = `query ($accountId: ID!, $first: Int, $at: DateTime) {
  accessReview(accountId: $accountId, at: $at) {
    entries(first: $first) { totalCount nodes { user { id name email } role canAct paths { kind since } } }
  } }`;

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
       no AS (INSERT INTO organizations (name) VALUES ('Northwind') RETURNING id),
       po AS (INSERT INTO organizations (name) VALUES ('Acme') RETURNING id),
       so AS (INSERT INTO organizations (name) VALUES ('Small') RETURNING id),
       n AS (INSERT INTO accounts (name, type, organization_id) SELECT 'Northwind', 'AGENCY', id FROM no RETURNING id),
       p AS (INSERT INTO accounts (name, type, organization_id) SELECT 'Acme', 'PREMIUM_CLIENT', id FROM po RETURNING id),
       s AS (INSERT INTO accounts (name, type, organization_id) SELECT 'Small', 'AGENCY', id FROM so RETURNING id)
       SELECT n.id AS n, p.id AS p, s.id AS s, no.id AS no, po.id AS po, so.id AS so
         FROM n, p, s, no, po, so`,
    );
    const w = rows[0];
    // 10,000 users of Northwind, created a second apart (the review pages newest first).
    await c.query(
      `WITH made AS (
         INSERT INTO users (email, name, organization_id, created_at)
         SELECT 'n' || g || '@bench.example', 'Northwind user ' || g, $2,
                now() - interval '1 day' + g * interval '1 second'
           FROM generate_series(1, $3) g RETURNING id, email)
       INSERT INTO memberships (user_id, account_id, role)
       SELECT id, $1, CASE WHEN email = 'n1@bench.example' THEN 'ADMIN' ELSE 'REGULAR' END::role FROM made`,
      [w.n, w.no, USERS],
    );
    await c.query(
      `WITH pa AS (INSERT INTO users (email, name, organization_id) VALUES ('p-admin@bench.example', 'Acme admin', $2) RETURNING id)
       INSERT INTO memberships (user_id, account_id, role) SELECT id, $1, 'ADMIN' FROM pa`,
      [w.p, w.po],
    );
    await c.query(
      `WITH sa AS (INSERT INTO users (email, name, organization_id) VALUES ('s-admin@bench.example', 'Small admin', $2) RETURNING id),
            m AS (INSERT INTO memberships (user_id, account_id, role) SELECT id, $1, 'ADMIN' FROM sa RETURNING user_id)
       INSERT INTO reports (name, account_id, status, created_by_id)
       SELECT 'Small report ' || g, $1, 'ACTIVE', m.user_id FROM m, generate_series(1, 10) g`,
      [w.s, w.so],
    );
    await c.query(
      `INSERT INTO agency_connections (agency_id, premium_client_id, status, requested_by_account_id,
                                       client_access, requested_at, responded_at)
       VALUES ($1, $2, 'ACTIVE', $1, 'EVERYONE_IN_AGENCY', now() - interval '2 days', now() - interval '2 days')`,
      [w.n, w.p],
    );
    await c.query(`ANALYZE`);
    const ids = await c.query<{ email: string; id: string }>(
      `SELECT email, id FROM users WHERE email IN ('p-admin@bench.example', 's-admin@bench.example', $1)`,
      [`n${Math.ceil(USERS / 2)}@bench.example`],
    );
    const byEmail = Object.fromEntries(ids.rows.map((r) => [r.email, r.id]));
    return {
      premium: w.p,
      small: w.s,
      pAdmin: byEmail['p-admin@bench.example'],
      sAdmin: byEmail['s-admin@bench.example'],
      agencyUser: byEmail[`n${Math.ceil(USERS / 2)}@bench.example`],
    };
  });
}

interface Row {
  id: string;
  what: string;
  value: number;
  target: number;
  unit: string;
  atLeast?: boolean;
}

async function main() {
  process.env.LOG_LEVEL = 'silent';
  const started = Date.now();
  const url = urlOf(DATABASE);
  console.log(`Building ${DATABASE}: ${USERS} users reaching one premium`);
  const w = await buildWorld(url);
  const env = envFor(url);
  const database = await openDatabase(env);
  const server = await startHandover(env, { database });
  const sql = new Client({ connectionString: url });
  await sql.connect();
  const pAdmin = await signUserToken(JWT_SECRET, w.pAdmin);
  const sAdmin = await signUserToken(JWT_SECRET, w.sAdmin);

  const post = async (token: string, body: Record<string, unknown>) => {
    const { status, body: answer } = await postJson(`${server.url}/graphql`, body, {
      authorization: `Bearer ${token}`,
    });
    if (status !== 200 || answer.errors) throw new Error(JSON.stringify(answer));
    return answer.data;
  };
  const gql = (token: string, query: string, variables: Record<string, unknown> = {}) =>
    post(token, { query, variables });

  // A moment after the world was made, for the review as it was (R30).
  const [{ at }] = (
    await sql.query<{ at: Date }>(
      `SELECT date_trunc('milliseconds', clock_timestamp()) + interval '1 millisecond' AS at`,
    )
  ).rows;
  await sql.query(`SELECT pg_sleep(0.01)`);
  const moment = at.toISOString();

  const explainDoc = read('ExplainAccess');
  const viewerDoc = read('Viewer');
  const reportsDoc = read('ReportsPage');
  const explainVars = { userId: w.agencyUser, accountId: w.premium };
  const reviewVars = { accountId: w.premium, first: 50 };

  // Same rows, checked once before anything is timed.
  const api = (await gql(pAdmin, REVIEW_PAGE, reviewVars)).accessReview.entries;
  const past = (await gql(pAdmin, REVIEW_PAGE, { ...reviewVars, at: moment })).accessReview.entries;
  const hand = await sql.query(HAND_REVIEW, [w.premium, 50]);
  const apiIds = api.nodes.map((n: any) => n.user.id).join(',');
  const handIds = [...new Set(hand.rows.map((r) => r.id as string))].join(',');
  const sameRows =
    apiIds === handIds &&
    api.totalCount === Number(hand.rows[0].total) &&
    api.totalCount === USERS + 1 &&
    past.nodes.map((n: any) => n.user.id).join(',') === apiIds &&
    past.totalCount === api.totalCount;
  if (!sameRows) {
    throw new Error(
      `review rows differ: API ${api.totalCount} [${apiIds.slice(0, 80)}], SQL ${hand.rows[0]?.total} [${handIds.slice(0, 80)}], past ${past.totalCount}`,
    );
  }

  // Statements per explain, whatever the number of paths: one path (an agency user through
  // the connection) and the premium's ADMIN (membership) — and the explain of the agency ADMIN.
  const statementsOf = async (token: string, query: string, variables: Record<string, unknown>) => {
    const before = statementCounter.count;
    await gql(token, query, variables);
    return statementCounter.count - before;
  };
  const explainStatements = [
    await statementsOf(pAdmin, explainDoc, explainVars),
    await statementsOf(pAdmin, explainDoc, { userId: w.pAdmin, accountId: w.premium }),
  ];

  const scenarios: Record<string, () => Promise<unknown>> = {
    'review/api': () => gql(pAdmin, REVIEW_PAGE, reviewVars),
    'review-at/api': () => gql(pAdmin, REVIEW_PAGE, { ...reviewVars, at: moment }),
    'review/sql': () => sql.query(HAND_REVIEW, [w.premium, 50]),
    'explain/api': () => gql(pAdmin, explainDoc, explainVars),
    'floor/document': () => post(pAdmin, { query: viewerDoc }),
    'floor/documentId': () => post(pAdmin, { documentId: documentIdOf(viewerDoc) }),
    'small/document': () => post(sAdmin, { query: reportsDoc, variables: { first: 10 } }),
    'small/documentId': () =>
      post(sAdmin, { documentId: documentIdOf(reportsDoc), variables: { first: 10 } }),
  };
  const names = Object.keys(scenarios);
  const times = Object.fromEntries(names.map((n) => [n, [] as number[]]));
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length]);
    for (const name of order) {
      const t = performance.now();
      await scenarios[name]();
      if (round >= WARMUP) times[name].push(performance.now() - t);
    }
  }
  const p50 = (name: string) => median(times[name]);

  // The whole review as CSV through its signed link: RSS of this process (the server runs in it).
  const csvUrl = (
    await gql(pAdmin, `query ($a: ID!) { accessReview(accountId: $a) { csvUrl } }`, {
      a: w.premium,
    })
  ).accessReview.csvUrl as string;
  let peakRss = process.memoryUsage().rss;
  const baseRss = peakRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  let csvLines = 0;
  const downloads = 8;
  try {
    for (let i = 0; i < downloads; i++) {
      csvLines = 0;
      const response = await fetch(csvUrl);
      if (response.status !== 200) throw new Error(`CSV link answered ${response.status}`);
      for await (const chunk of response.body!) {
        for (const byte of chunk as Uint8Array) if (byte === 10) csvLines += 1;
      }
    }
  } finally {
    clearInterval(sampler);
  }
  const growthMb = Math.round((peakRss - baseRss) / 2 ** 20);

  const rows: Row[] = [
    {
      id: 'B10',
      what: `accessReview page (first: 50) of an account reached by ${USERS.toLocaleString('en')} users: API p50 / hand-written SQL p50`,
      value: p50('review/api') / p50('review/sql'),
      target: 2,
      unit: '×',
    },
    {
      id: 'B10',
      what: 'accessReview(at:) page, rebuilt from history / the same review of now, p50',
      value: p50('review-at/api') / p50('review/api'),
      target: 2,
      unit: '×',
    },
    {
      id: 'B10',
      what: 'explainAccess p50 / the { viewer } floor p50',
      value: p50('explain/api') / p50('floor/document'),
      target: 2,
      unit: '×',
    },
    {
      id: 'B10',
      what: `statements per explainAccess request: ${explainStatements.join(', ')}`,
      value: Math.max(...explainStatements),
      target: 4,
      unit: '',
    },
    {
      id: 'B10',
      what: `server RSS growth over ${downloads} downloads of the ${USERS.toLocaleString('en')}-user review CSV (MB, in-process server)`,
      value: growthMb,
      target: 50,
      unit: ' MB',
    },
    {
      id: 'B12',
      what: 'request floor ({ viewer }): by documentId p50 / by full document p50',
      value: p50('floor/documentId') / p50('floor/document'),
      target: 1,
      unit: '×',
    },
    {
      id: 'B12',
      what: 'small tenant reports page: by documentId p50 / by full document p50',
      value: p50('small/documentId') / p50('small/document'),
      target: 1,
      unit: '×',
    },
  ];
  const holds = (r: Row) => (r.atLeast ? r.value >= r.target : r.value <= r.target);
  const fmt = (r: Row) => (r.unit === '×' ? `${r.value.toFixed(2)}×` : `${r.value}${r.unit}`);
  const latency = names.map(
    (n) => `| ${n} | ${p50(n).toFixed(2)} | ${percentile(times[n], 0.99).toFixed(2)} |`,
  );
  const load = (await import('node:os')).loadavg().map((x) => x.toFixed(2));
  const text = [
    '# Access reviews and trusted documents (issues 25 and 26)',
    '',
    `Generated by \`npm run bench:access\` on ${new Date().toISOString().slice(0, 10)} (bench/access-review.bench.ts); load average ${load.join(' / ')} when written.`,
    '',
    `- World (database \`${DATABASE}\`, rebuilt each run): agency Northwind with ${USERS.toLocaleString('en')} users, connected ACTIVE (EVERYONE_IN_AGENCY) to the premium Acme, whose ADMIN asks; a small tenant with 10 reports.`,
    `- ${ROUNDS} measured rounds after ${WARMUP} warm-up rounds, every scenario once per round in a rotating order. API = one HTTP POST /graphql on loopback (keep-alive); SQL = one hand-written statement for the same 50 users, their paths and the count, over one open connection.`,
    `- \`at\` = a moment just after the world was made, so the past review has the same ${USERS + 1} entries as now (checked before timing: same ids, same totalCount, also against the hand-written SQL).`,
    '',
    '## Targets',
    '',
    '| | what | value | target | holds |',
    '|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.id} | ${r.what} | ${fmt(r)} | ${r.atLeast ? '≥' : '≤'} ${r.unit === '×' ? `${r.target}×` : `${r.target}${r.unit}`} | ${holds(r) ? 'yes' : '**no**'} |`,
    ),
    '',
    '## Latency (ms)',
    '',
    '| scenario | p50 | p99 |',
    '|---|---|---|',
    ...latency,
    '',
    `CSV: ${csvLines - 1} rows per download (one per user and path); RSS ${(baseRss / 2 ** 20).toFixed(0)} MB before, peak ${(peakRss / 2 ** 20).toFixed(0)} MB (sampled every 20 ms). Total run ${Math.round((Date.now() - started) / 1000)} s.`,
    '',
  ].join('\n');
  await writeMarkdown(RESULTS, text);
  console.log(text);
  await sql.end();
  await server.stop();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
