/**
 * R31 (issue 28 #1–#3, #5): scheduled disconnections through the API, and the scheduler's runs
 * at a moment the test chooses (runSchedulerTick(now)): no test waits for real time.
 */
import { AccountStatus, AccountType, ConnectionStatus, Role } from '../../src/entities';
import type { Account, AgencyConnection, User } from '../../src/entities';
import { runSchedulerTick } from '../../src/jobs/disconnection-scheduler';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  DisconnectionConvertClientToPremiumDocument as CONVERT,
  ScheduleCancelDocument as CANCEL,
  ScheduleDisconnectAgencyDocument as DISCONNECT_AGENCY,
  ScheduleNodeDocument as SCHEDULE_NODE,
  ScheduleOnClientDocument as ON_CLIENT,
  ScheduleOnConnectionDocument as ON_CONNECTION,
  ScheduleScheduleDisconnectionDocument as SCHEDULE,
} from '../generated/graphql';
import { type As, type GraphQLResponse, useTestServer } from '../helpers/test-server';

const { server, f } = useTestServer();

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** The answer's data, failing loudly on top-level errors (assertions read it loosely). */
async function data<V extends Record<string, unknown>>(
  document: TypedDocumentNode<unknown, V>,
  variables: V,
  as: As,
): Promise<any> {
  const response = await server.op(document, variables, as);
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return response.data!;
}
const codes = (r: GraphQLResponse) => (r.errors ?? []).map((e) => e.extensions?.code);
/**
 * One scheduler tick at `now`, as seen by the schedules `ids` (other tests' schedules share the
 * database and may fall due at the same tick): their runs and reminders.
 */
async function tick(now: Date, ...ids: string[]) {
  const { runs, reminders } = await runSchedulerTick(
    { db: server.db, env: server.database.env },
    now,
  );
  return {
    runs: Object.fromEntries(Object.entries(runs).filter(([id]) => ids.includes(id))),
    reminders: reminders.filter((key) => ids.includes(key.split(':')[0])),
  };
}
const inHours = (hours: number) => new Date(Date.now() + hours * HOUR);
const outbox = async (prefix: string) =>
  (
    await server.db.query(
      `SELECT to_address FROM email_outbox WHERE dedupe_key LIKE $1 || '%' ORDER BY to_address`,
      [prefix],
    )
  ).map((row: { to_address: string }) => row.to_address);
const scheduleRow = async (id: string) =>
  (await server.db.query(`SELECT * FROM scheduled_disconnections WHERE id = $1`, [id]))[0];

/** An agency A and a premium P, connected; a second agency E connected to P too (the attacker). */
async function world() {
  const agency = await f.agency();
  const premium = await f.premium();
  const second = await f.agency();
  const a = {
    admin: await f.member(agency, Role.ADMIN),
    admin2: await f.member(agency, Role.ADMIN),
    regular: await f.member(agency, Role.REGULAR),
  };
  const p = {
    admin: await f.member(premium, Role.ADMIN),
    regular: await f.member(premium, Role.REGULAR),
  };
  const e = { admin: await f.member(second, Role.ADMIN) };
  const connection = await f.connection(agency, premium);
  await f.connection(second, premium);
  const integration = await f.integration(agency);
  await f.mapping(integration, premium);
  return { agency, premium, second, a, p, e, connection };
}

async function schedule(input: Record<string, unknown>, as: As) {
  const { scheduleDisconnection: payload } = await data(
    SCHEDULE,
    { input: { runAt: inHours(48).toISOString(), ...input } },
    as,
  );
  return payload;
}

