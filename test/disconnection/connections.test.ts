import {
  DisconnectionConnectionAccessDocument,
  DisconnectionSetConnectionAccessDocument,
} from '../generated/graphql';
import {
  AgencyConnection,
  ConnectionStatus,
  Role,
  type Account,
  type User,
} from '../../src/entities';
import { pgOnly } from '../helpers/requirements';
import { useTestServer } from '../helpers/test-server';
import { agencyWithStaff, call, errorCodes, ids, ops, premiumWithStaff } from './helpers';

const { server, f } = useTestServer();
let staff: User;

beforeAll(async () => {
  staff = await f.staff();
});

const request = (from: Account, to: Account | { id: string }, as: User) =>
  call(
    server,
    ops.requestConnection,
    { input: { fromAccountId: from.id, toAccountId: to.id } },
    as,
  );
const respond = (
  op: 'acceptConnection' | 'declineConnection' | 'cancelConnection',
  id: string,
  as: User,
) => call(server, ops[op], { id }, as);
const codes = (payload: { userErrors: { code: string }[] }) =>
  payload.userErrors.map((e) => e.code);

async function pair() {
  const a = await agencyWithStaff(f);
  const p = await premiumWithStaff(f);
  const report = await f.report(p.premium);
  return { a, p, report };
}

