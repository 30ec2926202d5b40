import type { DataSource } from 'typeorm';
import type { Env } from '../config/env';
import { logger } from '../config/logger';
import { openDatabase, type DatabaseHandle } from '../database/database';
import { createHttpServer, type HandoverHttpServer } from './app';

export interface RunningHandover {
  url: string;
  database: DatabaseHandle;
  http: HandoverHttpServer;
  stop(): Promise<void>;
}

/** Starts everything `npm start` runs; `stop` drains HTTP, then closes the pool and database. */
export async function startHandover(
  env: Env,
  options: {
    inMemory?: boolean;
    database?: DatabaseHandle;
    afterStart?: (db: DataSource) => Promise<() => Promise<void>>;
  } = {},
): Promise<RunningHandover> {
  const database = options.database ?? (await openDatabase(env, options));
  const isReady = async () => {
    if (!database.db.isInitialized) return false;
    return !(await database.db.showMigrations());
  };
  const http = await createHttpServer({ env, db: database.db, isReady });
  const url = await http.listen();
  const stopBackground = options.afterStart
    ? await options.afterStart(database.db)
    : async () => {};
  let stopping: Promise<void> | undefined;
  return {
    url,
    database,
    http,
    stop() {
      stopping ??= (async () => {
        await stopBackground();
        await http.stop();
        await database.close();
        logger.info('stopped');
      })();
      return stopping;
    },
  };
}
