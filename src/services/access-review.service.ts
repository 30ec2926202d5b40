import { createHmac, timingSafeEqual } from 'node:crypto';
import { requireViewer, type RequestContext } from '../context/request-context';
import { asOf, historyCompleteSince } from '../database/access-history';
import { prefixedColumns, query, rowMapper } from '../database/raw-sql';
import {
  Account,
  AccountStatus,
  AccountType,
  AgencyConnection,
  ConnectionStatus,
  type Report,
  ReportStatus,
  ReportVisibility,
  Role,
  User,
} from '../entities';
import { ACCESS_PATHS, ACTS_FOR } from '../permissions/authority';
import { userPrincipal, type Principal } from '../permissions/principal';
import { Visibility } from '../permissions/visibility';
import {
  AccessPathKind,
  type AccessExplanation,
  type AccessPath,
  type AccessReviewEntry,
  type UserAccessEntry,
} from '../schema/types/access.type';
import type { Page } from '../schema/types/connections.type';
import { badUserInput } from '../shared/errors';
import { isoSql, linkViewerOf, safeCellSql } from './export.service';
import { isId } from '../shared/ids';
import { cursorParameters, pageFromRows, pageSize, parseAfter, type PageArgs } from './pagination';

/**
 * R28–R29: the permission layer answering for itself. Every answer here reads ACCESS_PATHS
 * (src/permissions/authority.ts) — the rendering, with facts, of the same branches REACHES and
 * ACTS_FOR are made of — and, for a report, the very predicate of `Visibility.report` built for
 * the user asked about. So a path listed is a row the gates decide by, and `canRead` is the
 * decision itself, not a second copy of the rules.
 */

interface PathRow {
  user_id: string;
  account_id: string;
  kind: AccessPathKind;
  reach_role: Role | null;
  act_role: Role | null;
  administers: boolean;
  via_account_id: string | null;
  connection_id: string | null;
  since: Date | null;
  audit_event_id: string | null;
  granted_by_id: string | null;
}

/** The audit event that made a path (R22, R27): the latest of its kind for its grant. */
const AUDIT_OF_PATH = (p: string) => `(
  SELECT e.id FROM audit_events e
   WHERE e.account_id = CASE WHEN ${p}.kind IN ('CONNECTION', 'CLIENT_ACCESS_GRANT')
                             THEN ${p}.account_id ELSE ${p}.via_account_id END
     AND CASE ${p}.kind
           WHEN 'CONNECTION' THEN e.action = 'CONNECTION_ACCEPTED'
                AND e.details->>'connectionId' = CAST(${p}.connection_id AS text)
           WHEN 'CONNECTION_ACCESS_GRANT' THEN e.action = 'CONNECTION_ACCESS_CHANGED'
                AND e.details->>'connectionId' = CAST(${p}.connection_id AS text)
                AND jsonb_exists(e.details->'selectedUserIds', CAST(${p}.user_id AS text))
           WHEN 'CLIENT_ACCESS_GRANT' THEN e.action = 'CLIENT_ACCESS_CHANGED'
                AND jsonb_exists(e.details->'selectedUserIds', CAST(${p}.user_id AS text))
           ELSE e.action IN ('MEMBER_ADDED', 'MEMBER_ROLE_CHANGED')
                AND e.details->>'userId' = CAST(${p}.user_id AS text)
         END
   ORDER BY e.occurred_at DESC, e.id DESC LIMIT 1)`;

/** ACCESS_PATHS rows matching `where` (over alias p), with the audit event and its actor. */
const pathsSql = (where: string) => `
  SELECT x.*, ev.actor_id AS granted_by_id FROM (
    SELECT p.*, ${AUDIT_OF_PATH('p')} AS audit_event_id FROM ${ACCESS_PATHS} p WHERE ${where}) x
  LEFT JOIN audit_events ev ON ev.id = x.audit_event_id`;

const ROLE_ORDER = [Role.ADMIN, Role.ACCOUNT_MANAGER, Role.REGULAR, Role.VIEW_ONLY];
const strongest = (roles: (Role | null)[]) =>
  ROLE_ORDER.find((role) => roles.includes(role)) ?? null;

