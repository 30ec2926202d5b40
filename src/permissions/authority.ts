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
import type { Principal } from './principal';

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
 * The branches of both relations, each written once. A branch is a set of rows `m` (a
 * membership) about one account, held when `where` does, and says per row whether it reaches
 * the account's data (A2, with the membership's role), whether it acts for the account (A1, with
 * `actRole`), whether it makes the user one of the account's own administrators (RESTRICTED
 * reports, R25), and the facts of its path (R28). REACHES, ACTS_FOR and ACCESS_PATHS are
 * renderings of this one table, so a decision and its explanation cannot disagree: change a
 * branch and all three change together.
 */
interface Branch {
  from: string;
  account: string;
  where: string;
  reaches: string;
  acts: string;
  actRole: string;
  administers: string;
  /** R28 facts: the path's kind, the account it runs through, its connection, since when. */
  kind: string;
  via: string;
  connection: string;
  since: string;
}

const NOT_ARCHIVED_CLIENT = `NOT (a.type = ${q(AccountType.CLIENT)} AND a.status = ${q(AccountStatus.ARCHIVED)})`;
const ADMIN_OR_EVERYONE = (x: string) =>
  `(m.role = ${q(Role.ADMIN)} OR ${x}.client_access = ${q(ClientAccessMode.EVERYONE_IN_AGENCY)})`;

const branches = (disconnecting?: string): Branch[] => [
  // 1. Own membership: acts with its role, reaches with it too — except a CLIENT's own users once
  //    it is ARCHIVED (R15).
  {
    from: 'memberships m JOIN accounts a ON a.id = m.account_id',
    account: 'm.account_id',
    where: 'TRUE',
    reaches: NOT_ARCHIVED_CLIENT,
    acts: 'TRUE',
    actRole: 'm.role',
    administers: `m.role = ${q(Role.ADMIN)}`,
    kind: `'MEMBERSHIP'`,
    via: 'm.account_id',
    connection: 'CAST(NULL AS uuid)',
    since: 'm.created_at',
  },
  // 2. The owning agency's members on its CLIENT (R2): ADMINs always, others in EVERYONE mode or
  //    when selected, by their agency role; its managers act for the client as its ADMIN (R9).
  {
    from: 'accounts c JOIN memberships m ON m.account_id = c.agency_id',
    account: 'c.id',
    where: `c.type = ${q(AccountType.CLIENT)} AND ${agencyMemberOnClient('c', 'm')}`,
    reaches: 'TRUE',
    acts: `m.role IN (${MANAGERS.map(q).join(', ')})`,
    actRole: `CAST(${q(Role.ADMIN)} AS role)`,
    administers: `m.role = ${q(Role.ADMIN)}`,
    kind: `CASE WHEN ${ADMIN_OR_EVERYONE('c')} THEN 'OWNING_AGENCY' ELSE 'CLIENT_ACCESS_GRANT' END`,
    via: 'c.agency_id',
    connection: 'CAST(NULL AS uuid)',
    since: `CASE WHEN ${ADMIN_OR_EVERYONE('c')} THEN GREATEST(m.created_at, c.created_at)
                 ELSE (SELECT g.created_at FROM client_access_grants g
                        WHERE g.account_id = c.id AND g.user_id = m.user_id) END`,
  },
  // 3. An agency's members on a PREMIUM_CLIENT through an ACTIVE connection, as that connection's
  //    own access allows (R5, R6): data access only — never a role in the premium (A2).
  {
    from: 'agency_connections k JOIN memberships m ON m.account_id = k.agency_id',
    account: 'k.premium_client_id',
    where: `${activeConnection('k', disconnecting)} AND ${agencyMemberOnConnection('k', 'm')}`,
    reaches: 'TRUE',
    acts: 'FALSE',
    actRole: 'CAST(NULL AS role)',
    administers: 'FALSE',
    kind: `CASE WHEN ${ADMIN_OR_EVERYONE('k')} THEN 'CONNECTION' ELSE 'CONNECTION_ACCESS_GRANT' END`,
    via: 'k.agency_id',
    connection: 'k.id',
    since: `CASE WHEN ${ADMIN_OR_EVERYONE('k')}
                 THEN GREATEST(m.created_at, COALESCE(k.responded_at, k.requested_at))
                 ELSE (SELECT cg.created_at FROM connection_access_grants cg
                        WHERE cg.connection_id = k.id AND cg.user_id = m.user_id) END`,
  },
];

