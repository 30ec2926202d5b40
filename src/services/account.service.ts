import { Account, AccountStatus, AccountType, AuditEvent } from '../entities';
import { requireViewer, type RequestContext } from '../server/context';
import type { AccountFilter } from '../schema/types/inputs';
import { isId } from './ids';
import { keysetPage, type PageArgs } from './pagination';

/** The account if the viewer may see it (visibility filter), else null. */
export async function findAccount(ctx: RequestContext, id: string) {
  return isId(id) ? ctx.loaders.visibleAccount.load(id.toLowerCase()) : null;
}

/** Accounts the viewer may see, ACTIVE by default or ARCHIVED with `archived: true`. */
export async function listAccounts(
  ctx: RequestContext,
  filter: AccountFilter | null | undefined,
  page: PageArgs,
) {
  const { visibility } = requireViewer(ctx);
  const query = ctx.db
    .getRepository(Account)
    .createQueryBuilder('a')
    .where(visibility.account('a'), visibility.params)
    .andWhere('a.status = :status', {
      status: filter?.archived ? AccountStatus.ARCHIVED : AccountStatus.ACTIVE,
    });
  if (filter?.type) query.andWhere('a.type = :type', { type: filter.type });
  return keysetPage(query, 'a', page);
}

/** R10: an agency's CLIENT accounts — active ones, or the archived section with `archived: true`. */
export async function listClients(
  ctx: RequestContext,
  agency: Account,
  archived: boolean,
  page: PageArgs,
) {
  const { visibility } = requireViewer(ctx);
  const query = ctx.db
    .getRepository(Account)
    .createQueryBuilder('a')
    .where('a.agency_id = :agencyId AND a.type = :client', {
      agencyId: agency.id,
      client: AccountType.CLIENT,
    })
    .andWhere('a.status = :status', {
      status: archived ? AccountStatus.ARCHIVED : AccountStatus.ACTIVE,
    })
    .andWhere(visibility.account('a'), visibility.params);
  return keysetPage(query, 'a', page);
}

/** Audit events of an account, newest first (R22); the shield gate admits its admins only. */
export async function listAuditEvents(ctx: RequestContext, accountId: string, page: PageArgs) {
  const query = ctx.db
    .getRepository(AuditEvent)
    .createQueryBuilder('e')
    .where('(e.account_id = :accountId OR e.related_account_id = :accountId)', { accountId });
  return keysetPageByOccurredAt(query, page);
}

const keysetPageByOccurredAt = (query: Parameters<typeof keysetPage>[0], page: PageArgs) =>
  keysetPage(query, 'e', page, 'occurred_at');
