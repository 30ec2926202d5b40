/**
 * Who sees what (domain.md A2, R5, R6, R15, R16, R18), written once as named SQL predicates over
 * the REACHES relation (./authority.ts). Every list, single-object lookup and service check
 * composes these, so visibility is decided by the statement that reads the rows: a revoked grant
 * is seen by the very next statement and no row is ever loaded only to be filtered out in
 * JavaScript.
 *
 * Predicates use the named parameters `:viewerId` and `:scopeAccountId` (see `params`).
 */
import {
  AccountStatus,
  AccountType,
  ReportStatus,
  ReportVisibility,
  Role,
} from '../entities/enums';
import { ACTS_FOR, REACHES } from './authority';
import type { Principal } from './principal';

const q = (value: string) => `'${value}'`;

/**
 * An ACTIVE report is open to a user reaching its account by REACHES row `acl` when it has
 * ACCOUNT visibility, or (RESTRICTED) the row makes the user one of the account's own
 * administrators (`administers`: never through a connection, A2), or the user is its creator or
 * shared with. `user`: the user's id when it is known to be one constant (a list's viewer), so
 * the share lookup is one hashed set for the statement instead of one per account.
 */
export const activeReportOpenTo = (report: string, acl: string, user = `${acl}.user_id`) => `(
    ${report}.status = ${q(ReportStatus.ACTIVE)}
    AND (${report}.visibility = ${q(ReportVisibility.ACCOUNT)}
         OR ${acl}.administers
         OR ${report}.created_by_id = ${user}
         OR EXISTS (SELECT 1 FROM report_shares sh
                    WHERE sh.report_id = ${report}.id AND sh.user_id = ${user})))`;

/** R16's lasting condition: the viewer is still a member of the agency that owns `account`. */
const stillMemberOfOwner = (account: string) => `EXISTS (
      SELECT 1 FROM accounts owner
        JOIN memberships am ON am.account_id = owner.agency_id AND am.user_id = :viewerId
       WHERE owner.id = ${account})`;

/**
 * R16: an ARCHIVED report is open to the users recorded when it was archived who are still
 * members of the agency that owns its account. Nobody is added later. The record has the
 * granularity of the rule: an ACCOUNT-visibility report is open to whoever reached its account
 * then (`archived_account_access`, one row per account and user — an account's reports are
 * archived once, with the account, and an archived account never becomes active again); a
 * RESTRICTED report to its own list (`archived_report_access`, which also holds per-report rows
 * written before the account-level table existed).
 */
export const archivedReportOpenToViewer = (report: string) => `(
    ${report}.status = ${q(ReportStatus.ARCHIVED)}
    AND ${stillMemberOfOwner(`${report}.account_id`)}
    AND (EXISTS (SELECT 1 FROM archived_report_access s
                 WHERE s.report_id = ${report}.id AND s.user_id = :viewerId)
         OR (${report}.visibility = ${q(ReportVisibility.ACCOUNT)}
             AND EXISTS (SELECT 1 FROM archived_account_access aa
                         WHERE aa.account_id = ${report}.account_id AND aa.user_id = :viewerId))))`;

/**
 * Exactly the ARCHIVED reports `archivedReportOpenToViewer` admits, as `reports` rows, driven by
 * the viewer's own R16 rows: an account's ACCOUNT-visibility reports through its account-level
 * row, RESTRICTED ones (and per-report rows written before the account-level table) through
 * theirs — each only while the viewer is still a member of the agency that owns the account. The
 * second part leaves out what the first already gives, so no report comes twice.
 */
