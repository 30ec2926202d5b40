import DataLoader from 'dataloader';
import { type DataSource, In, type ObjectLiteral, type EntityTarget } from 'typeorm';
import {
  AuditEvent,
  Account,
  AgencyConnection,
  Integration,
  IntegrationMapping,
  Membership,
  Organization,
  Report,
  ReportItem,
  ReportingItem,
  ScheduledDisconnection,
  User,
} from '../entities';
import { query, rowMapper } from '../database/raw-sql';
import { authorityLoader } from '../permissions/account-authority';
import { integrationMappings } from '../permissions/field-decisions';
import type { Visibility } from '../permissions/visibility';
import type { PageRow } from '../database/list-sql';

/** The first page of one report's items, newest first, with the report's item count. */
export interface ReportItemsFirstPage {
  rows: PageRow<ReportingItem>[];
  total: number;
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
 * Rows by id for relation fields whose parent the viewer already may see (no visibility filter).
 * Raw rows mapped once: these run on every page (account, creator), where TypeORM's find
 * pipeline was most of the Node-side cost.
 */
const entityById = <T extends ObjectLiteral & { id: string }>(
  db: DataSource,
  entity: EntityTarget<T>,
) =>
  new DataLoader<string, T | null>(async (ids) => {
    const rows = await query(
      db,
      `SELECT * FROM ${db.getMetadata(entity).tableName} x WHERE x.id = ANY(CAST(:ids AS uuid[]))`,
      { ids: [...ids] },
    );
    return byId(rows.map(rowMapper(db, entity)), ids);
  });

/** A3: rows by id that `predicate` lets the viewer see; null for the rest, and for no viewer. */
const visibleById = <T extends ObjectLiteral & { id: string }>(
  db: DataSource,
  visibility: Visibility | null,
  entity: EntityTarget<T>,
  predicate: (v: Visibility, alias: string) => string,
) =>
  new DataLoader<string, T | null>(async (ids) => {
    if (!visibility) return ids.map(() => null);
    const rows = await query(
      db,
      `SELECT x.* FROM ${db.getMetadata(entity).tableName} x
        WHERE x.id = ANY(CAST(:ids AS uuid[])) AND ${predicate(visibility, 'x')}`,
      { ...visibility.params, ids: [...ids] },
    );
    return byId(rows.map(rowMapper(db, entity)), ids);
  });

/** Whether `predicate` lets the viewer see each id's row (false for no viewer): one statement. */
const knownById = <T extends ObjectLiteral & { id: string }>(
  db: DataSource,
  visibility: Visibility | null,
  entity: EntityTarget<T>,
  predicate: (v: Visibility, alias: string) => string,
) =>
  new DataLoader<string, boolean>(async (ids) => {
    if (!visibility) return ids.map(() => false);
    const rows = await query<{ id: string }>(
      db,
      `SELECT x.id FROM ${db.getMetadata(entity).tableName} x
        WHERE x.id = ANY(CAST(:ids AS uuid[])) AND ${predicate(visibility, 'x')}`,
      { ...visibility.params, ids: [...ids] },
    );
    const known = new Set(rows.map((row) => row.id));
    return ids.map((id) => known.has(id));
  });

/**
 * First pages of items for many reports in one statement: a window over report_items keeps
 * `limit + 1` items per report (newest first) and counts each report's items alongside. The
 * window's raw rows are hydrated into entities with TypeORM's own column mapping.
 */
const reportItemsFirstPage = (db: DataSource, limit: number) =>
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

/** R24: an account's members or a user's memberships, oldest first. */
const membershipsBy = (db: DataSource, key: 'accountId' | 'userId') =>
  new DataLoader<string, Membership[]>(async (ids) =>
    groupBy(
      await db
        .getRepository(Membership)
        .find({ where: { [key]: In([...ids]) }, order: { createdAt: 'ASC', id: 'ASC' } }),
      ids,
      (m) => m[key],
    ),
  );

/** R1, R8: an account's connections on either side, newest request first (history included). */
const connectionsByAccount = (db: DataSource) =>
  new DataLoader<string, AgencyConnection[]>(async (ids) => {
    const rows = await db
      .getRepository(AgencyConnection)
      .createQueryBuilder('k')
      .where('k.agency_id IN (:...ids) OR k.premium_client_id IN (:...ids)', { ids })
      .orderBy('k.requested_at', 'DESC')
      .addOrderBy('k.id', 'DESC')
      .getMany();
    return ids.map((id) => rows.filter((k) => k.agencyId === id || k.premiumClientId === id));
  });

/** R3: the integrations set up on an account, oldest first. */
const integrationsByOwner = (db: DataSource) =>
  new DataLoader<string, Integration[]>(async (ids) =>
    groupBy(
      await db.getRepository(Integration).find({
        where: { ownerAccountId: In([...ids]) },
        order: { createdAt: 'ASC', id: 'ASC' },
      }),
      ids,
      (i) => i.ownerAccountId,
    ),
  );

/** R3, R7, A3: an integration's mappings, as the viewer may see them (field-decisions.ts). */
const mappingsByIntegration = (db: DataSource, visibility: Visibility | null) =>
  new DataLoader<string, IntegrationMapping[]>(async (ids) => {
    if (!visibility) return ids.map(() => []);
    const rows = await db
      .getRepository(IntegrationMapping)
      .createQueryBuilder('m')
      .innerJoin(Integration, 'mi', 'mi.id = m.integration_id')
      .innerJoin(Account, 'mo', 'mo.id = mi.owner_account_id')
      .innerJoin(Account, 'mc', 'mc.id = m.client_account_id')
      .where('m.integration_id IN (:...ids)', { ids })
      .andWhere(integrationMappings.where(visibility, 'm', 'mo', 'mc'), visibility.params)
      .orderBy('m.created_at', 'ASC')
      .addOrderBy('m.id', 'ASC')
      .getMany();
    return groupBy(rows, ids, (m) => m.integrationId);
  });

/**
 * R31: the SCHEDULED disconnection of each connection or client id (at most one each), as the
 * viewer may see it (Visibility.scheduledDisconnection). One statement per page.
 */
const pendingScheduleByTarget = (db: DataSource, visibility: Visibility | null) =>
  new DataLoader<string, ScheduledDisconnection | null>(async (ids) => {
    if (!visibility) return ids.map(() => null);
    const rows = await query(
      db,
      `SELECT s.* FROM scheduled_disconnections s
        WHERE s.status = 'SCHEDULED'
          AND (s.connection_id = ANY(CAST(:ids AS uuid[]))
               OR s.client_account_id = ANY(CAST(:ids AS uuid[])))
          AND ${visibility.scheduledDisconnection('s')}`,
      { ...visibility.params, ids: [...ids] },
    );
    const schedules = rows.map(rowMapper(db, ScheduledDisconnection));
    const byTarget = new Map(schedules.map((s) => [s.connectionId ?? s.clientAccountId, s]));
    return ids.map((id) => byTarget.get(id) ?? null);
  });

/** How many items each report holds. */
const itemCountByReport = (db: DataSource) =>
  new DataLoader<string, number>(async (ids) => {
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
  });

/**
 * Per-request batch loaders (I3: built per request, so nothing outlives it): one statement per
 * relation per request, whatever the page size. The `*ById` loaders do not filter by visibility:
 * they serve relation fields whose parent the viewer already may see (a visible report's
 * account). Root lookups go through `visible*`.
 */
export function createLoaders(db: DataSource, visibility: Visibility | null) {
  const firstPagesBySize = new Map<number, ReturnType<typeof reportItemsFirstPage>>();
  const batches = new Map<string, DataLoader<string, unknown>>();

  return {
    /**
     * A per-request loader named `name` (one per list shape: status, page size, cursor): every
     * `load(id)` of one tick runs as one `load(ids)` statement. List fields of a page's rows
     * (`Account.reports`, `Account.clients`) batch through it.
     */
    batch<V>(name: string, load: (ids: readonly string[]) => Promise<V[]>): DataLoader<string, V> {
      let loader = batches.get(name);
      if (!loader) batches.set(name, (loader = new DataLoader<string, unknown>(load)));
      return loader as DataLoader<string, V>;
    },
    account: entityById(db, Account),
    user: entityById(db, User),
    organization: entityById(db, Organization),
    integration: entityById(db, Integration),
    connection: entityById(db, AgencyConnection),

    visibleAccount: visibleById(db, visibility, Account, (v, a) => v.account(a)),
    visibleReport: visibleById(db, visibility, Report, (v, a) => v.report(a)),
    /** R28: the audit events behind access paths, as their audit logs' readers see them. */
    visibleAuditEvent: visibleById(db, visibility, AuditEvent, (v, e) => v.auditEvent(e)),
    visibleItem: visibleById(db, visibility, ReportingItem, (v, a) => v.item(a)),
    /** Accounts whose people, connections and integrations the viewer may list. */
    accountInternals: visibleById(db, visibility, Account, (v, a) => v.accountInternals(a)),
    /** Connections that exist for the viewer (A3: they act for one side). */
    visibleConnection: visibleById(db, visibility, AgencyConnection, (v, k) => v.connection(k)),
    /** R31: scheduled disconnections by id, as their links show them. */
    visibleSchedule: visibleById(db, visibility, ScheduledDisconnection, (v, s) =>
      v.scheduledDisconnection(s),
    ),
    schedule: entityById(db, ScheduledDisconnection),
    pendingScheduleByTarget: pendingScheduleByTarget(db, visibility),
    /** Whether the viewer may know each user's email (A3, R18, R28). */
    emailKnown: knownById(db, visibility, User, (v, u) => v.userEmail(u)),

    authority: authorityLoader(db, visibility),

    membershipsByAccount: membershipsBy(db, 'accountId'),
    membershipsByUser: membershipsBy(db, 'userId'),
    connectionsByAccount: connectionsByAccount(db),
    integrationsByOwner: integrationsByOwner(db),
    mappingsByIntegration: mappingsByIntegration(db, visibility),
    /** Report.items without `after`: one loader (one statement) per page size per request. */
    reportItemsFirstPage(limit: number) {
      let loader = firstPagesBySize.get(limit);
      if (!loader) firstPagesBySize.set(limit, (loader = reportItemsFirstPage(db, limit)));
      return loader;
    },
    itemCountByReport: itemCountByReport(db),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
