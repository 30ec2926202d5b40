import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Express, Request } from 'express';
import type { Pool, PoolClient } from 'pg';
import QueryStream from 'pg-query-stream';
import type { DataSource } from 'typeorm';
import type { Env } from '../../config/env';
import { logger } from '../../config/logger';
import { ExportFormat, User } from '../../entities';
import { userPrincipal } from '../../permissions/principal';
import { Visibility } from '../../permissions/visibility';
import {
  copyCsvExport,
  crlfRecords,
  EXPORT_ITEMS_SQL,
  EXPORT_REPORT_SQL,
  exportContentType,
  type ExportItemRow,
  type ExportReportMeta,
  jsonExportDocument,
  verifyExportLink,
} from '../../services/export.service';
import { isId } from '../../shared/ids';
import { namedSql } from '../../database/raw-sql';
import { findUsableApiToken } from '../auth';
import { sendHttpError } from '../../shared/http-errors';
import type { Principal as Viewer } from '../../permissions/principal';

/**
 * A download whose client takes no byte for this long is abandoned: a reader that stops reading
 * would otherwise hold a pooled connection and an open snapshot for as long as it keeps the
 * socket open.
 */
export const EXPORT_STALL_TIMEOUT_MS = 60_000;
/**
 * The longest one statement of a download may run. COPY is one statement for the whole document,
 * slow readers included (PostgreSQL waits on the socket inside it); 100,000 items take seconds.
 */
export const EXPORT_STATEMENT_TIMEOUT_MS = 15 * 60_000;

const urlHost = (host: string) => (host.includes(':') ? `[${host}]` : host);

/**
 * The base URL of export links: PUBLIC_URL, else `http://HOST:PORT` of the server's own
 * configuration (PORT=0: the port it bound). Never the request's Host header: a client controls
 * it, and a link built from it would send a victim's signed download to the client's host.
 */
export const exportBaseUrl = (env: Env, req: Request) =>
  env.PUBLIC_URL ?? `http://${urlHost(env.HOST)}:${env.PORT || req.socket.localPort}`;

/**
 * Ends a download's read-only transaction and gives its pooled connection back. Mid-COPY no
 * ROLLBACK can run: releasing with an error ends the client, and pg destroys the socket of a
 * client with a query in flight (a polite Terminate would never be read by a backend busy
 * sending), so the backend's next write fails, which ends the COPY and rolls the transaction
 * back. The pool opens a fresh connection in its place.
 */
export async function endDownloadTransaction(
  client: PoolClient,
  copying: boolean,
  failed: unknown,
): Promise<void> {
  if (copying) {
    client.release(failed instanceof Error ? failed : new Error('download COPY abandoned'));
    return;
  }
  try {
    await client.query(failed ? 'ROLLBACK' : 'COMMIT');
    client.release();
  } catch (error) {
    client.release(error as Error);
  }
}

/** The viewer an export link was signed for, if it may still read (active user, usable token). */
async function linkViewer(db: DataSource, viewer: string): Promise<Viewer | null> {
  const [kind, id] = [viewer.slice(0, 2), viewer.slice(2)];
  if (!isId(id)) return null;
  if (kind === 'u.') {
    const user = await db.getRepository(User).findOneBy({ id: id.toLowerCase(), active: true });
    return user ? userPrincipal(user) : null;
  }
  if (kind === 't.') {
    return (
      (await findUsableApiToken(db, 't.id = :id', { id: id.toLowerCase() }))?.principal ?? null
    );
  }
  return null;
}

/**
 * GET /exports/<reportId>.<csv|json>?expires=&viewer=&sig= — the signed export link of
 * `exportReport` (R17). 403 for a tampered or expired link or a viewer who may no longer read;
 * 404 when the report is not (or no longer) visible to the signed viewer. The document streams
 * from one REPEATABLE READ snapshot on a pooled connection, so memory stays constant whatever the
 * report's size: CSV as PostgreSQL writes it (COPY, on the server and on the embedded database
 * alike), JSON through a cursor. A client that goes away or stalls mid-download ends the COPY and
 * the connection (EXPORT_STALL_TIMEOUT_MS).
 */
