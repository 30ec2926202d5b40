import type { DataSource, EntityTarget, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { Page } from '../schema/types/connections.type';
import { badUserInput } from '../shared/errors';
import { isId } from '../shared/ids';
import { prefixedColumns, query, rowMapper } from '../database/raw-sql';
import type { PageRow } from '../database/list-sql';

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

interface Cursor {
  createdAt: string;
  id: string;
}

const encodeCursor = (cursor: Cursor) =>
  Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString('base64url');

const CURSOR_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(?:([+-])(\d{2})(?::?(\d{2}))?|Z)$/;

/**
 * A timestamp as Postgres prints timestamptz, and a real instant: month 1-12, a day the month
 * has, 00:00:00-23:59:59, an offset within ±15:59. Anything else would reach SQL as a cast error.
 */
function isCursorTime(value: string): boolean {
  const m = CURSOR_TIME.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const sameInstant =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second;
  const offsetOk = !m[8] || (Number(m[9]) <= 15 && Number(m[10] ?? 0) <= 59);
  return year >= 1 && sameInstant && offsetOk;
}

function decodeCursor(raw: string): Cursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      typeof parsed[0] === 'string' &&
      isCursorTime(parsed[0]) &&
      isId(parsed[1])
    ) {
      return { createdAt: parsed[0], id: parsed[1] };
    }
  } catch {
    // fall through: any undecodable cursor is the client's mistake
  }
  throw badUserInput('after is not a cursor this API issued', 'after');
}

export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badUserInput(`first must be between 0 and ${MAX_PAGE_SIZE}`, 'first');
  }
  return first;
}

/**
 * Keyset pagination, newest first, over `<timeColumn> desc, id desc`. Written here because the
 * Relay helpers in graphql-relay page arrays by offset, which repeats or skips rows when rows
 * are inserted between page loads. The cursor keeps the timestamp as Postgres text so its
 * microseconds survive (a JS Date would round them and break ties).
 */
export async function keysetPage<T extends ObjectLiteral & { id: string }>(
  query: SelectQueryBuilder<T>,
  alias: string,
  args: PageArgs,
  timeColumn = 'created_at',
): Promise<Page<T>> {
  const limit = pageSize(args.first);
  const countQuery = query.clone();
  const after = args.after ? decodeCursor(args.after) : null;
  const pageQuery = query
    .clone()
    .addSelect(`${alias}.${timeColumn}::text`, 'page_cursor_created_at')
    .orderBy(`${alias}.${timeColumn}`, 'DESC')
    .addOrderBy(`${alias}.id`, 'DESC')
    .limit(limit + 1);
  if (after) {
    pageQuery.andWhere(
      `(${alias}.${timeColumn}, ${alias}.id) < (CAST(:pageAfterCreatedAt AS timestamptz), CAST(:pageAfterId AS uuid))`,
      { pageAfterCreatedAt: after.createdAt, pageAfterId: after.id },
    );
  }
  // first: 0 still reads one row: hasNextPage tells whether there is anything to page through.
  const { entities, raw } = await pageQuery.getRawAndEntities();
  return pageFromRows(
    entities.map((node, index) => ({
      node,
      cursorTime: (raw[index] as Record<string, string>).page_cursor_created_at,
    })),
    limit,
    () => countQuery.getCount(),
  );
}

/**
 * A page from up to `limit + 1` rows already in `<time> desc, id desc` order (the extra row only
 * says there is a next page). `count` runs only if the client asks for `totalCount`.
 */
export function pageFromRows<T extends { id: string }>(
  rows: PageRow<T>[],
  limit: number,
  count: () => Promise<number>,
): Page<T> {
  const kept = rows.slice(0, limit);
  const edges = kept.map(({ node, cursorTime }) => ({
    node,
    cursor: encodeCursor({ createdAt: cursorTime, id: node.id }),
  }));
  let total: Promise<number> | undefined;
  return {
    edges,
    nodes: kept.map((row) => row.node),
    pageInfo: {
      hasNextPage: rows.length > limit,
      endCursor: edges.length > 0 ? edges[edges.length - 1].cursor : null,
    },
    get totalCount() {
      total ??= count();
      return total;
    },
  };
}

/** The decoded `after` cursor, or null; a cursor this API did not issue is BAD_USER_INPUT. */
export function parseAfter(after: string | null | undefined): Cursor | null {
  return after ? decodeCursor(after) : null;
}

/** Named parameters of `keysetBefore` (database/list-sql.ts) for a decoded cursor. */
export const cursorParameters = (after: Cursor | null) =>
  after ? { afterTime: after.createdAt, afterId: after.id } : {};

