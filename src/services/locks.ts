import type { EntityManager } from 'typeorm';
import { requireViewer, type RequestContext } from '../context/request-context';
import { query, rowMapper } from '../database/raw-sql';
import { Account, AccountStatus, AgencyConnection, Integration, Report } from '../entities';
import { managesOwningAgency } from '../permissions/authority';
import { confirmGateDecisions } from '../permissions/gate-decisions';
import type { Visibility } from '../permissions/visibility';
import { DomainError, invalidInput, notFound } from '../shared/errors';
import { isId } from '../shared/ids';

/*
 * Find visible, then lock: one helper per kind of row a write locks, all in the one lock order of
 * docs/concurrency.md (accounts in id order, an owning agency before its client → the connection
 * → the report → its items). Each finds the row through the SQL visibility predicates, so what
 * the viewer may not see is NOT_FOUND (A3), takes its locks, and — for the helpers that take the
 * operation's last lock on its target — has the shield gates' decisions confirmed on the locked
 * rows (issue 30 #6). Ids are matched lower-cased, as the gates' loaders key them.
 */

const one = async <T extends object>(
  em: EntityManager,
  entity: new () => T,
  sql: string,
  parameters: Record<string, unknown>,
): Promise<T | null> => {
  const [row] = await query(em, sql, parameters);
  return row ? rowMapper(em, entity)(row) : null;
};

/** `SELECT EXISTS (SELECT 1 FROM <from>)`, prepared on the transaction's connection. */
export async function exists(
  em: EntityManager,
  from: string,
  parameters: Record<string, unknown>,
): Promise<boolean> {
  const [row] = await query<{ found: boolean }>(
    em,
    `SELECT EXISTS (SELECT 1 FROM ${from}) AS found`,
    parameters,
  );
  return row.found;
}

// ---------------------------------------------------------------------------------------------
// Accounts
// ---------------------------------------------------------------------------------------------

/**
 * Finds an account the viewer may see and locks its row. Writes that need an ACTIVE account
 * take FOR SHARE and disconnections FOR UPDATE (I2): a write racing a disconnection either
 * commits first and is archived with it, or waits and then sees ARCHIVED. Then the operation's
 * gates are decided again on the locked row (issue 30 #6).
 */
export async function lockVisibleAccount(
  em: EntityManager,
  ctx: RequestContext,
  accountId: string | null | undefined,
  mode: 'share' | 'update',
  field: string[] = ['accountId'],
): Promise<Account> {
  const { visibility } = requireViewer(ctx);
  const id = isId(accountId) ? accountId.toLowerCase() : null;
  const visible =
    id !== null &&
    (await exists(em, `accounts a WHERE a.id = :accountId AND ${visibility.account('a')}`, {
      ...visibility.params,
      accountId: id,
    }));
  if (!visible) throw notFound('Account', field);
  const account = await one(
    em,
    Account,
    `SELECT a.* FROM accounts a WHERE a.id = :accountId FOR ${mode === 'share' ? 'SHARE' : 'UPDATE'}`,
    { accountId: id },
  );
  if (!account) throw notFound('Account', field);
  await confirmGateDecisions(em, ctx);
  return account;
}

/** R12: an ARCHIVED account takes no new data. */
export function assertActiveAccount(account: Account): void {
  if (account.status !== AccountStatus.ACTIVE) {
    throw new DomainError('ACCOUNT_ARCHIVED', `Account "${account.name}" is archived`);
  }
}

/**
 * R1, I2: locks account rows FOR SHARE in id order (the fixed lock order of every connection
 * write: accounts first, ordered by id, then the connection row). One statement.
 */
export async function shareLockAccounts(
  em: EntityManager,
  ids: string[],
): Promise<Map<string, Account>> {
  const rows = await query(
    em,
    `SELECT a.* FROM accounts a WHERE a.id = ANY(CAST(:ids AS uuid[])) ORDER BY a.id FOR SHARE`,
    { ids },
  );
  return new Map(rows.map(rowMapper(em, Account)).map((row) => [row.id, row]));
}

// ---------------------------------------------------------------------------------------------
// Agency <-> premium connections
// ---------------------------------------------------------------------------------------------