function describe(row: PathRow, names: Map<string, string>): string {
  const via = names.get(row.via_account_id ?? '') ?? 'an account';
  const account = names.get(row.account_id) ?? 'the account';
  const role = row.reach_role ?? row.act_role;
  const acts = row.act_role ? `, acting for it as ${row.act_role}` : '';
  switch (row.kind) {
    case AccessPathKind.MEMBERSHIP:
      return row.reach_role
        ? `${role} of ${account}${acts}`
        : `member of ${account} (archived: its own users keep no access, R15)`;
    case AccessPathKind.OWNING_AGENCY:
      return `${role} of ${via}, which owns the client ${account}${acts}`;
    case AccessPathKind.CLIENT_ACCESS_GRANT:
      return `${role} of ${via}, selected on the client ${account}${acts}`;
    case AccessPathKind.CONNECTION:
      return `${role} of ${via}, connected to ${account} (data access, no role in it)`;
    case AccessPathKind.CONNECTION_ACCESS_GRANT:
      return `${role} of ${via}, selected on its connection to ${account} (data access, no role in it)`;
    default:
      return `${row.kind} on ${account}`;
  }
}

const asPath = (row: PathRow, names: Map<string, string>): AccessPath => ({
  kind: row.kind,
  role: row.reach_role ?? row.act_role,
  since: row.since,
  description: describe(row, names),
  viaAccountId: row.via_account_id,
  connectionId: row.connection_id,
  grantedById: row.granted_by_id,
  auditEventId: row.audit_event_id,
});

const STAFF_PATH: AccessPath = {
  kind: AccessPathKind.STAFF,
  role: Role.ADMIN,
  since: null,
  description: 'platform staff: reaches and acts for every account',
  viaAccountId: null,
  connectionId: null,
  grantedById: null,
  auditEventId: null,
};

async function accountNames(ctx: RequestContext, ids: (string | null)[]) {
  const unique = [...new Set(ids.filter((id): id is string => !!id))];
  const accounts = await ctx.loaders.account.loadMany(unique);
  return new Map(
    accounts
      .filter((a): a is Account => !!a && !(a instanceof Error))
      .map((a) => [a.id, a.name] as const),
  );
}

/**
 * R28, A3: may the viewer be told about `user` and `accountId`? Themselves and staff always; an
 * account's acting ADMIN (the shield gate) about users who have a path to the account or are
 * members of an account the viewer acts for as ADMIN (their own people). Anyone else: the answer
 * is null, as for an account that does not exist for them.
 */
const mayBeTold = (viewer: Principal, user: string, account: string) =>
  viewer.isStaff
    ? 'TRUE'
    : `(${user}.id = :viewerId
        OR EXISTS (SELECT 1 FROM ${ACCESS_PATHS} tp
                    WHERE tp.user_id = ${user}.id AND tp.account_id = ${account}.id)
        OR EXISTS (SELECT 1 FROM memberships um
                     JOIN ${ACTS_FOR} af ON af.account_id = um.account_id
                                        AND af.user_id = :viewerId AND af.role = '${Role.ADMIN}'
                    WHERE um.user_id = ${user}.id))`;

/**
 * R28: in one statement — so an explanation costs the same whatever its number of paths — the
 * account (only if it exists for the viewer, A3), the user asked about, whether the viewer may
 * be told (`mayBeTold`; the paths are not even read otherwise), the user's ACCESS_PATHS rows to
 * the account, and the accounts, granters and connections (as A3 shows them) they name, which
 * prime the request's loaders.
 * Null when the account does not exist for the viewer, the user does not exist, or the viewer
 * may not be told.
 */
