import type { DataSource, EntityManager } from 'typeorm';
import { query } from '../database/raw-sql';
import type { AuditAction } from './audit.service';

/** Typed, so the one statement that writes it cannot drift from the actions audit readers know. */
const EXPIRED: AuditAction = 'CONNECTION_EXPIRED';

/**
 * R26: persists EXPIRED for PENDING requests past their expiresAt, with one CONNECTION_EXPIRED
 * audit event each (R22, R27), in one statement — the relay worker for all of them, and
 * `requestConnection` for its pair (`pair`) before it sends a new request, so every expiry is
 * audited the same way. Reads never wait for it — the entity already shows such a request as
 * EXPIRED — but lists filtered in SQL, the open-pair unique index and the audit log do.
 * Returns how many requests expired.
 */
export async function expireDueConnections(
  executor: DataSource | EntityManager,
  pair?: { agencyId: string; premiumClientId: string },
): Promise<number> {
  const rows = await query(
    executor,
    `WITH expired AS (
       UPDATE agency_connections SET status = 'EXPIRED'
        WHERE status = 'PENDING' AND expires_at <= now()
          AND (CAST(:agencyId AS uuid) IS NULL
               OR (agency_id = CAST(:agencyId AS uuid)
                   AND premium_client_id = CAST(:premiumClientId AS uuid)))
        RETURNING id, agency_id, premium_client_id, expires_at)
     INSERT INTO audit_events (action, actor_id, account_id, related_account_id, request_id, details)
     SELECT CAST(:action AS text), NULL, premium_client_id, agency_id, NULL,
            jsonb_build_object('connectionId', id, 'expiresAt', expires_at)
       FROM expired
     RETURNING id`,
    {
      action: EXPIRED,
      agencyId: pair?.agencyId ?? null,
      premiumClientId: pair?.premiumClientId ?? null,
    },
  );
  return rows.length;
}
