import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from '../config/logger';
import { createDataSource } from './data-source';

/**
 * Issue 27: reads on PostgreSQL hot standbys with I3 intact.
 *
 * The rule: writes, previews, authentication and anything inside a transaction use the primary;
 * a query operation may read from a standby only when the standby has replayed the request's
 * watermark — the WAL position, on the primary, of the last commit that took access away from
 * anyone (key `access`) and of the viewer's own last write (key `user:<id>`, read-your-writes).
 * Every write transaction that updated or deleted a row deciding access is marked by a statement
 * trigger (migration ReadWatermarks), and the commit helper raises the watermarks right after its
 * commit and before the response (raiseWatermarks), so a request that starts after a revocation
 * returned reads a watermark at or past it. Per request: one primary statement (the watermark)
 * and one standby statement (`pg_last_wal_replay_lsn()`, which also finds a standby that went
 * away). A lagging or unreachable standby is skipped for the next one, then the primary: never an
 * error.
 */

/** `X/Y` (pg_lsn as text) as a number that orders like the WAL. */
export const lsnValue = (lsn: string | null | undefined): bigint => {
  if (!lsn) return 0n;
  const [high, low] = lsn.split('/');
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
};

/**
 * After a write transaction committed: raises `access` (when it changed access) and the
 * writer's own key to the primary's current WAL insert position, which is past the commit. One
 * statement, on the primary, outside the transaction (its commit is what it records).
 */
export async function raiseWatermarks(
  db: DataSource,
  change: { access: boolean; userId: string | null },
): Promise<void> {
  const keys = [
    ...(change.access ? ['access'] : []),
    ...(change.userId ? [`user:${change.userId}`] : []),
  ];
  if (keys.length === 0) return;
  await db.query(
    `INSERT INTO replication_watermarks (key, lsn)
     SELECT k, pg_current_wal_insert_lsn() FROM unnest($1::text[]) k
     ON CONFLICT (key) DO UPDATE
       SET lsn = GREATEST(replication_watermarks.lsn, EXCLUDED.lsn), updated_at = now()`,
    [keys],
  );
}

/** Inside a write transaction, before commit: whether a statement of it changed access. */
export async function changedAccess(em: EntityManager): Promise<boolean> {
  const [row] = await em.query<{ changed: boolean }[]>(
    `SELECT coalesce(current_setting('handover.access_changed', true), '') = 'on' AS changed`,
  );
  return row.changed;
}

interface Standby {
  name: string;
  db: DataSource;
  /** The highest replay position read (replay only moves forward). */
  replayed: bigint;
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
        replayed: 0n,
        downUntil: 0,
      })),
      log,
    );
  }

  /** The database a query of `userId` may read from now, and why. */
  async route(userId: string | null): Promise<{ db: DataSource; reason: RouteReason }> {
    const keys = ['access', ...(userId ? [`user:${userId}`] : [])];
    const rows = await this.primary.query<{ lsn: string }[]>(
      `SELECT lsn::text AS lsn FROM replication_watermarks WHERE key = ANY($1::text[])`,
      [keys],
    );
    const needed = rows.reduce((max, row) => {
      const value = lsnValue(row.lsn);
      return value > max ? value : max;
    }, 0n);
    let reason: RouteReason = 'unreachable';
    for (let i = 0; i < this.standbys.length; i++) {
      const standby = this.standbys[(this.next + i) % this.standbys.length];
      if (standby.downUntil > Date.now()) continue;
      // Asked every time: one short statement on the standby (not the primary) that also finds
      // a standby that went away before a request is sent to it.
      if (!(await this.refresh(standby))) continue;
      if (standby.replayed >= needed) {
        this.next = (this.next + i + 1) % this.standbys.length;
        return { db: standby.db, reason: 'caught_up' };
      }
      reason = 'lagging';
    }
    return { db: this.primary, reason };
  }

  /** Reads the standby's replay position; false (and skipped for 5 s) when it does not answer. */
  private async refresh(standby: Standby): Promise<boolean> {
    try {
      if (!standby.db.isInitialized) await standby.db.initialize();
      const [row] = await standby.db.query<{ lsn: string | null }[]>(
        `SELECT pg_last_wal_replay_lsn()::text AS lsn`,
      );
      // Not a standby at all (no replay position): never read from it.
      if (!row.lsn) throw new Error(`${standby.name} is not in recovery`);
      const replayed = lsnValue(row.lsn);
      if (replayed > standby.replayed) standby.replayed = replayed;
      return true;
    } catch (error) {
      if (standby.downUntil <= Date.now()) {
        this.log.warn({ err: error, standby: standby.name }, 'standby skipped for reads');
      }
      standby.downUntil = Date.now() + 5_000;
      return false;
    }
  }

  async close(): Promise<void> {
    await Promise.all(
      this.standbys.map((s) => (s.db.isInitialized ? s.db.destroy() : Promise.resolve())),
    );
  }
}
