import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { loadEnv, type Env } from '../../src/config/env';
import { openDatabase, type DatabaseHandle } from '../../src/database/database';

/**
 * A database of this test file's own: an in-memory embedded PGlite by default, or a new
 * throwaway database on the PostgreSQL server of TEST_DATABASE_URL (dropped afterwards). With
 * TEST_WITH_STANDBY=1 (issue 27), on a primary of the file's own with a streaming hot standby
 * configured as DATABASE_REPLICA_URLS (test/helpers/replicated-pair.ts), so the suite runs with
 * reads routed to the standby whenever it may serve them.
 */
export const usingPostgres = () => !!process.env.TEST_DATABASE_URL;

export function testEnv(overrides: Record<string, string> = {}): Env {
  return loadEnv({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    JWT_SECRET: 'test-secret-for-handover-tests',
    LOG_LEVEL: 'silent',
    SEED_DEMO: 'false',
    ...overrides,
  });
}

async function adminQuery(sql: string) {
  const client = new Client({ connectionString: process.env.TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface TestDatabase extends DatabaseHandle {
  url: string;
  env: Env;
  /** TEST_WITH_STANDBY: reads may go to a standby of this database. */
  standby?: boolean;
}

export async function createTestDatabase(
  envOverrides: Record<string, string> = {},
): Promise<TestDatabase> {
  if (process.env.TEST_NO_DATABASE) {
    throw new Error('a file of the no-database project opens a database: move it (jest.config.js)');
  }
  if (process.env.TEST_WITH_STANDBY) return databaseWithStandby(envOverrides);
  if (!usingPostgres()) {
    const env = testEnv(envOverrides);
    const handle = await openDatabase(env, { inMemory: true });
    return { ...handle, url: handle.embedded!.url, env };
  }
  const name = `handover_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(process.env.TEST_DATABASE_URL!);
  url.pathname = `/${name}`;
  const env = testEnv({ ...envOverrides, DATABASE_URL: url.toString() });
  const handle = await openDatabase(env);
  return {
    ...handle,
    url: url.toString(),
    env,
    async close() {
      await handle.close();
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

async function databaseWithStandby(envOverrides: Record<string, string>): Promise<TestDatabase> {
  const { startReplicatedPair } = await import('./replicated-pair');
  const pair = await startReplicatedPair();
  const name = 'handover_test';
  const admin = new Client({ connectionString: pair.primaryUrl('postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const env = testEnv({
    ...envOverrides,
    DATABASE_URL: pair.primaryUrl(name),
    DATABASE_REPLICA_URLS: pair.standbyUrl(name),
  });
  const handle = await openDatabase(env);
  return {
    ...handle,
    url: pair.primaryUrl(name),
    env,
    standby: true,
    async close() {
      try {
        await handle.close();
      } finally {
        pair.stop();
      }
    },
  };
}
