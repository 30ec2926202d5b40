import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../context/request-context';

/** The actions written to audit_events (R22). */
export type AuditAction =
  | 'CONNECTION_REQUESTED'
  | 'CONNECTION_ACCEPTED'
  | 'CONNECTION_DECLINED'
  | 'CONNECTION_CANCELLED'
  | 'CONNECTION_EXPIRED'
  | 'AGENCY_DISCONNECTED'
  | 'CLIENT_DISCONNECTED'
  | 'CLIENT_CONVERTED_TO_PREMIUM'
  | 'CLIENT_ACCESS_CHANGED'
  | 'CONNECTION_ACCESS_CHANGED'
  | 'MEMBER_ADDED'
  | 'MEMBER_REMOVED'
  | 'MEMBER_ROLE_CHANGED'
  | 'USER_DEACTIVATED'
  | 'REPORT_SHARED'
  | 'REPORT_UNSHARED'
  | 'REPORT_UPDATED'
  | 'REPORT_ITEMS_REMOVED'
  | 'REPORT_DELETED'
  | 'API_TOKEN_CREATED'
  | 'API_TOKEN_REVOKED'
  | 'DISCONNECTION_SCHEDULED'
  | 'SCHEDULED_DISCONNECTION_CANCELLED'
  | 'SCHEDULED_DISCONNECTION_FAILED';

/**
 * R22: appends one audit event in the caller's transaction (so it commits or rolls back with the
 * change it records). `accountId` is the account acted on (the premium or client account),
 * `relatedAccountId` the other side (the agency); admins of either read it through `auditEvents`.
 * A job's events (R31) name the run: `actor_id` is the user it acts on behalf of, and the details
 * carry `scheduledRun` (the schedule, the scheduling account, run by the scheduler).
 * Returns the event id. One statement.
 */
export async function recordAuditEvent(
  em: EntityManager,
  ctx: RequestContext,
  event: {
    action: AuditAction;
    accountId: string;
    relatedAccountId: string | null;
    details: Record<string, unknown>;
  },
): Promise<string> {
  const rows: { id: string }[] = await em.query(
    `INSERT INTO audit_events (action, actor_id, account_id, related_account_id, request_id, details)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb) RETURNING id`,
    [
      event.action,
      ctx.viewer?.user.id ?? null,
      event.accountId,
      event.relatedAccountId,
      ctx.requestId,
      JSON.stringify(
        ctx.viewer?.kind === 'job'
          ? {
              ...event.details,
              scheduledRun: {
                runBy: 'scheduler',
                scheduleId: ctx.viewer.job.scheduleId,
                scheduledById: ctx.viewer.user.id,
                onBehalfOfAccountId: ctx.viewer.job.onBehalfOfAccountId,
              },
            }
          : event.details,
      ),
    ],
  );
  return rows[0].id;
}