const ARCHIVED_REPORTS_OPEN_TO_VIEWER = `
    SELECT ar.* FROM archived_account_access aa
      JOIN reports ar ON ar.account_id = aa.account_id AND ar.status = ${q(ReportStatus.ARCHIVED)}
                     AND ar.visibility = ${q(ReportVisibility.ACCOUNT)}
     WHERE aa.user_id = :viewerId AND ${stillMemberOfOwner('aa.account_id')}
    UNION ALL
    SELECT sr.* FROM archived_report_access s
      JOIN reports sr ON sr.id = s.report_id AND sr.status = ${q(ReportStatus.ARCHIVED)}
     WHERE s.user_id = :viewerId AND ${stillMemberOfOwner('sr.account_id')}
       AND NOT (sr.visibility = ${q(ReportVisibility.ACCOUNT)}
                AND EXISTS (SELECT 1 FROM archived_account_access sa
                             WHERE sa.account_id = sr.account_id AND sa.user_id = :viewerId))`;

const SCOPE = 'CAST(:scopeAccountId AS uuid)';

/**
 * How a list of reports of one status is driven for this principal: the same rules as
 * `Visibility.report`, arranged so the statement starts from what the viewer sees, not from the
 * platform's reports (issue 10):
 * - `accounts`: a small set of accounts (`account_id`, `role`, `user_id`) to read reports of, one
 *   index range `(account_id, status, created_at, id)` each, with `open(r, d)` per report;
 * - `archived`: exactly the reports R16 opens to the viewer (`reports`: their rows), driven by
 *   the viewer's records; `open(r)` decides other reports (one account's list);
 * - `all`: staff, every report of the status;
 * - `none`: nothing (an API token never reads an ACTIVE report).
 * `open` repeats the parts of the predicate the driver does not already imply, so the rows are
 * exactly those `Visibility.report` admits.
 */
export type ReportDriver =
  | { kind: 'none' }
  | { kind: 'all' }
  | { kind: 'accounts'; accounts: string; open: (report: string, driver: string) => string }
  | { kind: 'archived'; reports: string; open: (report: string) => string };

/** As `ReportDriver`, for accounts: the viewer's accounts, or a predicate over all of them. */
export type AccountDriver =
  { kind: 'accounts'; accounts: string } | { kind: 'predicate'; open: (account: string) => string };

export class Visibility {
  constructor(readonly principal: Principal) {}

  get params(): Record<string, string | null> {
    const p = this.principal;
    return { viewerId: p.user.id, scopeAccountId: p.kind === 'token' ? p.scopeAccountId : null };
  }

  /**
   * The viewer reaches the account (A2; staff: every account). An API token (R18) sees its own
   * account and the accounts of the archived reports it reads — no archived client it reads
   * nothing of.
   */
  account(alias: string): string {
    const p = this.principal;
    if (p.kind === 'token') {
      return `(${alias}.id = ${SCOPE}
               OR (${alias}.agency_id = ${SCOPE} AND ${alias}.type = ${q(AccountType.CLIENT)}
                   AND ${alias}.status = ${q(AccountStatus.ARCHIVED)}
                   AND EXISTS (SELECT 1 FROM reports tr
                               WHERE tr.account_id = ${alias}.id AND ${this.report('tr')})))`;
    }
    if (p.isStaff) return 'TRUE';
    return `${alias}.id IN (SELECT acl.account_id FROM ${REACHES} acl WHERE acl.user_id = :viewerId)`;
  }

  /**
   * The viewer may open the report: active by reach and visibility, archived by R16. An API token
   * (R18) opens archived reports only: of its premium client, or of its agency's (or its own)
   * CLIENT accounts that its creator can open under R16 (a staff creator: all of them).
   */
  report(alias: string): string {
    const p = this.principal;
    if (p.kind === 'token') {
      const creatorOpens = p.creatorIsStaff ? 'TRUE' : archivedReportOpenToViewer(alias);
      return `(${alias}.status = ${q(ReportStatus.ARCHIVED)}
               AND EXISTS (SELECT 1 FROM accounts ta WHERE ta.id = ${alias}.account_id
                  AND ((ta.id = ${SCOPE} AND ta.type = ${q(AccountType.PREMIUM_CLIENT)})
                       OR (ta.type = ${q(AccountType.CLIENT)}
                           AND (ta.id = ${SCOPE} OR ta.agency_id = ${SCOPE})
                           AND ${creatorOpens}))))`;
    }
    if (p.isStaff) return 'TRUE';
    return `(EXISTS (SELECT 1 FROM ${REACHES} acl
                     WHERE acl.user_id = :viewerId AND acl.account_id = ${alias}.account_id
                       AND ${activeReportOpenTo(alias, 'acl')})
             OR ${archivedReportOpenToViewer(alias)})`;
  }

