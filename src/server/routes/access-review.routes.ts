import { pipeline } from 'node:stream/promises';
import type { Express } from 'express';
import type { Pool, PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { DataSource } from 'typeorm';
import type { Env } from '../../config/env';
import { logger } from '../../config/logger';
import { User } from '../../entities';
import { readAuthorities } from '../../permissions/account-authority';
import { Role } from '../../entities/enums';
import { userPrincipal } from '../../permissions/principal';
import { accessReviewCsvSql, verifyAccessReviewLink } from '../../services/access-review.service';
import { crlfRecords } from '../../services/export.service';
import { isId } from '../../shared/ids';
import { sendHttpError } from '../../shared/http-errors';
import {
  endDownloadTransaction,
  EXPORT_STALL_TIMEOUT_MS,
  EXPORT_STATEMENT_TIMEOUT_MS,
} from './export.routes';

/**
 * GET /access-reviews/<accountId>.csv?[at=&]expires=&viewer=&sig= — the signed CSV link of
 * `accessReview` (R29; R30 with `at`). 403 for a tampered or expired link, or a viewer who is no longer staff
 * nor an acting ADMIN of the account (checked now, not when the link was made: I3). The CSV is
 * one COPY from one READ ONLY snapshot on a pooled connection, streamed as PostgreSQL writes it,
 * so memory stays flat whatever the number of users; a stalled client ends it.
 */
export function mountAccessReviewRoutes(app: Express, { db, env }: { db: DataSource; env: Env }) {
  app.get('/access-reviews/:file', async (req, res) => {
    const match = /^([0-9a-f-]{36})\.csv$/i.exec(String(req.params.file));
    if (!match || !isId(match[1])) {
      sendHttpError(res, 404, 'NOT_FOUND', 'Unknown access review');
      return;
    }
    const accountId = match[1].toLowerCase();
    const { at, expires, viewer, sig } = req.query;
    // R30: a review of a past moment names it (epoch milliseconds), signed with the rest.
    const moment = typeof at === 'string' && /^\d{1,15}$/.test(at) ? Number(at) : undefined;
    const valid =
      (at === undefined || moment !== undefined) &&
      typeof expires === 'string' &&
      typeof viewer === 'string' &&
      typeof sig === 'string' &&
      /^\d+$/.test(expires) &&
      verifyAccessReviewLink(
        env.JWT_SECRET,
        { accountId, at: moment, expires: Number(expires), viewer },
        sig,
      );
    if (!valid) {
      sendHttpError(res, 403, 'FORBIDDEN', 'Invalid access review link');
      return;
    }
    if (Number(expires) * 1000 < Date.now()) {
      sendHttpError(res, 403, 'FORBIDDEN', 'The access review link has expired');
      return;
    }
    const userId = viewer.startsWith('u.') ? viewer.slice(2) : '';
    const user = isId(userId)
      ? await db.getRepository(User).findOneBy({ id: userId.toLowerCase(), active: true })
      : null;
    const principal = user ? userPrincipal(user) : null;
    const [authority] = principal ? await readAuthorities(db, principal, [accountId]) : [null];
    if (!principal || authority?.actsAs !== Role.ADMIN) {
      sendHttpError(res, 403, 'FORBIDDEN', 'The link’s viewer may no longer review this account');
      return;
    }
    const client: PoolClient = await (db.driver as unknown as { master: Pool }).master.connect();
    const onLostConnection = (error: Error) =>
      logger.warn({ err: error, accountId }, 'access review export lost its connection');
    client.on('error', onLostConnection);
    let copying = false;
    let failed: unknown = null;
    try {
      await client.query(
        `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
         SET LOCAL statement_timeout = ${EXPORT_STATEMENT_TIMEOUT_MS};
         SET LOCAL DateStyle = 'ISO, MDY'`,
      );
      const copy = client.query(
        copyTo(
          accessReviewCsvSql(accountId, principal, moment === undefined ? null : new Date(moment)),
        ),
      );
      copying = true;
      copy.once('end', () => (copying = false));
      res.status(200);
      res.setHeader('content-type', 'text/csv; charset=utf-8');
      res.setHeader('cache-control', 'no-store');
      res.setHeader('content-disposition', `attachment; filename="access-review-${accountId}.csv"`);
      res.setTimeout(EXPORT_STALL_TIMEOUT_MS, () =>
        res.destroy(new Error('access review download stalled')),
      );
      await pipeline(copy, crlfRecords(), res);
    } catch (error) {
      failed = error;
      logger.warn({ err: error, accountId }, 'access review export failed');
      if (!res.headersSent)
        sendHttpError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
      else res.destroy();
    } finally {
      await endDownloadTransaction(client, copying, failed);
      client.off('error', onLostConnection);
    }
  });
}