async function explainFacts(ctx: RequestContext, userId: string, accountId: string) {
  const { viewer, visibility } = requireViewer(ctx);
  const told = mayBeTold(viewer, 'u', 'a');
  const found = await query<Record<string, unknown> & PathRow>(
    ctx.db,
    `SELECT ${prefixedColumns(ctx.db, Account, 'a', 'a$')},
            ${prefixedColumns(ctx.db, User, 'u', 'u$')},
            (${visibility.userEmail('u')}) AS "u$email_known", ${told} AS told,
            ${prefixedColumns(ctx.db, Account, 'va', 'va$')},
            ${prefixedColumns(ctx.db, User, 'gb', 'gb$')},
            ${prefixedColumns(ctx.db, AgencyConnection, 'k', 'k$')}, path.*
       FROM accounts a
       JOIN users u ON u.id = :userId
       LEFT JOIN LATERAL (${pathsSql('p.user_id = u.id AND p.account_id = a.id')}) path ON ${told}
       LEFT JOIN accounts va ON va.id = path.via_account_id
       LEFT JOIN users gb ON gb.id = path.granted_by_id
       LEFT JOIN agency_connections k ON k.id = path.connection_id AND ${visibility.connection('k')}
      WHERE a.id = :accountId AND ${visibility.account('a')}`,
    { ...visibility.params, userId, accountId },
  );
  if (!found[0]?.told) return null;
  const account = rowMapper(ctx.db, Account, 'a$')(found[0]);
  const user = rowMapper(ctx.db, User, 'u$')(found[0]);
  ctx.loaders.account.prime(account.id, account);
  ctx.loaders.user.prime(user.id, user);
  ctx.loaders.emailKnown.prime(user.id, found[0]['u$email_known'] === true);
  const names = new Map([[account.id, account.name]]);
  const rows = found.filter((row) => row.kind !== null);
  for (const row of rows) {
    if (row['va$id']) {
      const via = rowMapper(ctx.db, Account, 'va$')(row);
      ctx.loaders.account.prime(via.id, via);
      names.set(via.id, via.name);
    }
    // A3: a path's connection shows only where it exists for the viewer (null primed otherwise).
    if (row.connection_id) {
      const k = row['k$id'] ? rowMapper(ctx.db, AgencyConnection, 'k$')(row) : null;
      ctx.loaders.visibleConnection.prime(row.connection_id, k);
    }
    if (row['gb$id']) {
      const granter = rowMapper(ctx.db, User, 'gb$')(row);
      ctx.loaders.user.prime(granter.id, granter);
    }
  }
  return { account, user, rows, names };
}

/**
 * R28: explain why `userId` can or cannot read and act for a report or an account. Exactly one
 * of `reportId`, `accountId` (BAD_USER_INPUT otherwise). The report or account must exist for the
 * viewer, and the viewer may ask (themselves, staff, the account's acting ADMINs: the shield
 * gate); otherwise null (A3). canRead of a report is `Visibility.report` for that user; of an
 * account, REACHES; canAct is ACTS_FOR (a report: the R25 edit right). Paths are the
 * ACCESS_PATHS rows (plus the report's share and R16 rows, and staff), each with since when, who
 * granted it and the audit event that made it. For a denial, `missing` names the nearest step.
 */
