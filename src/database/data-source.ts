import 'reflect-metadata';
import { DataSource, type Logger as TypeOrmLogger, type QueryRunner } from 'typeorm';
import { entities } from '../entities';
import { SnakeNamingStrategy } from './snake-naming.strategy';
import { migrations } from './migrations';

/**
 * Counts statements per request (the N+1 tests read it) and logs slow or failing queries.
 * The request scope is carried by AsyncLocalStorage so counting needs no plumbing in services.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface QueryScope {
  statements: number;
  log?: string[];
}
export const queryScope = new AsyncLocalStorage<QueryScope>();

class CountingLogger implements TypeOrmLogger {
  logQuery(query: string) {
    const scope = queryScope.getStore();
    if (!scope) return;
    if (/^(START TRANSACTION|COMMIT|ROLLBACK|BEGIN|SAVEPOINT|RELEASE)/i.test(query)) return;
    scope.statements += 1;
    scope.log?.push(query);
  }
  logQueryError() {}
  logQuerySlow() {}
  logSchemaBuild() {}
  logMigration() {}
  log() {}
}

export function createDataSource(url: string, poolSize = 10): DataSource {
  return new DataSource({
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
    extra: { max: poolSize },
  });
}

export type { QueryRunner };
