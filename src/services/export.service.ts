import { createHmac, timingSafeEqual } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import { ExportFormat, ReportStatus } from '../entities';
import { requireViewer, type RequestContext } from '../context/request-context';
import type { Principal as Viewer } from '../permissions/principal';
import type { ExportReportInput } from '../schema/types/inputs';
import { notFound } from '../shared/errors';
import { isId } from '../shared/ids';
import { queryNamed } from './sql';

/** Reports with at most this many items also carry the document inline (`content`). */
export const INLINE_EXPORT_LIMIT = 1000;
/** Export links expire after this many seconds. */
export const EXPORT_LINK_TTL_SECONDS = 10 * 60;

export const EXPORT_COLUMNS = [
  'name',
  'source',
  'status',
  'externalId',
  'impressions',
  'clicks',
  'reach',
  'lastDataAt',
] as const;

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

/** The report's metadata; the caller has already decided the report is visible. */
export const EXPORT_REPORT_SQL = `
  SELECT r.id, r.name, r.account_id AS "accountId", a.name AS "accountName", r.visibility,
         r.status, r.archived_at AS "archivedAt", r.created_at AS "createdAt"
    FROM reports r JOIN accounts a ON a.id = r.account_id
   WHERE r.id = $1`;

/**
 * R17. Formula injection (CSV injection): a text cell a spreadsheet would evaluate — starting with
 * = + - @ tab or CR — is prefixed with a single quote.
 */
export const safeCell = (value: string | null): string =>
  value === null ? '' : /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;

const iso = (value: Date | string | null) =>
  value === null
    ? null
    : value instanceof Date
      ? value.toISOString()
      : new Date(value).toISOString();

const csvRecord = (row: ExportItemRow) => [
  safeCell(row.name),
  row.source,
  row.status,
  safeCell(row.externalId),
  row.impressions,
  row.clicks,
  row.reach,
  iso(row.lastDataAt) ?? '',
];

/** RFC 4180: CRLF between records, fields with , " CR or LF quoted, quotes doubled. */
const csvText = (rows: unknown[][], header: boolean) =>
  stringify(rows, {
    header,
    columns: header ? [...EXPORT_COLUMNS] : undefined,
    record_delimiter: 'windows',
    quoted_match: /[\r\n]/,
  });

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
 * R17: the export document as text chunks, from rows read in any way (a plain query for inline
 * content, a cursor for the streamed link): the same function writes both, so both carry the
 * same document. Rows are consumed as they come; memory stays bounded by `batch` rows.
 */
export async function* exportDocument(
  format: ExportFormat,
  report: ExportReportMeta,
  rows: AsyncIterable<ExportItemRow> | Iterable<ExportItemRow>,
  batch = 500,
): AsyncGenerator<string> {
  if (format === ExportFormat.CSV) {
    let pending: unknown[][] = [];
    let header = true;
    for await (const row of rows) {
      pending.push(csvRecord(row));
      if (pending.length >= batch) {
        yield csvText(pending, header);
        header = false;
        pending = [];
      }
    }
    if (pending.length > 0 || header) yield csvText(pending, header);
    return;
  }
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
    const [report] = await queryNamed<ExportReportMeta & { itemCount: number }>(
      em,
      `SELECT r.id, r.name, r.account_id AS "accountId", a.name AS "accountName", r.visibility,
              r.status, r.archived_at AS "archivedAt", r.created_at AS "createdAt",
              (SELECT COUNT(*)::int FROM report_items c WHERE c.report_id = r.id) AS "itemCount"
         FROM reports r JOIN accounts a ON a.id = r.account_id
        WHERE r.id = :reportId AND ${visibility.report('r')}`,
      { ...visibility.params, reportId },
    );
    if (!report) throw notFound('Report', ['input', 'reportId']);
    if (report.itemCount > INLINE_EXPORT_LIMIT) return null;
    const rows: ExportItemRow[] = await em.query(EXPORT_ITEMS_SQL, [reportId]);
    let text = '';
    for await (const chunk of exportDocument(input.format, report, rows)) text += chunk;
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