export async function explainAccess(
  ctx: RequestContext,
  userId: string,
  target: { reportId?: string | null; accountId?: string | null },
): Promise<AccessExplanation | null> {
  if (!!target.reportId === !!target.accountId) {
    throw badUserInput('Give exactly one of reportId and accountId', 'reportId');
  }
  if (!isId(userId)) return null;
  const id = (target.reportId ?? target.accountId)!;
  if (!isId(id)) return null;
  const report = target.reportId ? await ctx.loaders.visibleReport.load(id.toLowerCase()) : null;
  const accountId = report?.accountId ?? (target.accountId ? id.toLowerCase() : null);
  if (!accountId) return null;
  const explained = await explainFacts(ctx, userId.toLowerCase(), accountId);
  if (!explained) return null;
  const { account, user, rows, names } = explained;
  const reachRows = rows.filter((r) => r.reach_role);
  const role = user.isStaff
    ? Role.ADMIN
    : strongest(rows.flatMap((r) => [r.reach_role, r.act_role]));
  const paths = user.isStaff ? [STAFF_PATH] : [];

  if (!report) {
    paths.push(...rows.map((r) => asPath(r, names)));
    const canRead = user.isStaff || reachRows.length > 0;
    const canAct = user.isStaff || rows.some((r) => r.act_role);
    return {
      user,
      canRead,
      canAct,
      role,
      paths,
      missing: canRead ? null : await missingForAccount(ctx, user, account),
    };
  }

  // A report: the decision is Visibility.report for this user; its extra paths are the share
  // and the R16 rows, read with the same predicates.
  const asUser = new Visibility(userPrincipal(user));
  const [facts] = await query<{
    can_read: boolean;
    shared_since: Date | null;
    snapshot: boolean;
    still_member: boolean;
  }>(
    ctx.db,
    `SELECT EXISTS (SELECT 1 FROM reports r WHERE r.id = :reportId AND ${asUser.report('r')})
              AS can_read,
            (SELECT sh.created_at FROM report_shares sh
              WHERE sh.report_id = :reportId AND sh.user_id = :viewerId) AS shared_since,
            (EXISTS (SELECT 1 FROM archived_report_access s
                      WHERE s.report_id = :reportId AND s.user_id = :viewerId)
             OR EXISTS (SELECT 1 FROM archived_account_access aa JOIN reports ar
                          ON ar.account_id = aa.account_id AND ar.id = :reportId
                         WHERE aa.user_id = :viewerId
                           AND ar.visibility = '${ReportVisibility.ACCOUNT}')) AS snapshot,
            EXISTS (SELECT 1 FROM accounts o JOIN memberships om
                      ON om.account_id = o.agency_id AND om.user_id = :viewerId
                     WHERE o.id = :accountId) AS still_member`,
    { ...asUser.params, reportId: report.id, accountId },
  );
  const active = report.status === ReportStatus.ACTIVE;
  if (active) paths.push(...reachRows.map((r) => asPath(r, names)));
  if (active && facts.shared_since) {
    paths.push({
      ...STAFF_PATH,
      kind: AccessPathKind.REPORT_SHARE,
      role: null,
      since: facts.shared_since,
      description: `"${report.name}" is shared with them`,
    });
  }
  if (!active && facts.snapshot) {
    paths.push({
      ...STAFF_PATH,
      kind: AccessPathKind.ARCHIVED_SNAPSHOT,
      role: null,
      since: report.archivedAt,
      viaAccountId: account.agencyId,
      description: facts.still_member
        ? `could open "${report.name}" when it was archived, and is still a member of its agency (R16)`
        : `could open "${report.name}" when it was archived, but has left its agency: access ended for good (R16)`,
    });
  }
  const administers = rows.some((r) => r.administers);
  const canAct =
    user.isStaff ||
    (active && (administers || (report.createdById === user.id && reachRows.length > 0)));
  return {
    user,
    canRead: facts.can_read,
    canAct,
    role,
    paths,
    missing: facts.can_read
      ? null
      : await missingForReport(ctx, user, account, report, {
          reaches: reachRows.length > 0,
          ...facts,
        }),
  };
}

const day = (date: Date | null | undefined) =>
  date ? date.toISOString().slice(0, 10) : 'an unknown date';

/** R28: the nearest missing step to an account, in one sentence. */
async function missingForAccount(ctx: RequestContext, user: User, account: Account) {
  const memberships = await ctx.loaders.membershipsByUser.load(user.id);
  const memberOf = new Set(memberships.map((m) => m.accountId));
  if (account.type === AccountType.CLIENT) {
    const agency = account.agencyId ? await ctx.loaders.account.load(account.agencyId) : null;
    if (memberOf.has(account.id) && account.status === AccountStatus.ARCHIVED) {
      return `${account.name} was archived on ${day(account.archivedAt)}: its own users lost access (R15)`;
    }
    if (agency && memberOf.has(agency.id)) {
      return `member of ${agency.name}, not selected on ${account.name}`;
    }
    return `not a member of ${account.name} nor of its agency${agency ? ` ${agency.name}` : ''}`;
  }
  if (account.type === AccountType.PREMIUM_CLIENT) {
    const connections = (await ctx.loaders.connectionsByAccount.load(account.id)).filter((k) =>
      memberOf.has(k.agencyId),
    );
    // Newest first: the connection of the user's agency that matters now.
    const k: AgencyConnection | undefined = connections[0];
    if (k) {
      const agency = await ctx.loaders.account.load(k.agencyId);
      const agencyName = agency?.name ?? 'their agency';
      if (k.status === ConnectionStatus.ACTIVE) {
        return `member of ${agencyName}, not selected on its connection to ${account.name}`;
      }
      if (k.status === ConnectionStatus.DISCONNECTED) {
        const by = k.disconnectedById ? await ctx.loaders.user.load(k.disconnectedById) : null;
        return `the connection between ${agencyName} and ${account.name} was DISCONNECTED on ${day(k.disconnectedAt)}${by ? ` by ${by.name}` : ''}`;
      }
      return `the connection between ${agencyName} and ${account.name} is ${k.status}, not ACTIVE`;
    }
    return `not a member of ${account.name} nor of an agency connected to it`;
  }
  return `not a member of ${account.name}`;
}

