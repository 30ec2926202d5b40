/**
 * Who sees what (domain.md R5, R6, R15, R16, R18), written once as named SQL predicates.
 * Every list, single-object lookup and service check composes these, so visibility is decided
 * by the statement that reads the rows: a revoked grant is seen by the very next statement and
 * no row is ever loaded only to be filtered out in JavaScript.
 *
 * Predicates use the named parameters `:viewerId` and `:scopeAccountId` (see `visibilityParams`).
 */
import {
  AccountStatus,
  AccountType,
  ClientAccessMode,
  ConnectionStatus,
  ReportStatus,
  ReportVisibility,
  Role,
} from '../entities/enums';

export interface VisibilityViewer {
  userId: string;
  isStaff: boolean;
  /** Set for API tokens (R18): only this account, its clients and connected premium clients. */
  scopeAccountId?: string | null;
}

const q = (value: string) => `'${value}'`;

/** An agency user reaches a client account if ADMIN, in EVERYONE mode, or selected by a grant. */
const agencyUserReaches = (client: string, membership: string) => `(
    ${membership}.role = ${q(Role.ADMIN)}
    OR ${client}.client_access = ${q(ClientAccessMode.EVERYONE_IN_AGENCY)}
    OR EXISTS (SELECT 1 FROM client_access_grants g
               WHERE g.account_id = ${client}.id AND g.user_id = ${membership}.user_id))`;

/**
 * ACCOUNT_ROLES: (user_id, account_id, role) — every user's effective role on every account.
 * - members of an account, by their role; a CLIENT's own users lose it once ARCHIVED (R15);
 * - agency members on the agency's CLIENT accounts (owning agency, R2);
 * - agency members on PREMIUM_CLIENT accounts connected to the agency by an ACTIVE connection
 *   (a DISCONNECTED connection reaches nobody: R5, R6).
 * Postgres pushes a `user_id = ...` filter into each branch, so per-viewer use stays indexed.
 */
export const ACCOUNT_ROLES = `(
  SELECT m.user_id, m.account_id, m.role
    FROM memberships m JOIN accounts a ON a.id = m.account_id
   WHERE NOT (a.type = ${q(AccountType.CLIENT)} AND a.status = ${q(AccountStatus.ARCHIVED)})
  UNION ALL
  SELECT m.user_id, c.id, m.role
    FROM accounts c JOIN memberships m ON m.account_id = c.agency_id
   WHERE c.type = ${q(AccountType.CLIENT)} AND ${agencyUserReaches('c', 'm')}
  UNION ALL
  SELECT m.user_id, p.id, m.role
    FROM agency_connections k
    JOIN accounts p ON p.id = k.premium_client_id
    JOIN memberships m ON m.account_id = k.agency_id
   WHERE k.status = ${q(ConnectionStatus.ACTIVE)} AND ${agencyUserReaches('p', 'm')}
)`;

/**
 * An ACTIVE report is open to a user holding role `acl.role` on its account when it has
 * ACCOUNT visibility, or (RESTRICTED) the user is an ADMIN there, its creator, or shared with.
 */
export const activeReportOpenTo = (report: string, acl: string) => `(
    ${report}.status = ${q(ReportStatus.ACTIVE)}
    AND (${report}.visibility = ${q(ReportVisibility.ACCOUNT)}
         OR ${acl}.role = ${q(Role.ADMIN)}
         OR ${report}.created_by_id = ${acl}.user_id
         OR EXISTS (SELECT 1 FROM report_shares sh
                    WHERE sh.report_id = ${report}.id AND sh.user_id = ${acl}.user_id)))`;

/**
 * R16: an ARCHIVED report is open to the users recorded when it was archived who are still
 * members of the agency that owns its account. Nobody is added later.
 */
const archivedReportOpenToViewer = (report: string) => `(
    ${report}.status = ${q(ReportStatus.ARCHIVED)}
    AND EXISTS (SELECT 1 FROM archived_report_access s
                JOIN accounts owner ON owner.id = ${report}.account_id
                JOIN memberships am ON am.account_id = owner.agency_id AND am.user_id = s.user_id
               WHERE s.report_id = ${report}.id AND s.user_id = :viewerId))`;

/** R18: the accounts an API token may read. */
const TOKEN_SCOPE = `(
  SELECT CAST(:scopeAccountId AS uuid)
  UNION ALL SELECT sc.id FROM accounts sc WHERE sc.agency_id = CAST(:scopeAccountId AS uuid)
  UNION ALL SELECT sk.premium_client_id FROM agency_connections sk
             WHERE sk.agency_id = CAST(:scopeAccountId AS uuid) AND sk.status = ${q(ConnectionStatus.ACTIVE)})`;

export class Visibility {
  constructor(readonly viewer: VisibilityViewer) {}

  get params(): Record<string, string | null> {
    return { viewerId: this.viewer.userId, scopeAccountId: this.viewer.scopeAccountId ?? null };
  }

  private scoped(accountIdColumn: string, predicate: string): string {
    if (!this.viewer.scopeAccountId) return predicate;
    return `(${predicate} AND ${accountIdColumn} IN ${TOKEN_SCOPE})`;
  }

  /** The viewer has some role on the account (or is staff). */
  account(alias: string): string {
    const own = this.viewer.isStaff
      ? 'TRUE'
      : `${alias}.id IN (SELECT acl.account_id FROM ${ACCOUNT_ROLES} acl WHERE acl.user_id = :viewerId)`;
    return this.scoped(`${alias}.id`, own);
  }

  /** The viewer may open the report: active by role and visibility, archived by R16. */
  report(alias: string): string {
    const own = this.viewer.isStaff
      ? 'TRUE'
      : `(EXISTS (SELECT 1 FROM ${ACCOUNT_ROLES} acl
                  WHERE acl.user_id = :viewerId AND acl.account_id = ${alias}.account_id
                    AND ${activeReportOpenTo(alias, 'acl')})
          OR ${archivedReportOpenToViewer(alias)})`;
    return this.scoped(`${alias}.account_id`, own);
  }

  /**
   * An item is visible on an ACTIVE account the viewer reaches, or through a report the viewer
   * may open (archived reports keep showing their frozen items).
   */
  item(alias: string): string {
    if (this.viewer.isStaff) return this.scoped(`${alias}.account_id`, 'TRUE');
    return `(EXISTS (SELECT 1 FROM accounts ia WHERE ia.id = ${alias}.account_id
                     AND ia.status = ${q(AccountStatus.ACTIVE)} AND ${this.account('ia')})
             OR EXISTS (SELECT 1 FROM report_items iri JOIN reports ir ON ir.id = iri.report_id
                        WHERE iri.item_id = ${alias}.id AND ${this.report('ir')}))`;
  }
}
