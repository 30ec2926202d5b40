import DataLoader from 'dataloader';
import type { DataSource, EntityManager } from 'typeorm';
import { query } from '../database/raw-sql';
import type { Account } from '../entities';
import type { Role } from '../entities/enums';
import { principalAuthoritySql } from './authority';
import type { Principal } from './principal';
import type { Visibility } from './visibility';

/** What the principal may do with one account (domain.md A1, A2): the shield gates read it. */
export interface AccountAuthority {
  id: string;
  type: Account['type'];
  status: Account['status'];
  agencyId: string | null;
  /** The strongest role the principal acts for the account with (A1); null: acts not for it. */
  actsAs: Role | null;
  /** The strongest role the principal reaches the account's data with (A2); null: no reach. */
  reachAs: Role | null;
  /** One of the account's own administrators (REACHES `administers`; staff): R25. */
  administers: boolean;
}

/**
 * A1, A2, R18: the principal's authority per account, one statement for all `ids`. Staff act for
 * and reach every account; an API token acts for none and reaches nothing it could write to.
 * The shield gates read it through the `authority` loader; a transaction confirming their
 * decisions reads it again on its own connection (permissions/gate-decisions.ts).
 */
export async function readAuthorities(
  executor: DataSource | EntityManager,
  principal: Principal | null | undefined,
  ids: readonly string[],
): Promise<(AccountAuthority | null)[]> {
  const columns = principalAuthoritySql(principal, 'a');
  // Every gated operation runs this: raw and prepared (raw-sql.ts), REACHES planned once.
  const rows = await query<AccountAuthority>(
    executor,
    `SELECT a.id, a.type, a.status, a.agency_id AS "agencyId",
            ${columns.actsAs} AS "actsAs", ${columns.reachAs} AS "reachAs",
            ${columns.administers} AS administers
       FROM accounts a WHERE a.id = ANY(CAST(:ids AS uuid[]))`,
    { ids: [...ids], viewerId: principal?.user.id ?? null },
  );
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => byId.get(id) ?? null);
}

/** The request's `authority` loader: every gate of one tick reads its accounts in one statement. */
export const authorityLoader = (db: DataSource, visibility: Visibility | null) =>
  new DataLoader<string, AccountAuthority | null>((ids) =>
    readAuthorities(db, visibility?.principal, ids),
  );
