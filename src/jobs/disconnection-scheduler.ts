import type { DataSource, EntityManager } from 'typeorm';
import type { Env } from '../config/env';
import { logger as rootLogger, type Logger } from '../config/logger';
import { jobContext } from '../context/request-context';
import { rowMapper } from '../database/raw-sql';
import { ScheduledDisconnection, User } from '../entities';
import { recordAuditEvent } from '../services/audit.service';
import { disconnectAsScheduled } from '../services/disconnection.service';
import { queueAdminEmails } from '../services/outbox.service';
import { linkTitle, when } from '../services/scheduled-disconnection.service';
import { ScheduleNoLongerDue } from '../services/schedule-settlement';
import { inTransaction } from '../services/transaction';
import { DomainError } from '../shared/errors';

const DAY_MS = 24 * 60 * 60 * 1000;

/** R31: the reminders, latest first: each is sent once, and only while it is still ahead. */
const REMINDERS = [
  { key: '1d', beforeMs: DAY_MS, until: 0 },
  { key: '7d', beforeMs: 7 * DAY_MS, until: DAY_MS },
] as const;

export interface SchedulerOptions {
  db: DataSource;
  env: Env;
  log?: Logger;
  /**
   * A claimed schedule is not claimed again for this long (default SCHEDULER_LEASE_SECONDS, 5
   * min): the run must finish within it, and a run whose process died is claimed again once it
   * has passed.
   */
  leaseMs?: number;
  /** Schedules claimed per tick (default 20). */
  batchSize?: number;
  /** After this many claims that failed for a passing reason, the schedule ends FAILED (8). */
  maxAttempts?: number;
}

export type RunResult = 'DONE' | 'ALREADY_DISCONNECTED' | 'FAILED' | 'NOT_DUE' | 'RETRY';

export interface TickSummary {
  /** The reminders queued: `<scheduleId>:<7d|1d>`. */
  reminders: string[];
  runs: Record<string, RunResult>;
}

/**
 * R31: claims due SCHEDULED rows with `FOR UPDATE SKIP LOCKED` in one short statement that
 * counts the attempt and leases the row until `now + lease` — as the mail relay claims outbox
 * rows — so two schedulers never run one schedule at once, and a run whose process died is
 * claimed again once its lease has passed. The claim changes nothing else: the run's own
 * transaction decides, all or nothing.
 */
async function claimDue(db: DataSource, now: Date, leaseMs: number, batchSize: number) {
  const [rows] = await db.query<[Record<string, unknown>[], number]>(
    `UPDATE scheduled_disconnections s
        SET attempts = s.attempts + 1,
            lease_until = $1::timestamptz + make_interval(secs => $2::double precision / 1000)
      WHERE s.id IN (SELECT d.id FROM scheduled_disconnections d
                      WHERE d.status = 'SCHEDULED' AND d.run_at <= $1
                        AND (d.lease_until IS NULL OR d.lease_until <= $1)
                      ORDER BY d.run_at, d.id
                      LIMIT $3
                      FOR UPDATE SKIP LOCKED)
     RETURNING s.*`,
    [now, leaseMs, batchSize],
  );
  return rows.map(rowMapper(db, ScheduledDisconnection));
}

/** The link of each schedule, for the reminders' emails: its accounts and how to name it. */
async function linksOf(db: DataSource | EntityManager, ids: string[]) {
  const rows: {
    id: string;
    run_at: Date;
    agency_id: string;
    agency_name: string;
    target_id: string;
    target_name: string;
    is_client: boolean;
  }[] = await db.query(
    `SELECT s.id, s.run_at, a.id AS agency_id, a.name AS agency_name,
            t.id AS target_id, t.name AS target_name, s.client_account_id IS NOT NULL AS is_client
       FROM scheduled_disconnections s
       LEFT JOIN agency_connections k ON k.id = s.connection_id
       JOIN accounts t ON t.id = COALESCE(k.premium_client_id, s.client_account_id)
       JOIN accounts a ON a.id = COALESCE(k.agency_id, t.agency_id, s.scheduling_account_id)
      WHERE s.id = ANY($1::uuid[])`,
    [ids],
  );
  return rows.map((row) => ({
    id: row.id,
    runAt: new Date(row.run_at),
    accountIds: [row.agency_id, row.target_id],
    title: linkTitle({
      kind: row.is_client ? 'client' : 'connection',
      name: row.target_name,
      agencyName: row.agency_name,
    }),
  }));
}