/** A3: the agency connection if it exists for the viewer (they act for one side, or are staff). */
export async function findVisibleConnection(
  em: EntityManager,
  visibility: Visibility,
  connectionId: string,
): Promise<AgencyConnection | null> {
  if (!isId(connectionId)) return null;
  return one(
    em,
    AgencyConnection,
    `SELECT k.* FROM agency_connections k WHERE k.id = :connectionId AND ${visibility.connection('k')}`,
    { ...visibility.params, connectionId: connectionId.toLowerCase() },
  );
}

/**
 * R1, R4, I2: an agency connection that exists for the viewer, locked FOR UPDATE after its two
 * account rows; NOT_FOUND otherwise. Then the operation's gates are decided again on the locked
 * rows (issue 30 #6).
 */
export async function lockVisibleConnection(
  em: EntityManager,
  ctx: RequestContext,
  connectionId: string,
  field: string[],
  premiumLock: 'share' | 'update' = 'share',
): Promise<{ connection: AgencyConnection; agency: Account; premium: Account }> {
  const { visibility } = requireViewer(ctx);
  const visible = await findVisibleConnection(em, visibility, connectionId);
  if (!visible) throw notFound('Connection', field);
  // Disconnections take the premium row FOR UPDATE (I2) and leave the agency row alone (an
  // agency is never archived); every other connection write shares both rows in id order.
  let accounts: Map<string, Account>;
  if (premiumLock === 'share') {
    accounts = await shareLockAccounts(em, [visible.agencyId, visible.premiumClientId]);
  } else {
    const premium = await one(
      em,
      Account,
      `SELECT a.* FROM accounts a WHERE a.id = :id FOR UPDATE`,
      {
        id: visible.premiumClientId,
      },
    );
    const agency = await one(em, Account, `SELECT a.* FROM accounts a WHERE a.id = :id`, {
      id: visible.agencyId,
    });
    accounts = new Map([
      [premium!.id, premium!],
      [agency!.id, agency!],
    ]);
  }
  const connection = await one(
    em,
    AgencyConnection,
    `SELECT k.* FROM agency_connections k WHERE k.id = :id FOR UPDATE`,
    { id: visible.id },
  );
  if (!connection) throw notFound('Connection', field);
  await confirmGateDecisions(em, ctx);
  return {
    connection,
    agency: accounts.get(connection.agencyId)!,
    premium: accounts.get(connection.premiumClientId)!,
  };
}

// ---------------------------------------------------------------------------------------------
// Agency -> client links
// ---------------------------------------------------------------------------------------------

/**
 * R9, I4: the client exists for the viewer, else NOT_FOUND. Whether the viewer may disconnect it
 * is the shield gate's judgement (actsForClientAsManager); this only keeps a repeat by a manager
 * who reached the client through a (now deleted) grant finding it, to hear ALREADY_DISCONNECTED
 * rather than NOT_FOUND — by the same owning-agency predicate the gate's ACTS_FOR is built on.
 */
export async function assertClientVisible(
  ctx: RequestContext,
  em: EntityManager,
  clientAccountId: string,
  field = ['clientAccountId'],
) {
  const { visibility } = requireViewer(ctx);
  const visible =
    isId(clientAccountId) &&
    (await exists(
      em,
      `accounts c WHERE c.id = :clientId
         AND (${visibility.account('c')}
              OR (c.type = 'CLIENT' AND c.status = 'ARCHIVED'
                  AND EXISTS (SELECT 1 FROM memberships am
                               WHERE am.user_id = :viewerId AND ${managesOwningAgency('c', 'am')})))`,
      { ...visibility.params, clientId: clientAccountId.toLowerCase() },
    ));
  if (!visible) throw notFound('Account', field);
}

/**
 * R9, I2: a client the viewer may find (assertClientVisible), locked after its owning agency:
 * the agency FOR SHARE, then the client FOR UPDATE. Member changes of the agency take its row
 * FOR UPDATE, so a user removed from the agency (R24) and a disconnection's R16 snapshot never
 * interleave: the snapshot sees them or never records them. Creates racing the client hold it
 * FOR SHARE: they commit first and are archived here, or wait and then fail with
 * ACCOUNT_ARCHIVED. The caller confirms the gates once it has checked the client's state (a
 * repeat rolls back before any authority is confirmed).
 */
