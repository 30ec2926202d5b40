/**
 * Raw SQL with rows mapped once (issue 10): named parameters as TypeORM writes them (`:name`,
 * `:...list`), rows mapped onto entity objects from the columns' metadata — no query builder, no
 * per-row hydration pipeline. Values arrive already typed by the `pg` driver (timestamptz as
 * Date, float8 as number, jsonb parsed), exactly as the entities declare them. For the paths
 * every request runs: lists, loaders, authentication.
 */
import { createHash } from 'node:crypto';
import type { Pool, PoolClient, QueryConfig } from 'pg';
import type { DataSource, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

type Row = Record<string, unknown>;
type Queryable = DataSource | EntityManager;

/**
 * Runs `sql` with named parameters (`:name`, so the visibility predicates of
 * permissions/visibility.ts, which use `:viewerId` and `:scopeAccountId`, compose into
 * hand-written statements); returns the raw rows — of an UPDATE or DELETE too, its RETURNING
 * rows (prepared: see `preparedQuery`). Parameter names must not collide with type names used
 * in casts (`::uuid`).
 */
export async function query<R = Row>(
  db: Queryable,
  sql: string,
  parameters: Record<string, unknown>,
): Promise<R[]> {
  const source = 'connection' in db ? db.connection : db;
  const [text, values] = namedSql(db, sql, parameters);
  if (!prepared.get(source)) return rowsOf<R>(await db.query(text, values));
  if (!('connection' in db)) {
    return preparedQuery<R>(
      source,
      (source.driver as unknown as { master: Pool }).master,
      text,
      values,
    );
  }
  // A transaction's statements stay on its own connection.
  const connection = transactionConnection(db);
  if (connection) return preparedQuery<R>(source, connection, text, values, true);
  return rowsOf<R>(await db.query(text, values));
}

/** `sql` with named parameters as the driver's positional text and values. */
export function namedSql(
  db: Queryable,
  sql: string,
  parameters: Record<string, unknown>,
): [string, unknown[]] {
  const source = 'connection' in db ? db.connection : db;
  return source.driver.escapeQueryWithParameters(sql, parameters) as [string, unknown[]];
}

/** TypeORM's postgres driver answers an UPDATE or DELETE as `[rows, affected]`: the rows. */
const isRowsAndCount = (result: unknown): result is [unknown[], number] =>
  Array.isArray(result) &&
  result.length === 2 &&
  Array.isArray(result[0]) &&
  typeof result[1] === 'number';

const rowsOf = <R>(result: unknown): R[] => (isRowsAndCount(result) ? result[0] : result) as R[];

/** The affected-row count of an UPDATE or DELETE run with TypeORM's `query()`. */
export const rowCount = (result: unknown): number => (isRowsAndCount(result) ? result[1] : 0);

/** The RETURNING rows of the same answer, as their `id`s. */
export const returnedIds = (result: unknown): string[] =>
  isRowsAndCount(result) ? (result[0] as { id: string }[]).map((row) => row.id) : [];

const prepared = new WeakMap<DataSource, boolean>();

/**
 * Whether `query` prepares the statements of `db` (DB_PREPARED_STATEMENTS; on by default). Off
 * behind a pooler that hands each transaction another server session and does not carry
 * prepared statements along (PgBouncer before 1.21, or without `max_prepared_statements`).
 */
export function usePreparedStatements(db: DataSource, on: boolean): void {
  prepared.set(db, on);
}

/** The connection of the transaction `em` runs in, or null outside one. */
function transactionConnection(em: EntityManager): PoolClient | null {
  const runner = em.queryRunner;
  // TypeORM's PostgreSQL runner keeps its pooled pg client here while connected.
  const connection = (runner as { databaseConnection?: PoolClient } | undefined)
    ?.databaseConnection;
  return runner?.isTransactionActive && !runner.isReleased && connection ? connection : null;
}

/**
 * A statement runs as a named prepared statement: PostgreSQL parses and plans a text once per
 * connection, not on every request. For the list pages and the REACHES checks that was most of
 * their database time — a small tenant's reports page planned in ~2.3 ms and ran in ~0.6 ms
 * (bench/README.md). PostgreSQL decides per statement between the generic plan and custom plans
 * for the parameters (plan_cache_mode auto), so a viewer with 100,000 reports keeps the plan
 * that suits them. The texts come from code shapes, never from values (a list of ids is one
 * array parameter, `= ANY(:ids)`), so each connection holds a small fixed set. Visibility is
 * unaffected: a prepared statement reads the rows as they are when it executes, so a revoked
 * grant is seen by the very next statement.
 */
async function preparedQuery<R>(
  db: DataSource,
  target: Pool | PoolClient,
  text: string,
  values: unknown[],
  inTransaction = false,
): Promise<R[]> {
  db.logger.logQuery(text, values);
  const run = () => target.query({ name: statementName(text), text, values } as QueryConfig);
  try {
    return (await run()).rows as R[];
  } catch (error) {
    if (!isStaleStatement(error)) throw error;
    generation += 1;
    // The failed statement aborted the transaction: the caller runs it again whole
    // (`isStaleStatement`), under the new names.
    if (inTransaction) throw error;
    return (await run()).rows as R[];
  }
}

let generation = 0;
const names = new Map<string, { generation: number; name: string }>();

function statementName(text: string): string {
  const known = names.get(text);
  if (known?.generation === generation) return known.name;
  const name = `h${generation}_${createHash('sha1').update(text).digest('base64url')}`;
  names.set(text, { generation, name });
  return name;
}

/**
 * Errors that new statement names cure, retried once (any other error reaches the caller as it
 * is): a migration changed a table under a `SELECT *` prepared before it (0A000 — every
 * connection's copy is stale), or the session already holds the name although this connection
 * never prepared it (42P05 — the embedded database serves every socket connection from one
 * session, so a reconnected pool client or the CLI meets the statements of the one before).
 */
export function isStaleStatement(error: unknown): boolean {
  const { code, message } = error as { code?: string; message?: string };
  if (code === '42P05') return true;
  return code === '0A000' && /cached plan must not change result type/.test(message ?? '');
}

const mappers = new Map<unknown, (row: Row) => unknown>();

/**
 * Maps a raw `SELECT x.*` row onto an instance of `entity` (cached per entity and prefix). With
 * a `prefix`, the row's columns are `<prefix><column>` (see `prefixedColumns`).
 */
export function rowMapper<T extends ObjectLiteral>(
  db: Queryable,
  entity: EntityTarget<T>,
  prefix = '',
): (row: Row) => T {
  const source = 'connection' in db ? db.connection : db;
  const metadata = source.getMetadata(entity);
  const key = `${metadata.tableName}|${prefix}`;
  let mapper = mappers.get(key);
  if (!mapper) {
    const Target = metadata.target as new () => T;
    const columns = metadata.columns.map((c) => [c.propertyName, prefix + c.databaseName] as const);
    // The entity's @AfterLoad hooks run as TypeORM's own loading runs them (issue 28 #0: a
    // PENDING request past its expiresAt reads EXPIRED however it was loaded).
    const afterLoad = metadata.afterLoadListeners;
    mapper = (row: Row) => {
      const node = new Target() as Row;
      for (const [property, column] of columns) node[property] = row[column] ?? null;
      for (const listener of afterLoad) if (listener.isAllowed(node)) listener.execute(node);
      return node;
    };
    mappers.set(key, mapper);
  }
  return mapper as (row: Row) => T;
}

/** `alias.column AS "<prefix>column"` for every column of `entity`: a joined row for `rowMapper`. */
export function prefixedColumns(
  db: Queryable,
  entity: EntityTarget<ObjectLiteral>,
  alias: string,
  prefix: string,
): string {
  const source = 'connection' in db ? db.connection : db;
  return source
    .getMetadata(entity)
    .columns.map((c) => `${alias}.${c.databaseName} AS "${prefix}${c.databaseName}"`)
    .join(', ');
}
