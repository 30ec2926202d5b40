import { Account, AccountStatus, AccountType, AuditEvent } from '../entities';
import type { Visibility } from '../permissions/visibility';
import type { Page } from '../schema/types/connections.type';
import { requireViewer, type RequestContext } from '../context/request-context';
import type { AccountFilter } from '../schema/types/inputs';
import { isId } from '../shared/ids';
import { query, rowMapper } from '../database/raw-sql';
import { keysetBefore, type PageRow } from '../database/list-sql';
import {
  cursorParameters,
  groupRows,
  pageFromRows,
  pageRow,
  pageSize,
  parseAfter,
  sqlPage,
  type PageArgs,
} from './pagination';

/** The account if the viewer may see it (visibility filter), else null. */
export async function findAccount(ctx: RequestContext, id: string) {
  return isId(id) ? ctx.loaders.visibleAccount.load(id.toLowerCase()) : null;
}

const ACCOUNT_ROW = 'a.*, a.created_at::text AS page_cursor';
const NEWEST_FIRST = (alias: string) => `${alias}.created_at DESC, ${alias}.id DESC`;

/**
 * Accounts the viewer may see (`Visibility.account`), as `FROM … a` plus a condition: a user's
 * list starts from the accounts they reach (indexed by user), staff and tokens filter `accounts`.
 */
function visibleAccounts(visibility: Visibility) {
  const driver = visibility.accountDriver();
  return driver.kind === 'accounts'
    ? {
        with: `d AS (${driver.accounts})`,
        from: 'd JOIN accounts a ON a.id = d.account_id',
        where: 'TRUE',
      }
    : { with: null, from: 'accounts a', where: driver.open('a') };
}

/**
 * Accounts the viewer may see, ACTIVE by default or ARCHIVED with `archived: true`. With
 * `withTotal` (the client selected `totalCount`) the count rides in the page's statement.
 */
export async function listAccounts(
  ctx: RequestContext,
  filter: AccountFilter | null | undefined,
  page: PageArgs,
  withTotal = false,
): Promise<Page<Account>> {
  const { visibility } = requireViewer(ctx);
  const limit = pageSize(page.first);
  const after = parseAfter(page.after);
  const source = visibleAccounts(visibility);
  const where = (keyset: string) =>
    `${source.where} AND a.status = :status AND ${filter?.type ? 'a.type = :type' : 'TRUE'} AND ${keyset}`;
  const parameters = {
    ...visibility.params,
    status: filter?.archived ? AccountStatus.ARCHIVED : AccountStatus.ACTIVE,
    type: filter?.type ?? null,
    limit: limit + 1,
    ...cursorParameters(after),
  };
  return sqlPage(
    ctx.db,
    {
      with: source.with,
      page: `SELECT ${ACCOUNT_ROW} FROM ${source.from} WHERE ${where(keysetBefore('a', !!after))}
              ORDER BY ${NEWEST_FIRST('a')} LIMIT :limit`,
      count: `SELECT COUNT(*) FROM ${source.from} WHERE ${where('TRUE')}`,
      parameters,
      map: rowMapper(ctx.db, Account),
    },
    limit,
    withTotal,
  );
}

/**
 * R10: an agency's CLIENT accounts — active ones, or the archived section with `archived: true`.
 * Batched: every agency of an `accounts` page in one statement (one index range
 * `(agency_id, status, created_at)` each), and their counts in one more, only if selected.
 */
export function listClients(
  ctx: RequestContext,
  agency: Account,
  archived: boolean,
  page: PageArgs,
): Promise<Page<Account>> {
  const { visibility } = requireViewer(ctx);
  const limit = pageSize(page.first);
  const after = parseAfter(page.after);
  const status = archived ? AccountStatus.ARCHIVED : AccountStatus.ACTIVE;
  const map = rowMapper(ctx.db, Account);
  const where = (keyset: string) =>
    `a.agency_id = g.agency_id AND a.type = '${AccountType.CLIENT}' AND a.status = :status
     AND ${visibility.account('a')} AND ${keyset}`;
  const parameters = { ...visibility.params, status };
  const pages = ctx.loaders.batch<PageRow<Account>[]>(
    `clients|${status}|${limit}|${page.after ?? ''}`,
    async (ids) => {
      const rows = await query(
        ctx.db,
        `SELECT g.agency_id AS page_key, p.*
           FROM unnest(CAST(:agencyIds AS uuid[])) g(agency_id) CROSS JOIN LATERAL (
             SELECT ${ACCOUNT_ROW} FROM accounts a WHERE ${where(keysetBefore('a', !!after))}
              ORDER BY ${NEWEST_FIRST('a')} LIMIT :limit) p
          ORDER BY page_key`,
        { ...parameters, agencyIds: [...ids], limit: limit + 1, ...cursorParameters(after) },
      );
      return groupRows(rows, ids, pageRow(map));
    },
  );
  const counts = ctx.loaders.batch<number>(`clientCount|${status}`, async (ids) => {
    const rows = await query<{ page_key: string; total: string }>(
      ctx.db,
      `SELECT g.agency_id AS page_key, COUNT(a.id) AS total
         FROM unnest(CAST(:agencyIds AS uuid[])) g(agency_id)
         LEFT JOIN accounts a ON ${where('TRUE')}
        GROUP BY g.agency_id`,
      { ...parameters, agencyIds: [...ids] },
    );
    const byId = new Map(rows.map((row) => [row.page_key, Number(row.total)]));
    return ids.map((id) => byId.get(id) ?? 0);
  });
  return pages
    .load(agency.id)
    .then((rows) => pageFromRows(rows, limit, () => counts.load(agency.id)));
}

/** Audit events of an account, newest first (R22); the shield gate admits its admins only. */
export async function listAuditEvents(ctx: RequestContext, accountId: string, page: PageArgs) {
  const limit = pageSize(page.first);
  const after = parseAfter(page.after);
  const parameters = { accountId, limit: limit + 1, ...cursorParameters(after) };
  // Two index ranges (account_id / related_account_id, occurred_at), merged newest first.
  const events = (column: string, keyset: string) =>
    `SELECT e.*, e.occurred_at::text AS page_cursor FROM audit_events e
      WHERE e.${column} = :accountId AND ${keyset}`;
  const keyset = keysetBefore('e', !!after, 'occurred_at');
  const rows = await query(
    ctx.db,
    `SELECT * FROM (
       (${events('account_id', keyset)} ORDER BY ${byOccurred('e')} LIMIT :limit)
       UNION
       (${events('related_account_id', keyset)} ORDER BY ${byOccurred('e')} LIMIT :limit)) u
      ORDER BY ${byOccurred('u')} LIMIT :limit`,
    parameters,
  );
  return pageFromRows(rows.map(pageRow(rowMapper(ctx.db, AuditEvent))), limit, async () => {
    const [row] = await query<{ count: string }>(
      ctx.db,
      `SELECT COUNT(*) FROM audit_events e
        WHERE e.account_id = :accountId OR e.related_account_id = :accountId`,
      parameters,
    );
    return Number(row.count);
  });
}

const byOccurred = (alias: string) => `${alias}.occurred_at DESC, ${alias}.id DESC`;
