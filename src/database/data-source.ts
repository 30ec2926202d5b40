import 'reflect-metadata';
import { DataSource, type Logger as TypeOrmLogger, type QueryRunner } from 'typeorm';
import { entities } from '../entities';
import { usePreparedStatements } from './raw-sql';
import { SnakeNamingStrategy } from './snake-naming.strategy';
import { migrations } from './migrations';

/**
 * Counts the statements this process sends (transaction control excluded). The N+1 and
 * bulk-work tests read it around one request; it costs one increment per query.
 */
export const statementCounter = {
  count: 0,
  log: null as string[] | null,
  /** With parameters, for the bench's EXPLAIN of what a request ran (bench/plans/). */
  capture: null as { query: string; parameters: unknown[] }[] | null,
};

class CountingLogger implements TypeOrmLogger {
  logQuery(query: string, parameters?: unknown[]) {
    if (/^(START TRANSACTION|COMMIT|ROLLBACK|BEGIN|SAVEPOINT|RELEASE)/i.test(query)) return;
    statementCounter.count += 1;
    statementCounter.log?.push(query);
    statementCounter.capture?.push({ query, parameters: parameters ?? [] });
  }
  logQueryError() {}
  logQuerySlow() {}
  logSchemaBuild() {}
  logMigration() {}
  log() {}
}

export function createDataSource(
  url: string,
  poolSize = 10,
  options: { embedded?: boolean; preparedStatements?: boolean; standby?: boolean } = {},
): DataSource {
  const dataSource = new DataSource({
    type: 'postgres',
    url,
    entities,
    migrations,
    namingStrategy: new SnakeNamingStrategy(),
    uuidExtension: 'pgcrypto',
    synchronize: false,
    migrationsRun: false,
    migrationsTransactionMode: 'each',
    logging: ['query'],
    logger: new CountingLogger(),
    // A request waiting this long for a connection fails instead of hanging forever.
    extra: {
      max: poolSize,
      // A standby that does not answer is skipped for the primary (issue 27), not waited for.
      connectionTimeoutMillis: options.standby ? 2_000 : 30_000,
      ...(options.standby ? { statement_timeout: 30_000 } : {}),
      // The embedded database is one session behind every socket connection: its one pooled
      // connection stays open, so the statements it prepared (raw-sql.ts) stay its own.
      ...(options.embedded ? { idleTimeoutMillis: 0 } : {}),
    },
  });
  usePreparedStatements(dataSource, options.preparedStatements ?? true);
  return dataSource;
}

export type { QueryRunner };
