/**
 * The two relations of domain.md A1–A3, each written once as SQL over (user_id, account_id,
 * role) and used by every check: shield gates read them through the `authority` loader, SQL
 * visibility filters and service locks embed them. docs/authority.md states them in prose.
 *
 * Postgres pushes a `user_id = ...` filter into each UNION branch, so per-viewer use stays
 * indexed (memberships by user, grants by user).
 */
import {
  AccountStatus,
  AccountType,
  ClientAccessMode,
  ConnectionStatus,
  Role,
} from '../entities/enums';

const q = (value: string) => `'${value}'`;

export const MANAGERS = [Role.ADMIN, Role.ACCOUNT_MANAGER];
export const EDITORS = [Role.ADMIN, Role.ACCOUNT_MANAGER, Role.REGULAR];

/** An agency member `m` works on CLIENT `c` if an agency ADMIN, in EVERYONE mode, or selected. */
const agencyMemberOnClient = (c: string, m: string) => `(
    ${m}.role = ${q(Role.ADMIN)}
    OR ${c}.client_access = ${q(ClientAccessMode.EVERYONE_IN_AGENCY)}
    OR EXISTS (SELECT 1 FROM client_access_grants g
               WHERE g.account_id = ${c}.id AND g.user_id = ${m}.user_id))`;

/** The same through ACTIVE connection `k`: that connection's own setting and selected users. */
const agencyMemberOnConnection = (k: string, m: string) => `(
    ${m}.role = ${q(Role.ADMIN)}
    OR ${k}.client_access = ${q(ClientAccessMode.EVERYONE_IN_AGENCY)}
    OR EXISTS (SELECT 1 FROM connection_access_grants cg
               WHERE cg.connection_id = ${k}.id AND cg.user_id = ${m}.user_id))`;

/**
 * REACHES (A2): (user_id, account_id, role) — the user reaches the account's data with `role`:
 * - members of an account, by their role; a CLIENT's own users lose it once ARCHIVED (R15);
 * - members of the owning agency on its CLIENT accounts (R2), by their agency role;
 * - members of an agency on a PREMIUM_CLIENT connected to it by an ACTIVE connection, by their
 *   agency role, as that connection's access allows (a DISCONNECTED connection reaches nobody:
 *   R5, R6).
 * A user may appear several times for one account; the strongest role counts.
 */
export const REACHES = `(
  SELECT m.user_id, m.account_id, m.role
    FROM memberships m JOIN accounts a ON a.id = m.account_id
   WHERE NOT (a.type = ${q(AccountType.CLIENT)} AND a.status = ${q(AccountStatus.ARCHIVED)})
  UNION ALL
  SELECT m.user_id, c.id, m.role
    FROM accounts c JOIN memberships m ON m.account_id = c.agency_id
   WHERE c.type = ${q(AccountType.CLIENT)} AND ${agencyMemberOnClient('c', 'm')}
  UNION ALL
  SELECT m.user_id, k.premium_client_id, m.role
    FROM agency_connections k
    JOIN memberships m ON m.account_id = k.agency_id
   WHERE k.status = ${q(ConnectionStatus.ACTIVE)} AND ${agencyMemberOnConnection('k', 'm')}
)`;

/**
 * ACTS_FOR (A1): (user_id, account_id, role) — the user acts for the account with `role`:
 * - their own membership role in it;
 * - on a CLIENT: the owning agency's ADMINs and ACCOUNT_MANAGERs who reach it (R2, R9), as the
 *   client's ADMIN — a client's own users are VIEW_ONLY, so the agency is its administration.
 * A connection never appears here: reaching a premium client gives no role in it (A2).
 * Staff act for every account; that is the principal's flag, not a row.
 */
export const ACTS_FOR = `(
  SELECT m.user_id, m.account_id, m.role FROM memberships m
  UNION ALL
  SELECT m.user_id, c.id, CAST(${q(Role.ADMIN)} AS role)
    FROM accounts c JOIN memberships m ON m.account_id = c.agency_id
   WHERE c.type = ${q(AccountType.CLIENT)}
     AND m.role IN (${MANAGERS.map(q).join(', ')}) AND ${agencyMemberOnClient('c', 'm')}
)`;
