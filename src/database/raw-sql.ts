/**
 * Raw SQL with rows mapped once (issue 10): named parameters as TypeORM writes them (`:name`,
 * `:...list`), rows mapped onto entity objects from the columns' metadata — no query builder, no
 * per-row hydration pipeline. Values arrive already typed by the `pg` driver (timestamptz as
 * Date, float8 as number, jsonb parsed), exactly as the entities declare them. For the paths
 * every request runs: lists, loaders, authentication.
 */
import type { DataSource, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

type Row = Record<string, unknown>;
type Queryable = DataSource | EntityManager;

/** Runs `sql` with named parameters; returns the raw rows. */
export async function query<R = Row>(
  db: Queryable,
  sql: string,
  parameters: Record<string, unknown>,
): Promise<R[]> {
  const source = 'connection' in db ? db.connection : db;
  const [text, values] = source.driver.escapeQueryWithParameters(sql, parameters);
  return db.query<R[]>(text, values);
}

const mappers = new Map<unknown, (row: Row) => unknown>();

/** Maps a raw `SELECT x.*` row onto an instance of `entity` (cached per entity). */
export function rowMapper<T extends ObjectLiteral>(
  db: Queryable,
  entity: EntityTarget<T>,
): (row: Row) => T {
  const source = 'connection' in db ? db.connection : db;
  const metadata = source.getMetadata(entity);
  let mapper = mappers.get(metadata.target);
  if (!mapper) {
    const Target = metadata.target as new () => T;
    const columns = metadata.columns.map((c) => [c.propertyName, c.databaseName] as const);
    mapper = (row: Row) => {
      const node = new Target() as Row;
      for (const [property, column] of columns) node[property] = row[column] ?? null;
      return node;
    };
    mappers.set(metadata.target, mapper);
  }
  return mapper as (row: Row) => T;
}
