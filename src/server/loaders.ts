import DataLoader from 'dataloader';
import { type DataSource, In, type ObjectLiteral, type EntityTarget } from 'typeorm';
import {
  Account,
  AgencyConnection,
  Integration,
  IntegrationMapping,
  Membership,
  Organization,
  Report,
  ReportItem,
  ReportingItem,
  Role,
  User,
} from '../entities';
import { ACCOUNT_ROLES, type Visibility } from '../permissions/visibility';
import type { PageRow } from '../services/pagination';

/** The first page of one report's items, newest first, with the report's item count. */
export interface ReportItemsFirstPage {
  rows: PageRow<ReportingItem>[];
  total: number;
}

export interface AccountAccess {
  id: string;
  type: Account['type'];
  status: Account['status'];
  agencyId: string | null;
  /** The viewer's strongest role on the account; null when the viewer cannot see it. */
  role: Role | null;
}

const byId = <T extends { id: string }>(rows: T[], ids: readonly string[]) => {
  const map = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => map.get(id) ?? null);
};

const groupBy = <T, K>(rows: T[], keys: readonly K[], keyOf: (row: T) => K) => {
  const map = new Map<K, T[]>(keys.map((key) => [key, []]));
  for (const row of rows) map.get(keyOf(row))?.push(row);
  return keys.map((key) => map.get(key) ?? []);
};

/**
 * Per-request batch loaders: one statement per relation per request, whatever the page size.
 * The `*ById` loaders do not filter by visibility: they serve relation fields whose parent the
 * viewer already may see (a visible report's account). Root lookups go through `visible*`.
 */