/** A raw row with its `page_cursor` (the ordering time as text) as a page row. */
export const pageRow =
  <T>(map: (row: Record<string, unknown>) => T) =>
  (row: Record<string, unknown>): PageRow<T> => ({
    node: map(row),
    cursorTime: row.page_cursor as string,
  });

/** Raw rows keyed by `page_key`, in their order, grouped per key of `keys`. */
export function groupRows<T>(
  rows: Record<string, unknown>[],
  keys: readonly string[],
  toRow: (row: Record<string, unknown>) => T,
): T[][] {
  const groups = new Map<string, T[]>(keys.map((key) => [key, []]));
  for (const row of rows) groups.get(row.page_key as string)?.push(toRow(row));
  return keys.map((key) => groups.get(key) ?? []);
}

/** `WITH <cte> <sql>`, or `sql` alone without a CTE. */
export const withCte = (cte: string | null, sql: string) => (cte ? `WITH ${cte} ${sql}` : sql);

/** What the client selected on a list: `totalCount`, and the fields of its nodes. */
export interface PageSelection {
  total: boolean;
  nodeFields: ReadonlySet<string>;
}

export const NOTHING_SELECTED: PageSelection = { total: false, nodeFields: new Set() };

/**
 * A row of another table joined to every page row in the page's own statement — a relation the
 * client selected (a report's account) — handed to `take` (which primes that relation's loader),
 * so the relation costs no statement of its own.
 */
export interface JoinedRow {
  join: string;
  columns: string;
  take: (row: Record<string, unknown>) => void;
}

/**
 * `entity`'s row whose id is the page row's `foreignKey` column, joined as `JoinedRow`: columns
 * `<name>$<column>`, mapped once, given to `take` when the page row has one.
 */
export function joinedEntity<T extends ObjectLiteral & { id: string }>(
  db: DataSource,
  entity: EntityTarget<T>,
  foreignKey: string,
  name: string,
  take: (node: T) => void,
): JoinedRow {
  const alias = `joined_${name}`;
  const prefix = `${name}$`;
  const map = rowMapper(db, entity, prefix);
  return {
    join: `LEFT JOIN ${db.getMetadata(entity).tableName} ${alias} ON ${alias}.id = page.${foreignKey}`,
    columns: prefixedColumns(db, entity, alias, prefix),
    take: (row) => {
      if (row[`${prefix}id`] !== null && row[`${prefix}id`] !== undefined) take(map(row));
    },
  };
}

/** A keyset page from raw SQL: `page` selects rows with `page_cursor`, newest first. */
export interface SqlPage<T> {
  /** A CTE (`name AS (…)`) both statements use, or null. */
  with: string | null;
  page: string;
  count: string;
  parameters: Record<string, unknown>;
  map: (row: Record<string, unknown>) => T;
  /** Rows joined to each page row (selected relations); none by default. */
  joined?: JoinedRow[];
}

/**
 * Runs a raw-SQL page. With `withTotal` (the client selected `totalCount`) the count rides in
 * the page's own statement — one round trip, the CTE evaluated once; without, the count runs
 * only if `totalCount` is read after all. Joined rows ride in the page's statement too.
 */
export async function sqlPage<T extends { id: string }>(
  db: DataSource,
  sql: SqlPage<T>,
  limit: number,
  withTotal: boolean,
): Promise<Page<T>> {
  const joined = sql.joined ?? [];
  const rows = await query(
    db,
    pageStatement(sql.with, sql.page, withTotal ? sql.count : null, joined),
    sql.parameters,
  );
  for (const row of rows) for (const relation of joined) relation.take(row);
  const count = withTotal
    ? () => Promise.resolve(Number(rows[0].page_total))
    : async () => {
        const [row] = await query<{ count: string }>(
          db,
          withCte(sql.with, sql.count),
          sql.parameters,
        );
        return Number(row.count);
      };
  return pageFromRows(rows.filter((row) => row.id !== null).map(pageRow(sql.map)), limit, count);
}

/**
 * One statement: the page's rows (by `created_at`) with the columns of `joined` rows and, given a
 * `count`, the total on every row — one row of NULLs but the total if the page is empty.
 */
export function pageStatement(
  cte: string | null,
  page: string,
  count: string | null,
  joined: JoinedRow[] = [],
): string {
  if (count === null && joined.length === 0) return withCte(cte, page);
  const columns = ['page.*', ...(count === null ? [] : [`(${count}) AS page_total`])];
  columns.push(...joined.map((relation) => relation.columns));
  const from = count === null ? 'page' : '(SELECT 1) one LEFT JOIN page ON TRUE';
  return `${cte ? `WITH ${cte}, ` : 'WITH '}page AS (${page})
   SELECT ${columns.join(', ')} FROM ${from} ${joined.map((relation) => relation.join).join(' ')}
    ORDER BY page.created_at DESC, page.id DESC`;
}
