/**
 * Issue 11 in `npm run bench`: B4 (what graphql-shield costs), B5 (disconnectClient at scale
 * against hand-written set-based SQL, statements, the read-only preview), B6 (reads during a big
 * disconnection; concurrent disconnections of one agency's clients). Called from
 * reports-page.bench.ts with the large world's database; every client it disconnects is made
 * here first (fresh rows), so the world stays reusable.
 */
import { performance } from 'node:perf_hooks';
import { execute, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { Client } from 'pg';
import { statementCounter } from '../src/database/data-source';
import { transactionRetries } from '../src/services/transaction';
import { median, percentile } from './shared';

export interface BenchRow {
  id: string;
  what: string;
  value: number;
  target: number;
  /** '×' ratios, '' counts; `atLeast` for targets that are lower bounds. */
  unit: string;
  atLeast?: boolean;
}

export interface Who {
  id: string;
  token: string;
}

type Gql = (who: Who, query: string, variables?: Record<string, unknown>) => Promise<any>;

/** Previews timed per size (B5); the median is the preview's time. */
const PREVIEW_ROUNDS = 5;
/**
 * Fresh client pairs disconnected per size, each way (medians): 5 up to SMALL_DISCONNECTION
 * reports, 3 up to 20,000 — a single sample swung 0.97–1.63× between runs of the same code on
 * this machine — and 2 above, in opposite orders. Order matters at 100,000 reports: whichever
 * transaction runs first reads the snapshot's and the reports' index pages from disk and the
 * second finds them cached (one pair measured 1.34× API first, 0.83× hand first). Each
 * more 100,000-report client grows the world by its rows, so B6 runs after a VACUUM ANALYZE
 * of what B5 wrote (autovacuum working through those dead rows during B6 once measured 2.3×).
 */
const SMALL_DISCONNECTION = 1000;
const disconnectRounds = (reports: number) =>
  reports <= SMALL_DISCONNECTION ? 5 : reports <= 20_000 ? 3 : 2;

const DISCONNECT = `mutation ($id: ID!) { disconnectClient(clientAccountId: $id) {
  account { id status } impact { reportsToArchive itemsToFreeze mappingsToPause organizationRemoved
  usersLosingAccess { id } } userErrors { code message } } }`;
const PREVIEW = `query ($id: ID!) { disconnectClientPreview(clientAccountId: $id) {
  reportsToArchive itemsToFreeze mappingsToPause organizationRemoved usersLosingAccess { id } } }`;
const REPORTS_100 = `query { reports(filter: { archived: false }, first: 100) {
  totalCount nodes { id name visibility archived createdAt account { id name } createdBy { id name } } } }`;

/**
 * A fresh CLIENT of `agencyId` with `n` reports (10 % RESTRICTED, some shared), n items each
 * linked to one report, n/1000 (≥ 1) integration mappings, SELECTED_USERS access granted to the
 * agency's manager and regular user, and 4 VIEW_ONLY users of its own: ~7 snapshot users/report.
 */
export async function makeClient(
  sql: Client,
  agency: { id: string; integrationId: string; manager: string; regular: string },
  n: number,
  tag: string,
): Promise<string> {
  const { rows } = await sql.query<{ id: string; org: string }>(
    `WITH o AS (INSERT INTO organizations (name) VALUES ($1) RETURNING id)
     INSERT INTO accounts (name, type, status, organization_id, agency_id, client_access)
     SELECT $1, 'CLIENT', 'ACTIVE', o.id, $2, 'SELECTED_USERS' FROM o
     RETURNING id, organization_id AS org`,
    [`Bench disconnect ${tag}`, agency.id],
  );
  const { id, org } = rows[0];
  await sql.query(
    `INSERT INTO client_access_grants (account_id, user_id) VALUES ('${id}', '${agency.manager}'), ('${id}', '${agency.regular}');
     WITH u AS (INSERT INTO users (email, name, organization_id)
                SELECT 'd-${tag}-' || g || '-' || substr(md5(random()::text), 1, 8) || '@bench.example', 'Brand ' || g, '${org}'
                  FROM generate_series(1, 4) g RETURNING id)
     INSERT INTO memberships (user_id, account_id, role) SELECT u.id, '${id}', 'VIEW_ONLY' FROM u;
     INSERT INTO reports (name, account_id, visibility, status, created_by_id, created_at)
       SELECT 'D ${tag} ' || g, '${id}', CASE WHEN g % 10 = 0 THEN 'RESTRICTED' ELSE 'ACCOUNT' END::report_visibility,
              'ACTIVE', '${agency.regular}', now() - g * interval '1 minute'
         FROM generate_series(1, ${n}) g;
     INSERT INTO report_shares (report_id, user_id)
       SELECT r.id, '${agency.manager}' FROM reports r
        WHERE r.account_id = '${id}' AND r.visibility = 'RESTRICTED' AND split_part(r.name, ' ', 3)::int % 20 = 0;
     INSERT INTO reporting_items (name, account_id, source, impressions, clicks, reach, last_data_at)
       SELECT 'Item ' || g, '${id}', 'MANUAL', g, g, g, now() FROM generate_series(1, ${n}) g;
     INSERT INTO report_items (report_id, item_id)
       SELECT r.id, i.id
         FROM (SELECT id, row_number() OVER (ORDER BY id) k FROM reports WHERE account_id = '${id}') r
         JOIN (SELECT id, row_number() OVER (ORDER BY id) k FROM reporting_items WHERE account_id = '${id}') i
           ON i.k = r.k;
     INSERT INTO integration_mappings (integration_id, client_account_id, external_advertiser_id)
       SELECT '${agency.integrationId}', '${id}', 'adv-${tag}-' || g
         FROM generate_series(1, greatest(1, ${n} / 1000)) g;
     ANALYZE reports; ANALYZE reporting_items; ANALYZE report_items`,
  );
  return id;
}

/**
 * The same writes as disconnectClient, hand-written for a known client in one transaction, as a
 * developer would with the schema in front of them: lock, R16 snapshot, archive, freeze, pause,
 * account, organization, outbox, grants, memberships, deactivation, audit.
 */
/**
 * The disconnection as hand-written SQL. `snapshot`: 'rule' records R16 as the service does
 * (one row per user for the account's ACCOUNT-visibility reports, per-report rows for RESTRICTED
 * ones); 'per-report' as it did before issue 11 (a row per report and user) — the variant without
 * the feature, for B5's snapshot ratio.
 */
export async function handDisconnect(
  sql: Client,
  clientId: string,
  actorId: string,
  snapshot: 'rule' | 'per-report' = 'rule',
) {
  let statements = 0;
  const run = async (text: string, values: unknown[] = []) => {
    statements += 1;
    return sql.query(text, values);
  };
  await run('BEGIN');
  try {
    const { rows } = await run(
      `SELECT c.id, c.agency_id, c.organization_id, c.client_access FROM accounts c WHERE c.id = $1 FOR UPDATE`,
      [clientId],
    );
    const client = rows[0] as { agency_id: string; organization_id: string };
    await run(
      `WITH reach AS (
         SELECT m.user_id, m.role FROM memberships m JOIN accounts c ON c.id = $1
          WHERE m.account_id = c.agency_id
            AND (m.role = 'ADMIN' OR c.client_access = 'EVERYONE_IN_AGENCY'
                 OR EXISTS (SELECT 1 FROM client_access_grants g WHERE g.account_id = c.id AND g.user_id = m.user_id))
         UNION ALL SELECT m.user_id, m.role FROM memberships m WHERE m.account_id = $1),
       account_level AS (
         INSERT INTO archived_account_access (account_id, user_id)
         SELECT DISTINCT $1::uuid, reach.user_id FROM reach JOIN users u ON u.id = reach.user_id AND u.active
          WHERE $2
         ON CONFLICT DO NOTHING)
       INSERT INTO archived_report_access (report_id, user_id)
       SELECT DISTINCT r.id, reach.user_id FROM reports r CROSS JOIN reach JOIN users u ON u.id = reach.user_id AND u.active
        WHERE r.account_id = $1 AND r.status = 'ACTIVE' AND (NOT $2 OR r.visibility = 'RESTRICTED')
          AND (r.visibility = 'ACCOUNT' OR reach.role = 'ADMIN' OR r.created_by_id = reach.user_id
               OR EXISTS (SELECT 1 FROM report_shares sh WHERE sh.report_id = r.id AND sh.user_id = reach.user_id))
       ON CONFLICT DO NOTHING`,
      [clientId, snapshot === 'rule'],
    );
    await run(
      `UPDATE reports SET status = 'ARCHIVED', archived_at = now() WHERE account_id = $1 AND status = 'ACTIVE'`,
      [clientId],
    );
    await run(
      `UPDATE reporting_items SET status = 'FROZEN', frozen_at = now() WHERE account_id = $1 AND status = 'ACTIVE'`,
      [clientId],
    );
    await run(
      `UPDATE integration_mappings SET status = 'PAUSED', paused_at = now() WHERE client_account_id = $1 AND status = 'ACTIVE'`,
      [clientId],
    );
    await run(`UPDATE accounts SET status = 'ARCHIVED', archived_at = now() WHERE id = $1`, [
      clientId,
    ]);
    const removed = await run(
      `UPDATE organizations o SET removed_at = now() WHERE o.id = $1 AND o.removed_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.organization_id = o.id AND a.status = 'ACTIVE' AND a.id <> $2)
       RETURNING o.id`,
      [client.organization_id, clientId],
    );
    await run(
      `INSERT INTO email_outbox (dedupe_key, to_address, subject, body)
       SELECT 'hand:' || $1::text || ':' || u.email, u.email, 'Client disconnected', 'The client was disconnected.'
         FROM memberships m JOIN users u ON u.id = m.user_id
        WHERE m.account_id IN ($1::uuid, $2::uuid) AND m.role = 'ADMIN' AND u.active`,
      [clientId, client.agency_id],
    );
    await run(`DELETE FROM client_access_grants WHERE account_id = $1`, [clientId]);
    await run(`DELETE FROM memberships WHERE account_id = $1`, [clientId]);
    if (removed.rowCount) {
      await run(
        `UPDATE users u SET active = false WHERE u.organization_id = $1 AND u.active AND NOT u.is_staff
            AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id)`,
        [client.organization_id],
      );
    }
    await run(
      `INSERT INTO audit_events (action, actor_id, account_id, related_account_id, details)
       VALUES ('CLIENT_DISCONNECTED', $1, $2, $3, '{}')`,
      [actorId, clientId, client.agency_id],
    );
    await run('COMMIT');
  } catch (error) {
    await sql.query('ROLLBACK');
    throw error;
  }
  return statements;
}

/** Removes what an earlier run made (its clients, their rows, users and organizations). */
async function cleanUp(sql: Client) {
  await sql.query(
    `CREATE TEMP TABLE gone AS SELECT id, organization_id FROM accounts WHERE name LIKE 'Bench disconnect %';
     DELETE FROM archived_report_access WHERE report_id IN (SELECT r.id FROM reports r JOIN gone ON gone.id = r.account_id);
     DELETE FROM report_shares WHERE report_id IN (SELECT r.id FROM reports r JOIN gone ON gone.id = r.account_id);
     DELETE FROM report_items WHERE report_id IN (SELECT r.id FROM reports r JOIN gone ON gone.id = r.account_id);
     DELETE FROM reports WHERE account_id IN (SELECT id FROM gone);
     DELETE FROM reporting_items WHERE account_id IN (SELECT id FROM gone);
     DELETE FROM integration_mappings WHERE client_account_id IN (SELECT id FROM gone);
     DELETE FROM integrations WHERE name = 'Bench' AND NOT EXISTS (SELECT 1 FROM integration_mappings m WHERE m.integration_id = integrations.id);
     DELETE FROM client_access_grants WHERE account_id IN (SELECT id FROM gone);
     DELETE FROM memberships WHERE account_id IN (SELECT id FROM gone);
     DELETE FROM audit_events WHERE account_id IN (SELECT id FROM gone);
     DELETE FROM users u WHERE u.organization_id IN (SELECT organization_id FROM gone)
        AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id);
     DELETE FROM email_outbox;
     DELETE FROM accounts WHERE id IN (SELECT id FROM gone);
     DELETE FROM organizations WHERE id IN (SELECT organization_id FROM gone);
     DROP TABLE gone`,
  );
}

/**
 * Every timed disconnection starts from a clean buffer pool: without it, one pays for writing
 * out the dirty pages the one before left (checkpoints and backend writes), whichever side that was.
 */
const checkpoint = (sql: Client) => sql.query('CHECKPOINT');

const snapshotRows = async (sql: Client, clientId: string) =>
  Number(
    (
      await sql.query<{ n: string }>(
        `SELECT (SELECT count(*) FROM archived_report_access s JOIN reports r ON r.id = s.report_id
                  WHERE r.account_id = $1)
              + (SELECT count(*) FROM archived_account_access WHERE account_id = $1) AS n`,
        [clientId],
      )
    ).rows[0].n,
  );

export interface DisconnectBenchResult {
  rows: BenchRow[];
  lines: string[];
}

/** B5 and B6 on the large world's database, disconnecting fresh clients of agency 0. */
export async function benchDisconnections(o: {
  sql: Client;
  gql: Gql;
  admin: Who;
  manager: Who;
  regular: Who;
  sizes: number[];
  concurrent: { clients: number; reports: number };
  readRequests: number;
}): Promise<DisconnectBenchResult> {
  const { sql, gql, admin, manager, regular } = o;
  const rows: BenchRow[] = [];
  const lines: string[] = [];
  await cleanUp(sql);
  const agencyId = (
    await sql.query<{ account_id: string }>(
      `SELECT account_id FROM memberships WHERE user_id = $1 AND role = 'ADMIN'`,
      [admin.id],
    )
  ).rows[0].account_id;
  const integrationId = (
    await sql.query<{ id: string }>(
      `INSERT INTO integrations (name, ad_server, owner_account_id) VALUES ('Bench', 'SIMULATED', $1) RETURNING id`,
      [agencyId],
    )
  ).rows[0].id;
  const agency = { id: agencyId, integrationId, manager: manager.id, regular: regular.id };
  const tag = (label: string) => `${label}-${Date.now().toString(36)}`;

  // ---- B5: API vs hand-written SQL, interleaved per size; the preview first ------------------
  lines.push(
    '## B5: disconnectClient at scale',
    '',
    '| reports | preview ms | API ms | hand SQL ms | API / SQL | preview / API | statements API / SQL | snapshot rows API / SQL |',
    '|---|---|---|---|---|---|---|---|',
  );
  const statementsBySize: number[] = [];
  let handStatements = 0;
  // Warm-up, unmeasured: one preview and one disconnection each way on a small client, so the
  // first measured size does not pay for cold plan caches and JIT alone (every other scenario
  // has warm-up rounds too).
  {
    const warmApi = await makeClient(sql, agency, o.sizes[0], tag('warm-api'));
    const warmHand = await makeClient(sql, agency, o.sizes[0], tag('warm-sql'));
    await gql(admin, PREVIEW, { id: warmApi });
    await gql(admin, DISCONNECT, { id: warmApi });
    await handDisconnect(sql, warmHand, admin.id);
  }
  for (const n of o.sizes) {
    const apiClient = await makeClient(sql, agency, n, tag(`api${n}`));
    const handClient = await makeClient(sql, agency, n, tag(`sql${n}`));
    // A preview writes nothing, so it can be asked again: the median of PREVIEW_ROUNDS, each
    // the same answer (a single cold sample swung 0.036–0.070× between runs).
    const previewTimes: number[] = [];
    let preview: unknown;
    for (let i = 0; i < PREVIEW_ROUNDS; i++) {
      const t = performance.now();
      const answer = (await gql(admin, PREVIEW, { id: apiClient })).disconnectClientPreview;
      previewTimes.push(performance.now() - t);
      if (i > 0 && JSON.stringify(answer) !== JSON.stringify(preview)) {
        throw new Error(`preview answered differently at ${n} reports`);
      }
      preview = answer;
    }
    const previewMs = percentile(previewTimes, 0.5);
    const runApi = async (clientId: string, expected: unknown) => {
      await checkpoint(sql);
      const before = statementCounter.count;
      const t = performance.now();
      const result = (await gql(admin, DISCONNECT, { id: clientId })).disconnectClient;
      const ms = performance.now() - t;
      if (result.userErrors.length) throw new Error(JSON.stringify(result.userErrors));
      if (JSON.stringify(result.impact) !== JSON.stringify(expected)) {
        throw new Error(`preview != impact at ${n} reports`);
      }
      return { ms, statements: statementCounter.count - before };
    };
    const runHand = async (clientId: string) => {
      await checkpoint(sql);
      const t = performance.now();
      const statements = await handDisconnect(sql, clientId, admin.id);
      return { ms: performance.now() - t, statements };
    };
    // One sample is mostly noise on a shared 2-core machine: `disconnectRounds(n)` fresh pairs
    // of clients (the same shape, so the same impact) and the medians. Which goes first
    // alternates, so neither always runs on a warmer cache.
    const apiRuns: { ms: number; statements: number }[] = [];
    const handRuns: { ms: number; statements: number }[] = [];
    const rounds = disconnectRounds(n);
    for (let round = 0; round < rounds; round++) {
      const apiId =
        round === 0 ? apiClient : await makeClient(sql, agency, n, tag(`api${n}-${round}`));
      const handId =
        round === 0 ? handClient : await makeClient(sql, agency, n, tag(`sql${n}-${round}`));
      // Each client has users of its own: its impact is checked against its own preview.
      const expected =
        round === 0 ? preview : (await gql(admin, PREVIEW, { id: apiId })).disconnectClientPreview;
      if ((o.sizes.indexOf(n) + round) % 2 === 0) {
        apiRuns.push(await runApi(apiId, expected));
        handRuns.push(await runHand(handId));
      } else {
        handRuns.push(await runHand(handId));
        apiRuns.push(await runApi(apiId, expected));
      }
    }
    const medianOf = (runs: { ms: number; statements: number }[]) => ({
      ms: median(runs.map((r) => r.ms)),
      statements: runs[0].statements,
    });
    const api = medianOf(apiRuns);
    const hand = medianOf(handRuns);
    if (n === o.sizes.at(-1)) {
      // The variant without the feature: the same writes with a snapshot row per report and user.
      const oldClient = await makeClient(sql, agency, n, tag(`old${n}`));
      await checkpoint(sql);
      const t = performance.now();
      await handDisconnect(sql, oldClient, admin.id, 'per-report');
      const oldMs = performance.now() - t;
      const oldRows = await snapshotRows(sql, oldClient);
      rows.push({
        id: 'B5',
        what: `disconnectClient, ${n.toLocaleString('en')} reports: API / hand SQL with a snapshot row per report (${oldRows.toLocaleString('en')} rows)`,
        value: api.ms / oldMs,
        target: 0.3,
        unit: '×',
      });
    }
    statementsBySize.push(api.statements);
    handStatements = hand.statements;
    const [snapApi, snapHand] = [
      await snapshotRows(sql, apiClient),
      await snapshotRows(sql, handClient),
    ];
    lines.push(
      `| ${n.toLocaleString('en')} | ${previewMs.toFixed(0)} | ${api.ms.toFixed(0)} | ${hand.ms.toFixed(0)} | ${(api.ms / hand.ms).toFixed(2)}× | ${(previewMs / api.ms).toFixed(3)}× | ${api.statements} / ${hand.statements} | ${snapApi.toLocaleString('en')} / ${snapHand.toLocaleString('en')}${snapApi === snapHand ? '' : ' **differ**'} |`,
    );
    rows.push(
      {
        id: 'B5',
        what: `disconnectClient, ${n.toLocaleString('en')} reports: API / hand-written SQL`,
        value: api.ms / hand.ms,
        target: 1.2,
        unit: '×',
      },
      {
        id: 'B5',
        what: `preview / disconnection, ${n.toLocaleString('en')} reports`,
        value: previewMs / api.ms,
        target: 0.05,
        unit: '×',
      },
    );
  }
  rows.push({
    id: 'B5',
    what: `statements, smallest (${statementsBySize[0]}) vs largest size (${statementsBySize.at(-1)}): difference`,
    value: statementsBySize[0] === statementsBySize.at(-1) ? 0 : 1,
    target: 0,
    unit: '',
  });
  lines.push(
    '',
    `Statements counted by the app's TypeORM logger (transaction control included) against the hand-written transaction's ${handStatements} (BEGIN and COMMIT included).`,
    '',
  );

  // ---- B6a: reports-page p99 for another user of the agency, idle vs during a disconnection ---
  // Untimed: what B5 archived is vacuumed now rather than by autovacuum during B6's reads.
  await sql.query(
    'VACUUM ANALYZE reports, reporting_items, report_items, archived_report_access, integration_mappings',
  );
  const big = await makeClient(sql, agency, o.sizes.at(-1)!, tag('b6'));
  const page = async () => {
    const t = performance.now();
    await gql(manager, REPORTS_100);
    return performance.now() - t;
  };
  const idle: number[] = [];
  for (let i = 0; i < o.readRequests; i++) idle.push(await page());
  const during: number[] = [];
  let done = false;
  const disconnecting = gql(admin, DISCONNECT, { id: big }).finally(() => {
    done = true;
  });
  while (!done || during.length < 5) during.push(await page());
  await disconnecting;
  const p99Idle = percentile(idle, 0.99);
  const p99During = percentile(during, 0.99);
  rows.push({
    id: 'B6',
    what: `reports page (manager, first: 100) p99 during a ${o.sizes.at(-1)!.toLocaleString('en')}-report disconnection / idle`,
    value: p99During / p99Idle,
    target: 1.5,
    unit: '×',
  });

  // ---- B6b: concurrent disconnections of different clients of one agency ----------------------
  const many: string[] = [];
  for (let i = 0; i < o.concurrent.clients; i++) {
    many.push(await makeClient(sql, agency, o.concurrent.reports, tag(`c${i}`)));
  }
  const deadlocks = async () =>
    Number(
      (
        await sql.query<{ d: string }>(
          `SELECT deadlocks AS d FROM pg_stat_database WHERE datname = current_database()`,
        )
      ).rows[0].d,
    );
  const deadlocksBefore = await deadlocks();
  const retriesBefore = transactionRetries.count;
  const outcomes = await Promise.allSettled(
    many.map((id) => gql(admin, DISCONNECT, { id }).then((d) => d.disconnectClient)),
  );
  const errors = outcomes.filter(
    (r) => r.status === 'rejected' || r.value.userErrors.length > 0,
  ).length;
  const deadlockCount = (await deadlocks()) - deadlocksBefore;
  rows.push(
    {
      id: 'B6',
      what: `${o.concurrent.clients} concurrent disconnections of one agency's clients: deadlocks (PostgreSQL's count; retries ${transactionRetries.count - retriesBefore})`,
      value: deadlockCount,
      target: 0,
      unit: '',
    },
    {
      id: 'B6',
      what: `${o.concurrent.clients} concurrent disconnections: errors`,
      value: errors,
      target: 0,
      unit: '',
    },
  );
  lines.push(
    '## B6: reads during a disconnection',
    '',
    `Reports page (first: 100) as the agency's ACCOUNT_MANAGER: idle p50 ${percentile(idle, 0.5).toFixed(1)} ms / p99 ${p99Idle.toFixed(1)} ms over ${idle.length} requests; during the disconnection p50 ${percentile(during, 0.5).toFixed(1)} ms / p99 ${p99During.toFixed(1)} ms over ${during.length} requests. ${o.concurrent.clients} concurrent disconnections of ${o.concurrent.reports.toLocaleString('en')}-report clients: ${errors} errors, ${deadlockCount} deadlocks.`,
    '',
  );
  return { rows, lines };
}

/**
 * B4: throughput and p50 of one request with shield applied vs a server built without it, in
 * alternating phases of `seconds` with `concurrency` keep-alive clients each.
 */
export async function benchShield(o: {
  withShield: (query: string) => Promise<unknown>;
  withoutShield: (query: string) => Promise<unknown>;
  queries: { label: string; query: string }[];
  concurrency: number;
  seconds: number;
  phases: number;
  /** The in-process comparison of one query's execution with and without shield. */
  execute?: {
    label: string;
    served: GraphQLSchema;
    bare: GraphQLSchema;
    document: DocumentNode;
    contextValue: () => unknown;
    /** The same query's p50 over HTTP, for scale. */
    requestMs: number;
  };
}): Promise<DisconnectBenchResult> {
  const rows: BenchRow[] = [];
  const lines = [
    '## B4: what graphql-shield costs',
    '',
    `${o.concurrency} concurrent keep-alive clients, ${o.phases} alternating phases of ${o.seconds} s per server and query.`,
    '',
    '| query | with shield req/s | without req/s | throughput ratio | p50 with / without (ms) | p50 ratio |',
    '|---|---|---|---|---|---|',
  ];
  for (const { label, query } of o.queries) {
    const stats = {
      on: { n: 0, ms: 0, lat: [] as number[] },
      off: { n: 0, ms: 0, lat: [] as number[] },
    };
    for (let phase = 0; phase < o.phases * 2; phase++) {
      // ABBA…: on, off, off, on, on, off — a machine that slows down or speeds up during the
      // run weighs on both servers alike.
      const key = phase % 4 === 0 || phase % 4 === 3 ? 'on' : 'off';
      const run = key === 'on' ? o.withShield : o.withoutShield;
      const until = performance.now() + o.seconds * 1000;
      const start = performance.now();
      await Promise.all(
        Array.from({ length: o.concurrency }, async () => {
          while (performance.now() < until) {
            const t = performance.now();
            await run(query);
            stats[key].lat.push(performance.now() - t);
            stats[key].n += 1;
          }
        }),
      );
      stats[key].ms += performance.now() - start;
    }
    const rps = (k: 'on' | 'off') => stats[k].n / (stats[k].ms / 1000);
    const p50 = (k: 'on' | 'off') => percentile(stats[k].lat, 0.5);
    lines.push(
      `| ${label} | ${rps('on').toFixed(0)} | ${rps('off').toFixed(0)} | ${(rps('on') / rps('off')).toFixed(3)} | ${p50('on').toFixed(1)} / ${p50('off').toFixed(1)} | ${(p50('off') / p50('on')).toFixed(3)} |`,
    );
    rows.push({
      id: 'B4',
      what: `${label}: throughput with shield / without`,
      value: rps('on') / rps('off'),
      target: 0.95,
      unit: '×',
      atLeast: true,
    });
  }
  if (o.execute) {
    // Shield's own CPU, without HTTP, sockets or the database: graphql-js executes the same
    // parsed document against the served and the bare schema, alternating in batches.
    const { served, bare, document, contextValue } = o.execute;
    const perOp = { on: [] as number[], off: [] as number[] };
    for (let batch = 0; batch < 20; batch++) {
      for (const key of batch % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
        const schema = key === 'on' ? served : bare;
        const t = performance.now();
        for (let i = 0; i < 500; i++) {
          const result = await execute({ schema, document, contextValue: contextValue() });
          if (result.errors) throw new Error(JSON.stringify(result.errors));
        }
        perOp[key].push(((performance.now() - t) * 1000) / 500);
      }
    }
    const [on, off] = [percentile(perOp.on, 0.5), percentile(perOp.off, 0.5)];
    lines.push(
      '',
      `Shield's own cost, in process: executing \`${o.execute.label}\` (graphql-js \`execute\`, no HTTP) takes ${on.toFixed(1)} µs with the permission middleware and ${off.toFixed(1)} µs without (median of 20 alternating batches of 500): ${(on - off).toFixed(1)} µs per request, against the request's ${o.execute.requestMs.toFixed(2)} ms p50 over HTTP (${((100 * (on - off)) / 1000 / o.execute.requestMs).toFixed(2)} %).`,
    );
  }
  lines.push('');
  return { rows, lines };
}