const also = (condition: string) => (condition === 'TRUE' ? '' : ` AND ${condition}`);
const union = (parts: string[]) => `(\n  ${parts.join('\n  UNION ALL\n  ')}\n)`;

/**
 * REACHES (A2): (user_id, account_id, role, administers) — the user reaches the account's data
 * with `role` (branches 1–3). A user may appear several times for one account; the strongest
 * role counts. `administers`: the row makes the user one of the account's own administrators —
 * an ADMIN by membership, or an ADMIN of the agency that owns the CLIENT — who open its
 * RESTRICTED reports and edit, share and delete any of its reports (R25). A connection row never
 * does: it gives data access, not the premium's roles (A2), so a connected agency's ADMIN is an
 * ADMIN reader there. `reaches(connection)`: the relation as it will be once that connection is
 * DISCONNECTED (R23).
 */
export const reaches = (disconnecting?: string) =>
  union(
    branches(disconnecting).map(
      (b) => `SELECT m.user_id, ${b.account} AS account_id, m.role, ${b.administers} AS administers
    FROM ${b.from}
   WHERE ${b.where}${also(b.reaches)}`,
    ),
  );

export const REACHES = reaches();

/**
 * ACTS_FOR (A1): (user_id, account_id, role) — the user acts for the account with `role`: their
 * own membership role in it; on a CLIENT, the owning agency's ADMINs and ACCOUNT_MANAGERs who
 * reach it, as the client's ADMIN (a client's own users are VIEW_ONLY, so the agency is its
 * administration). A connection never appears here: reaching a premium client gives no role in
 * it (A2). Staff act for every account; that is the principal's flag, not a row.
 */
export const ACTS_FOR = union(
  branches()
    .filter((b) => b.acts !== 'FALSE')
    .map(
      (b) => `SELECT m.user_id, ${b.account} AS account_id, ${b.actRole} AS role
    FROM ${b.from}
   WHERE ${b.where}${also(b.acts)}`,
    ),
);

/**
 * ACCESS_PATHS (R28): every row of both relations with the facts of its path — (user_id,
 * account_id, kind, reach_role, act_role, administers, via_account_id, connection_id, since).
 * `reach_role` NULL: the path gives no data access; `act_role` NULL: no authority. REACHES is
 * exactly its rows with a reach_role, ACTS_FOR exactly those with an act_role: what
 * explainAccess and the access review list is what the gates decide by.
 */
export const ACCESS_PATHS = union(
  branches().map(
    (b) => `SELECT m.user_id, ${b.account} AS account_id, ${b.kind} AS kind,
         CASE WHEN ${b.reaches} THEN m.role END AS reach_role,
         CASE WHEN ${b.acts} THEN ${b.actRole} END AS act_role,
         (${b.reaches}) AND ${b.administers} AS administers,
         ${b.via} AS via_account_id, ${b.connection} AS connection_id, ${b.since} AS since
    FROM ${b.from}
   WHERE ${b.where}`,
  ),
);

/**
 * A1, A2, R18: the principal's authority over account `a` (an SQL alias of accounts) as three
 * column expressions — the strongest role it acts for the account with, the strongest it reaches
 * its data with, and whether it administers it (R25). Staff act for and reach every account as
 * ADMIN and administer all; an API token (R18) and no principal act for none and reach nothing
 * a gate could pass (a token's reads go through Visibility); a user by the ACTS_FOR and REACHES
 * rows (`:viewerId`). The `authority` loader and confirmGateDecisions read exactly this.
 */
export function principalAuthoritySql(
  principal: Principal | null | undefined,
  a: string,
): { actsAs: string; reachAs: string; administers: string } {
  if (!principal || principal.kind === 'token') {
    return { actsAs: 'CAST(NULL AS role)', reachAs: 'CAST(NULL AS role)', administers: 'FALSE' };
  }
  if (principal.isStaff) {
    const admin = `CAST(${q(Role.ADMIN)} AS role)`;
    return { actsAs: admin, reachAs: admin, administers: 'TRUE' };
  }
  const strongest = (relation: string) =>
    `(SELECT rel.role FROM ${relation} rel
       WHERE rel.user_id = :viewerId AND rel.account_id = ${a}.id
       ORDER BY rel.role LIMIT 1)`;
  return {
    actsAs: strongest(ACTS_FOR),
    reachAs: strongest(REACHES),
    administers: `EXISTS (SELECT 1 FROM ${REACHES} adm
                           WHERE adm.user_id = :viewerId AND adm.account_id = ${a}.id
                             AND adm.administers)`,
  };
}
