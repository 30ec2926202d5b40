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
 * Connection `k` links its agency and premium client now: ACTIVE (a PENDING one does not yet, a
 * DISCONNECTED one no longer: R5–R7). `except`: an SQL expression naming one connection to count
 * as no longer ACTIVE (the R23 preview of its disconnection).
 */
export const activeConnection = (k: string, except?: string) =>
  `${k}.status = ${q(ConnectionStatus.ACTIVE)}${except ? ` AND ${k}.id <> ${except}` : ''}`;

/**
 * R3, R7, R13: the account `accountId` is served by an integration owned by `owner` (both SQL
 * expressions of an account id): the owner itself, a CLIENT of the owning agency, or a premium
 * client connected to it by an ACTIVE connection. Mapping targets, synced accounts and the
 * accounts a token's pixel delivers to are all this one predicate.
 */
export const integrationServes = (owner: string, accountId: string) => `(
    ${accountId} = ${owner}
    OR ${accountId} IN (SELECT sc.id FROM accounts sc
                         WHERE sc.agency_id = ${owner} AND sc.type = ${q(AccountType.CLIENT)})
    OR ${accountId} IN (SELECT sk.premium_client_id FROM agency_connections sk
                         WHERE sk.agency_id = ${owner} AND ${activeConnection('sk')}))`;

/**
 * R9: membership `m` makes its user an ADMIN or ACCOUNT_MANAGER of the agency that owns CLIENT
 * `c`. With reach (ACTS_FOR) that is who disconnects the client; once it is archived, who is told
 * ALREADY_DISCONNECTED on a repeat (I4), since the archiving deleted the grants they reached it by.
 */
export const managesOwningAgency = (c: string, m: string) =>
  `(${m}.account_id = ${c}.agency_id AND ${m}.role IN (${MANAGERS.map(q).join(', ')}))`;

/**
 * REACHES (A2): (user_id, account_id, role, administers) — the user reaches the account's data with `role`:
 * - members of an account, by their role; a CLIENT's own users lose it once ARCHIVED (R15);
 * - members of the owning agency on its CLIENT accounts (R2), by their agency role;
 * - members of an agency on a PREMIUM_CLIENT connected to it by an ACTIVE connection, by their
 *   agency role, as that connection's access allows (a DISCONNECTED connection reaches nobody:
 *   R5, R6).
 * A user may appear several times for one account; the strongest role counts.
 * `administers`: the row makes the user one of the account's own administrators — an ADMIN by
 * membership, or an ADMIN of the agency that owns the CLIENT — who open its RESTRICTED reports
 * and edit, share and delete any of its reports (R25). A connection row never does: it gives data
 * access, not the premium's roles (A2), so a connected agency's ADMIN is an ADMIN reader there.
 * `reaches(connection)`: the relation as it will be once that connection is DISCONNECTED (R23).
 */
export const reaches = (disconnecting?: string) => `(
  SELECT m.user_id, m.account_id, m.role, m.role = ${q(Role.ADMIN)} AS administers
    FROM memberships m JOIN accounts a ON a.id = m.account_id
   WHERE NOT (a.type = ${q(AccountType.CLIENT)} AND a.status = ${q(AccountStatus.ARCHIVED)})
  UNION ALL
  SELECT m.user_id, c.id, m.role, m.role = ${q(Role.ADMIN)}
    FROM accounts c JOIN memberships m ON m.account_id = c.agency_id
   WHERE c.type = ${q(AccountType.CLIENT)} AND ${agencyMemberOnClient('c', 'm')}
  UNION ALL
  SELECT m.user_id, k.premium_client_id, m.role, FALSE
    FROM agency_connections k
    JOIN memberships m ON m.account_id = k.agency_id
   WHERE ${activeConnection('k', disconnecting)} AND ${agencyMemberOnConnection('k', 'm')}
)`;

export const REACHES = reaches();

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
    FROM accounts c JOIN memberships m ON ${managesOwningAgency('c', 'm')}
   WHERE c.type = ${q(AccountType.CLIENT)} AND ${agencyMemberOnClient('c', 'm')}
)`;
