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

/**
 * Starts everything `npm start` runs. `stop` is the graceful shutdown: /health/ready answers
 * 503 at once (SHUTDOWN_DELAY_MS lets a load balancer notice while requests are still served),
 * then the listener closes and requests in flight finish, then background work (the mail
 * relay) stops, and only then the pool and the database close.
 */
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
  let shuttingDown = false;
  const http = await createHttpServer({
    env,
    db: database.db,
    isReady,
    isShuttingDown: () => shuttingDown,
  });
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
        shuttingDown = true;
        if (env.SHUTDOWN_DELAY_MS > 0) {
          await new Promise((resolve) => setTimeout(resolve, env.SHUTDOWN_DELAY_MS));
        }
        await http.stop();
        await stopBackground();
        await database.close();
        logger.info('stopped');
      })();
      return stopping;
    },
  };
}