/** R28: the nearest missing step to a report, in one sentence. */
async function missingForReport(
  ctx: RequestContext,
  user: User,
  account: Account,
  report: Report,
  facts: { reaches: boolean; snapshot: boolean; still_member: boolean },
) {
  if (report.status === ReportStatus.ARCHIVED) {
    if (facts.snapshot && !facts.still_member) {
      return `could open "${report.name}" when it was archived on ${day(report.archivedAt)}, but has left its agency: R16 access ended for good`;
    }
    return `could not open "${report.name}" when it was archived on ${day(report.archivedAt)}: nobody gains access to an archived report afterwards (R16)`;
  }
  if (!facts.reaches) return missingForAccount(ctx, user, account);
  return `reaches ${account.name}, but "${report.name}" is RESTRICTED: not its creator, not shared with them, and not an ADMIN of ${account.name}`;
}

// ---------------------------------------------------------------------------------------------
// R29: the access review of one account, and everything one user has
// ---------------------------------------------------------------------------------------------

/** Groups path rows by `key`, in the order of `order`, as review entries. */
async function entriesOf(ctx: RequestContext, rows: PathRow[], key: 'user_id' | 'account_id') {
  const names = await accountNames(ctx, [
    ...rows.map((r) => r.via_account_id),
    ...rows.map((r) => r.account_id),
  ]);
  const groups = new Map<string, PathRow[]>();
  for (const row of rows) groups.set(row[key], [...(groups.get(row[key]) ?? []), row]);
  return new Map(
    [...groups].map(([id, group]) => [
      id,
      {
        role: strongest(group.flatMap((r) => [r.reach_role, r.act_role])),
        canAct: group.some((r) => r.act_role),
        paths: group.map((r) => asPath(r, names)),
      },
    ]),
  );
}

const AFTER = (t: string) =>
  `(${t}.created_at, ${t}.id) < (CAST(:afterTime AS timestamptz), CAST(:afterId AS uuid))`;

/** R30: the bind parameter of a review's moment (none for now); see `asOf`. */
const momentOf = (at: Date | null) => ({
  sql: at ? ':asOf' : null,
  params: at ? { asOf: at.toISOString() } : {},
});

/**
 * R29: everyone who reaches or acts for the account (not staff, who reach every account), newest
 * user first, with the strongest role, every path and since when; R30: as it was at `at` (the
 * same statements over the versioned rows, `asOf`). ADMIN of the account or staff (shield
 * gate). One statement for the page's users, one for their paths.
 */
export async function reviewEntries(
  ctx: RequestContext,
  accountId: string,
  page: PageArgs,
  at: Date | null = null,
): Promise<Page<AccessReviewEntry & { id: string }>> {
  const limit = pageSize(page.first);
  const after = parseAfter(page.after);
  const moment = momentOf(at);
  const people = `SELECT DISTINCT p.user_id FROM ${ACCESS_PATHS} p WHERE p.account_id = :accountId`;
  const users = await query<Record<string, unknown> & { id: string; page_cursor: string }>(
    ctx.db,
    asOf(
      `SELECT u.*, u.created_at::text AS page_cursor FROM users u
        WHERE u.id IN (${people}) AND ${after ? AFTER('u') : 'TRUE'}
        ORDER BY u.created_at DESC, u.id DESC LIMIT :limit`,
      moment.sql,
    ),
    { accountId, limit: limit + 1, ...cursorParameters(after), ...moment.params },
  );
  const ids = users.map((u) => u.id);
  const rows = ids.length
    ? await query<PathRow>(
        ctx.db,
        asOf(
          pathsSql('p.account_id = :accountId AND p.user_id = ANY(CAST(:ids AS uuid[]))'),
          moment.sql,
        ),
        { accountId, ids, ...moment.params },
      )
    : [];
  const byUser = await entriesOf(ctx, rows, 'user_id');
  const map = rowMapper(ctx.db, User);
  return pageFromRows(
    users.map((row) => {
      const user = map(row);
      ctx.loaders.user.prime(user.id, user);
      return { node: { id: user.id, user, ...byUser.get(user.id)! }, cursorTime: row.page_cursor };
    }),
    limit,
    async () => {
      const [row] = await query<{ count: string }>(
        ctx.db,
        asOf(`SELECT count(*) AS count FROM (${people}) x`, moment.sql),
        { accountId, ...moment.params },
      );
      return Number(row.count);
    },
  );
}

