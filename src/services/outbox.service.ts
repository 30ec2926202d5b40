import type { EntityManager } from 'typeorm';
import { Role } from '../entities';

/**
 * R19, R24: one outbox row per active ADMIN of the given accounts, written in the transaction of
 * the change it tells about (delivered after commit by src/mail/mail-relay.ts, never for a
 * rollback). The dedupe key names the change and the admin, so nothing can queue a second email
 * for the same change. One statement.
 */
export async function queueAdminEmails(
  em: EntityManager,
  args: { dedupePrefix: string; accountIds: string[]; subject: string; body: string },
) {
  await em.query(
    `INSERT INTO email_outbox (dedupe_key, to_address, subject, body)
     SELECT $1 || ':' || u.id, u.email, $2, $3
       FROM users u
      WHERE u.active
        AND EXISTS (SELECT 1 FROM memberships m
                     WHERE m.user_id = u.id AND m.account_id = ANY($4::uuid[]) AND m.role = $5)
     ON CONFLICT (dedupe_key) DO NOTHING`,
    [args.dedupePrefix, args.subject, args.body, args.accountIds, Role.ADMIN],
  );
}
