import type { DataSource } from 'typeorm';

/**
 * Another request's transaction, on its own connection, caught half-way: its statements ran, its
 * COMMIT not yet, so a request started now meets its locks. `commit` lets it finish; `rollback`
 * abandons it.
 */
export async function inFlight(db: DataSource, statements: [string, unknown[]][]) {
  const runner = db.createQueryRunner();
  await runner.connect();
  const end = async (finish: () => Promise<void>) => {
    try {
      await finish();
    } finally {
      await runner.release();
    }
  };
  try {
    await runner.startTransaction('READ COMMITTED');
    for (const [sql, parameters] of statements) await runner.query(sql, parameters);
  } catch (error) {
    await end(() => runner.rollbackTransaction());
    throw error;
  }
  return {
    commit: () => end(() => runner.commitTransaction()),
    rollback: () => end(() => runner.rollbackTransaction()),
  };
}

/**
 * Resolves once a backend of this database waits for a lock (the request under test queued behind
 * an `inFlight` transaction) or, when given, once `pending` has answered first; fails when neither
 * happens, so a race that was never set up cannot pass as won.
 */
export async function untilLockWait(db: DataSource, pending?: Promise<unknown>) {
  let answered = false;
  pending?.then(
    () => (answered = true),
    () => (answered = true),
  );
  for (let tries = 0; tries < 400 && !answered; tries += 1) {
    const [{ n }] = await db.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if (n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  if (!answered) throw new Error('the request neither waited for a lock nor answered');
}
