import 'reflect-metadata';
import { EnvError, loadEnv } from './config/env';
import { logger } from './config/logger';
import { connectForTool } from './database/database';
import { startMailRelay } from './mail/mail-relay';
import { startConnectionExpiry } from './jobs/connection-expiry';
import { startDisconnectionScheduler } from './jobs/disconnection-scheduler';

/**
 * `npm run worker`: the R19 mail relay, R26 request expiry and the R31 disconnection scheduler on
 * their own (the server runs them too; any number may run side by side on PostgreSQL: see
 * src/mail/mail-relay.ts and src/jobs/disconnection-scheduler.ts). Uses DATABASE_URL,
 * or opens the embedded database when no server runs (a running server relays its own mail).
 */
async function main() {
  let env;
  try {
    env = loadEnv();
  } catch (error) {
    if (error instanceof EnvError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const database = await connectForTool(env);
  if (!env.DATABASE_URL && !database.embedded) {
    // The embedded database is one session shared through a socket: a second process polling
    // it would interleave its statements with the server's. The server's own relay delivers.
    logger.info('a running server owns the embedded database and delivers its mail; exiting');
    await database.close();
    return;
  }
  const relay = startMailRelay({ db: database.db, env });
  const expiry = startConnectionExpiry(database.db, logger);
  const scheduler = startDisconnectionScheduler({ db: database.db, env });
  logger.info({ smtp: env.SMTP_URL ? 'smtp' : `${env.DATA_DIR}/mail` }, 'mail relay running');
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'mail relay stopping');
    Promise.all([relay.stop(), expiry.stop(), scheduler.stop()])
      .then(() => database.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, 'worker failed to start');
  process.exit(1);
});
