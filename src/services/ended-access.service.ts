import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../context/request-context';
import { query } from '../database/raw-sql';
import { ReportStatus } from '../entities/enums';
import { usableApiToken } from '../permissions/api-token-rules';
import { REACHES } from '../permissions/authority';

/**
 * Grants that end with the access they were made for (domain.md R6, R18, R24, R27). Each runs in
 * the transaction of the change that ended the access, after that change, as one set-based
 * statement that deletes or revokes what no longer holds and writes one audit event per report,
 * client, connection or token it ended (actor: whoever made the change). So nothing revives: a
 * member added again, a connection made again or a creator promoted again starts with nothing.
 *
 * `scope` narrows the statement to what the change can have ended: the users whose access
 * changed, or the accounts whose access changed.
 */
export type EndedAccessScope = { userIds: string[] } | { accountIds: string[] };

const scopeParams = (scope: EndedAccessScope) => ({
  userIds: 'userIds' in scope ? scope.userIds : null,
  accountIds: 'accountIds' in scope ? scope.accountIds : null,
});

/** `column` holds one of the scope's users (`user`) or accounts (`account`). */
const inScope = (user: string, account: string) => `(
    ${user} = ANY(CAST(:userIds AS uuid[])) OR ${account} = ANY(CAST(:accountIds AS uuid[])))`;

const auditParams = (ctx: RequestContext) => ({
  actorId: ctx.viewer?.user.id ?? null,
  requestId: ctx.requestId,
});

/**
 * R24, R6, R27: a report share lives only while its user reaches the report's account (REACHES,
 * as it stands after the change). Shares of ACTIVE reports whose user no longer does are deleted —
 * a user removed from the agency, an agency disconnected from the premium (R6), a user no longer
 * selected on the client — with one REPORT_UNSHARED event per report (reason ACCESS_ENDED).
 * Archived reports keep their rows: R16's snapshot, not shares, decides who opens them.
 */
export async function endSharesWithoutReach(
  em: EntityManager,
  ctx: RequestContext,
  scope: EndedAccessScope,
): Promise<number> {
  const [row] = await query<{ ended: string }>(
    em,
    `WITH ended AS (
       DELETE FROM report_shares sh USING reports r
        WHERE r.id = sh.report_id AND r.status = '${ReportStatus.ACTIVE}'
          AND ${inScope('sh.user_id', 'r.account_id')}
          AND NOT EXISTS (SELECT 1 FROM ${REACHES} acl
                           WHERE acl.user_id = sh.user_id AND acl.account_id = r.account_id)
       RETURNING sh.report_id, sh.user_id, r.account_id),
     audited AS (
       INSERT INTO audit_events (action, actor_id, account_id, request_id, details)
       SELECT 'REPORT_UNSHARED', CAST(:actorId AS uuid), e.account_id, CAST(:requestId AS text),
              jsonb_build_object('reportId', e.report_id, 'userIds', jsonb_agg(e.user_id),
                                 'reason', 'ACCESS_ENDED')
         FROM ended e GROUP BY e.report_id, e.account_id)
     SELECT count(*) AS ended FROM ended`,
    { ...scopeParams(scope), ...auditParams(ctx) },
  );
  return Number(row.ended);
}

/**
 * R18, R24, R27: an API token ends for good when its creator no longer acts for its account as
 * ADMIN (removed, demoted, no longer selected on the client, deactivated): revoked now, with one
 * API_TOKEN_REVOKED event each (reason CREATOR_LOST_ADMIN). Authentication already refuses such a
 * token (`usableApiToken`); revoking it means promoting the creator again does not revive it.
 */
export async function endTokensOfCreatorsWithoutAdmin(
  em: EntityManager,
  ctx: RequestContext,
  scope: EndedAccessScope,
): Promise<number> {
  const [row] = await query<{ ended: string }>(
    em,
    `WITH ended AS (
       UPDATE api_tokens t SET revoked_at = now()
         FROM users u
        WHERE u.id = t.created_by_id AND t.revoked_at IS NULL
          AND ${inScope('t.created_by_id', 't.account_id')}
          AND NOT ${usableApiToken('t', 'u')}
       RETURNING t.id, t.name, t.account_id),
     audited AS (
       INSERT INTO audit_events (action, actor_id, account_id, request_id, details)
       SELECT 'API_TOKEN_REVOKED', CAST(:actorId AS uuid), e.account_id, CAST(:requestId AS text),
              jsonb_build_object('tokenId', e.id, 'name', e.name, 'reason', 'CREATOR_LOST_ADMIN')
         FROM ended e)
     SELECT count(*) AS ended FROM ended`,
    { ...scopeParams(scope), ...auditParams(ctx) },
  );
  return Number(row.ended);
}

/**
 * R24, R27: leaving an agency ends the member's selections on its clients and its connections
 * (a re-added member starts with none), one CLIENT_ACCESS_CHANGED or CONNECTION_ACCESS_CHANGED
 * event per client or connection (reason MEMBER_LEFT, the user in `removedUserIds`).
 */
export async function endSelectionsInAgency(
  em: EntityManager,
  ctx: RequestContext,
  agencyId: string,
  userId: string,
): Promise<void> {
  await query(
    em,
    `WITH ended_clients AS (
       DELETE FROM client_access_grants g USING accounts c
        WHERE c.id = g.account_id AND c.agency_id = CAST(:agencyId AS uuid)
          AND g.user_id = CAST(:userId AS uuid)
       RETURNING g.account_id),
     ended_connections AS (
       DELETE FROM connection_access_grants g USING agency_connections k
        WHERE k.id = g.connection_id AND k.agency_id = CAST(:agencyId AS uuid)
          AND g.user_id = CAST(:userId AS uuid)
       RETURNING g.connection_id, k.premium_client_id)
     INSERT INTO audit_events (action, actor_id, account_id, related_account_id, request_id, details)
     SELECT 'CLIENT_ACCESS_CHANGED', CAST(:actorId AS uuid), e.account_id, CAST(:agencyId AS uuid),
            CAST(:requestId AS text),
            jsonb_build_object('removedUserIds', jsonb_build_array(CAST(:userId AS text)),
                               'reason', 'MEMBER_LEFT')
       FROM ended_clients e
     UNION ALL
     SELECT 'CONNECTION_ACCESS_CHANGED', CAST(:actorId AS uuid), CAST(:agencyId AS uuid),
            e.premium_client_id, CAST(:requestId AS text),
            jsonb_build_object('connectionId', e.connection_id,
                               'removedUserIds', jsonb_build_array(CAST(:userId AS text)),
                               'reason', 'MEMBER_LEFT')
       FROM ended_connections e`,
    { agencyId, userId, ...auditParams(ctx) },
  );
}
