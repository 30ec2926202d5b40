/**
 * R30 (issue 25): accessReview(at:) — the review of a past moment, rebuilt from the versioned
 * rows by the same relations that decide now. Each moment is taken from the database's clock
 * between two changes, so what the review must say there is exactly what the live review said
 * then (captured at the time) and what the scenario made true. The model-based agreement over
 * thousands of random operations is in test/model/authority-model.test.ts.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { VERSIONED_TABLES } from '../../src/database/access-history';
import {
  ClientAccessMode,
  ConnectionStatus,
  Role,
  type Account,
  type User,
} from '../../src/entities';
import { authorityOps as M } from '../helpers/authority-operations';
import { type As, type GraphQLResponse, useTestServer } from '../helpers/test-server';
import { HistoryAccessReviewDocument } from '../generated/graphql';

const { server, f } = useTestServer();
const { ADMIN, REGULAR } = Role;

const REVIEW = HistoryAccessReviewDocument;

async function data<V extends Record<string, unknown>>(
  document: TypedDocumentNode<any, V>,
  variables: V,
  as: As,
) {
  const response = await server.op(document, variables, as);
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return response.data!;
}

/**
 * A moment strictly between what committed before and what runs after: the database clock
 * rounded up to the next millisecond (the precision of DateTime), then a pause past it.
 */
async function moment(): Promise<string> {
  const [{ at }]: { at: Date }[] = await server.db.query(
    `SELECT date_trunc('milliseconds', clock_timestamp()) + interval '1 millisecond' AS at`,
  );
  await server.db.query(`SELECT pg_sleep(0.003)`);
  return at.toISOString();
}

/** The review's entries as `userId role canAct kinds`, sorted: what the review says, in short. */
const summary = (review: any) =>
  review.entries.nodes
    .map(
      (e: any) =>
        `${e.user.id} ${e.role} ${e.canAct} ${e.paths
          .map((p: any) => p.kind)
          .sort()
          .join('+')}`,
    )
    .sort();

const review = async (account: Account, as: As, at?: string) =>
  (await data(REVIEW, { a: account.id, at: at ?? null }, as)).accessReview;

interface World {
  N: Account;
  P: Account;
  C: Account;
  u: Record<string, User>;
}
const w = {} as World;

beforeAll(async () => {
  w.N = await f.agency({ name: 'Northwind' });
  w.P = await f.premium({ name: 'Acme' });
  w.C = await f.client(w.N, { name: 'Initech', clientAccess: ClientAccessMode.EVERYONE_IN_AGENCY });
  w.u = {
    nAdmin: await f.member(w.N, ADMIN),
    nRegular: await f.member(w.N, REGULAR),
    pAdmin: await f.member(w.P, ADMIN),
    staff: await f.staff(),
  };
});

