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
} from '../entities';
import { REACHES } from '../permissions/authority';
import { activeReportOpenTo } from '../permissions/visibility';
import { requireViewer, type RequestContext } from '../server/context';
import type {
  AddReportItemsInput,
  CreateReportInput,
  CreateReportingItemInput,
  ReportFilter,
} from '../schema/types/inputs';
import { DomainError, invalidInput, notFound, requiredText } from './errors';
import { distinctIds, isId } from './ids';
import { keysetPage, pageFromRows, pageSize, type PageArgs } from './pagination';
import { assertActiveAccount, inTransaction, lockVisibleAccount } from './transaction';

/** The report if the viewer may open it (active by role, archived by R16), else null. */
export async function findReport(ctx: RequestContext, id: string) {
  return isId(id) ? ctx.loaders.visibleReport.load(id.toLowerCase()) : null;
}

/**
 * The reports list page (R11): ACTIVE reports by default, ARCHIVED ones only with
 * `archived: true`; optionally one account's, optionally matching a name search.
 */
export async function listReports(
  ctx: RequestContext,
  filter: (Partial<ReportFilter> & { accountId?: string | null }) | null | undefined,
  page: PageArgs,
) {
  const { visibility } = requireViewer(ctx);
  const query = ctx.db
    .getRepository(Report)
    .createQueryBuilder('r')
    .where('r.status = :status', {
      status: filter?.archived ? ReportStatus.ARCHIVED : ReportStatus.ACTIVE,
    })
    .andWhere(visibility.report('r'), visibility.params);
  if (filter?.accountId !== undefined && filter.accountId !== null) {
    if (!isId(filter.accountId)) query.andWhere('FALSE');
    else query.andWhere('r.account_id = :accountId', { accountId: filter.accountId.toLowerCase() });
  }
  const search = filter?.search?.trim();
  if (search) {
    query.andWhere(`r.name ILIKE :search ESCAPE '\\'`, {
      search: `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
    });
  }
  return keysetPage(query, 'r', page);
}

/**
 * A report's items, newest first. The report's visibility was checked when it was loaded.
 * The first page (no `after`) of every report on a reports page is batched into one statement
 * with the item counts (no N+1); later pages of one report page by keyset.
 */
export async function listReportItems(ctx: RequestContext, report: Report, page: PageArgs) {
  const limit = pageSize(page.first);
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

/**
 * R16 snapshot, for the archiving transaction: records every user who can open each ACTIVE
 * report of the account right now (same predicate as reads, ./visibility), then archives the
 * reports. Set-based: two statements whatever the number of reports and users.
 * Returns the number of reports archived.
 */
export async function archiveReportsOfAccount(
  em: EntityManager,
  accountId: string,
): Promise<number> {
  await em.query(
    `INSERT INTO archived_report_access (report_id, user_id)
     SELECT DISTINCT r.id, acl.user_id
       FROM reports r
       JOIN ${REACHES} acl ON acl.account_id = r.account_id
       JOIN users u ON u.id = acl.user_id AND u.active
      WHERE r.account_id = $1 AND ${activeReportOpenTo('r', 'acl')}
     ON CONFLICT DO NOTHING`,
    [accountId],
  );
  const [, archived] = await em.query<[unknown, number]>(
    `UPDATE reports SET status = 'ARCHIVED', archived_at = now()
      WHERE account_id = $1 AND status = 'ACTIVE'`,
    [accountId],
  );
  return archived;
}

async function lockItemsOfAccount(em: EntityManager, accountId: string, itemIds: string[]) {
  if (itemIds.length === 0) return;
  const rows: { id: string }[] = await em.query(
    `SELECT id FROM reporting_items WHERE id = ANY($1::uuid[]) AND account_id = $2 FOR SHARE`,
    [itemIds, accountId],
  );
  if (rows.length !== itemIds.length) {
    throw invalidInput(['input', 'itemIds'], 'Every item must belong to the report’s account');
  }
}

/** MANUAL reporting item on a visible ACTIVE account (R12: none on an archived client). */
export async function createReportingItem(ctx: RequestContext, input: CreateReportingItemInput) {
  const { visibility } = requireViewer(ctx);
  const name = requiredText(input.name, ['input', 'name']);
  return inTransaction(ctx, async (em) => {
    const account = await lockVisibleAccount(em, visibility, input.accountId, 'share', [
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
  const { viewer, visibility } = requireViewer(ctx);
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
    const account = await lockVisibleAccount(em, visibility, input.accountId, 'share', [
      'input',
      'accountId',
    ]);
    assertActiveAccount(account);
    await lockItemsOfAccount(em, account.id, itemIds);
    if (shareIds.length > 0) {
      const reachable: { user_id: string }[] = await em.query(
        `SELECT DISTINCT acl.user_id FROM ${REACHES} acl
          WHERE acl.account_id = $1 AND acl.user_id = ANY($2::uuid[])`,
        [account.id, shareIds],
      );
      if (reachable.length !== shareIds.length) {
        throw invalidInput(
          ['input', 'sharedWithUserIds'],
          'Reports can be shared only with users who can see the account',
        );
      }
    }
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
    }
    return report;
  });
}

/** Adds items of the report's own account to an ACTIVE report (R11: archived reports never change). */
export async function addReportItems(ctx: RequestContext, input: AddReportItemsInput) {
  const { visibility } = requireViewer(ctx);
  const itemIds = distinctIds(input.itemIds, ['input', 'itemIds']);
  if (itemIds.length === 0) throw invalidInput(['input', 'itemIds'], 'itemIds must not be empty');
  return inTransaction(ctx, async (em) => {
    const visible =
      isId(input.reportId) &&
      (await em
        .createQueryBuilder(Report, 'r')
        .where('r.id = :id', { id: input.reportId })
        .andWhere(visibility.report('r'), visibility.params)
        .getOne());
    if (!visible) throw notFound('Report', ['input', 'reportId']);
    // Lock order as in every write: account, then report, then items (I2).
    const account = await em
      .createQueryBuilder(Account, 'a')
      .where('a.id = :id', { id: visible.accountId })
      .setLock('pessimistic_read')
      .getOneOrFail();
    const report = await em
      .createQueryBuilder(Report, 'r')
      .where('r.id = :id', { id: visible.id })
      .setLock('pessimistic_write')
      .getOneOrFail();
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