describe('scheduleDisconnection (R31)', () => {
  it('schedules a connection disconnection, shows it with a current preview to both sides, and tells both sides once', async () => {
    const w = await world();
    const payload = await schedule({ connectionId: w.connection.id }, w.a.admin);
    expect(payload.userErrors).toEqual([]);
    const { schedule: created } = payload;
    expect(created).toMatchObject({
      status: 'SCHEDULED',
      scheduledBy: { id: w.a.admin.id },
      connection: { id: w.connection.id },
      clientAccount: null,
    });
    for (const viewer of [w.a.admin, w.p.admin]) {
      const { node } = await data(ON_CONNECTION, { id: w.connection.id }, viewer);
      expect(node.scheduledDisconnection).toEqual({
        id: created.id,
        status: 'SCHEDULED',
        preview: { mappingsToPause: 1, usersLosingAccess: expect.any(Array) },
      });
    }
    // The agency's three users lose the premium at the run: the preview says so now.
    const { node } = await data(ON_CONNECTION, { id: w.connection.id }, w.p.admin);
    expect(
      node.scheduledDisconnection.preview.usersLosingAccess.map((u: User) => u.id).sort(),
    ).toEqual([w.a.admin.id, w.a.admin2.id, w.a.regular.id].sort());
    // A REGULAR sees the connection's schedule but not its preview (the preview's own gate).
    expect((await data(ON_CONNECTION, { id: w.connection.id }, w.a.regular)).node).toBeDefined();
    expect(await outbox(`schedule:${created.id}:scheduled`)).toEqual(
      [w.a.admin.email, w.a.admin2.email, w.p.admin.email].sort(),
    );
    const [event] = await server.db.query(
      `SELECT actor_id, details FROM audit_events WHERE action = 'DISCONNECTION_SCHEDULED'
        AND details->>'scheduleId' = $1`,
      [created.id],
    );
    expect(event.actor_id).toBe(w.a.admin.id);
    expect(event.details.schedulingAccountId).toBe(w.agency.id);
    // Unchanged until it runs.
    expect((await scheduleRow(created.id)).status).toBe('SCHEDULED');
    expect(
      (
        await server.db.query(`SELECT status FROM agency_connections WHERE id = $1`, [
          w.connection.id,
        ])
      )[0].status,
    ).toBe(ConnectionStatus.ACTIVE);
  });

  it('refuses what R31 refuses, with codes and fields', async () => {
    const w = await world();
    const errorsOf = async (input: Record<string, unknown>, as: As = w.a.admin) =>
      (await schedule(input, as)).userErrors.map((e: { code: string; field: string[] }) => [
        e.code,
        e.field,
      ]);
    expect(await errorsOf({})).toEqual([['INVALID_INPUT', ['input']]]);
    expect(
      await errorsOf({ connectionId: w.connection.id, clientAccountId: w.connection.id }),
    ).toEqual([['INVALID_INPUT', ['input']]]);
    for (const runAt of [inHours(0.5), inHours(-1), new Date(Date.now() + 366 * DAY)]) {
      expect(await errorsOf({ connectionId: w.connection.id, runAt: runAt.toISOString() })).toEqual(
        [['INVALID_INPUT', ['input', 'runAt']]],
      );
    }
    // The second agency on the same premium: the connection does not exist for it (A3).
    expect(await errorsOf({ connectionId: w.connection.id }, w.e.admin)).toEqual([
      ['NOT_FOUND', ['input', 'connectionId']],
    ]);
    expect(await errorsOf({ connectionId: 'not-an-id' })).toEqual([
      ['NOT_FOUND', ['input', 'connectionId']],
    ]);
    // A REGULAR of a side may not disconnect, so may not schedule; a token never.
    for (const as of [
      w.a.regular,
      w.p.regular,
      { token: (await f.apiToken(w.agency, w.a.admin)).token },
    ]) {
      const response = await server.op(
        SCHEDULE,
        { input: { connectionId: w.connection.id, runAt: inHours(48).toISOString() } },
        as,
      );
      expect(codes(response)).toEqual(['FORBIDDEN']);
    }
    expect((await schedule({ connectionId: w.connection.id }, w.p.admin)).userErrors).toEqual([]);
    expect(await errorsOf({ connectionId: w.connection.id })).toEqual([
      ['SCHEDULE_EXISTS', ['input', 'connectionId']],
    ]);
    const premium2 = await f.premium();
    const gone = await f.connection(w.agency, premium2, {
      status: ConnectionStatus.DISCONNECTED,
      disconnectedAt: new Date(),
    });
    expect(await errorsOf({ connectionId: gone.id })).toEqual([
      ['ALREADY_DISCONNECTED', ['input', 'connectionId']],
    ]);
    expect(
      Number(
        (
          await server.db.query(
            `SELECT count(*) AS n FROM scheduled_disconnections WHERE connection_id IN ($1, $2)`,
            [w.connection.id, gone.id],
          )
        )[0].n,
      ),
    ).toBe(1);
  });
});

