import type { EntityManager } from 'typeorm';
import {
  Account,
  ItemSource,
  Report,
  ReportItem,
  ReportingItem,
  ReportShare,
  ReportStatus,
  ReportVisibility,
  User,
} from '../entities';
import { REACHES } from '../permissions/authority';
import { activeReportOpenTo } from '../permissions/visibility';
import { readsPeople } from '../permissions/field-decisions';
import { assertShareTargetsReach } from '../permissions/share-rules';
import { recordAuditEvent } from './audit.service';
import { requireViewer, type RequestContext } from '../context/request-context';
import type {
  AddReportItemsInput,
  CreateReportInput,
  CreateReportingItemInput,
  ReportFilter,
} from '../schema/types/inputs';
import { DomainError, invalidInput, requiredText } from '../shared/errors';
import { distinctIds, isId } from '../shared/ids';
import type { Visibility } from '../permissions/visibility';
import type { Page } from '../schema/types/connections.type';
import { query, rowMapper } from '../database/raw-sql';
import { keysetBefore, likePattern, type PageRow } from '../database/list-sql';
import {
  cursorParameters,
  groupRows,
  keysetPage,
  pageFromRows,
  pageRow,
  joinedEntity,
  NOTHING_SELECTED,
  pageSize,
  parseAfter,
  sqlPage,
  type JoinedRow,
  type PageArgs,
  type PageSelection,
  withCte,
} from './pagination';
import { inTransaction } from './transaction';
import {
  assertActiveAccount,
  lockItemsOfAccount,
  lockVisibleAccount,
  lockVisibleReport,
} from './locks';

/** The report if the viewer may open it (active by role, archived by R16), else null. */
export async function findReport(ctx: RequestContext, id: string) {
  return isId(id) ? ctx.loaders.visibleReport.load(id.toLowerCase()) : null;
}

/** A list of reports: one status, optionally some accounts and a name search. */
interface ReportListArgs {
  status: ReportStatus;
  /** Only these accounts' reports; null: every account the viewer sees. */
  accountIds: string[] | null;
  search: string | null;
}

const REPORT_ROW = 'r.*, r.created_at::text AS page_cursor';
const NEWEST_FIRST = (alias: string) => `${alias}.created_at DESC, ${alias}.id DESC`;

/**
 * The SQL of a report list, driven from what the viewer sees (issue 10, plans in
 * bench/plans/): `driver` is `d (account_id, administers, user_id)` — the viewer's accounts, a token's
 * accounts, or the requested accounts — read one index range `(account_id, status, created_at,
 * id)` each; without one (staff, or a user's archived list) the statement starts from the status
 * index or from the reports the viewer's R16 records name. Same rows as `Visibility.report`.
 */
function reportListSql(visibility: Visibility, args: ReportListArgs) {
  const driver = visibility.reportDriver(args.status);
  const parameters: Record<string, unknown> = {
    ...visibility.params,
    status: args.status,
    accountIds: args.accountIds,
    search: args.search,
  };
  const search = args.search ? `r.name ILIKE :search ESCAPE '\\'` : 'TRUE';
  if (driver.kind === 'none') return null;
  let accounts: string | null = null;
  let open: (report: string, d: string) => string = () => 'TRUE';
  if (driver.kind === 'accounts') {
    accounts = `SELECT d0.* FROM (${driver.accounts}) d0${
      args.accountIds ? ' WHERE d0.account_id = ANY(CAST(:accountIds AS uuid[]))' : ''
    }`;
    open = driver.open;
  } else if (args.accountIds) {
    accounts = `SELECT a0.account_id, FALSE AS administers, CAST(:viewerId AS uuid) AS user_id
                  FROM unnest(CAST(:accountIds AS uuid[])) a0(account_id)`;
    if (driver.kind === 'archived') open = (report) => driver.open(report);
  }
  if (accounts) {
    const where = (keyset: string) =>
      `r.account_id = d.account_id AND r.status = :status AND ${open('r', 'd')} AND ${search} AND ${keyset}`;
    return {
      parameters,
      with: `d AS (${accounts})`,
      /** Up to `:limit` rows per driving account, newest first (`page_key` = the account). */
      perAccount: (
        keyset: string,
      ) => `SELECT d.account_id AS page_key, p.* FROM d CROSS JOIN LATERAL (
          SELECT ${REPORT_ROW} FROM reports r WHERE ${where(keyset)}
           ORDER BY ${NEWEST_FIRST('r')} LIMIT :limit) p`,
      page: (keyset: string) => `SELECT p.* FROM d CROSS JOIN LATERAL (
          SELECT ${REPORT_ROW} FROM reports r WHERE ${where(keyset)}
           ORDER BY ${NEWEST_FIRST('r')} LIMIT :limit) p
         ORDER BY ${NEWEST_FIRST('p')} LIMIT :limit`,
      count: `SELECT COUNT(*) FROM d JOIN reports r ON ${where('TRUE')}`,
      countPerAccount: `SELECT d.account_id AS page_key, COUNT(r.id) AS total
          FROM d LEFT JOIN reports r ON ${where('TRUE')} GROUP BY d.account_id`,
    };
  }
  if (driver.kind === 'archived') {
    // The reports R16 opens to the viewer are few (what they were shown, never the platform's):
    // one materialized set that the page and its count both read, as a hand-written statement
    // would (issue 10, B2).
    const visible = `visible AS MATERIALIZED (
        SELECT ${REPORT_ROW} FROM (${driver.reports}) r WHERE r.status = :status AND ${search})`;
    return {
      parameters,
      with: visible,
      perAccount: null,
      page: (keyset: string) =>
        `SELECT r.* FROM visible r WHERE ${keyset} ORDER BY ${NEWEST_FIRST('r')} LIMIT :limit`,
      count: `SELECT COUNT(*) FROM visible`,
      countPerAccount: null,
    };
  }
  const where = (keyset: string) => `r.status = :status AND ${search} AND ${keyset}`;
  return {
    parameters,
    with: null,
    perAccount: null,
    page: (keyset: string) =>
      `SELECT ${REPORT_ROW} FROM reports r WHERE ${where(keyset)} ORDER BY ${NEWEST_FIRST('r')} LIMIT :limit`,
    count: `SELECT COUNT(*) FROM reports r WHERE ${where('TRUE')}`,
    countPerAccount: null,
  };
}

