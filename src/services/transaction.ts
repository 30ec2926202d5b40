import type { EntityManager } from 'typeorm';
import { Account, AccountStatus } from '../entities';
import type { RequestContext } from '../server/context';
import type { Visibility } from '../permissions/visibility';
import { DomainError, notFound } from './errors';
import { isId } from './ids';

/** Runs one operation in one transaction (I1). A DomainError thrown inside rolls it back. */
export const inTransaction = <T>(ctx: RequestContext, work: (em: EntityManager) => Promise<T>) =>
  ctx.db.transaction('READ COMMITTED', work);

/**
 * Finds an account the viewer may see and locks its row. Writes that need an ACTIVE account
 * take FOR SHARE and disconnections FOR UPDATE (I2): a write racing a disconnection either
 * commits first and is archived with it, or waits and then sees ARCHIVED.
 */
export async function lockVisibleAccount(
  em: EntityManager,
  visibility: Visibility,
  accountId: string | null | undefined,
  mode: 'share' | 'update',
  field: string[] = ['accountId'],
): Promise<Account> {
  const visible =
    isId(accountId) &&
    (await em
      .createQueryBuilder(Account, 'a')
      .where('a.id = :accountId', { accountId })
      .andWhere(visibility.account('a'), visibility.params)
      .getExists());
  if (!visible) throw notFound('Account', field);
  const account = await em
    .createQueryBuilder(Account, 'a')
    .where('a.id = :accountId', { accountId })
    .setLock(mode === 'share' ? 'pessimistic_read' : 'pessimistic_write')
    .getOneOrFail();
  return account;
}

export function assertActiveAccount(account: Account): void {
  if (account.status !== AccountStatus.ACTIVE) {
    throw new DomainError('ACCOUNT_ARCHIVED', `Account "${account.name}" is archived`);
  }
}