describe('R1: connecting an agency and a premium client', () => {
  it('an agency manager asks, a premium manager accepts: agency users then reach the premium’s reports', async () => {
    const { a, p, report } = await pair();
    const requested = await request(a.agency, p.premium, a.manager);
    expect(requested.userErrors).toEqual([]);
    expect(requested.connection).toMatchObject({
      status: 'PENDING',
      agency: { id: a.agency.id },
      premiumClient: { id: p.premium.id },
      requestedBy: { id: a.manager.id },
      respondedAt: null,
    });
    // pending gives nobody access yet
    expect((await call(server, ops.reports, { accountId: p.premium.id }, a.regular)).nodes).toEqual(
      [],
    );
    const accepted = await respond('acceptConnection', requested.connection.id, p.manager);
    expect(accepted.userErrors).toEqual([]);
    expect(accepted.connection.status).toBe('ACTIVE');
    expect(accepted.connection.respondedAt).toEqual(expect.any(String));
    for (const agencyUser of [a.admin, a.manager, a.regular, a.viewOnly]) {
      const reports = await call(server, ops.reports, { accountId: p.premium.id }, agencyUser);
      expect(ids(reports.nodes)).toEqual([report.id]);
    }
  });

  it('an accepted connection gives access as its own setting says: EVERYONE_IN_AGENCY unless the agency set it', async () => {
    const { a, p, report } = await pair();
    const requested = await request(p.premium, a.agency, p.admin);
    const accepted = await respond('acceptConnection', requested.connection.id, a.manager);
    const connection = await call(
      server,
      DisconnectionConnectionAccessDocument,
      { id: accepted.connection.id },
      a.regular,
    );
    expect(connection).toEqual({ clientAccess: 'EVERYONE_IN_AGENCY' });
    expect(
      ids((await call(server, ops.reports, { accountId: p.premium.id }, a.regular)).nodes),
    ).toEqual([report.id]);
  });

  it('with SELECTED_USERS set by the agency on the pending request, only its ADMINs reach the premium after accepting', async () => {
    const { a, p, report } = await pair();
    const requested = await request(a.agency, p.premium, a.admin);
    const set = await call(
      server,
      DisconnectionSetConnectionAccessDocument,
      { input: { connectionId: requested.connection.id, access: 'SELECTED_USERS', userIds: [] } },
      a.manager,
    );
    expect(set).toEqual({ connection: { clientAccess: 'SELECTED_USERS' }, userErrors: [] });
    await respond('acceptConnection', requested.connection.id, p.admin);
    const seen = async (user: User) =>
      ids((await call(server, ops.reports, { accountId: p.premium.id }, user)).nodes);
    expect(await seen(a.admin)).toEqual([report.id]);
    expect(await seen(a.regular)).toEqual([]);
  });

  it('a premium manager asks, an agency admin declines; history is kept', async () => {
    const { a, p } = await pair();
    const requested = await request(p.premium, a.agency, p.manager);
    expect(requested.connection.status).toBe('PENDING');
    const declined = await respond('declineConnection', requested.connection.id, a.admin);
    expect(declined.connection.status).toBe('DECLINED');
    // a new request may follow; both rows remain
    const again = await request(p.premium, a.agency, p.manager);
    expect(again.userErrors).toEqual([]);
    const rows = await server.db
      .getRepository(AgencyConnection)
      .findBy({ premiumClientId: p.premium.id });
    expect(rows.map((k) => k.status).sort()).toEqual(['DECLINED', 'PENDING']);
  });

  it('the requesting side can cancel while PENDING', async () => {
    const { a, p } = await pair();
    const requested = await request(a.agency, p.premium, a.manager);
    const cancelled = await respond('cancelConnection', requested.connection.id, a.admin);
    expect(cancelled.connection.status).toBe('CANCELLED');
  });

  it('at most one PENDING or ACTIVE connection per pair, from either side: CONNECTION_EXISTS', async () => {
    const { a, p } = await pair();
    const first = await request(a.agency, p.premium, a.manager);
    expect(codes(await request(a.agency, p.premium, a.admin))).toEqual(['CONNECTION_EXISTS']);
    expect(codes(await request(p.premium, a.agency, p.admin))).toEqual(['CONNECTION_EXISTS']);
    await respond('acceptConnection', first.connection.id, p.manager);
    expect(codes(await request(p.premium, a.agency, p.admin))).toEqual(['CONNECTION_EXISTS']);
    expect(
      await server.db.getRepository(AgencyConnection).countBy({ premiumClientId: p.premium.id }),
    ).toBe(1);
  });

  it('transitions from the wrong state answer INVALID_STATE and change nothing', async () => {
    const { a, p } = await pair();
    const requested = await request(a.agency, p.premium, a.manager);
    const id = requested.connection.id;
    await respond('acceptConnection', id, p.manager);
    expect(codes(await respond('acceptConnection', id, p.manager))).toEqual(['INVALID_STATE']);
    expect(codes(await respond('declineConnection', id, p.manager))).toEqual(['INVALID_STATE']);
    expect(codes(await respond('cancelConnection', id, a.manager))).toEqual(['INVALID_STATE']);
    const declinedLater = await request(p.premium, (await pair()).a.agency, p.admin);
    await respond('cancelConnection', declinedLater.connection.id, p.admin);
    expect(codes(await respond('acceptConnection', declinedLater.connection.id, staff))).toEqual([
      'INVALID_STATE',
    ]);
    expect((await server.db.getRepository(AgencyConnection).findOneByOrFail({ id })).status).toBe(
      ConnectionStatus.ACTIVE,
    );
  });

  it('only an AGENCY and a PREMIUM_CLIENT can connect: INVALID_INPUT; an unknown target: NOT_FOUND', async () => {
    const { a, p } = await pair();
    const otherAgency = await f.agency();
    const client = await f.client(a.agency);
    expect(codes(await request(a.agency, otherAgency, a.admin))).toEqual(['INVALID_INPUT']);
    expect(codes(await request(a.agency, client, a.admin))).toEqual(['INVALID_INPUT']);
    expect(codes(await request(client, p.premium, staff))).toEqual(['INVALID_INPUT']);
    expect(
      codes(await request(a.agency, { id: '00000000-0000-4000-8000-000000000000' }, a.admin)),
    ).toEqual(['NOT_FOUND']);
    expect(codes(await request(a.agency, { id: 'garbage' }, a.admin))).toEqual(['NOT_FOUND']);
  });
});

// Real concurrency needs PostgreSQL: the embedded database serializes connections.
pgOnly('R1 under concurrency', () => {
  it('concurrent requests for the same pair: exactly one wins (the partial unique index decides)', async () => {
    const { a, p } = await pair();
    const results = await Promise.all([
      request(a.agency, p.premium, a.manager),
      request(p.premium, a.agency, p.manager),
      request(a.agency, p.premium, a.admin),
      request(p.premium, a.agency, p.admin),
    ]);
    expect(results.filter((r) => r.userErrors.length === 0)).toHaveLength(1);
    expect(results.flatMap(codes).sort()).toEqual([
      'CONNECTION_EXISTS',
      'CONNECTION_EXISTS',
      'CONNECTION_EXISTS',
    ]);
  });
});