  /**
   * The accounts a user principal reaches, one row each: `(account_id, administers, user_id)`.
   * Driven by `user_id` (memberships and grants by user), so it costs what the viewer belongs
   * to. `activeReportOpenTo` asks only whether one of the account's REACHES rows administers it.
   */
  viewerAccounts(): string {
    return `SELECT acl.account_id, bool_or(acl.administers) AS administers, acl.user_id
              FROM ${REACHES} acl WHERE acl.user_id = :viewerId
             GROUP BY acl.account_id, acl.user_id`;
  }

  /** How to drive a list of reports of `status` (see `ReportDriver`); same rows as `report()`. */
  reportDriver(status: ReportStatus): ReportDriver {
    const p = this.principal;
    if (p.kind === 'token') {
      if (status !== ReportStatus.ARCHIVED) return { kind: 'none' };
      // Every report `report()` admits for a token is on its account or one of its clients.
      return {
        kind: 'accounts',
        accounts: `SELECT ta.id AS account_id, FALSE AS administers, CAST(NULL AS uuid) AS user_id
                     FROM accounts ta WHERE ta.id = ${SCOPE} OR ta.agency_id = ${SCOPE}`,
        open: (report) => this.report(report),
      };
    }
    if (p.isStaff) return { kind: 'all' };
    if (status === ReportStatus.ARCHIVED) {
      // Only R16 admits an ARCHIVED report (activeReportOpenTo needs ACTIVE).
      return {
        kind: 'archived',
        reports: ARCHIVED_REPORTS_OPEN_TO_VIEWER,
        open: (report) => archivedReportOpenToViewer(report),
      };
    }
    // Only REACHES admits an ACTIVE report (R16 needs ARCHIVED).
    return {
      kind: 'accounts',
      accounts: this.viewerAccounts(),
      // d.user_id is the viewer in every row: the constant lets the share check hash once.
      open: (report, driver) => activeReportOpenTo(report, driver, 'CAST(:viewerId AS uuid)'),
    };
  }

  /** How to drive a list of accounts; same rows as `account()`. */
  accountDriver(): AccountDriver {
    const p = this.principal;
    if (p.kind === 'token' || p.isStaff) {
      return { kind: 'predicate', open: (account) => this.account(account) };
    }
    return { kind: 'accounts', accounts: this.viewerAccounts() };
  }

  /**
   * An item is visible on an ACTIVE account the viewer reaches, or through a report the viewer
   * may open (archived reports keep showing their frozen items). A token: through its reports.
   */
  item(alias: string): string {
    const p = this.principal;
    const throughReport = `EXISTS (SELECT 1 FROM report_items iri JOIN reports ir ON ir.id = iri.report_id
                                   WHERE iri.item_id = ${alias}.id AND ${this.report('ir')})`;
    if (p.kind === 'token') return `(${throughReport})`;
    if (p.isStaff) return 'TRUE';
    return `(EXISTS (SELECT 1 FROM accounts ia WHERE ia.id = ${alias}.account_id
                     AND ia.status = ${q(AccountStatus.ACTIVE)} AND ${this.account('ia')})
             OR ${throughReport})`;
  }