/**
 * R29, R16: the users who keep read access to archived reports of the account — recorded when
 * it was archived and still members of its agency — with that snapshot as their path. Exactly
 * the users `archivedReportOpenToViewer` admits for one of its reports.
 */
export async function reviewArchivedAccess(
  ctx: RequestContext,
  accountId: string,
  page: PageArgs,
  at: Date | null = null,
): Promise<Page<AccessReviewEntry & { id: string }>> {
  const limit = pageSize(page.first);
  const after = parseAfter(page.after);
  const moment = momentOf(at);
  const kept = `SELECT aa.user_id FROM archived_account_access aa WHERE aa.account_id = :accountId
                UNION
                SELECT s.user_id FROM archived_report_access s JOIN reports r ON r.id = s.report_id
                 WHERE r.account_id = :accountId`;
  const stillMember = `EXISTS (SELECT 1 FROM accounts o JOIN memberships om
                                 ON om.account_id = o.agency_id AND om.user_id = u.id
                                WHERE o.id = :accountId)`;
  const users = await query<Record<string, unknown> & { id: string; page_cursor: string }>(
    ctx.db,
    asOf(
      `SELECT u.*, u.created_at::text AS page_cursor FROM users u
        WHERE u.id IN (${kept}) AND ${stillMember} AND ${after ? AFTER('u') : 'TRUE'}
        ORDER BY u.created_at DESC, u.id DESC LIMIT :limit`,
      moment.sql,
    ),
    { accountId, limit: limit + 1, ...cursorParameters(after), ...moment.params },
  );
  const account = await ctx.loaders.account.load(accountId);
  const map = rowMapper(ctx.db, User);
  return pageFromRows(
    users.map((row) => {
      const user = map(row);
      const path: AccessPath = {
        ...STAFF_PATH,
        kind: AccessPathKind.ARCHIVED_SNAPSHOT,
        role: null,
        since: account?.archivedAt ?? null,
        viaAccountId: account?.agencyId ?? null,
        description: `could open reports of ${account?.name ?? 'the account'} when it was archived, and is still a member of its agency (R16)`,
      };
      return {
        node: { id: user.id, user, role: null, canAct: false, paths: [path] },
        cursorTime: row.page_cursor,
      };
    }),
    limit,
    async () => {
      const [row] = await query<{ count: string }>(
        ctx.db,
        asOf(
          `SELECT count(*) AS count FROM users u WHERE u.id IN (${kept}) AND ${stillMember}`,
          moment.sql,
        ),
        { accountId, ...moment.params },
      );
      return Number(row.count);
    },
  );
}

/**
 * R29: the account's connection requests that were PENDING — unanswered and not past their
 * expiresAt (R26) — now, or at `at` (R30, as they were then), newest first.
 */
export async function pendingRequests(
  ctx: RequestContext,
  accountId: string,
  at: Date | null = null,
): Promise<AgencyConnection[]> {
  const moment = momentOf(at);
  const rows = await query(
    ctx.db,
    asOf(
      `SELECT k.* FROM agency_connections k
        WHERE (k.agency_id = :accountId OR k.premium_client_id = :accountId)
          AND k.status = '${ConnectionStatus.PENDING}'
          AND (k.expires_at IS NULL
               OR k.expires_at > ${moment.sql ? `CAST(${moment.sql} AS timestamptz)` : 'now()'})
        ORDER BY k.requested_at DESC, k.id DESC`,
      moment.sql,
    ),
    { accountId, ...moment.params },
  );
  return rows.map(rowMapper(ctx.db, AgencyConnection));
}

/**
 * R29: everything one user reaches or acts for — what they lose when they leave — newest account
 * first, with paths. Staff and the user see all of it; an ADMIN of an account the user belongs
 * to sees the part reached through the accounts that ADMIN acts for as ADMIN (the shield gate
 * lets only these ask). One statement for the page's accounts, one for their paths.
 */