function reportArgs(
  filter: (Partial<ReportFilter> & { accountId?: string | null }) | null | undefined,
): ReportListArgs | null {
  const accountId = filter?.accountId;
  if (accountId !== undefined && accountId !== null && !isId(accountId)) return null;
  return {
    status: filter?.archived ? ReportStatus.ARCHIVED : ReportStatus.ACTIVE,
    accountIds: accountId ? [accountId.toLowerCase()] : null,
    search: likePattern(filter?.search),
  };
}

/**
 * The reports list page (R11): ACTIVE reports by default, ARCHIVED ones only with
 * `archived: true`; optionally one account's, optionally matching a name search. What the client
 * selected rides in the page's one statement: `totalCount`, and the nodes' `account` and
 * `createdBy` rows (handed to their loaders; a token's `createdBy` is always null).
 */
export async function listReports(
  ctx: RequestContext,
  filter: (Partial<ReportFilter> & { accountId?: string | null }) | null | undefined,
  page: PageArgs,
  selection: PageSelection = NOTHING_SELECTED,
): Promise<Page<Report>> {
  const { viewer, visibility } = requireViewer(ctx);
  const limit = pageSize(page.first);
  const after = parseAfter(page.after);
  const args = reportArgs(filter);
  const sql = args && reportListSql(visibility, args);
  if (!sql) return pageFromRows([], limit, () => Promise.resolve(0));
  const joined: JoinedRow[] = [];
  if (selection.nodeFields.has('account')) {
    joined.push(
      joinedEntity(ctx.db, Account, 'account_id', 'account', (account) =>
        ctx.loaders.account.prime(account.id, account),
      ),
    );
  }
  if (selection.nodeFields.has('createdBy') && readsPeople(viewer)) {
    joined.push(
      joinedEntity(ctx.db, User, 'created_by_id', 'creator', (user) =>
        ctx.loaders.user.prime(user.id, user),
      ),
      // Whether the viewer may know the creator's email (A3, R28), in the same statement.
      {
        join: '',
        columns: `${visibility.userEmail('joined_creator')} AS "creator$email_known"`,
        take: (row) => {
          const id = row['creator$id'];
          if (typeof id === 'string') {
            ctx.loaders.emailKnown.prime(id, row['creator$email_known'] === true);
          }
        },
      },
    );
  }
  return sqlPage(
    ctx.db,
    {
      with: sql.with,
      page: sql.page(keysetBefore('r', !!after)),
      count: sql.count,
      parameters: { ...sql.parameters, limit: limit + 1, ...cursorParameters(after) },
      map: rowMapper(ctx.db, Report),
      joined,
    },
    limit,
    selection.total,
  );
}

/**
 * `Account.reports` for every account of a page in one statement (and their counts in one
 * more, only if selected): per account, the first `limit + 1` reports the viewer may open.
 */
