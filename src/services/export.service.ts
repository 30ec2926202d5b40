import { createHmac, timingSafeEqual } from 'node:crypto';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { to as copyTo, type CopyToStreamQuery } from 'pg-copy-streams';
import { ExportFormat, ReportStatus } from '../entities';
import { requireViewer, type RequestContext } from '../context/request-context';
import type { Principal as Viewer } from '../permissions/principal';
import type { ExportReportInput } from '../schema/types/inputs';
import { notFound } from '../shared/errors';
import { isId } from '../shared/ids';
import { query } from '../database/raw-sql';

/** Reports with at most this many items also carry the document inline (`content`). */
export const INLINE_EXPORT_LIMIT = 1000;
/** Export links expire after this many seconds. */
export const EXPORT_LINK_TTL_SECONDS = 10 * 60;

/** One reporting item as exported. */
export interface ExportItemRow {
  id: string;
  name: string;
  source: string;
  status: string;
  externalId: string | null;
  impressions: number;
  clicks: number;
  reach: number;
  lastDataAt: Date | null;
}

export interface ExportReportMeta {
  id: string;
  name: string;
  accountId: string;
  accountName: string;
  visibility: string;
  status: ReportStatus;
  archivedAt: Date | null;
  createdAt: Date;
}

/** The report's items in export order (oldest first); `$1` is the report id. */
export const EXPORT_ITEMS_SQL = `
  SELECT i.id, i.name, i.source, i.status, i.external_id AS "externalId",
         i.impressions, i.clicks, i.reach, i.last_data_at AS "lastDataAt"
    FROM report_items ri JOIN reporting_items i ON i.id = ri.item_id
   WHERE ri.report_id = $1
   ORDER BY i.created_at, i.id`;

/** The report's metadata (ExportReportMeta) as `r`, with `extra` columns; no WHERE yet. */
const exportReportSelect = (extra = '') => `
  SELECT r.id, r.name, r.account_id AS "accountId", a.name AS "accountName", r.visibility,
         r.status, r.archived_at AS "archivedAt", r.created_at AS "createdAt"${extra}
    FROM reports r JOIN accounts a ON a.id = r.account_id`;

/** The report's metadata; the caller has already decided the report is visible. */
export const EXPORT_REPORT_SQL = `${exportReportSelect()}
   WHERE r.id = $1`;

/**
 * R17. Formula injection (CSV injection): a text cell a spreadsheet would evaluate — starting with
 * = + - @ tab or CR (by code: 61 43 45 64 9 13; `ascii` reads the first character without copying
 * it) — is prefixed with a single quote. NULLIF: COPY writes NULL as an empty field but an empty
 * string as `""`; the export promises the same empty field for both.
 */
export const safeCellSql = (column: string) =>
  `CASE WHEN ascii(${column}) IN (61, 43, 45, 64, 9, 13) THEN '''' || ${column}
        ELSE NULLIF(${column}, '') END`;

/**
 * A float8 column as JavaScript's `String(number)` writes it, so the CSV keeps the numbers the
 * JSON export carries (and the CSV carried before COPY). Both write the shortest round-trip
 * digits (extra_float_digits = 1, set by `copyCsvExport`); they differ in where exponent notation
 * starts (PostgreSQL: below 1e-4 and from 1e15; JavaScript: below 1e-6 and from 1e21), in the
 * exponent's form (`1e-05` vs `1e-5`) and in -0. Only those values take the slow branch, which
 * lays PostgreSQL's digits out as JavaScript does. Above 2^53 PostgreSQL now and then writes one
 * digit more than the shortest: same value, other text (no counter here gets that large).
 */
const jsNumberSql = (column: string) =>
  `CASE WHEN abs(${column}) >= 1e-4 AND abs(${column}) < 1e15 THEN ${column}::text ELSE (
     SELECT CASE
              WHEN ${column} = 0 THEN '0'
              WHEN f.m IS NULL THEN ${column}::text
              WHEN f.n > 21 OR f.n <= -6
                THEN f.m[1] || f.m[2] || coalesce('.' || f.m[3], '') || 'e'
                     || CASE WHEN f.n > 0 THEN '+' ELSE '-' END || abs(f.n - 1)
              WHEN f.n >= length(f.d) THEN f.m[1] || f.d || repeat('0', f.n - length(f.d))
              WHEN f.n > 0 THEN f.m[1] || left(f.d, f.n) || '.' || substr(f.d, f.n + 1)
              ELSE f.m[1] || '0.' || repeat('0', -f.n) || f.d
            END
       FROM (SELECT r.m, r.m[2] || coalesce(r.m[3], '') AS d, r.m[4]::int + 1 AS n
               FROM regexp_match(${column}::text,
                                 '^(-?)([0-9])(?:[.]([0-9]+))?e([-+][0-9]+)$') AS r(m)) f)
   END`;

