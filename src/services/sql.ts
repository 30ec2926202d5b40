import type { DataSource, EntityManager } from 'typeorm';

/**
 * Runs raw SQL written with TypeORM-style named parameters (`:name`), so the visibility
 * predicates of src/permissions/visibility.ts (which use `:viewerId` and `:scopeAccountId`)
 * compose into hand-written set-based statements. Parameter names must not collide with type
 * names used in casts (`::uuid`).
 */
export function namedSql(
  db: DataSource | EntityManager,
  sql: string,
  params: Record<string, unknown>,
): [string, unknown[]] {
  const driver = 'driver' in db ? db.driver : db.connection.driver;
  return driver.escapeQueryWithParameters(sql, params) as [string, unknown[]];
}

export async function queryNamed<T = Record<string, unknown>>(
  em: EntityManager,
  sql: string,
  params: Record<string, unknown>,
): Promise<T[]> {
  const [query, values] = namedSql(em, sql, params);
  const result: unknown = await em.query(query, values);
  // UPDATE ... RETURNING answers [rows, count] through TypeORM's postgres driver.
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  ) {
    return result[0] as T[];
  }
  return result as T[];
}

/** TypeORM answers an UPDATE or DELETE through `query()` as `[rows, affected]`: the count. */
export const rowCount = (result: unknown): number =>
  Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;

/** The same answer's RETURNING rows, as their `id`s. */
export const returnedIds = (result: unknown): string[] =>
  Array.isArray(result) && Array.isArray(result[0])
    ? (result[0] as { id: string }[]).map((row) => row.id)
    : [];