/**
 * R31: the 7-day and 1-day reminders that are due at `now`, each once per schedule and admin:
 * a reminder is due from `runAt - before` until the next one is, and only when it was still
 * ahead when the disconnection was scheduled (one scheduled 3 days ahead gets no 7-day one).
 * Marked in `reminders_sent` and queued in the same transaction (dedupe keys as the backstop).
 */
async function queueDueReminders(db: DataSource, now: Date): Promise<string[]> {
  const queued: string[] = [];
  for (const reminder of REMINDERS) {
    await db.transaction(async (em) => {
      const [marked] = await em.query<[{ id: string }[], number]>(
        `UPDATE scheduled_disconnections s
            SET reminders_sent = array_append(s.reminders_sent, $2)
          WHERE s.status = 'SCHEDULED' AND NOT ($2 = ANY(s.reminders_sent))
            AND s.run_at - make_interval(secs => $3::double precision / 1000) <= $1
            AND s.run_at - make_interval(secs => $4::double precision / 1000) > $1
            AND s.scheduled_at <= s.run_at - make_interval(secs => $3::double precision / 1000)
         RETURNING s.id`,
        [now, reminder.key, reminder.beforeMs, reminder.until],
      );
      if (marked.length === 0) return;
      for (const link of await linksOf(
        em,
        marked.map((row) => row.id),
      )) {
        const ahead = reminder.key === '7d' ? '7 days' : '1 day';
        await queueAdminEmails(em, {
          dedupePrefix: `schedule:${link.id}:reminder-${reminder.key}`,
          accountIds: link.accountIds,
          subject: `Handover: ${link.title} will be disconnected in ${ahead}`,
          body: `The disconnection of ${link.title} is scheduled for ${when(link.runAt)}. Either side's admins can still cancel it.`,
        });
        queued.push(`${link.id}:${reminder.key}`);
      }
    });
  }
  return queued;
}

/**
 * R31: a run that cannot succeed ends FAILED with its reason, audited, and the user who
 * scheduled it is told by email (once; their account's ADMINs if they left it). Only a SCHEDULED schedule fails: a cancel or another run
 * that got there first wins.
 */
async function failSchedule(
  ctx: ReturnType<typeof jobContext>,
  schedule: ScheduledDisconnection,
  reason: string,
) {
  await inTransaction(ctx, async (em) => {
    const [rows] = await em.query<[{ id: string }[], number]>(
      `UPDATE scheduled_disconnections
          SET status = 'FAILED', failure_reason = $2, ran_at = now(), lease_until = NULL
        WHERE id = $1 AND status = 'SCHEDULED' RETURNING id`,
      [schedule.id, reason],
    );
    if (rows.length === 0) return;
    const [link] = await linksOf(em, [schedule.id]);
    await recordAuditEvent(em, ctx, {
      action: 'SCHEDULED_DISCONNECTION_FAILED',
      accountId: link.accountIds[1],
      relatedAccountId: link.accountIds[0],
      details: { scheduleId: schedule.id, reason },
    });
    // A3: the user who scheduled it, while still a member of the account it ran for; else that
    // account's ADMINs (a user who left learns nothing more of it).
    await em.query(
      `INSERT INTO email_outbox (dedupe_key, to_address, subject, body)
       SELECT $1 || ':' || u.id, u.email, $2, $3 FROM users u
        WHERE u.active
          AND (u.id = $4 AND EXISTS (SELECT 1 FROM memberships m
                                      WHERE m.user_id = u.id AND m.account_id = $5)
               OR (NOT EXISTS (SELECT 1 FROM memberships m
                                WHERE m.user_id = $4 AND m.account_id = $5)
                   AND EXISTS (SELECT 1 FROM memberships m
                                WHERE m.user_id = u.id AND m.account_id = $5 AND m.role = 'ADMIN')))
       ON CONFLICT (dedupe_key) DO NOTHING`,
      [
        `schedule:${schedule.id}:failed`,
        `Handover: the scheduled disconnection of ${link.title} failed`,
        `The disconnection of ${link.title} you scheduled for ${when(schedule.runAt)} did not run: ${reason}. Nothing was changed.`,
        schedule.scheduledById,
        schedule.schedulingAccountId,
      ],
    );
  });
}