/**
 * `Date#toISOString()` in SQL for years 1–9999: UTC, milliseconds truncated (as the driver's Date
 * truncates). The added microsecond makes the ISO text (DateStyle ISO, set by `copyCsvExport`)
 * always carry six fraction digits, which PostgreSQL otherwise trims, so the first 23 characters
 * are exactly `YYYY-MM-DD HH:MM:SS.mmm`. to_char says the same but measured slower.
 */
export const isoSql = (column: string) =>
  `replace(left((date_trunc('milliseconds', ${column} AT TIME ZONE 'UTC')
                 + interval '1 microsecond')::text, 23), ' ', 'T') || 'Z'`;

/**
 * R17: the CSV export of a report as one COPY statement, so PostgreSQL formats and quotes the
 * rows (issue 11, B7: formatting them in Node was most of an export's time). The header, the
 * columns, their order and every cell are what the export has always promised (test/exports).
 * COPY takes no bind parameters: the id is a literal, and only ever a checked UUID. The caller
 * has already decided the report is visible.
 */
export const exportCsvCopySql = (reportId: string) => {
  if (!isId(reportId)) throw new Error('exportCsvCopySql needs a report id');
  return `COPY (
  SELECT ${safeCellSql('i.name')} AS name, i.source, i.status,
         ${safeCellSql('i.external_id')} AS "externalId",
         ${jsNumberSql('i.impressions')} AS impressions, ${jsNumberSql('i.clicks')} AS clicks,
         ${jsNumberSql('i.reach')} AS reach, ${isoSql('i.last_data_at')} AS "lastDataAt"
    FROM report_items ri JOIN reporting_items i ON i.id = ri.item_id
   WHERE ri.report_id = '${reportId.toLowerCase()}'
   ORDER BY i.created_at, i.id
) TO STDOUT WITH (FORMAT csv, HEADER true)`;
};

const LF = 0x0a;
const QUOTE = 0x22;
const CRLF = Buffer.from('\r\n');

/**
 * COPY ends every record with LF; RFC 4180, and the export, end them with CRLF. An LF inside a
 * quoted field is data and stays: quotes toggle "inside a field" (a doubled quote toggles twice),
 * and that state carries across chunks, which split records anywhere.
 */
export function crlfRecords(): Transform {
  let quoted = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const parts: Buffer[] = [];
      let start = 0;
      let quote = chunk.indexOf(QUOTE);
      let lf = chunk.indexOf(LF);
      while (lf >= 0) {
        if (quote >= 0 && quote < lf) {
          quoted = !quoted;
          quote = chunk.indexOf(QUOTE, quote + 1);
          continue;
        }
        if (!quoted) {
          parts.push(chunk.subarray(start, lf), CRLF);
          start = lf + 1;
        }
        lf = chunk.indexOf(LF, lf + 1);
      }
      for (; quote >= 0; quote = chunk.indexOf(QUOTE, quote + 1)) quoted = !quoted;
      parts.push(chunk.subarray(start));
      done(null, Buffer.concat(parts));
    },
  });
}

/**
 * Starts the CSV export's COPY on `client`, inside the caller's transaction (SET LOCAL). Until
 * the returned stream has ended, the connection is in COPY mode and can run nothing else: a
 * caller that stops reading early must discard the connection (release it with an error), and
 * closing it ends the COPY on the server.
 */
export async function copyCsvExport(
  client: PoolClient,
  reportId: string,
): Promise<CopyToStreamQuery> {
  // The shortest round-trip digits, as JavaScript writes numbers, and ISO times: a server or a
  // role may default otherwise.
  await client.query(`SET LOCAL extra_float_digits = 1; SET LOCAL DateStyle = 'ISO, MDY'`);
  return client.query(copyTo(exportCsvCopySql(reportId)));
}

const iso = (value: Date | string | null) =>
  value === null
    ? null
    : value instanceof Date
      ? value.toISOString()
      : new Date(value).toISOString();

const jsonItem = (row: ExportItemRow) => ({
  id: row.id,
  name: row.name,
  source: row.source,
  status: row.status,
  externalId: row.externalId,
  impressions: row.impressions,
  clicks: row.clicks,
  reach: row.reach,
  lastDataAt: iso(row.lastDataAt),
});

const jsonReport = (report: ExportReportMeta) => ({
  id: report.id,
  name: report.name,
  account: { id: report.accountId, name: report.accountName },
  visibility: report.visibility,
  archived: report.status === ReportStatus.ARCHIVED,
  archivedAt: iso(report.archivedAt),
  createdAt: iso(report.createdAt),
});

/**
 * R17: the JSON export document as text chunks, from rows read in any way (a plain query for
 * inline content, a cursor for the streamed link): the same function writes both, so both carry
 * the same document. Rows are consumed as they come; memory stays bounded by `batch` rows.
 * (PostgreSQL writes the CSV: `copyCsvExport`.)
 */