export function listReportsOfAccount(
  ctx: RequestContext,
  accountId: string,
  archived: boolean,
  page: PageArgs,
): Promise<Page<Report>> {
  const { visibility } = requireViewer(ctx);
  const limit = pageSize(page.first);
  const after = parseAfter(page.after);
  const status = archived ? ReportStatus.ARCHIVED : ReportStatus.ACTIVE;
  const key = `${status}|${limit}|${page.after ?? ''}`;
  const map = rowMapper(ctx.db, Report);
  const pages = ctx.loaders.batch<PageRow<Report>[]>(`reportsOfAccount|${key}`, async (ids) => {
    const sql = reportListSql(visibility, { status, accountIds: [...ids], search: null });
    if (!sql?.perAccount) return ids.map(() => []);
    const rows = await query(
      ctx.db,
      withCte(sql.with, `${sql.perAccount(keysetBefore('r', !!after))} ORDER BY page_key`),
      { ...sql.parameters, limit: limit + 1, ...cursorParameters(after) },
    );
    return groupRows(rows, ids, pageRow(map));
  });
  const counts = ctx.loaders.batch<number>(`reportCountOfAccount|${status}`, async (ids) => {
    const sql = reportListSql(visibility, { status, accountIds: [...ids], search: null });
    if (!sql?.countPerAccount) return ids.map(() => 0);
    const rows = await query<{ page_key: string; total: string }>(
      ctx.db,
      withCte(sql.with, sql.countPerAccount),
      sql.parameters,
    );
    const byId = new Map(rows.map((row) => [row.page_key, Number(row.total)]));
    return ids.map((id) => byId.get(id) ?? 0);
  });
  return pages
    .load(accountId)
    .then((rows) => pageFromRows(rows, limit, () => counts.load(accountId)));
}

/**
 * A report's items, newest first. The report's visibility was checked when it was loaded.
 * The first page (no `after`) of every report on a reports page is batched into one statement
 * with the item counts (no N+1); later pages of one report page by keyset. `countOnly` (the
 * client selected nothing but `totalCount`): no item row is read, one batched count.
 */
export async function listReportItems(
  ctx: RequestContext,
  report: Report,
  page: PageArgs,
  countOnly = false,
) {
  const limit = pageSize(page.first);
  if (countOnly) {
    // Only totalCount is resolved from this page: the rows are never read.
    return pageFromRows<ReportingItem>([], limit, () =>
      ctx.loaders.itemCountByReport.load(report.id),
    );
  }
  if (!page.after) {
    const { rows, total } = await ctx.loaders.reportItemsFirstPage(limit).load(report.id);
    return pageFromRows(rows, limit, async () => total);
  }
  const query = ctx.db
    .getRepository(ReportingItem)
    .createQueryBuilder('i')
    .where('i.id IN (SELECT ri.item_id FROM report_items ri WHERE ri.report_id = :reportId)', {
      reportId: report.id,
    });
  return keysetPage(query, 'i', page);
}

/** R11: the reports of account `$1` that archiving changes (the preview counts the same rows). */
export const reportsToArchive = (r: string, account: string) =>
  `${r}.account_id = ${account} AND ${r}.status = 'ACTIVE'`;

/**
 * R16 snapshot, for the archiving transaction, at the granularity of the rule: every active user
 * who reaches the account now may open its ACCOUNT-visibility reports (one row per user,
 * `archived_account_access`); each RESTRICTED report records its own readers (ADMINs there, its
 * creator, shares). Same predicate as reads (./visibility). Then archives the reports. Only an
 * account with ACTIVE ACCOUNT-visibility reports gets account-level rows, so archiving again
 * records nobody new (an account is archived once, with its reports; it never comes back).
 * Set-based: three statements whatever the number of reports and users. Returns the number of
 * reports archived.
 */
export async function archiveReportsOfAccount(
  em: EntityManager,
  accountId: string,
): Promise<number> {
  await em.query(
    `INSERT INTO archived_account_access (account_id, user_id)
     SELECT DISTINCT acl.account_id, acl.user_id
       FROM ${REACHES} acl
       JOIN users u ON u.id = acl.user_id AND u.active
      WHERE acl.account_id = $1
        AND EXISTS (SELECT 1 FROM reports r
                     WHERE r.account_id = $1 AND r.status = '${ReportStatus.ACTIVE}'
                       AND r.visibility = '${ReportVisibility.ACCOUNT}')
     ON CONFLICT DO NOTHING`,
    [accountId],
  );
  await em.query(
    `INSERT INTO archived_report_access (report_id, user_id)
     SELECT DISTINCT r.id, acl.user_id
       FROM reports r
       JOIN ${REACHES} acl ON acl.account_id = r.account_id
       JOIN users u ON u.id = acl.user_id AND u.active
      WHERE r.account_id = $1 AND r.visibility = '${ReportVisibility.RESTRICTED}'
        AND ${activeReportOpenTo('r', 'acl')}
     ON CONFLICT DO NOTHING`,
    [accountId],
  );
  const [, archived] = await em.query<[unknown, number]>(
    `UPDATE reports r SET status = 'ARCHIVED', archived_at = now() WHERE ${reportsToArchive('r', '$1')}`,
    [accountId],
  );
  return archived;
}