describe('the scheduler runs the very disconnection (R31)', () => {
  it('runs at runAt, exactly once, as the scheduler on behalf of the scheduling account', async () => {
    const w = await world();
    const { schedule: created } = await schedule({ connectionId: w.connection.id }, w.a.admin);
    const runAt = new Date(created.runAt);

    expect((await tick(new Date(runAt.getTime() - 60_000), created.id)).runs).toEqual({});
    expect((await tick(new Date(runAt.getTime() + 1000), created.id)).runs).toEqual({
      [created.id]: 'DONE',
    });
    expect((await tick(new Date(runAt.getTime() + 2 * DAY), created.id)).runs).toEqual({});

    const [connection] = await server.db.query(
      `SELECT status, disconnected_by_id FROM agency_connections WHERE id = $1`,
      [w.connection.id],
    );
    expect(connection).toEqual({ status: 'DISCONNECTED', disconnected_by_id: w.a.admin.id });
    const row = await scheduleRow(created.id);
    expect(row.status).toBe('DONE');
    expect(row.ran_at).not.toBeNull();
    const events = await server.db.query(
      `SELECT action, actor_id, request_id, details FROM audit_events
        WHERE action = 'AGENCY_DISCONNECTED' AND details->>'connectionId' = $1`,
      [w.connection.id],
    );
    expect(events).toHaveLength(1);
    expect(events[0].actor_id).toBe(w.a.admin.id);
    expect(events[0].request_id).toBe(`scheduler:${created.id}:1`);
    expect(events[0].details.scheduledRun).toEqual({
      runBy: 'scheduler',
      scheduleId: created.id,
      scheduledById: w.a.admin.id,
      onBehalfOfAccountId: w.agency.id,
    });
    // One email per admin of both sides, naming the scheduler.
    const done = await server.db.query(
      `SELECT to_address, body FROM email_outbox WHERE dedupe_key LIKE $1 ORDER BY to_address`,
      [`disconnect-agency:${w.connection.id}:%`],
    );
    expect(done.map((m: { to_address: string }) => m.to_address)).toEqual(
      [w.a.admin.email, w.a.admin2.email, w.p.admin.email].sort(),
    );
    expect(done[0].body).toContain('by the scheduler, as scheduled by');
    // The agency's users lost the premium at once (R5).
    expect((await data(ON_CLIENT, { id: w.premium.id }, w.a.regular)).account).toBeNull();
    // No longer pending: the connection shows none; the schedule itself says DONE.
    expect(
      (await data(ON_CONNECTION, { id: w.connection.id }, w.p.admin)).node.scheduledDisconnection,
    ).toBeNull();
    expect((await data(SCHEDULE_NODE, { id: created.id }, w.p.admin)).node).toMatchObject({
      id: created.id,
      status: 'DONE',
      failureReason: null,
      preview: null,
    });
    expect((await data(SCHEDULE_NODE, { id: created.id }, w.e.admin)).node).toBeNull();
  });

  it('a disconnection by hand first ends the schedule ALREADY_DISCONNECTED: no second run, no second email', async () => {
    const w = await world();
    const { schedule: created } = await schedule({ connectionId: w.connection.id }, w.p.admin);
    const manual = await data(DISCONNECT_AGENCY, { id: w.connection.id }, w.a.admin);
    expect(manual.disconnectAgency.userErrors).toEqual([]);
    expect((await scheduleRow(created.id)).status).toBe('ALREADY_DISCONNECTED');
    const mails = (await outbox(`disconnect-agency:${w.connection.id}`)).length;
    expect(mails).toBe(3);
    expect((await tick(new Date(Date.parse(created.runAt) + 1000), created.id)).runs).toEqual({});
    expect((await outbox(`disconnect-agency:${w.connection.id}`)).length).toBe(3);
    expect(
      Number(
        (
          await server.db.query(
            `SELECT count(*) AS n FROM audit_events WHERE action = 'AGENCY_DISCONNECTED' AND details->>'connectionId' = $1`,
            [w.connection.id],
          )
        )[0].n,
      ),
    ).toBe(1);
  });

  it('either side cancels until it runs; the other agency cannot; a cancelled schedule never runs', async () => {
    const w = await world();
    const { schedule: created } = await schedule({ connectionId: w.connection.id }, w.a.admin);
    const cancelAs = async (as: As) => server.op(CANCEL, { id: created.id }, as);
    expect((await cancelAs(w.e.admin)).data!.cancelScheduledDisconnection.userErrors).toEqual([
      { code: 'NOT_FOUND', field: ['scheduleId'], message: 'Scheduled disconnection not found' },
    ]);
    expect(codes(await cancelAs(w.a.regular))).toEqual(['FORBIDDEN']);
    expect(
      codes(await cancelAs({ token: (await f.apiToken(w.premium, w.p.admin)).token })),
    ).toEqual(['FORBIDDEN']);
    const cancelled = (await cancelAs(w.p.admin)).data!.cancelScheduledDisconnection;
    expect(cancelled.userErrors).toEqual([]);
    expect(cancelled.schedule).toMatchObject({
      id: created.id,
      status: 'CANCELLED',
      cancelledBy: { id: w.p.admin.id },
    });
    expect(await outbox(`schedule:${created.id}:cancelled`)).toEqual(
      [w.a.admin.email, w.a.admin2.email, w.p.admin.email].sort(),
    );
    expect((await cancelAs(w.a.admin)).data!.cancelScheduledDisconnection.userErrors).toEqual([
      {
        code: 'INVALID_STATE',
        field: ['scheduleId'],
        message: 'This disconnection is CANCELLED; only a SCHEDULED one can be cancelled',
      },
    ]);
    expect((await tick(new Date(Date.parse(created.runAt) + 1000), created.id)).runs).toEqual({});
    expect(
      (
        await server.db.query(`SELECT status FROM agency_connections WHERE id = $1`, [
          w.connection.id,
        ])
      )[0].status,
    ).toBe('ACTIVE');
    // A new schedule may follow a cancelled one.
    expect((await schedule({ connectionId: w.connection.id }, w.a.admin)).userErrors).toEqual([]);
  });

  it('a client: the run equals the preview its schedule showed; converted meanwhile → FAILED, told to the scheduler', async () => {
    const agency = await f.agency();
    const admin = await f.member(agency, Role.ADMIN);
    const client = await f.client(agency);
    const brand = await f.member(client, Role.VIEW_ONLY);
    const item = await f.item(client);
    await f.report(client, { items: [item] });
    await f.report(client, { items: [item] });
    const { schedule: created } = await schedule({ clientAccountId: client.id }, admin);
    expect(created.clientAccount).toEqual({ id: client.id });
    const shown = (await data(ON_CLIENT, { id: client.id }, admin)).account.scheduledDisconnection;
    expect(shown.preview).toMatchObject({ reportsToArchive: 2, itemsToFreeze: 1 });
    // The client's own user sees no schedule of its agency's (not a decider, no internals here).
    expect((await tick(new Date(Date.parse(created.runAt) + 1000), created.id)).runs).toEqual({
      [created.id]: 'DONE',
    });
    const [event] = await server.db.query(
      `SELECT details FROM audit_events WHERE action = 'CLIENT_DISCONNECTED' AND account_id = $1`,
      [client.id],
    );
    expect([event.details.reportsArchived, event.details.itemsFrozen]).toEqual([
      shown.preview.reportsToArchive,
      shown.preview.itemsToFreeze,
    ]);
    expect(event.details.userIdsLosingAccess.sort()).toEqual(
      shown.preview.usersLosingAccess.map((u: User) => u.id).sort(),
    );
    expect(event.details.userIdsLosingAccess).toContain(brand.id);

    // Converted to a premium before its run: FAILED with the reason, nothing changed.
    const other = await f.client(agency);
    const { schedule: doomed } = await schedule({ clientAccountId: other.id }, admin);
    await server.db.query(
      `UPDATE accounts SET type = 'PREMIUM_CLIENT', agency_id = NULL WHERE id = $1`,
      [other.id],
    );
    expect((await tick(new Date(Date.parse(doomed.runAt) + 1000), doomed.id)).runs).toEqual({
      [doomed.id]: 'FAILED',
    });
    const failed = await scheduleRow(doomed.id);
    expect(failed.status).toBe('FAILED');
    expect(failed.failure_reason).toBe('Only a CLIENT account can be disconnected or converted');
    expect(await outbox(`schedule:${doomed.id}:failed`)).toEqual([admin.email]);
    expect(
      (await server.db.query(`SELECT status, type FROM accounts WHERE id = $1`, [other.id]))[0],
    ).toEqual({ status: AccountStatus.ACTIVE, type: AccountType.PREMIUM_CLIENT });
    expect(
      (
        await server.db.query(
          `SELECT count(*)::int AS n FROM audit_events WHERE action = 'SCHEDULED_DISCONNECTION_FAILED' AND details->>'scheduleId' = $1`,
          [doomed.id],
        )
      )[0].n,
    ).toBe(1);
  });

  it('converting the client to a premium (R21) cancels its pending schedule', async () => {
    const agency = await f.agency();
    const admin = await f.member(agency, Role.ADMIN);
    const client = await f.client(agency);
    const brandAdmin = await f.member(client, Role.VIEW_ONLY);
    const { schedule: created } = await schedule({ clientAccountId: client.id }, admin);
    const converted = await data(
      CONVERT,
      {
        input: { clientAccountId: client.id, contractReference: 'C-1', adminUserId: brandAdmin.id },
      },
      await f.staff(),
    );
    expect(converted.convertClientToPremium.userErrors).toEqual([]);
    const row = await scheduleRow(created.id);
    expect([row.status, row.cancelled_by_id === null]).toEqual(['CANCELLED', false]);
    expect((await tick(new Date(Date.parse(created.runAt) + 1000), created.id)).runs).toEqual({});
  });

  it('sends the 7-day and 1-day reminders once each, only when still ahead', async () => {
    const w = await world();
    const runAt = new Date(Date.now() + 10 * DAY);
    const { schedule: far } = await schedule(
      { connectionId: w.connection.id, runAt: runAt.toISOString() },
      w.a.admin,
    );
    const client = await f.client(w.agency);
    const soonAt = new Date(Date.now() + 2.5 * DAY);
    const { schedule: soon } = await schedule(
      { clientAccountId: client.id, runAt: soonAt.toISOString() },
      w.a.admin,
    );
    const at = (base: Date, ms: number) => new Date(base.getTime() + ms);
    const ids = [far.id, soon.id];

    // The 2.5-days-ahead client gets only its 1-day reminder.
    expect((await tick(at(soonAt, -25 * HOUR), ...ids)).reminders).toEqual([]);
    expect((await tick(at(soonAt, -23 * HOUR), ...ids)).reminders).toEqual([`${soon.id}:1d`]);
    expect(await outbox(`schedule:${soon.id}:reminder-1d`)).toEqual(
      [w.a.admin.email, w.a.admin2.email].sort(),
    );
    expect((await tick(at(soonAt, 1000), ...ids)).runs).toEqual({ [soon.id]: 'DONE' });
    expect(await outbox(`schedule:${soon.id}:reminder-7d`)).toEqual([]);

    expect((await tick(at(runAt, -7 * DAY + HOUR), ...ids)).reminders).toEqual([`${far.id}:7d`]);
    expect((await tick(at(runAt, -6 * DAY), ...ids)).reminders).toEqual([]);
    expect(await outbox(`schedule:${far.id}:reminder-7d`)).toEqual(
      [w.a.admin.email, w.a.admin2.email, w.p.admin.email].sort(),
    );
    expect((await tick(at(runAt, -20 * HOUR), ...ids)).reminders).toEqual([`${far.id}:1d`]);
    expect((await tick(at(runAt, -19 * HOUR), ...ids)).reminders).toEqual([]);
    expect((await scheduleRow(far.id)).reminders_sent).toEqual(['7d', '1d']);
  });

  it('a run whose worker died is claimed again once its lease has passed, and runs once', async () => {
    const w = await world();
    const { schedule: created } = await schedule({ connectionId: w.connection.id }, w.a.admin);
    const runAt = Date.parse(created.runAt);
    // As a worker that claimed it at runAt and died: leased for 5 minutes, attempt 1 spent.
    await server.db.query(
      `UPDATE scheduled_disconnections SET attempts = 1, lease_until = $2 WHERE id = $1`,
      [created.id, new Date(runAt + 5 * 60_000)],
    );
    expect((await tick(new Date(runAt + 60_000), created.id)).runs).toEqual({});
    expect((await tick(new Date(runAt + 6 * 60_000), created.id)).runs).toEqual({
      [created.id]: 'DONE',
    });
    const row = await scheduleRow(created.id);
    expect([row.status, row.attempts, row.lease_until]).toEqual(['DONE', 2, null]);
  });
});

export type { Account, AgencyConnection };
