import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../context/request-context';
import retry from 'async-retry';
import { conflict, databaseUnavailable } from '../shared/errors';
import { isStaleStatement } from '../database/raw-sql';
import { assertGateDecisionsConfirmed } from '../permissions/gate-decisions';

/** PostgreSQL's answers that mean "run the whole transaction again": it changed nothing. */
const RETRYABLE_SQLSTATES = new Set(['40P01', '40001']); // deadlock_detected, serialization_failure

const sqlState = (error: unknown): string | undefined =>
  (error as { code?: unknown }).code === undefined
    ? undefined
    : String((error as { code: unknown }).code);

/**
 * The connection itself went away: the backend was terminated (57P01–57P03, a failover), or the
 * socket broke (class 08, or node-postgres' own "Connection terminated" without a SQLSTATE).
 */
function isConnectionLoss(error: unknown): boolean {
  const state = sqlState(error);
  if (state && (state.startsWith('08') || /^57P0[123]$/.test(state))) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection is closed|terminating connection|ECONNRESET/i.test(
    message,
  );
}

/** How often a transaction is re-run after a deadlock or serialization failure, and how fast. */
export const TRANSACTION_RETRY = { retries: 4, minTimeout: 20, maxTimeout: 400, factor: 3 };

/** Counts re-runs in this process (the stress harness and metrics read it). */
export const transactionRetries = { count: 0 };

/**
 * Runs one operation in one transaction (I1). A DomainError thrown inside rolls it back. The
 * shield gates' decisions must have been confirmed on the locked rows (the lock helpers do it:
 * issue 30 #6). A
 * deadlock or serialization failure rolled the whole transaction back, so the whole of `work` is
 * run again — a bounded number of times, with randomized exponential backoff (async-retry) — and
 * its side effects (audit rows, outbox rows) can never be doubled: they are rows of the same
 * transaction. When every attempt fails the caller gets CONFLICT with `retryable: true`, never an
 * internal error.
 */
export async function inTransaction<T>(
  ctx: RequestContext,
  work: (em: EntityManager) => Promise<T>,
): Promise<T> {
  return retry(
    async (bail, attempt) => {
      try {
        let committing = false;
        try {
          return await ctx.db.transaction('READ COMMITTED', async (em) => {
            const result = await work(em);
            assertGateDecisionsConfirmed(em, ctx);
            committing = true;
            return result;
          });
        } catch (error) {
          // Lost before COMMIT was sent: PostgreSQL rolled the transaction back, nothing changed.
          // Lost during COMMIT the outcome is unknown, so that stays an internal error.
          if (!committing && isConnectionLoss(error)) {
            ctx.log.warn({ err: error }, 'database connection lost mid-transaction');
            bail(databaseUnavailable());
            return undefined as never;
          }
          throw error;
        }
      } catch (error) {
        const state = sqlState(error);
        // A prepared statement gone stale under a migration (raw-sql.ts) aborted this attempt
        // like a deadlock would: the re-run prepares it again.
        if (!state || !(RETRYABLE_SQLSTATES.has(state) || isStaleStatement(error))) {
          bail(error);
          return undefined as never;
        }
        // The retry library would reject with the most frequent error; the caller gets CONFLICT.
        if (attempt > TRANSACTION_RETRY.retries) {
          bail(conflict());
          return undefined as never;
        }
        transactionRetries.count += 1;
        ctx.log.warn({ sqlState: state, attempt }, 'transaction re-run after a lock conflict');
        throw error;
      }
    },
    { ...TRANSACTION_RETRY, randomize: true },
  );
}