export async function lockVisibleClient(
  em: EntityManager,
  ctx: RequestContext,
  clientAccountId: string,
  field = ['clientAccountId'],
): Promise<{ client: Account; agency: Account | null }> {
  await assertClientVisible(ctx, em, clientAccountId, field);
  const id = clientAccountId.toLowerCase();
  // The agency row comes back with its lock: the emails name it (one statement fewer).
  const agency = await one(
    em,
    Account,
    `SELECT a.* FROM accounts a
      WHERE a.id = (SELECT c.agency_id FROM accounts c WHERE c.id = :id) FOR SHARE`,
    { id },
  );
  const client = await one(em, Account, `SELECT c.* FROM accounts c WHERE c.id = :id FOR UPDATE`, {
    id,
  });
  if (!client) throw notFound('Account', field);
  return { client, agency };
}

// ---------------------------------------------------------------------------------------------
// Reports and items
// ---------------------------------------------------------------------------------------------

/** A3, R16: the report if the viewer may open it. */
export async function findVisibleReport(
  em: EntityManager,
  visibility: Visibility,
  reportId: string,
): Promise<Report | null> {
  if (!isId(reportId)) return null;
  return one(
    em,
    Report,
    `SELECT r.* FROM reports r WHERE r.id = :reportId AND ${visibility.report('r')}`,
    { ...visibility.params, reportId: reportId.toLowerCase() },
  );
}

/**
 * R11, R25: a report the viewer may open, locked for a change — its account row FOR SHARE, then
 * the report row FOR UPDATE. A client disconnection takes the account row FOR UPDATE, so a
 * change either commits before the report is archived or waits and then sees it ARCHIVED: never
 * both, never lost silently. Invisible, or deleted (R25) before the lock → NOT_FOUND. The
 * caller refuses an ARCHIVED report or account.
 */
export async function lockVisibleReport(
  em: EntityManager,
  ctx: RequestContext,
  reportId: string,
  field: string[],
): Promise<{ report: Report; account: Account }> {
  const { visibility } = requireViewer(ctx);
  const visible = await findVisibleReport(em, visibility, reportId);
  if (!visible) throw notFound('Report', field);
  const account = await one(em, Account, `SELECT a.* FROM accounts a WHERE a.id = :id FOR SHARE`, {
    id: visible.accountId,
  });
  const report = await one(em, Report, `SELECT r.* FROM reports r WHERE r.id = :id FOR UPDATE`, {
    id: visible.id,
  });
  if (!account || !report) throw notFound('Report', field);
  await confirmGateDecisions(em, ctx);
  return { report, account };
}

/**
 * I2: the items FOR SHARE, after their account (a client disconnection freezes them under the
 * account's FOR UPDATE). Every one must belong to `accountId`, else INVALID_INPUT.
 */
export async function lockItemsOfAccount(em: EntityManager, accountId: string, itemIds: string[]) {
  if (itemIds.length === 0) return;
  const rows = await query(
    em,
    `SELECT i.id FROM reporting_items i
      WHERE i.id = ANY(CAST(:itemIds AS uuid[])) AND i.account_id = :accountId FOR SHARE`,
    { itemIds, accountId },
  );
  if (rows.length !== itemIds.length) {
    throw invalidInput(['input', 'itemIds'], 'Every item must belong to the report’s account');
  }
}

// ---------------------------------------------------------------------------------------------
// Integrations
// ---------------------------------------------------------------------------------------------

/**
 * R3: the integration if the viewer may see its owner account. Not locked: the writes on it lock
 * the accounts they map (mapAdvertiser) or the mapped accounts and mappings (syncIntegration).
 */
export async function findVisibleIntegration(
  em: EntityManager,
  visibility: Visibility,
  integrationId: string,
): Promise<Integration | null> {
  if (!isId(integrationId)) return null;
  return one(
    em,
    Integration,
    `SELECT ig.* FROM integrations ig
      WHERE ig.id = :integrationId
        AND EXISTS (SELECT 1 FROM accounts a WHERE a.id = ig.owner_account_id AND ${visibility.account('a')})`,
    { ...visibility.params, integrationId: integrationId.toLowerCase() },
  );
}
