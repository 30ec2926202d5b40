import type { DataSource, EntityManager } from 'typeorm';
import { query } from './raw-sql';

/**
 * R30: the tables whose rows decide who reaches or acts for what (permissions/authority.ts and
 * the R16 snapshots), each versioned by triggers into `access_history.<table>` (migration
 * 1796400000000). test/permissions/access-history.test.ts checks this list against the
 * database's triggers, so a relation that starts reading a new table cannot silently read it
 * as it is now inside a review of the past.
 */
export const VERSIONED_TABLES = [
  'users',
  'accounts',
  'memberships',
  'client_access_grants',
  'agency_connections',
  'connection_access_grants',
  'archived_account_access',
  'archived_report_access',
] as const;

/** R30: how far back reviews go (domain.md: the audit retention window). */
export const HISTORY_RETENTION_DAYS = 400;

/**
 * R30: `sql` (one SELECT, or a COPY's inner SELECT) as it would have answered at the moment
 * bound to `:asOf`, or `sql` unchanged when there is no moment. Each versioned table is shadowed
 * by a CTE of the same name holding its rows as they were then, and audit_events by the events
 * recorded up to then; PostgreSQL resolves the unqualified names in `sql` to these CTEs. So a
 * review of the past runs the very relations that decide today, text for text — nothing of the
 * rules is written a second time. NOT MATERIALIZED: each reference is inlined, so the key
 * filters of the relations reach the history indexes.
 */
export function asOf(sql: string, moment: string | null): string {
  if (!moment) return sql;
  const at = `CAST(${moment} AS timestamptz)`;
  const shadows = VERSIONED_TABLES.map(
    (table) =>
      `${table} AS NOT MATERIALIZED (SELECT * FROM access_history.${table} WHERE valid @> ${at})`,
  );
  // Inside its own (non-recursive) definition, `audit_events` still names the table.
  shadows.push(
    `audit_events AS NOT MATERIALIZED (SELECT * FROM audit_events WHERE occurred_at <= ${at})`,
  );
  return `WITH ${shadows.join(',\n     ')}\n${sql}`;
}

/**
 * R30: the first moment reviews can be rebuilt for — when versioning began, or the start of the
 * retention window if that is later.
 */
export async function historyCompleteSince(db: DataSource | EntityManager): Promise<Date> {
  const [row] = await query<{ since: Date }>(
    db,
    `SELECT GREATEST(MIN(since), now() - make_interval(days => :days)) AS since
       FROM access_history.complete_since`,
    { days: HISTORY_RETENTION_DAYS },
  );
  return row.since;
}
