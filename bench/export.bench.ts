/**
 * Issue 11 in `npm run bench`: B7, an archived report's CSV export through its signed link
 * against PostgreSQL's own `COPY … TO STDOUT` of the same rows over one connection — the floor
 * for any CSV of those rows. Called from reports-page.bench.ts with the large world's database
 * and the in-process server; the report, its items and its client are made here first and
 * removed afterwards, so the world stays as generated.
 */
import { performance } from 'node:perf_hooks';
import type { Client } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { BenchRow, Who } from './disconnect.bench';
import { median } from './shared';

type Gql = (who: Who, query: string, variables?: Record<string, unknown>) => Promise<any>;

const CLIENT_NAME = 'Bench export client';
const EXPORT = `mutation ($id: ID!) { exportReport(input: { reportId: $id, format: CSV }) {
  content url userErrors { code message } } }`;

/** The export's rows, as a developer would COPY them by hand: the columns, no formatting. */
const handCopy = (reportId: string) => `COPY (
  SELECT i.name, i.source, i.status, i.external_id, i.impressions, i.clicks, i.reach, i.last_data_at
    FROM report_items ri JOIN reporting_items i ON i.id = ri.item_id
   WHERE ri.report_id = '${reportId}'
   ORDER BY i.created_at, i.id) TO STDOUT WITH (FORMAT csv, HEADER true)`;

const countLf = (chunk: Uint8Array) => {
  let n = 0;
  for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) n += 1;
  return n;
};

async function cleanUp(sql: Client) {
  await sql.query(
    `CREATE TEMP TABLE gone AS SELECT id, organization_id FROM accounts WHERE name = '${CLIENT_NAME}';
     DELETE FROM archived_report_access WHERE report_id IN (SELECT r.id FROM reports r JOIN gone ON gone.id = r.account_id);
     DELETE FROM report_items WHERE report_id IN (SELECT r.id FROM reports r JOIN gone ON gone.id = r.account_id);
     DELETE FROM reports WHERE account_id IN (SELECT id FROM gone);
     DELETE FROM reporting_items WHERE account_id IN (SELECT id FROM gone);
     DELETE FROM accounts WHERE id IN (SELECT id FROM gone);
     DELETE FROM organizations WHERE id IN (SELECT organization_id FROM gone);
     DROP TABLE gone`,
  );
}

/**
 * A disconnected (ARCHIVED) client of the viewer's agency with one archived report of `items`
 * items, the viewer in its R16 snapshot. Names include formula-like, comma and quote cells, so
 * the export's quoting and formula guard are part of what is timed.
 */
async function makeArchivedReport(sql: Client, viewerId: string, items: number) {
  const { rows } = await sql.query<{ id: string }>(
    `WITH agency AS (SELECT account_id AS id FROM memberships WHERE user_id = $1 AND role = 'ADMIN' LIMIT 1),
          o AS (INSERT INTO organizations (name) VALUES ($2) RETURNING id),
          c AS (INSERT INTO accounts (name, type, status, archived_at, organization_id, agency_id, client_access)
                SELECT $2, 'CLIENT', 'ARCHIVED', now(), o.id, agency.id, 'EVERYONE_IN_AGENCY' FROM o, agency
                RETURNING id)
     INSERT INTO reports (name, account_id, status, archived_at, created_by_id)
     SELECT 'Bench export', c.id, 'ARCHIVED', now(), $1 FROM c RETURNING id`,
    [viewerId, CLIENT_NAME],
  );
  const reportId = rows[0].id;
  await sql.query(
    `WITH made AS (
       INSERT INTO reporting_items (name, account_id, source, status, external_id, impressions,
                                    clicks, reach, last_data_at, frozen_at, created_at)
       SELECT CASE WHEN g % 100 = 0 THEN '=Campaign ' || g WHEN g % 10 = 0 THEN 'Campaign "' || g || '", EU'
                   ELSE 'Campaign ' || g END,
              r.account_id, CASE WHEN g % 2 = 0 THEN 'INTEGRATION' ELSE 'MANUAL' END::item_source, 'FROZEN',
              CASE WHEN g % 2 = 0 THEN 'ext-' || g END, g * 37, g % 1000, g / 3.0,
              now() - g * interval '1 minute', now(), now() + g * interval '1 microsecond'
         FROM reports r, generate_series(1, ${items}) g WHERE r.id = $1
       RETURNING id)
     INSERT INTO report_items (report_id, item_id) SELECT $1, id FROM made`,
    [reportId],
  );
  await sql.query(`INSERT INTO archived_report_access (report_id, user_id) VALUES ($1, $2)`, [
    reportId,
    viewerId,
  ]);
  await sql.query(`ANALYZE reporting_items; ANALYZE report_items`);
  return reportId;
}