export function createLoaders(db: DataSource, visibility: Visibility | null) {
  const entityById = <T extends ObjectLiteral & { id: string }>(entity: EntityTarget<T>) =>
    new DataLoader<string, T | null>(async (ids) =>
      byId(await db.getRepository(entity).findBy({ id: In([...ids]) } as never), ids),
    );

  const visibleById = <T extends ObjectLiteral & { id: string }>(
    entity: EntityTarget<T>,
    predicate: (v: Visibility, alias: string) => string,
  ) =>
    new DataLoader<string, T | null>(async (ids) => {
      if (!visibility) return ids.map(() => null);
      const rows = await db
        .getRepository(entity)
        .createQueryBuilder('x')
        .where('x.id IN (:...ids)', { ids })
        .andWhere(predicate(visibility, 'x'), visibility.params)
        .getMany();
      return byId(rows, ids);
    });

  /**
   * First pages of items for many reports in one statement: a window over report_items keeps
   * `limit + 1` items per report (newest first) and counts each report's items alongside.
   */
  const reportItemsFirstPage = (limit: number) =>
    new DataLoader<string, ReportItemsFirstPage>(async (reportIds) => {
      const [sql, parameters] = db
        .getRepository(ReportingItem)
        .createQueryBuilder('i')
        .innerJoin(ReportItem, 'ri', 'ri.item_id = i.id')
        .addSelect('ri.report_id', 'page_report_id')
        .addSelect('i.created_at::text', 'page_cursor_created_at')
        .addSelect(
          'ROW_NUMBER() OVER (PARTITION BY ri.report_id ORDER BY i.created_at DESC, i.id DESC)',
          'page_row',
        )
        .addSelect('COUNT(*) OVER (PARTITION BY ri.report_id)', 'page_total')
        .where('ri.report_id IN (:...reportIds)', { reportIds })
        .getQueryAndParameters();
      const raw: Record<string, unknown>[] = await db.query(
        `SELECT * FROM (${sql}) page WHERE page.page_row <= ${limit + 1}
          ORDER BY page.page_report_id, page.page_row`,
        parameters,
      );
      const metadata = db.getMetadata(ReportingItem);
      const pages = new Map<string, ReportItemsFirstPage>(
        reportIds.map((id) => [id, { rows: [], total: 0 }]),
      );
      for (const row of raw) {
        const node = metadata.create() as ReportingItem;
        for (const column of metadata.columns) {
          column.setEntityValue(
            node,
            db.driver.prepareHydratedValue(row[`i_${column.databaseName}`], column),
          );
        }
        const page = pages.get(row.page_report_id as string);
        if (!page) continue;
        page.total = Number(row.page_total);
        page.rows.push({ node, cursorTime: row.page_cursor_created_at as string });
      }
      return reportIds.map((id) => pages.get(id)!);
    });
  const reportItemsFirstPageBySize = new Map<number, ReturnType<typeof reportItemsFirstPage>>();

  return {
    account: entityById(Account),
    user: entityById(User),
    organization: entityById(Organization),
    integration: entityById(Integration),
    report: entityById(Report),
    item: entityById(ReportingItem),
    connection: entityById(AgencyConnection),

    visibleAccount: visibleById(Account, (v, a) => v.account(a)),
    visibleReport: visibleById(Report, (v, a) => v.report(a)),
    visibleItem: visibleById(ReportingItem, (v, a) => v.item(a)),

    /** The viewer's effective role per account (permission rules read it). */
    accountAccess: new DataLoader<string, AccountAccess | null>(async (ids) => {
      const rows: AccountAccess[] = await db
        .createQueryBuilder()
        .select(['a.id AS id', 'a.type AS type', 'a.status AS status', 'a.agency_id AS "agencyId"'])
        .addSelect(
          visibility?.viewer.isStaff
            ? `'${Role.ADMIN}'`
            : `(SELECT acl.role FROM ${ACCOUNT_ROLES} acl
                WHERE acl.user_id = :viewerId AND acl.account_id = a.id
                ORDER BY acl.role LIMIT 1)`,
          'role',
        )
        .from(Account, 'a')
        .where('a.id IN (:...ids)', { ids })
        .setParameters({ viewerId: visibility?.viewer.userId ?? null })
        .getRawMany();
      return byId(rows, ids);
    }),

    membershipsByAccount: new DataLoader<string, Membership[]>(async (ids) =>
      groupBy(
        await db
          .getRepository(Membership)
          .find({ where: { accountId: In([...ids]) }, order: { createdAt: 'ASC', id: 'ASC' } }),
        ids,
        (m) => m.accountId,
      ),
    ),
    membershipsByUser: new DataLoader<string, Membership[]>(async (ids) =>
      groupBy(
        await db
          .getRepository(Membership)
          .find({ where: { userId: In([...ids]) }, order: { createdAt: 'ASC', id: 'ASC' } }),
        ids,
        (m) => m.userId,
      ),
    ),
    connectionsByAccount: new DataLoader<string, AgencyConnection[]>(async (ids) => {
      const rows = await db
        .getRepository(AgencyConnection)
        .createQueryBuilder('k')
        .where('k.agency_id IN (:...ids) OR k.premium_client_id IN (:...ids)', { ids })
        .orderBy('k.requested_at', 'DESC')
        .addOrderBy('k.id', 'DESC')
        .getMany();
      return ids.map((id) => rows.filter((k) => k.agencyId === id || k.premiumClientId === id));
    }),
    integrationsByOwner: new DataLoader<string, Integration[]>(async (ids) =>
      groupBy(
        await db.getRepository(Integration).find({
          where: { ownerAccountId: In([...ids]) },
          order: { createdAt: 'ASC', id: 'ASC' },
        }),
        ids,
        (i) => i.ownerAccountId,
      ),
    ),
    /**
     * An integration's mappings name the owner's other advertisers and clients: listed only to
     * viewers who see the owner account (an integration reached through a client's item is shown,
     * its mappings are not).
     */
    mappingsByIntegration: new DataLoader<string, IntegrationMapping[]>(async (ids) => {
      if (!visibility) return ids.map(() => []);
      const rows = await db
        .getRepository(IntegrationMapping)
        .createQueryBuilder('m')
        .innerJoin(Integration, 'mi', 'mi.id = m.integration_id')
        .innerJoin(Account, 'mo', 'mo.id = mi.owner_account_id')
        .where('m.integration_id IN (:...ids)', { ids })
        .andWhere(visibility.account('mo'), visibility.params)
        .orderBy('m.created_at', 'ASC')
        .addOrderBy('m.id', 'ASC')
        .getMany();
      return groupBy(rows, ids, (m) => m.integrationId);
    }),
    /** Report.items without `after`: one loader (one statement) per page size per request. */
    reportItemsFirstPage(limit: number) {
      let loader = reportItemsFirstPageBySize.get(limit);
      if (!loader) reportItemsFirstPageBySize.set(limit, (loader = reportItemsFirstPage(limit)));
      return loader;
    },
    itemCountByReport: new DataLoader<string, number>(async (ids) => {
      const rows: { reportId: string; count: string }[] = await db
        .createQueryBuilder()
        .select('ri.report_id', 'reportId')
        .addSelect('COUNT(*)', 'count')
        .from('report_items', 'ri')
        .where('ri.report_id IN (:...ids)', { ids })
        .groupBy('ri.report_id')
        .getRawMany();
      const counts = new Map(rows.map((row) => [row.reportId, Number(row.count)]));
      return ids.map((id) => counts.get(id) ?? 0);
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
