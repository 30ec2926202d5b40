import 'reflect-metadata';
import { EnvError, loadEnv } from './config/env';
import { logger } from './config/logger';
import { startMailRelay } from './mail/mail-relay';
import { startConnectionExpiry } from './jobs/connection-expiry';
import { startDisconnectionScheduler } from './jobs/disconnection-scheduler';
import { seedDemoWorldIfEmpty } from './seed/demo-world';
import { startHandover } from './server/bootstrap';

/** `npm start`: the API on HOST:PORT, on the embedded database unless DATABASE_URL is set. */
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
  if (env.jwtSecretFile) {
    logger.warn(
      { file: env.jwtSecretFile },
      'JWT_SECRET is not set: using the secret generated and kept in this file (never in production)',
    );
  }
  // R19, R26, R31: the mail relay, request expiry and the disconnection scheduler run inside the
  // server too (stopped before the database closes); any number of servers and workers may run
  // them side by side (each claims with SKIP LOCKED and a lease).
  const running = await startHandover(env, {
    afterStart: async (db) => {
      // MAIL_RELAY_IN_SERVER=false when dedicated `npm run worker` processes deliver instead.
      const relay = env.MAIL_RELAY_IN_SERVER ? startMailRelay({ db, env }) : null;
      const expiry = startConnectionExpiry(db, logger);
      const scheduler = startDisconnectionScheduler({ db, env });
      return async () => {
        await scheduler.stop();
        await expiry.stop();
        await relay?.stop();
      };
    },
  });
  logger.info(
    { url: `${running.url}/graphql`, database: env.DATABASE_URL ? 'postgresql' : 'embedded' },
    'Handover is listening',
  );
  if (!env.DATABASE_URL && env.SEED_DEMO) {
    const demo = await seedDemoWorldIfEmpty(running.database.db, env);
    if (demo) printDemoUsers(demo, running.url);
  }

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

function printDemoUsers(demo: { email: string; role: string }[], url: string) {
  const lines = [
    '',
    'Demo world seeded. Get a token for any demo user with:',
    '  npm run cli -- token --email <email>',
    '',
    ...demo.map((user) => `  ${user.email.padEnd(32)} ${user.role}`),
    '',
    `Then send it as "Authorization: Bearer <token>" to ${url}/graphql`,
    '',
  ];
  console.log(lines.join('\n'));
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, 'failed to start');
  process.exit(1);
});