export function mountExportRoutes(app: Express, { db, env }: { db: DataSource; env: Env }) {
  app.get('/exports/:file', async (req, res) => {
    const match = /^([0-9a-f-]{36})\.(csv|json)$/i.exec(String(req.params.file));
    if (!match || !isId(match[1])) {
      sendHttpError(res, 404, 'NOT_FOUND', 'Unknown export');
      return;
    }
    const reportId = match[1].toLowerCase();
    const format = match[2].toLowerCase() === 'csv' ? ExportFormat.CSV : ExportFormat.JSON;
    const { expires, viewer, sig } = req.query;
    const expiresAt = Number(expires);
    const forbidden = (message: string) => sendHttpError(res, 403, 'FORBIDDEN', message);
    if (
      typeof expires !== 'string' ||
      typeof viewer !== 'string' ||
      typeof sig !== 'string' ||
      !/^\d+$/.test(expires) ||
      !verifyExportLink(env.JWT_SECRET, { reportId, format, expires: expiresAt, viewer }, sig)
    ) {
      forbidden('Invalid export link');
      return;
    }
    if (expiresAt * 1000 < Date.now()) {
      forbidden('The export link has expired');
      return;
    }
    const who = await linkViewer(db, viewer);
    if (!who) {
      forbidden('The export link’s viewer may no longer read');
      return;
    }
    const visibility = new Visibility(who);
    const pool = (db.driver as unknown as { master: Pool }).master;
    const client: PoolClient = await pool.connect();
    // A checked-out client whose backend dies emits 'error'; unheard, it would end the process.
    // The query in flight fails too, and the handler below answers for it.
    const onLostConnection = (error: Error) =>
      logger.warn({ err: error, reportId }, 'export lost its connection');
    client.on('error', onLostConnection);
    let failed: unknown = null;
    // True while the connection is in COPY mode: it can run nothing else until the COPY ends.
    let copying = false;
    try {
      await client.query(
        `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
         SET LOCAL statement_timeout = ${EXPORT_STATEMENT_TIMEOUT_MS}`,
      );
      const [visibleSql, visibleParams] = namedSql(
        db,
        `SELECT 1 FROM reports r WHERE r.id = :reportId AND ${visibility.report('r')}`,
        { ...visibility.params, reportId },
      );
      const visible = await client.query(visibleSql, visibleParams);
      if (visible.rowCount === 0) {
        sendHttpError(res, 404, 'NOT_FOUND', 'Report not found');
        return;
      }
      res.status(200);
      res.setHeader('content-type', exportContentType(format));
      res.setHeader('cache-control', 'no-store');
      res.setHeader(
        'content-disposition',
        `attachment; filename="report-${reportId}.${format === ExportFormat.CSV ? 'csv' : 'json'}"`,
      );
      res.setTimeout(EXPORT_STALL_TIMEOUT_MS, () =>
        res.destroy(new Error('export download stalled')),
      );
      if (format === ExportFormat.CSV) {
        const copy = await copyCsvExport(client, reportId);
        copying = true;
        copy.once('end', () => (copying = false));
        await pipeline(copy, crlfRecords(), res);
      } else {
        const report = (await client.query<ExportReportMeta>(EXPORT_REPORT_SQL, [reportId]))
          .rows[0];
        const rows = client.query(
          new QueryStream(EXPORT_ITEMS_SQL, [reportId], { batchSize: 500 }),
        ) as AsyncIterable<ExportItemRow>;
        await pipeline(Readable.from(jsonExportDocument(report, rows)), res);
      }
    } catch (error) {
      failed = error;
      logger.warn({ err: error, reportId }, 'export stream failed');
      if (!res.headersSent) {
        sendHttpError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
      } else res.destroy();
    } finally {
      await endDownloadTransaction(client, copying, failed);
      client.off('error', onLostConnection);
    }
  });
}