export async function userAccess(
  ctx: RequestContext,
  userId: string,
  page: PageArgs,
): Promise<Page<UserAccessEntry & { id: string }>> {
  const { viewer } = requireViewer(ctx);
  const limit = pageSize(page.first);
  const after = parseAfter(page.after);
  if (!isId(userId)) return pageFromRows([], limit, async () => 0);
  const target = userId.toLowerCase();
  const whole = viewer.isStaff || viewer.user.id === target;
  // The asker's side: paths through an account the asker acts for as ADMIN.
  const scope = whole
    ? 'TRUE'
    : `p.via_account_id IN (SELECT af.account_id FROM ${ACTS_FOR} af
                             WHERE af.user_id = :viewerId AND af.role = '${Role.ADMIN}')`;
  const reached = `SELECT DISTINCT p.account_id FROM ${ACCESS_PATHS} p WHERE p.user_id = :userId AND ${scope}`;
  const params = { userId: target, viewerId: viewer.user.id };
  const accounts = await query<Record<string, unknown> & { id: string; page_cursor: string }>(
    ctx.db,
    `SELECT a.*, a.created_at::text AS page_cursor FROM accounts a
      WHERE a.id IN (${reached}) AND ${after ? AFTER('a') : 'TRUE'}
      ORDER BY a.created_at DESC, a.id DESC LIMIT :limit`,
    { ...params, limit: limit + 1, ...cursorParameters(after) },
  );
  const ids = accounts.map((a) => a.id);
  const rows = ids.length
    ? await query<PathRow>(
        ctx.db,
        pathsSql(`p.user_id = :userId AND p.account_id = ANY(CAST(:ids AS uuid[])) AND ${scope}`),
        { ...params, ids },
      )
    : [];
  const byAccount = await entriesOf(ctx, rows, 'account_id');
  const map = rowMapper(ctx.db, Account);
  return pageFromRows(
    accounts.map((row) => {
      const account = map(row);
      ctx.loaders.account.prime(account.id, account);
      return {
        node: { id: account.id, account, ...byAccount.get(account.id)! },
        cursorTime: row.page_cursor,
      };
    }),
    limit,
    async () => {
      const [row] = await query<{ count: string }>(
        ctx.db,
        `SELECT count(*) AS count FROM (${reached}) x`,
        params,
      );
      return Number(row.count);
    },
  );
}

/**
 * R30: a past moment a review can be rebuilt for — not ahead of now, not before the history is
 * complete (versioning began, or the 400-day retention window): BAD_USER_INPUT on `at` saying
 * since when it is, rather than a guess.
 */
function assertReviewableMoment(at: Date, completeSince: Date) {
  if (Number.isNaN(at.getTime())) throw badUserInput('at must be a valid date-time', 'at');
  if (at.getTime() > Date.now()) {
    throw badUserInput('at must not be in the future: a review describes what was', 'at');
  }
  if (at < completeSince) {
    throw badUserInput(
      `Access history is complete since ${completeSince.toISOString()}; a review of an earlier moment cannot be rebuilt (R30)`,
      'at',
    );
  }
}

/**
 * R29: the review of one account as it is now; R30: as it was at `at`, rebuilt from the
 * versioned rows by the same relations (entries, archived access and pending requests all
 * follow the moment; the account itself and the people's names are shown as they are now).
 * ADMIN of the account now, or staff (shield gate); an account that does not exist for the
 * viewer is null.
 */
export async function accessReview(ctx: RequestContext, accountId: string, at?: Date | null) {
  const completeSince = await historyCompleteSince(ctx.db);
  if (at) assertReviewableMoment(at, completeSince);
  if (!isId(accountId)) return null;
  const account = await ctx.loaders.visibleAccount.load(accountId.toLowerCase());
  if (!account) return null;
  return {
    account,
    at: at ?? new Date(),
    asOf: at ?? null,
    historyCompleteSince: completeSince,
    pendingRequests: await pendingRequests(ctx, account.id, at ?? null),
    csvUrl: accessReviewCsvUrl(ctx, account.id, at ?? null),
  };
}

/**
 * R29, A3: the audit event behind a path, for viewers who may read the audit log it is in
 * (acting ADMIN of its account or related account, staff: `Visibility.auditEvent`); null for
 * everyone else. Batched: one statement for every path of the request.
 */
export async function auditEventOfPath(ctx: RequestContext, eventId: string | null) {
  return eventId ? ctx.loaders.visibleAuditEvent.load(eventId) : null;
}

// ---------------------------------------------------------------------------------------------
// R29: the review as CSV, through a short-lived signed link (like report exports, R17)
// ---------------------------------------------------------------------------------------------

export const ACCESS_REVIEW_LINK_TTL_SECONDS = 10 * 60;