/** MANUAL reporting item on a visible ACTIVE account (R12: none on an archived client). */
export async function createReportingItem(ctx: RequestContext, input: CreateReportingItemInput) {
  const name = requiredText(input.name, ['input', 'name']);
  return inTransaction(ctx, async (em) => {
    const account = await lockVisibleAccount(em, ctx, input.accountId, 'share', [
      'input',
      'accountId',
    ]);
    assertActiveAccount(account);
    return em.getRepository(ReportingItem).save({
      name,
      accountId: account.id,
      source: ItemSource.MANUAL,
      integrationId: null,
      externalId: null,
      lastDataAt: null,
      frozenAt: null,
    });
  });
}

/**
 * A report on a visible ACTIVE account (R12: none on an archived client), with items of that
 * same account; RESTRICTED reports may be shared with users who can see the account.
 */
export async function createReport(ctx: RequestContext, input: CreateReportInput) {
  const { viewer } = requireViewer(ctx);
  const name = requiredText(input.name, ['input', 'name']);
  const itemIds = distinctIds(input.itemIds, ['input', 'itemIds']);
  const shareIds = distinctIds(input.sharedWithUserIds, ['input', 'sharedWithUserIds']);
  const visibilityMode = input.visibility ?? ReportVisibility.ACCOUNT;
  if (shareIds.length > 0 && visibilityMode !== ReportVisibility.RESTRICTED) {
    throw invalidInput(
      ['input', 'sharedWithUserIds'],
      'Only RESTRICTED reports are shared with users',
    );
  }
  return inTransaction(ctx, async (em) => {
    const account = await lockVisibleAccount(em, ctx, input.accountId, 'share', [
      'input',
      'accountId',
    ]);
    assertActiveAccount(account);
    await lockItemsOfAccount(em, account.id, itemIds);
    await assertShareTargetsReach(em, account.id, shareIds, ['input', 'sharedWithUserIds']);
    const report = await em.getRepository(Report).save({
      name,
      accountId: account.id,
      visibility: visibilityMode,
      status: ReportStatus.ACTIVE,
      archivedAt: null,
      createdById: viewer.user.id,
    });
    if (itemIds.length > 0) {
      await em
        .getRepository(ReportItem)
        .insert(itemIds.map((itemId) => ({ reportId: report.id, itemId })));
    }
    if (shareIds.length > 0) {
      await em
        .getRepository(ReportShare)
        .insert(shareIds.map((userId) => ({ reportId: report.id, userId })));
      // R27: a share made with the report is a grant like shareReport's, audited the same way.
      await recordAuditEvent(em, ctx, {
        action: 'REPORT_SHARED',
        accountId: account.id,
        relatedAccountId: null,
        details: { reportId: report.id, userIds: shareIds },
      });
    }
    return report;
  });
}

/** Adds items of the report's own account to an ACTIVE report (R11: archived reports never change). */
export async function addReportItems(ctx: RequestContext, input: AddReportItemsInput) {
  const itemIds = distinctIds(input.itemIds, ['input', 'itemIds']);
  if (itemIds.length === 0) throw invalidInput(['input', 'itemIds'], 'itemIds must not be empty');
  return inTransaction(ctx, async (em) => {
    // Lock order as in every write: account, then report, then items (I2).
    const { report, account } = await lockVisibleReport(em, ctx, input.reportId, [
      'input',
      'reportId',
    ]);
    if (report.status === ReportStatus.ARCHIVED) {
      throw new DomainError('REPORT_ARCHIVED', 'An archived report cannot change', [
        'input',
        'reportId',
      ]);
    }
    assertActiveAccount(account);
    await lockItemsOfAccount(em, account.id, itemIds);
    await em
      .createQueryBuilder()
      .insert()
      .into(ReportItem)
      .values(itemIds.map((itemId) => ({ reportId: report.id, itemId })))
      .orIgnore()
      .execute();
    return report;
  });
}
