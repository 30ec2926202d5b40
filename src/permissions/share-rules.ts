import type { EntityManager } from 'typeorm';
import { invalidInput } from '../shared/errors';
import { REACHES } from './authority';

/**
 * R25, A2: a report is shared only with users who reach its account — a share opens one
 * RESTRICTED report to someone who already reaches the data, it never extends reach. Decided on
 * the transaction's own connection after the account row is locked, so a member removed
 * meanwhile is refused. Any user who does not: INVALID_INPUT naming `field`. `userIds` distinct.
 */
export async function assertShareTargetsReach(
  em: EntityManager,
  accountId: string,
  userIds: readonly string[],
  field: string[],
): Promise<void> {
  if (userIds.length === 0) return;
  const rows: { user_id: string }[] = await em.query(
    `SELECT DISTINCT acl.user_id FROM ${REACHES} acl
      WHERE acl.account_id = $1 AND acl.user_id = ANY($2::uuid[])`,
    [accountId, userIds],
  );
  if (rows.length !== userIds.length) {
    throw invalidInput(field, "Reports are shared only with users who reach the report's account");
  }
}
