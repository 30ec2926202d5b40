import type { DataSource } from 'typeorm';
import type { Logger } from '../config/logger';
import { createDataSource } from './data-source';

/**
 * Issue 27: reads on PostgreSQL hot standbys with I3 intact.
 *
 * The rule: writes, the R23 previews, authentication and anything inside a transaction use the
 * primary; a query operation may read from a standby only when the standby has replayed
 * everything the primary had written when the request started — the primary's
 * `pg_current_wal_insert_lsn()`, read at the start of the request, against the standby's
 * `pg_last_wal_replay_lsn()`. Every commit that returned before the request started, by anyone,
 * from any process (an API replica, the scheduler in a worker, a script), is at or before that
 * position, so a revocation is never read around and a writer reads their own writes: nothing
 * depends on the writer's configuration or on a step after its commit. The price: a standby
 * serves a request only if it is fully caught up at that instant (on a LAN replay trails by
 * milliseconds; the suites run with one saw most reads served by it). Per routed request: one
 * primary statement reading no table, and one standby statement, which also finds a standby that
 * went away. A lagging or unreachable standby is skipped for the next one, then the primary:
 * never an error. One server per URL: a load-balanced reader endpoint could answer the check
 * from one server and the reads from another.
 */

/** `X/Y` (pg_lsn as text) as a number that orders like the WAL. */
export const lsnValue = (lsn: string | null | undefined): bigint => {
  if (!lsn) return 0n;
  const [high, low] = lsn.split('/');
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
};

interface Standby {
  name: string;
  db: DataSource;
  /** Skipped until then after it failed to answer. */
  downUntil: number;
}

export type RouteReason = 'caught_up' | 'lagging' | 'unreachable';

export class ReadRouter {
  private next = 0;

  private constructor(
    private readonly primary: DataSource,
    private readonly standbys: Standby[],
    private readonly log: Logger,
  ) {}

  /** One pool per standby URL; a standby down at start is tried again when a read needs it. */
  static create(primary: DataSource, urls: string[], poolSize: number, log: Logger) {
    return new ReadRouter(
      primary,
      urls.map((url, i) => ({
        name: `standby-${i + 1}`,
        db: createDataSource(url, poolSize, { standby: true }),
        downUntil: 0,
      })),
      log,
    );
  }

  /** The database a query starting now may read from, and why. */
  async route(): Promise<{ db: DataSource; reason: RouteReason }> {
    const [{ lsn }] = await this.primary.query<{ lsn: string }[]>(
      `SELECT pg_current_wal_insert_lsn()::text AS lsn`,
    );
    const needed = lsnValue(lsn);
    let reason: RouteReason = 'unreachable';
    for (let i = 0; i < this.standbys.length; i++) {
      const standby = this.standbys[(this.next + i) % this.standbys.length];
      if (standby.downUntil > Date.now()) continue;
      const replayed = await this.replayed(standby);
      if (replayed === null) continue;
      if (replayed >= needed) {
        this.next = (this.next + i + 1) % this.standbys.length;
        return { db: standby.db, reason: 'caught_up' };
      }
      reason = 'lagging';
    }
    return { db: this.primary, reason };
  }

  /** The standby's replay position now; null (and skipped for 5 s) when it does not answer. */
  private async replayed(standby: Standby): Promise<bigint | null> {
    try {
      if (!standby.db.isInitialized) await standby.db.initialize();
      const [row] = await standby.db.query<{ lsn: string | null }[]>(
        `SELECT pg_last_wal_replay_lsn()::text AS lsn`,
      );
      // Not a standby at all (no replay position): never read from it.
      if (!row.lsn) throw new Error(`${standby.name} is not in recovery`);
      return lsnValue(row.lsn);
    } catch (error) {
      if (standby.downUntil <= Date.now()) {
        this.log.warn({ err: error, standby: standby.name }, 'standby skipped for reads');
      }
      standby.downUntil = Date.now() + 5_000;
      return null;
    }
  }

  async close(): Promise<void> {
    await Promise.all(
      this.standbys.map((s) => (s.db.isInitialized ? s.db.destroy() : Promise.resolve())),
    );
  }
}
