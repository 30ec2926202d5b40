import { ConnectionStatus, Role, type User } from '../../src/entities';
import { expireDueConnections } from '../../src/services/connection-expiry';
import {
  AuditActionsByActorDocument,
  TestConnectionStatusDocument,
  TestAcceptConnectionDocument,
  TestAccountConnectionsDocument,
  TestRequestConnectionDocument,
} from '../generated/graphql';
import { useTestServer } from '../helpers/test-server';

/** R26: a PENDING request expires 30 days after it was sent. */
const { server, f } = useTestServer();

async function pendingRequest() {
  const agency = await f.agency();
  const premium = await f.premium();
  const agencyAdmin = await f.member(agency, Role.ADMIN);
  const premiumAdmin = await f.member(premium, Role.ADMIN);
  const sent = await server.op(
    TestRequestConnectionDocument,
    { input: { fromAccountId: agency.id, toAccountId: premium.id } },
    agencyAdmin,
  );
  const connection = sent.data!.requestConnection.connection!;
  return { agency, premium, agencyAdmin, premiumAdmin, connection };
}

/** Moves a request's expiry into the past, as 30 days of waiting would. */
const letExpire = (connectionId: string) =>
  server.db.query(
    `UPDATE agency_connections SET expires_at = now() - interval '1 second' WHERE id = $1`,
    [connectionId],
  );

it('a request expires 30 days after it was sent', async () => {
  const { connection } = await pendingRequest();
  const [row] = await server.db.query(
    `SELECT (expires_at - requested_at) = interval '30 days' AS thirty FROM agency_connections WHERE id = $1`,
    [connection.id],
  );
  expect(row.thirty).toBe(true);
  expect(connection.status).toBe('PENDING');
  expect(new Date(connection.expiresAt!).getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
});

it('answering an expired request gets EXPIRED; every reader sees EXPIRED before the worker runs', async () => {
  const w = await pendingRequest();
  await letExpire(w.connection.id);
  const answer = await server.op(
    TestAcceptConnectionDocument,
    { connectionId: w.connection.id },
    w.premiumAdmin,
  );
  expect(answer.data!.acceptConnection).toEqual({
    connection: null,
    userErrors: [{ code: 'EXPIRED', field: ['connectionId'] }],
  });
  const seen = await server.op(
    TestAccountConnectionsDocument,
    { id: w.premium.id },
    w.premiumAdmin,
  );
  expect(seen.data!.account!.connections.map((k) => k.status)).toEqual(['EXPIRED']);
});

it('node(id) of an expired request reads EXPIRED too (rows mapped from raw SQL run @AfterLoad)', async () => {
  const w = await pendingRequest();
  await letExpire(w.connection.id);
  for (const viewer of [w.agencyAdmin, w.premiumAdmin]) {
    const response = await server.op(TestConnectionStatusDocument, { id: w.connection.id }, viewer);
    expect(response.data).toEqual({ node: { status: 'EXPIRED' } });
  }
});

it('a new request for the pair may be sent once the old one expired', async () => {
  const w = await pendingRequest();
  const early = await server.op(
    TestRequestConnectionDocument,
    { input: { fromAccountId: w.premium.id, toAccountId: w.agency.id } },
    w.premiumAdmin,
  );
  expect(early.data!.requestConnection.userErrors).toEqual([
    { code: 'CONNECTION_EXISTS', field: ['input', 'toAccountId'] },
  ]);
  await letExpire(w.connection.id);
  const again = await server.op(
    TestRequestConnectionDocument,
    { input: { fromAccountId: w.premium.id, toAccountId: w.agency.id } },
    w.premiumAdmin,
  );
  expect(again.data!.requestConnection.userErrors).toEqual([]);
  expect(again.data!.requestConnection.connection!.status).toBe('PENDING');
  const [old] = await server.db.query(`SELECT status FROM agency_connections WHERE id = $1`, [
    w.connection.id,
  ]);
  expect(old.status).toBe(ConnectionStatus.EXPIRED);
  // Issue 30 #10 (R27): expiring it on the way is audited as the worker audits it.
  const events = await server.db.query(
    `SELECT action, actor_id, account_id, related_account_id, details->>'connectionId' AS connection
       FROM audit_events WHERE action = 'CONNECTION_EXPIRED' AND details->>'connectionId' = $1`,
    [w.connection.id],
  );
  expect(events).toEqual([
    {
      action: 'CONNECTION_EXPIRED',
      actor_id: null,
      account_id: w.premium.id,
      related_account_id: w.agency.id,
      connection: w.connection.id,
    },
  ]);
});

it('the relay worker persists EXPIRED with one audit event per request, once', async () => {
  await expireDueConnections(server.db); // requests the other tests let expire
  const w = await pendingRequest();
  const fresh = await pendingRequest();
  await letExpire(w.connection.id);
  expect(await expireDueConnections(server.db)).toBe(1);
  expect(await expireDueConnections(server.db)).toBe(0);
  const rows: { id: string; status: string }[] = await server.db.query(
    `SELECT id, status FROM agency_connections WHERE id = ANY($1::uuid[])`,
    [[w.connection.id, fresh.connection.id]],
  );
  expect(rows.sort((a, b) => a.status.localeCompare(b.status))).toEqual([
    { id: w.connection.id, status: 'EXPIRED' },
    { id: fresh.connection.id, status: 'PENDING' },
  ]);
  const events: { count: number }[] = await server.db.query(
    `SELECT count(*)::int AS count FROM audit_events
      WHERE action = 'CONNECTION_EXPIRED' AND details->>'connectionId' = $1`,
    [w.connection.id],
  );
  expect(events[0].count).toBe(1);
});

/** Every CONNECTION_EXPIRED of one request on an account's audit log, read through the API. */
async function expiryEventsSeenBy(accountId: string, as: User, connectionId: string) {
  const response = await server.op(AuditActionsByActorDocument, { id: accountId }, as);
  expect(response.errors).toBeUndefined();
  return (response.data!.auditEvents.nodes as { action: string; actor: null; details: string }[])
    .map((e) => ({ action: e.action, actor: e.actor, details: JSON.parse(e.details) }))
    .filter((e) => e.action === 'CONNECTION_EXPIRED' && e.details.connectionId === connectionId)
    .map((e) => ({ ...e, details: { connectionId: e.details.connectionId } }));
}

it('R27: each expiry — on the request path or by the worker — is one event both sides’ admins read', async () => {
  // On the request path: the premium's new request expires the agency's old one on its way.
  const w = await pendingRequest();
  await letExpire(w.connection.id);
  const again = await server.op(
    TestRequestConnectionDocument,
    { input: { fromAccountId: w.premium.id, toAccountId: w.agency.id } },
    w.premiumAdmin,
  );
  expect(again.data!.requestConnection.userErrors).toEqual([]);
  // By the worker, for a request nobody touched.
  const v = await pendingRequest();
  await letExpire(v.connection.id);
  expect(await expireDueConnections(server.db)).toBeGreaterThanOrEqual(1);
  expect(await expireDueConnections(server.db)).toBe(0);

  const expected = (connectionId: string) => [
    { action: 'CONNECTION_EXPIRED', actor: null, details: { connectionId } },
  ];
  for (const { premium, agency, premiumAdmin, agencyAdmin, connection } of [w, v]) {
    expect(await expiryEventsSeenBy(premium.id, premiumAdmin, connection.id)).toEqual(
      expected(connection.id),
    );
    expect(await expiryEventsSeenBy(agency.id, agencyAdmin, connection.id)).toEqual(
      expected(connection.id),
    );
  }
});
