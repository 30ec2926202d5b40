import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { DataSource } from 'typeorm';
import type { Env } from '../config/env';
import { logger as rootLogger, type Logger } from '../config/logger';

/** A claimed outbox row (R19). */
interface OutboxRow {
  id: string;
  to_address: string;
  subject: string;
  body: string;
  attempts: number;
}

export interface MailRelayOptions {
  db: DataSource;
  env: Pick<Env, 'SMTP_URL' | 'MAIL_FROM' | 'DATA_DIR'> & Partial<Pick<Env, 'MAIL_LEASE_SECONDS'>>;
  /** How often the relay looks for due rows (default 1 s). */
  pollMs?: number;
  /** After this many failed attempts a row is FAILED (default 8). */
  maxAttempts?: number;
  /** Backoff after the n-th failure: base * 2^(n-1), capped (defaults 2 s, 10 min). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /**
   * A claimed row is invisible to other relays for this long (crash recovery; default
   * MAIL_LEASE_SECONDS, 2 min). It must exceed the slowest send, or two relays send one row.
   */
  leaseMs?: number;
  /** Rows claimed per round (default 20). */
  batchSize?: number;
  log?: Logger;
  /** Poll in the background (default true); false leaves delivery to `runOnce` (tests). */
  autoStart?: boolean;
}

export interface MailRelay {
  /** Claims and delivers the rows due now; resolves with how many were claimed. */
  runOnce(): Promise<number>;
  /** Stops polling and waits for the round in flight. */
  stop(): Promise<void>;
}

/** The deterministic Message-ID of an outbox row: a retried delivery carries the same id. */
export const messageIdOf = (rowId: string) => `<${rowId}@handover.local>`;

type Transport = ReturnType<typeof nodemailer.createTransport>;

/** R19: SMTP_URL when set; otherwise messages are rendered in memory and written as files. */
function mailTransport(env: MailRelayOptions['env']): Transport {
  return env.SMTP_URL
    ? nodemailer.createTransport(env.SMTP_URL, {
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 30_000,
      } as never)
    : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
}

/**
 * R19: claims due PENDING rows with `FOR UPDATE SKIP LOCKED` in one short statement that
 * counts the attempt and leases the row (next_attempt_at = now + lease), so several relays never
 * send the same row concurrently, and a row whose relay crashed mid-send is retried once the
 * lease expires.
 */
async function claimDueRows(db: DataSource, batchSize: number, leaseMs: number) {
  const [rows] = await db.query<[OutboxRow[], number]>(
    `UPDATE email_outbox o
        SET attempts = o.attempts + 1,
            next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
      WHERE o.id IN (SELECT d.id FROM email_outbox d
                      WHERE d.status = 'PENDING' AND d.next_attempt_at <= now()
                      ORDER BY d.next_attempt_at, d.id
                      LIMIT $1
                      FOR UPDATE SKIP LOCKED)
     RETURNING o.id, o.to_address, o.subject, o.body, o.attempts`,
    [batchSize, leaseMs],
  );
  return rows;
}

/**
 * R19: sends one row, with the row's own Message-ID so a retried delivery is recognisable as the
 * same message; without SMTP_URL the message is written to `<DATA_DIR>/mail/<id>.eml`.
 */
async function deliverRow(
  transport: Transport,
  env: MailRelayOptions['env'],
  mailDir: string,
  row: OutboxRow,
) {
  const info = await transport.sendMail({
    from: env.MAIL_FROM,
    to: row.to_address,
    subject: row.subject,
    text: row.body,
    messageId: messageIdOf(row.id),
    date: new Date(),
  });
  if (!env.SMTP_URL) {
    await mkdir(mailDir, { recursive: true });
    await writeFile(path.join(mailDir, `${row.id}.eml`), (info as { message: Buffer }).message);
  }
}

interface RetryPolicy {
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

/**
 * R19: marks a delivered row SENT; a failed one records last_error and is retried with
 * exponential backoff, FAILED after `maxAttempts`. Both are conditional on PENDING, so a late
 * relay never overwrites SENT.
 */
async function settleRow(
  db: DataSource,
  log: Logger,
  policy: RetryPolicy,
  row: OutboxRow,
  error: unknown,
) {
  if (!error) {
    await db.query(
      `UPDATE email_outbox SET status = 'SENT', sent_at = now(), last_error = NULL
        WHERE id = $1 AND status = 'PENDING'`,
      [row.id],
    );
    return;
  }
  const message = (error instanceof Error ? error.message : JSON.stringify(error)).slice(0, 1000);
  const failed = row.attempts >= policy.maxAttempts;
  const delay = Math.min(
    policy.backoffMaxMs,
    policy.backoffBaseMs * 2 ** Math.max(0, row.attempts - 1),
  );
  await db.query(
    `UPDATE email_outbox
        SET status = $2::outbox_status, last_error = $3,
            next_attempt_at = now() + make_interval(secs => $4::double precision / 1000)
      WHERE id = $1 AND status = 'PENDING'`,
    [row.id, failed ? 'FAILED' : 'PENDING', message, delay],
  );
  log.warn({ outboxId: row.id, attempts: row.attempts, failed, err: message }, 'mail failed');
}

/**
 * R19: runs `round` every `pollMs` until stopped, at once again after a full batch (more may be
 * due); `stop` waits for the round in flight.
 */
function pollInBackground(
  round: () => Promise<number>,
  options: { pollMs: number; batchSize: number; autoStart: boolean; log: Logger },
) {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let inFlight: Promise<unknown> = Promise.resolve();
  const tick = () => {
    timer = null;
    if (stopped) return;
    inFlight = round()
      .catch((error: unknown) => options.log.error({ err: error }, 'mail relay round failed'))
      .then((claimed) => {
        if (stopped) return;
        timer = setTimeout(tick, claimed === options.batchSize ? 0 : options.pollMs);
      });
  };
  if (options.autoStart) timer = setTimeout(tick, 0);
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await inFlight;
  };
}

/**
 * R19 transactional-outbox relay. Disconnections write email_outbox rows in their own
 * transaction; this relay delivers them after commit, in rounds: claim (claimDueRows), send
 * (deliverRow), settle (settleRow). Several relays (the server and `npm run worker`, several
 * processes) may run at once.
 */
export function startMailRelay(options: MailRelayOptions): MailRelay {
  const {
    db,
    env,
    pollMs = 1000,
    maxAttempts = 8,
    backoffBaseMs = 2000,
    backoffMaxMs = 10 * 60 * 1000,
    leaseMs = (options.env.MAIL_LEASE_SECONDS ?? 120) * 1000,
    batchSize = 20,
    autoStart = true,
  } = options;
  const log = options.log ?? rootLogger.child({ component: 'mail-relay' });
  const mailDir = path.resolve(env.DATA_DIR, 'mail');
  const transport = mailTransport(env);
  const policy: RetryPolicy = { maxAttempts, backoffBaseMs, backoffMaxMs };

  async function runOnce(): Promise<number> {
    const rows = await claimDueRows(db, batchSize, leaseMs);
    for (const row of rows) {
      let error: unknown = null;
      try {
        await deliverRow(transport, env, mailDir, row);
      } catch (caught) {
        error = caught ?? new Error('unknown mail error');
      }
      await settleRow(db, log, policy, row, error);
    }
    return rows.length;
  }

  const stopPolling = pollInBackground(runOnce, { pollMs, batchSize, autoStart, log });
  return {
    runOnce,
    async stop() {
      await stopPolling();
      transport.close();
    },
  };
}