describe('accessReview(at:) (R30)', () => {
  it('rebuilds each past moment of a connection and a member removal exactly as it was reviewed then', async () => {
    const { N, P, u } = w;
    const before = await moment();
    const live: Record<string, { P: string[]; N: string[]; pending: string[] }> = {};
    const snapshot = async (label: string) => {
      const at = await moment();
      live[label] = {
        P: summary(await review(P, u.staff)),
        N: summary(await review(N, u.staff)),
        pending: (await review(P, u.pAdmin)).pendingRequests.map((k: any) => k.id),
      };
      return at;
    };
    const t0 = await snapshot('t0');

    const requested = await data(
      M.request,
      { input: { fromAccountId: N.id, toAccountId: P.id } },
      u.nAdmin,
    );
    const k = requested.requestConnection.connection.id as string;
    const tPending = await snapshot('pending');
    await data(M.accept, { id: k }, u.pAdmin);
    const tActive = await snapshot('active');
    const removed = await data(
      M.removeMember,
      { input: { accountId: N.id, userId: u.nRegular.id } },
      u.nAdmin,
    );
    expect(removed.removeMember.userErrors).toEqual([]);
    const tRemoved = await snapshot('removed');
    const done = await data(M.disconnectAgency, { id: k }, u.pAdmin);
    expect(done.disconnectAgency.userErrors).toEqual([]);
    const tDisconnected = await snapshot('disconnected');

    // What the scenario made true, independently of any review.
    const nAdmin = `${u.nAdmin.id} ${ADMIN}`;
    const nRegular = `${u.nRegular.id} ${REGULAR}`;
    expect(live.t0.P).toEqual([`${u.pAdmin.id} ${ADMIN} true MEMBERSHIP`]);
    expect(live.pending.pending).toEqual([k]);
    expect(live.active.P).toEqual(
      [
        `${u.pAdmin.id} ${ADMIN} true MEMBERSHIP`,
        `${nAdmin} false CONNECTION`,
        `${nRegular} false CONNECTION`,
      ].sort(),
    );
    expect(live.active.pending).toEqual([]);
    expect(live.active.N).toContain(`${nRegular} true MEMBERSHIP`);
    expect(live.removed.P).toEqual(
      [`${u.pAdmin.id} ${ADMIN} true MEMBERSHIP`, `${nAdmin} false CONNECTION`].sort(),
    );
    expect(live.removed.N).not.toContain(`${nRegular} true MEMBERSHIP`);
    expect(live.disconnected.P).toEqual([`${u.pAdmin.id} ${ADMIN} true MEMBERSHIP`]);

    // Each past moment, asked afterwards, is the review of then — by staff and by the
    // premium's ADMIN.
    const moments = {
      t0,
      pending: tPending,
      active: tActive,
      removed: tRemoved,
      disconnected: tDisconnected,
    };
    for (const [label, at] of Object.entries(moments)) {
      const pastP = await review(P, u.staff, at);
      expect({ label, entries: summary(pastP) }).toEqual({ label, entries: live[label].P });
      expect({ label, entries: summary(await review(N, u.staff, at)) }).toEqual({
        label,
        entries: live[label].N,
      });
      const byAdmin = await review(P, u.pAdmin, at);
      expect({ label, pending: byAdmin.pendingRequests.map((x: any) => x.id) }).toEqual({
        label,
        pending: live[label].pending,
      });
      expect(byAdmin.at).toBe(at);
    }
    // A past pending request is shown as it was then.
    expect((await review(P, u.pAdmin, tPending)).pendingRequests).toEqual([
      { id: k, status: ConnectionStatus.PENDING },
    ]);
    // The connection path of the past names the connection.
    const activeEntry = (await review(P, u.staff, tActive)).entries.nodes.find(
      (e: any) => e.user.id === u.nRegular.id,
    );
    expect(activeEntry.paths).toEqual([{ kind: 'CONNECTION', connection: { id: k } }]);
    expect(before < t0).toBe(true);
  });

  it('the CSV link of a past review carries the moment, signed', async () => {
    const { N, P, u } = w;
    const agency = await f.agency({ name: 'Globex' });
    const agencyUser = await f.member(agency, REGULAR);
    const k = await f.connection(agency, P, {
      status: ConnectionStatus.ACTIVE,
      clientAccess: ClientAccessMode.EVERYONE_IN_AGENCY,
      respondedAt: new Date(),
    });
    const connected = await moment();
    await data(M.disconnectAgency, { id: k.id }, u.pAdmin);
    const past = await review(P, u.pAdmin, connected);
    const url = new URL(past.csvUrl);
    expect(url.searchParams.get('at')).toBe(String(Date.parse(connected)));
    const csv = await (await fetch(`${server.url}${url.pathname}${url.search}`)).text();
    const rows = csv.trim().split('\r\n');
    expect(rows.filter((r) => r.startsWith(agencyUser.id))).toHaveLength(1);
    expect(rows.find((r) => r.startsWith(agencyUser.id))).toContain(',CONNECTION,REGULAR,f,');
    const nowUrl = new URL((await review(P, u.pAdmin)).csvUrl);
    expect(nowUrl.searchParams.has('at')).toBe(false);
    const nowCsv = await (await fetch(`${server.url}${nowUrl.pathname}${nowUrl.search}`)).text();
    expect(nowCsv).not.toContain(agencyUser.id);
    // Another moment under the same signature is refused.
    url.searchParams.set('at', String(Date.parse(connected) - 1));
    expect((await fetch(`${server.url}${url.pathname}${url.search}`)).status).toBe(403);
    expect(N.id).toBeTruthy();
  });

  it('refuses a moment before the history is complete, or ahead of now, saying why', async () => {
    const now = await review(w.P, w.u.staff);
    const since = Date.parse(now.historyCompleteSince);
    expect(since).toBeLessThanOrEqual(Date.parse(now.at));
    const early: GraphQLResponse = await server.op(
      REVIEW,
      { a: w.P.id, at: new Date(since - 1).toISOString() },
      w.u.staff,
    );
    expect(early.data?.accessReview ?? null).toBeNull();
    expect(early.errors?.map((e) => [e.extensions?.code, e.extensions?.field])).toEqual([
      ['BAD_USER_INPUT', 'at'],
    ]);
    expect(early.errors?.[0].message).toBe(
      `Access history is complete since ${new Date(since).toISOString()}; a review of an earlier moment cannot be rebuilt (R30)`,
    );
    const ahead: GraphQLResponse = await server.op(
      REVIEW,
      { a: w.P.id, at: new Date(Date.now() + 3_600_000).toISOString() },
      w.u.staff,
    );
    expect(ahead.errors?.map((e) => [e.extensions?.code, e.extensions?.field])).toEqual([
      ['BAD_USER_INPUT', 'at'],
    ]);
  });

  it('API tokens and non-ADMINs get no past review either (R18, R29)', async () => {
    const at = await moment();
    const token = await f.apiToken(w.P, w.u.pAdmin);
    const byToken = await server.op(REVIEW, { a: w.P.id, at }, { token: token.token });
    expect(byToken.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    const byAgency = await server.op(REVIEW, { a: w.P.id, at }, w.u.nAdmin);
    expect(byAgency.data?.accessReview ?? null).toBeNull();
  });
});

describe('the versioned rows (R30)', () => {
  it('every versioned table has its three triggers and its history has its columns, in order, plus valid', async () => {
    const triggers: { table: string; name: string }[] = await server.db.query(
      `SELECT c.relname AS table, t.tgname AS name FROM pg_trigger t
         JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND t.tgname LIKE 'access_history_%' ORDER BY 1, 2`,
    );
    expect(triggers).toEqual(
      [...VERSIONED_TABLES]
        .sort()
        .flatMap((table) =>
          ['access_history_delete', 'access_history_insert', 'access_history_update'].map(
            (name) => ({ table, name }),
          ),
        ),
    );
    for (const table of VERSIONED_TABLES) {
      const columns = async (schema: string) =>
        (
          await server.db.query<{ column_name: string }[]>(
            `SELECT column_name FROM information_schema.columns
              WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
            [schema, table],
          )
        ).map((c) => c.column_name);
      expect({ table, columns: await columns('access_history') }).toEqual({
        table,
        columns: [...(await columns('public')), 'valid'],
      });
    }
  });

  it('one statement writing many rows writes their versions in one go, and a delete closes them', async () => {
    const account = await f.agency();
    const users = await Promise.all(
      [1, 2, 3].map(() => f.user({ organizationId: account.organizationId })),
    );
    await server.db.query(
      `INSERT INTO memberships (user_id, account_id, role)
       SELECT u, $1, 'REGULAR' FROM unnest($2::uuid[]) u`,
      [account.id, users.map((u) => u.id)],
    );
    const open = async () =>
      Number(
        (
          await server.db.query(
            `SELECT count(*) AS n FROM access_history.memberships
              WHERE account_id = $1 AND upper_inf(valid)`,
            [account.id],
          )
        )[0].n,
      );
    expect(await open()).toBe(3);
    await server.db.query(`DELETE FROM memberships WHERE account_id = $1`, [account.id]);
    expect(await open()).toBe(0);
    const closed = await server.db.query(
      `SELECT count(*) AS n FROM access_history.memberships
        WHERE account_id = $1 AND NOT upper_inf(valid) AND NOT isempty(valid)`,
      [account.id],
    );
    expect(Number(closed[0].n)).toBe(3);
  });
});
