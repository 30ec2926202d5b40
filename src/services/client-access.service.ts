import type { EntityManager } from 'typeorm';
import {
  AccountType,
  AgencyConnection,
  ClientAccessGrant,
  ClientAccessMode,
  ConnectionAccessGrant,
  ConnectionStatus,
  Account,
} from '../entities';
import type { RequestContext } from '../context/request-context';
import type { SetClientAccessInput, SetConnectionAccessInput } from '../schema/types/inputs';
import { recordAuditEvent } from './audit.service';
import { endSharesWithoutReach, endTokensOfCreatorsWithoutAdmin } from './ended-access.service';
import { DomainError, invalidInput } from '../shared/errors';
import { distinctIds } from '../shared/ids';
import { inTransaction } from './transaction';
import { assertActiveAccount, lockVisibleAccount, lockVisibleConnection } from './locks';

/** Users selected for a client or a connection must be members of the agency (SELECTED_USERS). */
export async function agencyMemberIds(
  em: EntityManager,
  agencyId: string,
  userIds: string[] | null | undefined,
) {
  const ids = distinctIds(userIds, ['input', 'userIds']);
  if (ids.length === 0) return [];
  const members: { user_id: string }[] = await em.query(
    `SELECT DISTINCT user_id FROM memberships WHERE user_id = ANY($1::uuid[]) AND account_id = $2`,
    [ids, agencyId],
  );
  if (members.length !== ids.length) {
    throw invalidInput(['input', 'userIds'], 'Every selected user must be a member of the agency');
  }
  return ids;
}

/**
 * Client access of a CLIENT account (domain.md, client access; A1): which of the owning agency's
 * users work on it — everyone in the agency, or the selected users (agency ADMINs always do).
 * Grants are replaced as a set; the change is seen by the next statement (I3). A premium
 * client's access belongs to each connection (`setConnectionAccess`): any other account type is
 * INVALID_INPUT. R27: audited on the client, related to its agency.
 */
export async function setClientAccess(ctx: RequestContext, input: SetClientAccessInput) {
  return inTransaction(ctx, async (em) => {
    const account = await lockVisibleAccount(em, ctx, input.accountId, 'share', [
      'input',
      'accountId',
    ]);
    if (account.type !== AccountType.CLIENT) {
      throw invalidInput(
        ['input', 'accountId'],
        account.type === AccountType.PREMIUM_CLIENT
          ? "A premium client's access is set per connection by each agency (setConnectionAccess)"
          : 'Client access applies to CLIENT accounts',
      );
    }
    assertActiveAccount(account);
    const selected =
      input.access === ClientAccessMode.SELECTED_USERS
        ? await agencyMemberIds(em, account.agencyId!, input.userIds)
        : [];
    await em.update(Account, { id: account.id }, { clientAccess: input.access });
    await em.delete(ClientAccessGrant, { accountId: account.id });
    if (selected.length > 0) {
      await em
        .getRepository(ClientAccessGrant)
        .insert(selected.map((userId) => ({ accountId: account.id, userId })));
    }
    await recordAuditEvent(em, ctx, {
      action: 'CLIENT_ACCESS_CHANGED',
      accountId: account.id,
      relatedAccountId: account.agencyId,
      details: { from: account.clientAccess, to: input.access, selectedUserIds: selected },
    });
    // Users no longer selected lose their shares on the client and, managers, their tokens.
    await endSharesWithoutReach(em, ctx, { accountIds: [account.id] });
    await endTokensOfCreatorsWithoutAdmin(em, ctx, { accountIds: [account.id] });
    return em.getRepository(Account).findOneByOrFail({ id: account.id });
  });
}

/**
 * Per-connection access (domain.md, client access; A1): the agency's ADMIN or ACCOUNT_MANAGER
 * (shield gate: acts for the connection's agency) decides which of *its own* users reach the
 * connected premium client — everyone in the agency or the selected users; agency ADMINs always
 * do. Another agency's connection to the same premium is untouched. PENDING (takes effect on
 * acceptance) or ACTIVE connections only, else INVALID_STATE. Grants are replaced as a set and
 * seen by the next statement (I3). R27: audited on the agency, related to the premium client.
 */
export async function setConnectionAccess(ctx: RequestContext, input: SetConnectionAccessInput) {
  return inTransaction(ctx, async (em) => {
    const { connection, agency, premium } = await lockVisibleConnection(
      em,
      ctx,
      input.connectionId,
      ['input', 'connectionId'],
    );
    if (
      connection.status !== ConnectionStatus.PENDING &&
      connection.status !== ConnectionStatus.ACTIVE
    ) {
      throw new DomainError(
        'INVALID_STATE',
        `Access is set on a PENDING or ACTIVE connection; this one is ${connection.status}`,
        ['input', 'connectionId'],
      );
    }
    const selected =
      input.access === ClientAccessMode.SELECTED_USERS
        ? await agencyMemberIds(em, agency.id, input.userIds)
        : [];
    await em.update(AgencyConnection, { id: connection.id }, { clientAccess: input.access });
    await em.delete(ConnectionAccessGrant, { connectionId: connection.id });
    if (selected.length > 0) {
      await em
        .getRepository(ConnectionAccessGrant)
        .insert(selected.map((userId) => ({ connectionId: connection.id, userId })));
    }
    await recordAuditEvent(em, ctx, {
      action: 'CONNECTION_ACCESS_CHANGED',
      accountId: agency.id,
      relatedAccountId: premium.id,
      details: {
        connectionId: connection.id,
        from: connection.clientAccess,
        to: input.access,
        selectedUserIds: selected,
      },
    });
    // The agency's users no longer selected lose their shares of the premium's reports (R6).
    await endSharesWithoutReach(em, ctx, { accountIds: [premium.id] });
    return em.getRepository(AgencyConnection).findOneByOrFail({ id: connection.id });
  });
}
