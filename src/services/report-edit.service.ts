import type { EntityManager } from 'typeorm';
import { Report, ReportStatus } from '../entities';
import { assertShareTargetsReach } from '../permissions/share-rules';
import type { RequestContext } from '../context/request-context';
import type {
  RemoveReportItemsInput,
  ShareReportInput,
  UpdateReportInput,
} from '../schema/types/inputs';
import { recordAuditEvent, type AuditAction } from './audit.service';
import { DomainError, invalidInput, requiredText } from '../shared/errors';
import { distinctIds } from '../shared/ids';
import { rowCount } from '../database/raw-sql';
import { inTransaction } from './transaction';
import { lockVisibleReport } from './locks';

/**
 * R25: the report the viewer may open, locked for an edit (lockVisibleReport: its account FOR
 * SHARE, then the report FOR UPDATE), and ACTIVE (R11). Who may edit (creator or one of the
 * account's own ADMINs) is the shield gate's, decided again on the locked rows.
 */
async function lockEditableReport(
  em: EntityManager,
  ctx: RequestContext,
  reportId: string,
  field = ['input', 'reportId'],
): Promise<Report> {
  const { report } = await lockVisibleReport(em, ctx, reportId, field);
  if (report.status !== ReportStatus.ACTIVE) {
    throw new DomainError('REPORT_ARCHIVED', 'An archived report cannot be changed (R11)', field);
  }
  return report;
}

const audit = (
  em: EntityManager,
  ctx: RequestContext,
  action: AuditAction,
  report: Report,
  details: Record<string, unknown>,
) =>
  recordAuditEvent(em, ctx, {
    action,
    accountId: report.accountId,
    relatedAccountId: null,
    details: { reportId: report.id, ...details },
  });

/** Users to share with must reach the report's account (R25, A2), else INVALID_INPUT. */
async function usersReachingAccount(em: EntityManager, accountId: string, userIds: string[]) {
  const ids = distinctIds(userIds, ['input', 'userIds']);
  if (ids.length === 0) throw invalidInput(['input', 'userIds'], 'userIds must not be empty');
  await assertShareTargetsReach(em, accountId, ids, ['input', 'userIds']);
  return ids;
}

const reload = (em: EntityManager, report: Report) =>
  em.getRepository(Report).findOneByOrFail({ id: report.id });

/**
 * R25: the creator or an ADMIN of the report's account shares an ACTIVE report with users who
 * reach its account (others: INVALID_INPUT). Sharing twice changes nothing. R27: audited.
 */
export async function shareReport(ctx: RequestContext, input: ShareReportInput) {
  return inTransaction(ctx, async (em) => {
    const report = await lockEditableReport(em, ctx, input.reportId);
    const userIds = await usersReachingAccount(em, report.accountId, input.userIds);
    await em.query(
      `INSERT INTO report_shares (report_id, user_id) SELECT $1, unnest($2::uuid[])
       ON CONFLICT DO NOTHING`,
      [report.id, userIds],
    );
    await audit(em, ctx, 'REPORT_SHARED', report, { userIds });
    return reload(em, report);
  });
}

/**
 * R25: the creator or an ADMIN takes shares back; a RESTRICTED report is gone for those users
 * with the next request (I3). Ids that were not shared change nothing. R27: audited.
 */
export async function unshareReport(ctx: RequestContext, input: ShareReportInput) {
  const userIds = distinctIds(input.userIds, ['input', 'userIds']);
  return inTransaction(ctx, async (em) => {
    const report = await lockEditableReport(em, ctx, input.reportId);
    await em.query(`DELETE FROM report_shares WHERE report_id = $1 AND user_id = ANY($2::uuid[])`, [
      report.id,
      userIds,
    ]);
    await audit(em, ctx, 'REPORT_UNSHARED', report, { userIds });
    return reload(em, report);
  });
}

/**
 * R25: rename an ACTIVE report or change its visibility; making it RESTRICTED takes it away from
 * everyone but its creator, the account's ADMINs and the users it is shared with, with the next
 * request. At least one of name and visibility (INVALID_INPUT). R27: audited.
 */
export async function updateReport(ctx: RequestContext, input: UpdateReportInput) {
  const name = input.name == null ? null : requiredText(input.name, ['input', 'name']);
  if (name === null && input.visibility == null) {
    throw invalidInput(['input'], 'Give a new name, a new visibility, or both');
  }
  return inTransaction(ctx, async (em) => {
    const report = await lockEditableReport(em, ctx, input.reportId);
    const changes = {
      ...(name !== null ? { name } : {}),
      ...(input.visibility != null ? { visibility: input.visibility } : {}),
    };
    await em.update(Report, { id: report.id }, changes);
    await audit(em, ctx, 'REPORT_UPDATED', report, {
      from: { name: report.name, visibility: report.visibility },
      to: changes,
    });
    return reload(em, report);
  });
}

/**
 * R25: remove items from an ACTIVE report (the items themselves stay on the account). Every id
 * must be an item of the report (INVALID_INPUT naming itemIds otherwise). R27: audited.
 */
export async function removeReportItems(ctx: RequestContext, input: RemoveReportItemsInput) {
  const itemIds = distinctIds(input.itemIds, ['input', 'itemIds']);
  if (itemIds.length === 0) throw invalidInput(['input', 'itemIds'], 'itemIds must not be empty');
  return inTransaction(ctx, async (em) => {
    const report = await lockEditableReport(em, ctx, input.reportId);
    const removed = rowCount(
      await em.query(
        `DELETE FROM report_items WHERE report_id = $1 AND item_id = ANY($2::uuid[])`,
        [report.id, itemIds],
      ),
    );
    if (removed !== itemIds.length) {
      throw invalidInput(['input', 'itemIds'], 'Every id must be an item of this report');
    }
    await audit(em, ctx, 'REPORT_ITEMS_REMOVED', report, { itemIds });
    return reload(em, report);
  });
}

/**
 * R25: the creator or an ADMIN deletes an ACTIVE report with its shares and item links (items
 * stay on the account). An archived report is kept (REPORT_ARCHIVED): racing a client
 * disconnection, the report is either deleted first or archived, never both. R27: audited with
 * its name, so the log still says what was deleted.
 */
export async function deleteReport(ctx: RequestContext, reportId: string) {
  return inTransaction(ctx, async (em) => {
    const report = await lockEditableReport(em, ctx, reportId, ['reportId']);
    await em.delete(Report, { id: report.id });
    await audit(em, ctx, 'REPORT_DELETED', report, { name: report.name });
    return report.id;
  });
}
