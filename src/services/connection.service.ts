import {
  Account,
  AccountStatus,
  AccountType,
  AgencyConnection,
  ConnectionStatus,
} from '../entities';
import { requireViewer, type RequestContext } from '../context/request-context';
import type { RequestConnectionInput } from '../schema/types/inputs';
import { recordAuditEvent, type AuditAction } from './audit.service';
import { expireDueConnections } from './connection-expiry';
import { DomainError, invalidInput, notFound } from '../shared/errors';
import { isId } from '../shared/ids';
import { inTransaction } from './transaction';
import { lockVisibleAccount, lockVisibleConnection, shareLockAccounts } from './locks';

const OPPOSITE: Partial<Record<AccountType, AccountType>> = {
  [AccountType.AGENCY]: AccountType.PREMIUM_CLIENT,
  [AccountType.PREMIUM_CLIENT]: AccountType.AGENCY,
};

const assertBothActive = (...accounts: Account[]) => {
  for (const account of accounts) {
    if (account.status !== AccountStatus.ACTIVE) {
      throw new DomainError('ACCOUNT_ARCHIVED', `Account "${account.name}" is archived`);
    }
  }
};

/**
 * R1, A1: an ADMIN or ACCOUNT_MANAGER acting for an AGENCY or PREMIUM_CLIENT account (the shield
 * gate checks the viewer acts for `fromAccountId`) asks an account of the opposite type to connect. The `from`
 * account must be visible to the viewer; the `to` account only has to exist (the requester
 * need not see it yet). At most one PENDING or ACTIVE connection per pair: checked by the
 * partial unique index agency_connections_open_pair_key (ON CONFLICT DO NOTHING), so two
 * racing requests cannot both succeed → CONNECTION_EXISTS. A PENDING request of the pair that
 * has expired (R26) is marked EXPIRED first and no longer counts. R22: audited.
 */
export async function requestConnection(ctx: RequestContext, input: RequestConnectionInput) {
  const { viewer } = requireViewer(ctx);
  return inTransaction(ctx, async (em) => {
    const from = await lockVisibleAccount(em, ctx, input.fromAccountId, 'share', [
      'input',
      'fromAccountId',
    ]);
    const toType = OPPOSITE[from.type];
    if (!toType) {
      throw invalidInput(
        ['input', 'fromAccountId'],
        'Connections link an AGENCY and a PREMIUM_CLIENT account',
      );
    }
    const toId = isId(input.toAccountId) ? input.toAccountId.toLowerCase() : null;
    const accounts = toId ? await shareLockAccounts(em, [from.id, toId]) : new Map();
    const to = toId ? accounts.get(toId) : undefined;
    if (!to) throw notFound('Account', ['input', 'toAccountId']);
    if (to.type !== toType) {
      throw invalidInput(['input', 'toAccountId'], `toAccountId must name a ${toType} account`);
    }
    assertBothActive(from, to);
    const agency = from.type === AccountType.AGENCY ? from : to;
    const premium = from.type === AccountType.AGENCY ? to : from;
    // R26: a request past its expiry no longer holds the pair; a new one may be sent.
    await expireDueConnections(em, { agencyId: agency.id, premiumClientId: premium.id });
    const inserted: { id: string }[] = await em.query(
      `INSERT INTO agency_connections
         (agency_id, premium_client_id, status, requested_by_account_id, requested_by_id)
       VALUES ($1, $2, 'PENDING', $3, $4)
       ON CONFLICT (agency_id, premium_client_id) WHERE status IN ('PENDING', 'ACTIVE') DO NOTHING
       RETURNING id`,
      [agency.id, premium.id, from.id, viewer.user.id],
    );
    if (inserted.length === 0) {
      throw new DomainError(
        'CONNECTION_EXISTS',
        `"${agency.name}" and "${premium.name}" already have a pending or active connection`,
        ['input', 'toAccountId'],
      );
    }
    await recordAuditEvent(em, ctx, {
      action: 'CONNECTION_REQUESTED',
      accountId: premium.id,
      relatedAccountId: agency.id,
      details: { connectionId: inserted[0].id, requestedByAccountId: from.id },
    });
    return em.getRepository(AgencyConnection).findOneByOrFail({ id: inserted[0].id });
  });
}

type Response = 'accept' | 'decline' | 'cancel';

const RESULT: Record<Response, { status: ConnectionStatus; action: AuditAction; verb: string }> = {
  accept: { status: ConnectionStatus.ACTIVE, action: 'CONNECTION_ACCEPTED', verb: 'accepted' },
  decline: { status: ConnectionStatus.DECLINED, action: 'CONNECTION_DECLINED', verb: 'declined' },
  cancel: { status: ConnectionStatus.CANCELLED, action: 'CONNECTION_CANCELLED', verb: 'cancelled' },
};

/**
 * R1, A1: the other side accepts or declines a PENDING request; the requesting side cancels it
 * (the shield gates check which side the viewer acts for as ADMIN/ACCOUNT_MANAGER). A request
 * past its expiresAt → EXPIRED (R26); any other state → INVALID_STATE. Accepting makes the
 * connection ACTIVE, which is what gives agency users access to the premium account (REACHES
 * derives it from ACTIVE connections), according to the connection's own access setting
 * (EVERYONE_IN_AGENCY unless the agency set it). Only the connection row is written, after both
 * account rows are share-locked in id order, so two answers to one request queue on the
 * connection row and the second sees it is no longer PENDING. Rows are never deleted: the
 * history stays. R22: audited.
 */
export async function respondToConnection(
  ctx: RequestContext,
  connectionId: string,
  response: Response,
) {
  const { viewer } = requireViewer(ctx);
  return inTransaction(ctx, async (em) => {
    const { connection, agency, premium } = await lockVisibleConnection(em, ctx, connectionId, [
      'connectionId',
    ]);
    if (connection.status === ConnectionStatus.EXPIRED) {
      throw new DomainError(
        'EXPIRED',
        `This request expired on ${connection.expiresAt?.toISOString()} without an answer (R26)`,
        ['connectionId'],
      );
    }
    if (connection.status !== ConnectionStatus.PENDING) {
      throw new DomainError(
        'INVALID_STATE',
        `Only a PENDING connection can be ${RESULT[response].verb}; this one is ${connection.status}`,
        ['connectionId'],
      );
    }
    if (response === 'accept') assertBothActive(agency, premium);
    const { status, action } = RESULT[response];
    await em.query(
      `UPDATE agency_connections SET status = $2, responded_at = now(), responded_by_id = $3
        WHERE id = $1`,
      [connection.id, status, viewer.user.id],
    );
    await recordAuditEvent(em, ctx, {
      action,
      accountId: premium.id,
      relatedAccountId: agency.id,
      details: { connectionId: connection.id, from: connection.status, to: status },
    });
    return em.getRepository(AgencyConnection).findOneByOrFail({ id: connection.id });
  });
}
