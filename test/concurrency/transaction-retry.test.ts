import type { DataSource } from 'typeorm';
import { testEnv } from '../helpers/test-database';
import { inTransaction, transactionRetries } from '../../src/services/transaction';
import type { RequestContext } from '../../src/context/request-context';

/**
 * inTransaction re-runs the whole transaction after a deadlock (40P01) or serialization failure
 * (40001), a bounded number of times, and then answers CONFLICT (retryable), never an internal
 * error. The database is stood in for: what matters is how PostgreSQL's answers are treated.
 */
const failing = (code: string) => Object.assign(new Error(`simulated ${code}`), { code });

function contextWith(transaction: (work: (em: never) => Promise<unknown>) => Promise<unknown>) {
  const warnings: unknown[] = [];
  const db = {
    transaction: (_isolation: string, work: (em: never) => Promise<unknown>) => transaction(work),
  } as unknown as DataSource;
  const log = { warn: (details: unknown) => warnings.push(details) };
  const gateDecisions = { field: null, list: [] };
  return {
    ctx: { db, env: testEnv(), log, gateDecisions } as unknown as RequestContext,
    warnings,
  };
}

it('re-runs the whole transaction after a deadlock and returns its result', async () => {
  let runs = 0;
  const before = transactionRetries.count;
  const { ctx, warnings } = contextWith(async (work) => {
    runs += 1;
    if (runs <= 2) throw failing(runs === 1 ? '40P01' : '40001');
    return work(undefined as never);
  });
  await expect(inTransaction(ctx, async () => 'done')).resolves.toBe('done');
  expect(runs).toBe(3);
  expect(transactionRetries.count - before).toBe(2);
  expect(warnings).toEqual([
    { sqlState: '40P01', attempt: 1 },
    { sqlState: '40001', attempt: 2 },
  ]);
});

it('answers CONFLICT with retryable: true when every attempt deadlocks', async () => {
  let runs = 0;
  const { ctx } = contextWith(async () => {
    runs += 1;
    throw failing('40P01');
  });
  const error = await inTransaction(ctx, async () => 'never').catch((e: unknown) => e);
  expect(runs).toBe(5);
  expect(error).toMatchObject({ extensions: { code: 'CONFLICT', retryable: true } });
});

it('does not re-run other failures', async () => {
  let runs = 0;
  const { ctx } = contextWith(async () => {
    runs += 1;
    throw failing('23505');
  });
  await expect(inTransaction(ctx, async () => 'never')).rejects.toThrow('simulated 23505');
  expect(runs).toBe(1);
});