/** R31: the link was disconnected by other means first: the schedule says so, nothing is sent. */
async function endAlreadyDisconnected(ctx: ReturnType<typeof jobContext>, id: string) {
  await ctx.db.query(
    `UPDATE scheduled_disconnections
        SET status = 'ALREADY_DISCONNECTED', ran_at = now(), lease_until = NULL
      WHERE id = $1 AND status = 'SCHEDULED'`,
    [id],
  );
}

/**
 * R31: runs one claimed schedule — the very disconnection (disconnectAsScheduled), by the
 * scheduler on behalf of the scheduling account and its user. Outcomes: DONE (the disconnection
 * committed with the schedule's end), ALREADY_DISCONNECTED (nothing sent), FAILED (a reason that
 * will not pass: converted meanwhile, no longer ACTIVE…), NOT_DUE (cancelled or ended since the
 * claim: the run rolled back), RETRY (a passing failure — a lost connection, a lock conflict —
 * left for a later claim, until `maxAttempts`).
 */
export async function runSchedule(
  options: SchedulerOptions,
  schedule: ScheduledDisconnection,
): Promise<RunResult> {
  const log = options.log ?? rootLogger;
  const user = schedule.scheduledById
    ? await options.db.getRepository(User).findOneBy({ id: schedule.scheduledById })
    : null;
  if (!user) throw new Error(`schedule ${schedule.id} has no scheduling user`);
  const ctx = jobContext({ schedule, onBehalfOf: user, db: options.db, env: options.env, log });
  try {
    return await disconnectAsScheduled(ctx, schedule);
  } catch (error) {
    if (error instanceof ScheduleNoLongerDue) return 'NOT_DUE';
    if (error instanceof DomainError && error.code === 'ALREADY_DISCONNECTED') {
      await endAlreadyDisconnected(ctx, schedule.id);
      return 'ALREADY_DISCONNECTED';
    }
    if (error instanceof DomainError) {
      await failSchedule(ctx, schedule, error.message);
      return 'FAILED';
    }
    log.warn({ err: error, scheduleId: schedule.id }, 'scheduled disconnection will be retried');
    if (schedule.attempts >= (options.maxAttempts ?? 8)) {
      await failSchedule(ctx, schedule, `it failed ${schedule.attempts} times`);
      return 'FAILED';
    }
    return 'RETRY';
  }
}

/**
 * R31: one tick of the scheduler at `now` (tests pass their own clock): the reminders due, then
 * the schedules due, claimed and run one by one.
 */
export async function runSchedulerTick(
  options: SchedulerOptions,
  now: Date = new Date(),
): Promise<TickSummary> {
  const reminders = await queueDueReminders(options.db, now);
  const claimed = await claimDue(
    options.db,
    now,
    options.leaseMs ?? options.env.SCHEDULER_LEASE_SECONDS * 1000,
    options.batchSize ?? 20,
  );
  const runs: Record<string, RunResult> = {};
  for (const schedule of claimed) {
    // One schedule's unexpected failure leaves the others to run; its lease brings it back.
    runs[schedule.id] = await runSchedule(options, schedule).catch((error: unknown) => {
      (options.log ?? rootLogger).error({ err: error, scheduleId: schedule.id }, 'run failed');
      return 'RETRY' as const;
    });
  }
  return { reminders, runs };
}

/**
 * Runs a tick every SCHEDULER_INTERVAL_MS (default 30 s) until stopped (the server and `npm run
 * worker`).
 */
export function startDisconnectionScheduler(
  options: SchedulerOptions,
  intervalMs = options.env.SCHEDULER_INTERVAL_MS,
) {
  const log = options.log ?? rootLogger;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    running = running
      .then(() => runSchedulerTick(options))
      .then(
        ({ reminders, runs }) => {
          if (Object.keys(runs).length + reminders.length > 0)
            log.info({ reminders, runs }, 'scheduled disconnections (R31)');
        },
        (error: unknown) => log.warn({ err: error }, 'the disconnection scheduler tick failed'),
      );
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
