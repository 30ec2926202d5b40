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

/**
 * R19 transactional-outbox relay. Disconnections write email_outbox rows in their own
 * transaction; this relay delivers them after commit:
 * - claims due PENDING rows with `FOR UPDATE SKIP LOCKED` in a short transaction that counts the
 *   attempt and leases the row (next_attempt_at = now + lease), so several relays (the server
 *   and `npm run worker`, several processes) never send the same row concurrently, and a row
 *   whose relay crashed mid-send is retried once the lease expires;
 * - sends with nodemailer to SMTP_URL, or writes `<DATA_DIR>/mail/<id>.eml` when it is unset,
 *   with Message-ID `<row id@handover.local>`;
 * - marks SENT (sent_at), or on failure records last_error and retries with exponential
 *   backoff, FAILED after `maxAttempts`.
 * Every statement is conditional on the row's status, so a late relay never overwrites SENT.
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
  const transport = env.SMTP_URL
    ? nodemailer.createTransport(env.SMTP_URL, {
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 30_000,
      } as never)
    : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });

  async function claim(): Promise<OutboxRow[]> {
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

  async function deliver(row: OutboxRow): Promise<void> {
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

  async function settle(row: OutboxRow, error: unknown) {
    if (!error) {
      await db.query(
        `UPDATE email_outbox SET status = 'SENT', sent_at = now(), last_error = NULL
          WHERE id = $1 AND status = 'PENDING'`,
        [row.id],
      );
      return;
    }
    const message = (error instanceof Error ? error.message : JSON.stringify(error)).slice(0, 1000);
    const failed = row.attempts >= maxAttempts;
    const delay = Math.min(backoffMaxMs, backoffBaseMs * 2 ** Math.max(0, row.attempts - 1));
    await db.query(
      `UPDATE email_outbox
          SET status = $2::outbox_status, last_error = $3,
              next_attempt_at = now() + make_interval(secs => $4::double precision / 1000)
        WHERE id = $1 AND status = 'PENDING'`,
      [row.id, failed ? 'FAILED' : 'PENDING', message, delay],
    );
    log.warn({ outboxId: row.id, attempts: row.attempts, failed, err: message }, 'mail failed');
  }

  async function runOnce(): Promise<number> {
    const rows = await claim();
    for (const row of rows) {
      let error: unknown = null;
      try {
        await deliver(row);
      } catch (caught) {
        error = caught ?? new Error('unknown mail error');
      }
      await settle(row, error);
    }
    return rows.length;
  }

  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let inFlight: Promise<unknown> = Promise.resolve();
  const tick = () => {
    timer = null;
    if (stopped) return;
    inFlight = runOnce()
      .catch((error: unknown) => log.error({ err: error }, 'mail relay round failed'))
      .then((claimed) => {
        if (stopped) return;
        // A full batch means more may be due: go again at once.
        timer = setTimeout(tick, claimed === batchSize ? 0 : pollMs);
      });
  };
  if (autoStart) timer = setTimeout(tick, 0);

  return {
    runOnce,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
      transport.close();
    },
  };
}
