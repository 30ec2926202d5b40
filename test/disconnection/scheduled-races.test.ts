/**
 * R31 (issue 28, done-when): on PostgreSQL (real concurrency), a due schedule's run, a
 * disconnection by hand and a cancel race 50 times — exactly one disconnection, one email per
 * admin, and the schedule ends in the state that says what happened; two schedulers (each with
 * its own connection pool, as two worker processes) with 50 schedules due at one instant run
 * each exactly once.
 */
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/database/data-source';
import { Role } from '../../src/entities';
import { runSchedulerTick } from '../../src/jobs/disconnection-scheduler';
import { pgOnly } from '../helpers/requirements';
import { useTestServer } from '../helpers/test-server';
import {
  RaceCancelScheduleDocument,
  RaceDisconnectAgencyDocument,
  RaceScheduleDisconnectionDocument,
} from '../generated/graphql';

const { server, f } = useTestServer();

const SCHEDULE = RaceScheduleDisconnectionDocument;
const CANCEL = RaceCancelScheduleDocument;
const DISCONNECT = RaceDisconnectAgencyDocument;

async function linkedPair() {
  const agency = await f.agency();
  const premium = await f.premium();
  const admins = [
    await f.member(agency, Role.ADMIN),
    await f.member(agency, Role.ADMIN),
    await f.member(premium, Role.ADMIN),
  ];
  const connection = await f.connection(agency, premium);
  return { agency, premium, admins, connection };
}

async function scheduleFor(connectionId: string, as: Parameters<typeof server.gql>[2]) {
  const response = await server.op(
    SCHEDULE,
    { input: { connectionId, runAt: new Date(Date.now() + 2 * 3600_000).toISOString() } },
    as,
  );
  const payload = response.data!.scheduleDisconnection;
  expect(payload.userErrors).toEqual([]);
  return payload.schedule as { id: string; runAt: string };
}

pgOnly('scheduled disconnections under real concurrency (R31, I1, I4)', () => {
  it('a due run ∥ a disconnection by hand ∥ a cancel, 50 times: one disconnection, one email per admin, a truthful end state', async () => {
    const ends: Record<string, number> = {};
    for (let round = 0; round < 50; round++) {
      const w = await linkedPair();
      const schedule = await scheduleFor(w.connection.id, w.admins[0]);
      const due = new Date(Date.parse(schedule.runAt) + 1000);
      const [tick] = await Promise.all([
        runSchedulerTick({ db: server.db, env: server.database.env }, due),
        server.op(DISCONNECT, { id: w.connection.id }, w.admins[1]),
        server.op(CANCEL, { id: schedule.id }, w.admins[2]),
      ]);

      const events = await server.db.query(
        `SELECT details FROM audit_events
          WHERE action = 'AGENCY_DISCONNECTED' AND details->>'connectionId' = $1`,
        [w.connection.id],
      );
      expect(events).toHaveLength(1);
      const mails = await server.db.query(
        `SELECT to_address FROM email_outbox WHERE dedupe_key LIKE $1 ORDER BY to_address`,
        [`disconnect-agency:${w.connection.id}:%`],
      );
      expect(mails.map((m: { to_address: string }) => m.to_address)).toEqual(
        w.admins.map((u) => u.email).sort(),
      );
      const [row] = await server.db.query(
        `SELECT s.status, s.cancelled_by_id, k.status AS connection_status, k.disconnected_by_id
           FROM scheduled_disconnections s JOIN agency_connections k ON k.id = s.connection_id
          WHERE s.id = $1`,
        [schedule.id],
      );
      expect(row.connection_status).toBe('DISCONNECTED');
      const ranAsScheduled = !!events[0].details.scheduledRun;
      switch (row.status) {
        case 'DONE': // the run won: the event is the scheduler's
          expect(ranAsScheduled).toBe(true);
          expect(tick.runs[schedule.id]).toBe('DONE');
          expect(row.disconnected_by_id).toBe(w.admins[0].id);
          break;
        case 'ALREADY_DISCONNECTED': // the hand won before the run: the event is the hand's
          expect(ranAsScheduled).toBe(false);
          expect(row.disconnected_by_id).toBe(w.admins[1].id);
          break;
        case 'CANCELLED': // the cancel won: the hand disconnected, the schedule never ran
          expect(ranAsScheduled).toBe(false);
          expect(row.cancelled_by_id).toBe(w.admins[2].id);
          expect(row.disconnected_by_id).toBe(w.admins[1].id);
          break;
        default:
          throw new Error(`unexpected end state ${row.status}`);
      }
      ends[row.status] = (ends[row.status] ?? 0) + 1;
    }
    expect(Object.values(ends).reduce((a, b) => a + b, 0)).toBe(50);
  });

  it('two schedulers, 50 schedules due at one instant: each runs exactly once', async () => {
    const pairs = [];
    for (let i = 0; i < 50; i++) pairs.push(await linkedPair());
    const schedules = [];
    for (const w of pairs) schedules.push(await scheduleFor(w.connection.id, w.admins[0]));
    const instant = new Date(Math.max(...schedules.map((s) => Date.parse(s.runAt))) + 1000);
    const second: DataSource = createDataSource(server.database.url, 4);
    await second.initialize();
    try {
      const worker = async (db: DataSource) => {
        const done: string[] = [];
        for (;;) {
          const { runs } = await runSchedulerTick(
            { db, env: server.database.env, batchSize: 3 },
            instant,
          );
          const entries = Object.entries(runs);
          if (entries.length === 0) return done;
          done.push(...entries.filter(([, r]) => r === 'DONE').map(([id]) => id));
        }
      };
      const [one, two] = await Promise.all([worker(server.db), worker(second)]);
      const ids = schedules.map((s) => s.id);
      const mine = new Set([...one, ...two].filter((id) => ids.includes(id)));
      expect(mine.size).toBe(50);
      expect([...one, ...two].filter((id) => ids.includes(id))).toHaveLength(50);
      // Both took part (3 per claim, claims interleave), and no schedule ran twice.
      expect(one.length).toBeGreaterThan(0);
      expect(two.length).toBeGreaterThan(0);
      const [counts] = await server.db.query(
        `SELECT count(*) FILTER (WHERE s.status = 'DONE')::int AS done,
                (SELECT count(*)::int FROM audit_events e
                  WHERE e.action = 'AGENCY_DISCONNECTED'
                    AND e.details->'scheduledRun'->>'scheduleId' = ANY($1::text[])) AS events
           FROM scheduled_disconnections s WHERE s.id = ANY($1::uuid[])`,
        [ids],
      );
      expect(counts).toEqual({ done: 50, events: 50 });
    } finally {
      await second.destroy();
    }
  });
});
