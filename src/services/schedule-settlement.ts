import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../context/request-context';
import { DomainError } from '../shared/errors';

/** The link a schedule disconnects: a connection, or a CLIENT account. */
export interface ScheduleTarget {
  connectionId?: string | null;
  clientAccountId?: string | null;
}

/**
 * R31: ends the schedules of a link whose disconnection this transaction decided, under the
 * link's lock (the disconnection took it first: lock order target → schedule, as cancel and the
 * scheduler's run):
 * - the scheduler's own run (a job principal) ends its schedule `status` (DONE by default,
 *   ALREADY_DISCONNECTED for a link it found disconnected). If the schedule is no longer
 *   SCHEDULED — cancelled between its claim and this lock — the run must not happen: it throws,
 *   and the whole disconnection rolls back (ScheduleNoLongerDue).
 * - any other disconnection (by hand, bulk) ends a pending schedule of the link as
 *   ALREADY_DISCONNECTED: the run would find it so, and nothing more is sent.
 * One statement.
 */
export async function settleSchedulesOf(
  em: EntityManager,
  ctx: RequestContext,
  target: ScheduleTarget,
  status: 'DONE' | 'ALREADY_DISCONNECTED' = 'DONE',
): Promise<void> {
  const job = ctx.viewer?.kind === 'job' ? ctx.viewer.job : null;
  const [rows] = await em.query<[{ id: string }[], number]>(
    `UPDATE scheduled_disconnections s
        SET status = CAST($4 AS schedule_status), lease_until = NULL,
            ran_at = CASE WHEN $3::uuid IS NULL THEN NULL ELSE now() END
      WHERE s.status = 'SCHEDULED'
        AND (s.connection_id = $1::uuid OR s.client_account_id = $2::uuid)
        AND ($3::uuid IS NULL OR s.id = $3::uuid)
     RETURNING s.id`,
    [
      target.connectionId ?? null,
      target.clientAccountId ?? null,
      job?.scheduleId ?? null,
      job ? status : 'ALREADY_DISCONNECTED',
    ],
  );
  if (job && rows.length === 0) throw new ScheduleNoLongerDue();
}

/** The schedule a run was claimed for was cancelled (or ended) before the run took its lock. */
export class ScheduleNoLongerDue extends DomainError {
  constructor() {
    super('INVALID_STATE', 'The scheduled disconnection is no longer SCHEDULED');
  }
}
