import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import type { Env } from '../config/env';
import { createDataSource } from './data-source';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './embedded-database';

export interface DatabaseHandle {
  db: DataSource;
  embedded: EmbeddedDatabase | null;
  close(): Promise<void>;
}

/**
 * Connects to DATABASE_URL, or starts the embedded database under DATA_DIR, and applies
 * pending migrations. `inMemory` keeps the embedded database off disk (tests).
 */
export async function openDatabase(
  env: Env,
  options: { inMemory?: boolean } = {},
): Promise<DatabaseHandle> {
  const embedded = env.DATABASE_URL
    ? null
    : await startEmbeddedDatabase(options.inMemory ? undefined : path.join(env.DATA_DIR, 'pglite'));
  // PGlite is one session: pglite-socket queues protocol messages, not whole queries, so
  // statements from two connections can interleave (one's Parse with the other's Bind). One
  // pooled connection serializes them; PGlite could not run them in parallel anyway.
  const db = createDataSource(env.DATABASE_URL ?? embedded!.url, embedded ? 1 : env.DB_POOL_SIZE, {
    embedded: !!embedded,
    preparedStatements: env.DB_PREPARED_STATEMENTS,
  });
  try {
    await db.initialize();
    await db.runMigrations({ transaction: 'each' });
  } catch (error) {
    if (db.isInitialized) await db.destroy();
    await embedded?.stop();
    throw error;
  }
  // Tools (the CLI) reach a running server's embedded database through its socket address:
  // PGlite's files can be opened by one process only.
  const addressFile = embedded && !options.inMemory ? embeddedAddressFile(env) : null;
  if (addressFile)
    writeFileSync(addressFile, JSON.stringify({ url: embedded!.url, pid: process.pid }));
  return {
    db,
    embedded,
    async close() {
      if (db.isInitialized) await db.destroy();
      await embedded?.stop();
      if (addressFile) rmSync(addressFile, { force: true });
    },
  };
}

const embeddedAddressFile = (env: Env) => path.join(env.DATA_DIR, 'embedded-database.json');

/**
 * A database connection for one-shot tools: DATABASE_URL, else the embedded database of a
 * running server, else the embedded database opened directly (no server running).
 */
export async function connectForTool(env: Env): Promise<DatabaseHandle> {
  if (!env.DATABASE_URL) {
    let running: { url: string } | null = null;
    try {
      running = JSON.parse(readFileSync(embeddedAddressFile(env), 'utf8')) as { url: string };
    } catch {
      running = null;
    }
    if (running) {
      const db = createDataSource(running.url, 1);
      try {
        await db.initialize();
        return { db, embedded: null, close: () => db.destroy() };
      } catch {
        // a stale file from a server that did not shut down cleanly: open the files directly
      }
    }
  }
  return openDatabase(env);
}
