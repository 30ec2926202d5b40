import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { usingPostgres } from './test-database';

/**
 * `describe` for what only PostgreSQL can show (concurrent transactions, lock waits, killed
 * backends): the embedded database runs one transaction at a time. Without TEST_DATABASE_URL the
 * block is reported as skipped, its title saying why.
 */
export function pgOnly(name: string, fn: () => void): void {
  if (usingPostgres()) describe(name, fn);
  else describe.skip(`${name} [PostgreSQL only: set TEST_DATABASE_URL]`, fn);
}

/** CI (.ci/run sets CI=true) provides every service a test needs: a missing one is a failure. */
export const inCi = () => process.env.CI === 'true';

/**
 * Whether a Redis server answers PING at `url`, asked before the tests are registered (so a file
 * can skip, with a reason, where Redis is optional): a child process, as the answer is async.
 */
export function redisAnswers(url: string): boolean {
  const probe = spawnSync(
    process.execPath,
    [
      '-e',
      `const Redis = require('ioredis');
       const redis = new Redis(process.argv[1], { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000 });
       redis.connect().then(() => redis.ping()).then(() => process.exit(0), () => process.exit(1));`,
      url,
    ],
    { cwd: path.resolve(__dirname, '../..'), timeout: 5000, stdio: 'ignore' },
  );
  return probe.status === 0;
}