  /**
   * R7 (issue 30 #8): the items a token's pixel may deliver campaign data to — items of its own
   * account, of the CLIENT accounts its agency owns, and items its own integrations created (also
   * on a connected premium, and after a disconnection moved them out of its scope: the pixel in
   * the ad server keeps sending). Never a connected premium's manual items or items fed by the
   * premium's own integrations: those are the brand's data, and a connection gives data access,
   * not the brand's delivery. Writing metrics is the ad server's delivery, not a read: a token
   * still reads only what `report`/`item` allow.
   */
  pixelItem(alias: string): string {
    return `(${alias}.account_id = ${SCOPE}
             OR ${alias}.account_id IN (SELECT pc.id FROM accounts pc
                                         WHERE pc.agency_id = ${SCOPE}
                                           AND pc.type = ${q(AccountType.CLIENT)})
             OR ${alias}.integration_id IN (SELECT ig.id FROM integrations ig
                                            WHERE ig.owner_account_id = ${SCOPE}))`;
  }

  /** The viewer may see the account's people, connections and integrations (not a token). */
  accountInternals(alias: string): string {
    return this.principal.kind === 'token' ? 'FALSE' : this.account(alias);
  }

  /**
   * A3 (issue 30 #5): an agency <-> premium connection exists for whoever acts for one of its
   * sides (A1: any own role there; staff). Reaching the premium through *another* agency's
   * connection does not show this one — its agency, access mode and history are that agency's.
   * An API token sees none (R18).
   */
  connection(alias: string): string {
    const p = this.principal;
    if (p.kind === 'token') return 'FALSE';
    if (p.isStaff) return 'TRUE';
    return `EXISTS (SELECT 1 FROM ${ACTS_FOR} kaf
                     WHERE kaf.user_id = :viewerId
                       AND kaf.account_id IN (${alias}.agency_id, ${alias}.premium_client_id))`;
  }

  /**
   * R31: a scheduled disconnection shows with its link — a connection to those acting for one of
   * its sides (A3), a client's to those who see the client's internals; never to an API token.
   */
  scheduledDisconnection(alias: string): string {
    if (this.principal.kind === 'token') return 'FALSE';
    return `(EXISTS (SELECT 1 FROM agency_connections sk
                      WHERE sk.id = ${alias}.connection_id AND ${this.connection('sk')})
             OR EXISTS (SELECT 1 FROM accounts sc
                         WHERE sc.id = ${alias}.client_account_id AND ${this.accountInternals('sc')}))`;
  }

  /**
   * R22, R28: the viewer may read this audit event — staff, and the acting ADMINs (A1) of its
   * account or of its related account, as `auditEvents` allows; never an API token. The event
   * behind an access path is shown by this, so explaining access opens no other audit log.
   */
  auditEvent(alias: string): string {
    const p = this.principal;
    if (p.kind === 'token') return 'FALSE';
    if (p.isStaff) return 'TRUE';
    return `EXISTS (SELECT 1 FROM ${ACTS_FOR} eaf
                     WHERE eaf.user_id = :viewerId AND eaf.role = ${q(Role.ADMIN)}
                       AND eaf.account_id IN (${alias}.account_id, ${alias}.related_account_id))`;
  }

  /**
   * A3, R18, R28 (issue 30 #5, #7): the viewer may know this user's email — the user themselves,
   * staff, and whoever acts for (A1) an account the user is a member of (colleagues, and a
   * client's administration). Never an API token; never a premium's users about the agency users
   * who reach it through a connection, nor one agency's users about another's: they see names.
   */
  userEmail(alias: string): string {
    const p = this.principal;
    if (p.kind === 'token') return 'FALSE';
    if (p.isStaff) return 'TRUE';
    return `(${alias}.id = :viewerId
             OR EXISTS (SELECT 1 FROM memberships um
                          JOIN ${ACTS_FOR} uaf ON uaf.account_id = um.account_id
                                              AND uaf.user_id = :viewerId
                         WHERE um.user_id = ${alias}.id))`;
  }
}