export interface ExportBenchResult {
  rows: BenchRow[];
  lines: string[];
}

/**
 * B7: rows/s of the signed-link CSV download (HTTP on loopback, body consumed) / rows/s of a
 * hand-written COPY of the same rows over one open connection, in interleaved rounds (the order
 * alternates), and the growth of this process's RSS — the server runs in it — over the rounds.
 */
export async function benchExport(o: {
  sql: Client;
  gql: Gql;
  viewer: Who;
  items: number;
  rounds: number;
}): Promise<ExportBenchResult> {
  const { sql, gql, viewer } = o;
  await cleanUp(sql);
  const reportId = await makeArchivedReport(sql, viewer.id, o.items);

  const link = async () => {
    const result = (await gql(viewer, EXPORT, { id: reportId })).exportReport;
    if (result.userErrors.length) throw new Error(JSON.stringify(result.userErrors));
    return result.url as string;
  };
  /** Lines of the document (records plus header, as long as no cell holds a line break). */
  const download = async (url: string) => {
    const response = await fetch(url);
    if (response.status !== 200) throw new Error(`export link answered ${response.status}`);
    let lines = 0;
    for await (const chunk of response.body!) lines += countLf(chunk);
    return lines;
  };
  const copy = async () => {
    let lines = 0;
    for await (const chunk of sql.query(copyTo(handCopy(reportId)))) lines += countLf(chunk);
    return lines;
  };

  let peakRss = process.memoryUsage().rss;
  const baseRss = peakRss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 20);
  const api: number[] = [];
  const hand: number[] = [];
  let apiLines = 0;
  let sqlLines = 0;
  try {
    // Same rows, checked once before anything is timed (the warm-up round).
    apiLines = await download(await link());
    sqlLines = await copy();
    for (let round = 0; round < o.rounds; round++) {
      const url = await link();
      const runApi = async () => {
        const t = performance.now();
        await download(url);
        api.push(performance.now() - t);
      };
      const runHand = async () => {
        const t = performance.now();
        await copy();
        hand.push(performance.now() - t);
      };
      if (round % 2 === 0) {
        await runApi();
        await runHand();
      } else {
        await runHand();
        await runApi();
      }
    }
  } finally {
    clearInterval(sampler);
  }
  await cleanUp(sql);
  const sameRows = apiLines === sqlLines && apiLines === o.items + 1;

  const rate = (ms: number) => o.items / (ms / 1000);
  const ratio = rate(median(api)) / rate(median(hand));
  const growthMb = (peakRss - baseRss) / 2 ** 20;
  const n = o.items.toLocaleString('en');
  return {
    rows: [
      {
        id: 'B7',
        what: `CSV export of an archived ${n}-item report: signed link rows/s / COPY TO STDOUT rows/s`,
        value: ratio,
        target: 0.5,
        unit: '×',
        atLeast: true,
      },
      {
        id: 'B7',
        what: `server RSS growth over ${o.rounds + 1} downloads (MB, in-process server)`,
        value: Math.round(growthMb),
        target: 100,
        unit: ' MB',
      },
      {
        id: 'B7',
        what: `same rows: link ${apiLines - 1} / COPY ${sqlLines - 1} (0 = same)`,
        value: sameRows ? 0 : 1,
        target: 0,
        unit: '',
      },
    ],
    lines: [
      '## B7: CSV export through the signed link',
      '',
      `An archived report of ${n} items (ARCHIVED client of agency 3, its ADMIN in the R16 snapshot), ${o.rounds} interleaved rounds after one warm-up. Link = GET of the URL \`exportReport\` mints (minted untimed each round; HTTP on loopback, the whole body read); COPY = \`COPY (SELECT … same rows, raw columns) TO STDOUT WITH (FORMAT csv, HEADER true)\` over one open connection (bench/export.bench.ts).`,
      '',
      '| | median ms | rows/s |',
      '|---|---|---|',
      `| signed link | ${median(api).toFixed(0)} | ${rate(median(api)).toFixed(0)} |`,
      `| COPY TO STDOUT | ${median(hand).toFixed(0)} | ${rate(median(hand)).toFixed(0)} |`,
      '',
      `RSS of the bench process (server included): ${(baseRss / 2 ** 20).toFixed(0)} MB before the warm-up, peak ${(peakRss / 2 ** 20).toFixed(0)} MB (sampled every 20 ms). Rows: link ${apiLines - 1}, COPY ${sqlLines - 1}${sameRows ? '' : ' **differ**'}.`,
      '',
    ],
  };
}