describe('R1: who may connect', () => {
  it('REGULAR and VIEW_ONLY users cannot request: FORBIDDEN', async () => {
    const { a, p } = await pair();
    for (const user of [a.regular, a.viewOnly]) {
      expect(
        await errorCodes(
          server,
          ops.requestConnection,
          { input: { fromAccountId: a.agency.id, toAccountId: p.premium.id } },
          user,
        ),
      ).toEqual(['FORBIDDEN']);
    }
  });

  it('requesting from an account the viewer does not see: NOT_FOUND', async () => {
    const { a, p } = await pair();
    const outsider = await agencyWithStaff(f);
    expect(codes(await request(a.agency, p.premium, outsider.admin))).toEqual(['NOT_FOUND']);
  });

  it('only the other side accepts or declines; only the requesting side cancels', async () => {
    const { a, p } = await pair();
    const { connection } = await request(a.agency, p.premium, a.manager);
    const forbidden = (
      op: 'acceptConnection' | 'declineConnection' | 'cancelConnection',
      u: User,
    ) => errorCodes(server, ops[op], { id: connection.id }, u);
    expect(await forbidden('acceptConnection', a.admin)).toEqual(['FORBIDDEN']);
    expect(await forbidden('declineConnection', a.manager)).toEqual(['FORBIDDEN']);
    expect(await forbidden('cancelConnection', p.admin)).toEqual(['FORBIDDEN']);
    expect(await forbidden('acceptConnection', p.regular)).toEqual(['FORBIDDEN']);
    expect(await forbidden('acceptConnection', p.viewOnly)).toEqual(['FORBIDDEN']);
    expect(await forbidden('cancelConnection', a.regular)).toEqual(['FORBIDDEN']);
    const outsider = await agencyWithStaff(f);
    expect(codes(await respond('acceptConnection', connection.id, outsider.admin))).toEqual([
      'NOT_FOUND',
    ]);
    expect(
      (await server.db.getRepository(AgencyConnection).findOneByOrFail({ id: connection.id }))
        .status,
    ).toBe(ConnectionStatus.PENDING);
  });
});

describe('R22: every connection change is audited', () => {
  it('request, accept and a later disconnect each write an event both sides’ admins read', async () => {
    const { a, p } = await pair();
    const { connection } = await request(a.agency, p.premium, a.manager);
    await respond('acceptConnection', connection.id, p.manager);
    await call(server, ops.disconnectAgency, { id: connection.id }, p.admin);
    for (const [admin, account] of [
      [a.admin, a.agency],
      [p.admin, p.premium],
    ] as const) {
      const events = await call(server, ops.auditEvents, { id: account.id }, admin);
      expect(events.nodes.map((e: { action: string }) => e.action)).toEqual([
        'AGENCY_DISCONNECTED',
        'CONNECTION_ACCEPTED',
        'CONNECTION_REQUESTED',
      ]);
      expect(events.nodes.map((e: { actor: { id: string } }) => e.actor.id)).toEqual([
        p.admin.id,
        p.manager.id,
        a.manager.id,
      ]);
      expect(JSON.parse(events.nodes[1].details)).toMatchObject({
        connectionId: connection.id,
        from: 'PENDING',
        to: 'ACTIVE',
      });
    }
    expect(await errorCodes(server, ops.auditEvents, { id: p.premium.id }, p.manager)).toEqual([
      'FORBIDDEN',
    ]);
    expect(await errorCodes(server, ops.auditEvents, { id: p.premium.id }, a.admin)).toEqual([
      'FORBIDDEN',
    ]);
  });

  it('declines and cancellations too', async () => {
    const { a, p } = await pair();
    const first = await request(a.agency, p.premium, a.manager);
    await respond('cancelConnection', first.connection.id, a.manager);
    const second = await request(p.premium, a.agency, p.manager);
    await respond('declineConnection', second.connection.id, a.admin);
    const events = await call(server, ops.auditEvents, { id: a.agency.id }, a.admin);
    expect(events.nodes.map((e: { action: string }) => e.action)).toEqual([
      'CONNECTION_DECLINED',
      'CONNECTION_REQUESTED',
      'CONNECTION_CANCELLED',
      'CONNECTION_REQUESTED',
    ]);
  });
});

describe('roles on the premium side', () => {
  it('a premium ACCOUNT_MANAGER requests and an agency ACCOUNT_MANAGER accepts', async () => {
    const { a, p } = await pair();
    const { connection } = await request(p.premium, a.agency, p.manager);
    const accepted = await respond('acceptConnection', connection.id, a.manager);
    expect(accepted.connection.status).toBe('ACTIVE');
    expect(accepted.connection.requestedBy).toEqual({ id: p.manager.id });
    expect(Role.ACCOUNT_MANAGER).toBe('ACCOUNT_MANAGER');
  });
});