export async function* jsonExportDocument(
  report: ExportReportMeta,
  rows: AsyncIterable<ExportItemRow> | Iterable<ExportItemRow>,
  batch = 500,
): AsyncGenerator<string> {
  yield `{"report":${JSON.stringify(jsonReport(report))},"items":[`;
  let first = true;
  let pending: string[] = [];
  for await (const row of rows) {
    pending.push((first ? '\n' : ',\n') + JSON.stringify(jsonItem(row)));
    first = false;
    if (pending.length >= batch) {
      yield pending.join('');
      pending = [];
    }
  }
  yield `${pending.join('')}${first ? '' : '\n'}]}\n`;
}

export const exportContentType = (format: ExportFormat) =>
  format === ExportFormat.CSV ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8';

/* ---- signed links ---- */

/** Who a link was issued to: a user (`u.<id>`) or an API token (`t.<id>`). */
export const linkViewerOf = (viewer: Viewer) =>
  viewer.kind === 'token' ? `t.${viewer.tokenId}` : `u.${viewer.user.id}`;

export interface ExportLink {
  reportId: string;
  format: ExportFormat;
  expires: number;
  viewer: string;
}

const extensionOf = (format: ExportFormat) => (format === ExportFormat.CSV ? 'csv' : 'json');

/** R17: the HMAC-SHA256 (JWT_SECRET) of a link's report, format, expiry and viewer. */
export function signExportLink(secret: string, link: ExportLink): string {
  return createHmac('sha256', secret)
    .update(
      `handover-export:v1:${link.reportId}:${extensionOf(link.format)}:${link.expires}:${link.viewer}`,
    )
    .digest('base64url');
}

/** R17: true when `sig` is the signature of the link (constant-time compare). */
export function verifyExportLink(secret: string, link: ExportLink, sig: string): boolean {
  const expected = Buffer.from(signExportLink(secret, link));
  const given = Buffer.from(sig);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** R17: the signed download URL under `baseUrl`. */
export function exportLinkUrl(baseUrl: string, secret: string, link: ExportLink): string {
  const query = new URLSearchParams({
    expires: String(link.expires),
    viewer: link.viewer,
    sig: signExportLink(secret, link),
  });
  return `${baseUrl.replace(/\/+$/, '')}/exports/${link.reportId}.${extensionOf(link.format)}?${query.toString()}`;
}

/**
 * R17: a report the viewer can see (active or archived, R16; API tokens within scope, R18) as
 * CSV or JSON. `content` carries the document when the report has at most INLINE_EXPORT_LIMIT
 * items; `url` is always a signed link, valid EXPORT_LINK_TTL_SECONDS, that streams the same
 * document (src/server/routes/export.routes.ts) after re-checking visibility.
 * Invisible report → NOT_FOUND. Read-only: one REPEATABLE READ snapshot.
 */
export async function exportReport(
  ctx: RequestContext,
  input: ExportReportInput,
  baseUrl: string,
): Promise<{ content: string | null; url: string }> {
  const { viewer, visibility } = requireViewer(ctx);
  if (!isId(input.reportId)) throw notFound('Report', ['input', 'reportId']);
  const reportId = input.reportId.toLowerCase();
  const content = await ctx.db.transaction('REPEATABLE READ', async (em) => {
    const [report] = await query<ExportReportMeta & { itemCount: number }>(
      em,
      `${exportReportSelect(
        `, (SELECT COUNT(*)::int FROM report_items c WHERE c.report_id = r.id) AS "itemCount"`,
      )}
        WHERE r.id = :reportId AND ${visibility.report('r')}`,
      { ...visibility.params, reportId },
    );
    if (!report) throw notFound('Report', ['input', 'reportId']);
    if (report.itemCount > INLINE_EXPORT_LIMIT) return null;
    let text = '';
    if (input.format === ExportFormat.CSV) {
      // The transaction's own connection, so COPY reads this snapshot; the link's download runs
      // the same COPY, so both carry the same bytes.
      const client = (await em.queryRunner!.connect()) as PoolClient;
      await pipeline(await copyCsvExport(client, reportId), crlfRecords(), async (chunks) => {
        for await (const chunk of chunks as AsyncIterable<Buffer>) text += chunk.toString();
      });
      return text;
    }
    const rows: ExportItemRow[] = await em.query(EXPORT_ITEMS_SQL, [reportId]);
    for await (const chunk of jsonExportDocument(report, rows)) text += chunk;
    return text;
  });
  const url = exportLinkUrl(baseUrl, ctx.env.JWT_SECRET, {
    reportId,
    format: input.format,
    expires: Math.floor(Date.now() / 1000) + EXPORT_LINK_TTL_SECONDS,
    viewer: linkViewerOf(viewer),
  });
  return { content, url };
}