export interface AccessReviewLink {
  accountId: string;
  /** R30: the reviewed moment, epoch milliseconds; absent for a review of now. */
  at?: number;
  expires: number;
  /** `linkViewerOf`: the user the link was issued to. */
  viewer: string;
}

/** The HMAC-SHA256 (JWT_SECRET) of a review link; its own prefix, so no export link fits it. */
export function signAccessReviewLink(secret: string, link: AccessReviewLink): string {
  return createHmac('sha256', secret)
    .update(
      `handover-access-review:v2:${link.accountId}:${link.at ?? 'now'}:${link.expires}:${link.viewer}`,
    )
    .digest('base64url');
}

export function verifyAccessReviewLink(secret: string, link: AccessReviewLink, sig: string) {
  const expected = Buffer.from(signAccessReviewLink(secret, link));
  const given = Buffer.from(sig);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** R29: the signed CSV link of the review, under the server's own base URL (never Host). */
export function accessReviewCsvUrl(
  ctx: RequestContext,
  accountId: string,
  at: Date | null,
): string {
  const { viewer } = requireViewer(ctx);
  const link: AccessReviewLink = {
    accountId,
    ...(at ? { at: at.getTime() } : {}),
    expires: Math.floor(Date.now() / 1000) + ACCESS_REVIEW_LINK_TTL_SECONDS,
    viewer: linkViewerOf(viewer),
  };
  const query = new URLSearchParams({
    ...(link.at !== undefined ? { at: String(link.at) } : {}),
    expires: String(link.expires),
    viewer: link.viewer,
    sig: signAccessReviewLink(ctx.env.JWT_SECRET, link),
  });
  return `${ctx.baseUrl.replace(/\/+$/, '')}/access-reviews/${accountId}.csv?${query.toString()}`;
}

/**
 * R29: the whole review of `accountId` as one COPY statement — one row per user and path
 * (ACCESS_PATHS), then the R16 rows — so PostgreSQL writes and quotes it and memory stays flat
 * whatever the number of users. Emails as `viewer` may know them (A3, R28). COPY takes no bind
 * parameters: the account and the viewer are literals, and only ever checked UUIDs.
 */
export function accessReviewCsvSql(
  accountId: string,
  viewer: Principal,
  at: Date | null = null,
): string {
  if (!isId(accountId) || !isId(viewer.user.id)) throw new Error('accessReviewCsvSql needs ids');
  const literal = (id: string) => `'${id.toLowerCase()}'`;
  const emailKnown = new Visibility(viewer)
    .userEmail('u')
    .replace(/:viewerId\b/g, literal(viewer.user.id));
  const account = literal(accountId);
  const person = `u.id AS "userId", ${safeCellSql('u.name')} AS "userName",
         CASE WHEN ${emailKnown} THEN u.email END AS "userEmail"`;
  // R30: the moment is a literal too, and only ever an ISO string made from a valid Date.
  const moment = at ? `'${at.toISOString()}'` : null;
  return `COPY (
${asOf(
  `  SELECT ${person}, p.kind AS "pathKind", COALESCE(p.reach_role, p.act_role) AS "role",
         p.act_role IS NOT NULL AS "actsFor", p.via_account_id AS "viaAccountId",
         ${safeCellSql('va.name')} AS "viaAccountName", p.connection_id AS "connectionId",
         ${isoSql('p.since')} AS since
    FROM ${ACCESS_PATHS} p JOIN users u ON u.id = p.user_id
    LEFT JOIN accounts va ON va.id = p.via_account_id
   WHERE p.account_id = ${account}
  UNION ALL
  SELECT ${person}, 'ARCHIVED_SNAPSHOT', NULL, FALSE, o.agency_id, ${safeCellSql('oa.name')},
         NULL, ${isoSql('o.archived_at')}
    FROM users u JOIN accounts o ON o.id = ${account}
    LEFT JOIN accounts oa ON oa.id = o.agency_id
   WHERE u.id IN (SELECT aa.user_id FROM archived_account_access aa WHERE aa.account_id = ${account}
                  UNION
                  SELECT s.user_id FROM archived_report_access s JOIN reports r ON r.id = s.report_id
                   WHERE r.account_id = ${account})
     AND EXISTS (SELECT 1 FROM memberships om WHERE om.account_id = o.agency_id AND om.user_id = u.id)
   ORDER BY 1, 4`,
  moment,
)}
) TO STDOUT WITH (FORMAT csv, HEADER true)`;
}
