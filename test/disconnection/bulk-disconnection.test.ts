/**
 * R32 (issue 28 #4): disconnectClients and disconnectClientsPreview through the API. Each client
 * runs the very disconnection of `disconnectClient` in its own transaction, with its own
 * outcome; the preview is the sum of the single previews.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { AccountStatus, ClientAccessMode, Role, type Account, type User } from '../../src/entities';
import { type As, type GraphQLResponse, useTestServer } from '../helpers/test-server';
import {
  BulkDisconnectClientPreviewDocument,
  BulkDisconnectClientsDocument,
  BulkDisconnectClientsPreviewDocument,
} from '../generated/graphql';

const { server, f } = useTestServer();

const BULK = BulkDisconnectClientsDocument;
const PREVIEW = BulkDisconnectClientsPreviewDocument;
const SINGLE_PREVIEW = BulkDisconnectClientPreviewDocument;

const codes = (r: GraphQLResponse) => (r.errors ?? []).map((e) => e.extensions?.code);
async function data<V extends Record<string, unknown>>(
  document: TypedDocumentNode<any, V>,
  variables: V,
  as: As,
) {
  const response = await server.op(document, variables, as);
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return response.data!;
}
const statusOf = async (account: Account) =>
  (await server.db.query(`SELECT status FROM accounts WHERE id = $1`, [account.id]))[0]
    .status as AccountStatus;
const outboxFor = async (account: Account) =>
  Number(
    (
      await server.db.query(
        `SELECT count(*) AS n FROM email_outbox WHERE dedupe_key LIKE '%' || $1 || '%'`,
        [account.id],
      )
    )[0].n,
  );

async function agencyWithClients(reportsPerClient: number[]) {
  const agency = await f.agency();
  const admin = await f.member(agency, Role.ADMIN);
  const admin2 = await f.member(agency, Role.ADMIN);
  const regular = await f.member(agency, Role.REGULAR);
  const clients: Account[] = [];
  const brandUsers: User[] = [];
  for (const reports of reportsPerClient) {
    const client = await f.client(agency, { clientAccess: ClientAccessMode.EVERYONE_IN_AGENCY });
    brandUsers.push(await f.member(client, Role.VIEW_ONLY));
    const item = await f.item(client);
    for (let r = 0; r < reports; r++) await f.report(client, { items: [item] });
    clients.push(client);
  }
  return { agency, admin, admin2, regular, clients, brandUsers };
}

describe('disconnectClients (R32)', () => {
  it('disconnects each client on its own, duplicates once, and says per client what failed', async () => {
    const w = await agencyWithClients([2, 3, 0]);
    const [c1, c2, c3] = w.clients;
    await data(BULK, { ids: [c3.id] }, w.admin); // already disconnected below
    const foreign = (await agencyWithClients([1])).clients[0];
    const before = await outboxFor(c1);

    const { disconnectClients: bulk } = await data(
      BULK,
      { ids: [c1.id, c2.id, c1.id.toUpperCase(), c3.id, foreign.id, 'not-an-id'] },
      w.admin,
    );
    expect(bulk.userErrors).toEqual([]);
    expect(bulk.results.map((r: any) => [r.clientAccountId, r.userErrors])).toEqual([
      [c1.id, []],
      [c2.id, []],
      [c3.id, [{ code: 'ALREADY_DISCONNECTED', field: ['clientAccountIds', '2'] }]],
      [foreign.id, [{ code: 'NOT_FOUND', field: ['clientAccountIds', '3'] }]],
      ['not-an-id', [{ code: 'NOT_FOUND', field: ['clientAccountIds', '4'] }]],
    ]);
    expect(bulk.results[0]).toMatchObject({
      account: { id: c1.id, status: 'ARCHIVED' },
      impact: { reportsToArchive: 2, itemsToFreeze: 1 },
    });
    expect(bulk.results[1].impact.reportsToArchive).toBe(3);
    expect(await statusOf(c1)).toBe(AccountStatus.ARCHIVED);
    expect(await statusOf(c2)).toBe(AccountStatus.ARCHIVED);
    expect(await statusOf(foreign)).toBe(AccountStatus.ACTIVE);
    // One email per admin per client, as a single disconnection sends (two agency ADMINs).
    expect((await outboxFor(c1)) - before).toBe(2);
    expect(await outboxFor(c2)).toBe(2);
  });

  it('a user who sees a client but may not disconnect it gets FORBIDDEN for it, and nothing changes', async () => {
    const w = await agencyWithClients([1, 1]);
    const { disconnectClients: bulk } = await data(
      BULK,
      { ids: w.clients.map((c) => c.id) },
      w.regular,
    );
    expect(bulk.results.map((r: any) => r.userErrors.map((e: any) => e.code))).toEqual([
      ['FORBIDDEN'],
      ['FORBIDDEN'],
    ]);
    expect(await statusOf(w.clients[0])).toBe(AccountStatus.ACTIVE);
    expect(await outboxFor(w.clients[0])).toBe(0);
  });

  it('refuses an empty list or one of more than 100 clients as a whole; tokens are refused', async () => {
    const w = await agencyWithClients([0]);
    const empty = await data(BULK, { ids: [] }, w.admin);
    expect(empty.disconnectClients).toEqual({
      results: [],
      userErrors: [
        { code: 'INVALID_INPUT', message: 'Give at least one client', field: ['clientAccountIds'] },
      ],
    });
    const many = Array.from(
      { length: 101 },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    );
    const tooMany = await data(BULK, { ids: [...many, w.clients[0].id] }, w.admin);
    expect(tooMany.disconnectClients.userErrors.map((e: any) => e.code)).toEqual(['INVALID_INPUT']);
    expect(await statusOf(w.clients[0])).toBe(AccountStatus.ACTIVE);
    const { token } = await f.apiToken(w.agency, w.admin);
    expect(codes(await server.op(BULK, { ids: [w.clients[0].id] }, { token }))).toEqual([
      'FORBIDDEN',
    ]);
    expect(codes(await server.op(PREVIEW, { ids: [w.clients[0].id] }, { token }))).toEqual([
      'FORBIDDEN',
    ]);
  });
});

describe('disconnectClientsPreview (R32, R23)', () => {
  it('is the sum of the single previews, users once, and equals what the bulk then does', async () => {
    const w = await agencyWithClients([2, 4]);
    const singles = [];
    for (const client of w.clients) {
      singles.push(
        (await data(SINGLE_PREVIEW, { id: client.id }, w.admin)).disconnectClientPreview,
      );
    }
    const { disconnectClientsPreview: sum } = await data(
      PREVIEW,
      { ids: [...w.clients.map((c) => c.id), w.clients[0].id] },
      w.admin,
    );
    expect(sum.reportsToArchive).toBe(6);
    expect(sum.reportsToArchive).toBe(singles[0].reportsToArchive + singles[1].reportsToArchive);
    expect(sum.itemsToFreeze).toBe(singles[0].itemsToFreeze + singles[1].itemsToFreeze);
    expect(sum.mappingsToPause).toBe(0);
    const users = new Set(singles.flatMap((s) => s.usersLosingAccess.map((u: any) => u.id)));
    expect(sum.usersLosingAccess.map((u: any) => u.id).sort()).toEqual([...users].sort());
    // The agency's people reach both clients: listed once.
    expect(sum.usersLosingAccess).toHaveLength(users.size);
    expect(users.has(w.admin.id)).toBe(true);

    const { disconnectClients: bulk } = await data(
      BULK,
      { ids: w.clients.map((c) => c.id) },
      w.admin,
    );
    const done = bulk.results.reduce((n: number, r: any) => n + r.impact.reportsToArchive, 0);
    expect(done).toBe(sum.reportsToArchive);
  });

  it('refuses the batch when one client may not be disconnected by the caller', async () => {
    const w = await agencyWithClients([1]);
    const other = (await agencyWithClients([1])).clients[0];
    const hidden = await server.op(PREVIEW, { ids: [w.clients[0].id, other.id] }, w.admin);
    expect(codes(hidden)).toEqual(['NOT_FOUND']);
    expect(hidden.errors?.[0].extensions?.field).toEqual(['clientAccountIds', '1']);
    expect(codes(await server.op(PREVIEW, { ids: [w.clients[0].id] }, w.regular))).toEqual([
      'FORBIDDEN',
    ]);
  });
});
