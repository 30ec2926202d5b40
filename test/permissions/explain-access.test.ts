/**
 * R28–R29 (issue 25) through the API: who may ask, what the answers say, and that A3 holds in
 * them. The matrix-wide agreement of `canRead` with an independent oracle is in
 * visibility-matrix.test.ts.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  ClientAccessMode,
  ConnectionStatus,
  ReportVisibility,
  Role,
  type Account,
  type User,
} from '../../src/entities';
import { authorityOps as M } from '../helpers/authority-operations';
import { type As, type GraphQLResponse, useTestServer } from '../helpers/test-server';
import {
  ExplainAccessDocument,
  ExplainAccessReviewAtDocument,
  ExplainAccessReviewCsvDocument,
  ExplainAccessReviewDocument,
  ExplainUserAccessDocument,
} from '../generated/graphql';

const { server, f } = useTestServer();
const { ADMIN, ACCOUNT_MANAGER, REGULAR, VIEW_ONLY } = Role;

const EXPLAIN = ExplainAccessDocument;
const REVIEW = ExplainAccessReviewDocument;
const USER_ACCESS = ExplainUserAccessDocument;

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

interface World {
  N: Account;
  P: Account;
  C: Account;
  NP: string;
  u: Record<string, User>;
}
const w = {} as World;

beforeAll(async () => {
  w.N = await f.agency({ name: 'Northwind' });
  w.P = await f.premium({ name: 'Acme' });
  w.C = await f.client(w.N, { name: 'Initech', clientAccess: ClientAccessMode.SELECTED_USERS });
  w.u = {
    nAdmin: await f.member(w.N, ADMIN),
    nManager: await f.member(w.N, ACCOUNT_MANAGER),
    nRegular: await f.member(w.N, REGULAR),
    pAdmin: await f.member(w.P, ADMIN),
    pViewer: await f.member(w.P, VIEW_ONLY),
    outsider: await f.member(await f.agency(), ADMIN),
    staff: await f.staff(),
  };
  await f.grant(w.C, w.u.nManager);
  w.NP = (
    await f.connection(w.N, w.P, {
      status: ConnectionStatus.ACTIVE,
      clientAccess: ClientAccessMode.EVERYONE_IN_AGENCY,
      respondedAt: new Date(),
    })
  ).id;
});

describe('explainAccess (R28)', () => {
  it('explains a path through a connection: data access, no role in the premium', async () => {
    const { explainAccess: e } = await data(
      EXPLAIN,
      { u: w.u.nRegular.id, a: w.P.id },
      w.u.nRegular,
    );
    expect(e).toMatchObject({ canRead: true, canAct: false, role: REGULAR, missing: null });
    expect(e.paths).toHaveLength(1);
    expect(e.paths[0]).toMatchObject({
      kind: 'CONNECTION',
      role: REGULAR,
      via: { id: w.N.id, name: 'Northwind', type: 'AGENCY' },
      connection: { id: w.NP },
    });
  });

  it('names the nearest missing step: a member of the agency not selected on the client', async () => {
    const { explainAccess: e } = await data(EXPLAIN, { u: w.u.nRegular.id, a: w.C.id }, w.u.nAdmin);
    expect(e).toMatchObject({ canRead: false, canAct: false, role: null, paths: [] });
    expect(e.missing).toBe('member of Northwind, not selected on Initech');
    const selected = await data(EXPLAIN, { u: w.u.nManager.id, a: w.C.id }, w.u.nAdmin);
    expect(selected.explainAccess).toMatchObject({ canRead: true, canAct: true, role: ADMIN });
    expect(selected.explainAccess.paths.map((p: any) => p.kind)).toEqual(['CLIENT_ACCESS_GRANT']);
  });

  it('a RESTRICTED report: the premium ADMIN reads it, a connected agency ADMIN does not, and says why', async () => {
    const report = await f.report(w.P, {
      name: 'Q4 plan',
      createdById: w.u.pAdmin.id,
      visibility: ReportVisibility.RESTRICTED,
    });
    const admin = await data(EXPLAIN, { u: w.u.pAdmin.id, r: report.id }, w.u.pAdmin);
    expect(admin.explainAccess).toMatchObject({ canRead: true, canAct: true, role: ADMIN });
    const agency = await data(EXPLAIN, { u: w.u.nAdmin.id, r: report.id }, w.u.pAdmin);
    expect(agency.explainAccess).toMatchObject({ canRead: false, canAct: false });
    expect(agency.explainAccess.missing).toBe(
      'reaches Acme, but "Q4 plan" is RESTRICTED: not its creator, not shared with them, and not an ADMIN of Acme',
    );
    // A3, R28: the premium's ADMIN sees the agency user, never their email.
    expect(agency.explainAccess.user).toEqual({ id: w.u.nAdmin.id, email: '' });
  });

  it('after a disconnection: the connection was DISCONNECTED on … by …', async () => {
    const agency = await f.agency({ name: 'Umbrella' });
    const user = await f.member(agency, REGULAR);
    const admin = await f.member(w.P, ADMIN, { name: 'Pat Admin' });
    const k = await f.connection(agency, w.P, { status: ConnectionStatus.ACTIVE });
    const done = await data(M.disconnectAgency, { id: k.id }, admin);
    expect(done.disconnectAgency.userErrors).toEqual([]);
    // The user no longer reaches Acme, so for them it does not exist (A3): support asks.
    expect((await data(EXPLAIN, { u: user.id, a: w.P.id }, user)).explainAccess).toBeNull();
    const { explainAccess: e } = await data(EXPLAIN, { u: user.id, a: w.P.id }, w.u.staff);
    const today = new Date().toISOString().slice(0, 10);
    expect(e.missing).toBe(
      `the connection between Umbrella and Acme was DISCONNECTED on ${today} by Pat Admin`,
    );
  });

  it('who may ask: the user, staff, the account’s ADMINs; others FORBIDDEN, tokens FORBIDDEN', async () => {
    const vars = { u: w.u.nRegular.id, a: w.P.id };
    for (const as of [w.u.nRegular, w.u.staff, w.u.pAdmin]) {
      expect((await data(EXPLAIN, vars, as)).explainAccess.canRead).toBe(true);
    }
    expect(codes(await server.op(EXPLAIN, vars, w.u.pViewer))).toEqual(['FORBIDDEN']);
    expect(codes(await server.op(EXPLAIN, vars, w.u.nManager))).toEqual(['FORBIDDEN']);
    // An account that does not exist for the asker: null, nothing said (A3).
    expect((await data(EXPLAIN, vars, w.u.outsider)).explainAccess).toBeNull();
    const { token } = await f.apiToken(w.P, w.u.pAdmin);
    expect(codes(await server.op(EXPLAIN, vars, { token }))).toEqual(['FORBIDDEN']);
    // Exactly one of reportId and accountId.
    expect(codes(await server.op(EXPLAIN, { u: w.u.nRegular.id }, w.u.staff))).toEqual([
      'BAD_USER_INPUT',
    ]);
  });
});

describe('what an explanation costs (R28, B10)', () => {
  it('the same statements for one path as for three, audit events included: at most 4', async () => {
    // `many` reaches Acme three ways: its own membership, and two agencies' connections.
    const many = await f.member(w.P, VIEW_ONLY);
    const other = await f.agency({ name: 'Globex' });
    await f.connection(other, w.P, {
      status: ConnectionStatus.ACTIVE,
      clientAccess: ClientAccessMode.EVERYONE_IN_AGENCY,
      respondedAt: new Date(),
    });
    for (const agency of [w.N, other]) {
      await server.db.query(
        `INSERT INTO memberships (user_id, account_id, role) VALUES ($1, $2, 'REGULAR')`,
        [many.id, agency.id],
      );
    }
    // The events that made the paths, so each path also names its event and granter.
    await server.db.query(
      `INSERT INTO audit_events (action, actor_id, account_id, details)
       SELECT 'MEMBER_ADDED', $1::uuid, $2::uuid, jsonb_build_object('userId', $3::text)
       UNION ALL
       SELECT 'CONNECTION_ACCEPTED', $1::uuid, $2::uuid, jsonb_build_object('connectionId', k.id::text)
         FROM agency_connections k WHERE k.premium_client_id = $2::uuid AND k.status = 'ACTIVE'`,
      [w.u.pAdmin.id, w.P.id, many.id],
    );
    const cost = async (user: User) => {
      const { result, statements } = await server.countStatements(() =>
        server.op(EXPLAIN, { u: user.id, a: w.P.id }, w.u.pAdmin),
      );
      if (result.errors) throw new Error(JSON.stringify(result.errors));
      return { paths: result.data!.explainAccess!.paths, statements };
    };
    const one = await cost(w.u.nRegular);
    const three = await cost(many);
    expect(one.paths.map((p: any) => p.kind)).toEqual(['CONNECTION']);
    expect(three.paths.map((p: any) => p.kind).sort()).toEqual([
      'CONNECTION',
      'CONNECTION',
      'MEMBERSHIP',
    ]);
    expect(three.paths.every((p: any) => p.auditEvent && p.grantedBy?.id === w.u.pAdmin.id)).toBe(
      true,
    );
    expect(one.paths[0].auditEvent).toEqual({ action: 'CONNECTION_ACCEPTED' });
    expect(three.statements).toBe(one.statements);
    expect(three.statements).toBeLessThanOrEqual(4);
  });
});

describe('accessReview and userAccess (R29)', () => {
  it('the premium ADMIN reviews everyone who reaches the brand: agency users by name, no email', async () => {
    const { accessReview: r } = await data(REVIEW, { a: w.P.id }, w.u.pAdmin);
    const byUser = new Map(r.entries.nodes.map((n: any) => [n.user.id, n]));
    for (const key of ['nAdmin', 'nManager', 'nRegular']) {
      const entry: any = byUser.get(w.u[key].id);
      expect(entry.canAct).toBe(false);
      expect(entry.user.email).toBe('');
      expect(entry.paths.map((p: any) => [p.kind, p.via.id])).toEqual([['CONNECTION', w.N.id]]);
    }
    const own: any = byUser.get(w.u.pViewer.id);
    expect(own).toMatchObject({ role: VIEW_ONLY, canAct: true });
    expect(own.user.email).toBe(w.u.pViewer.email);
    expect(r.entries.totalCount).toBe(r.entries.nodes.length);
  });

  it('shows no leftover grant after a member is removed and added again (R24)', async () => {
    const leaving = await f.member(w.N, REGULAR);
    await f.grant(w.C, leaving);
    const removed = await data(
      M.removeMember,
      { input: { accountId: w.N.id, userId: leaving.id } },
      w.u.nAdmin,
    );
    expect(removed.removeMember.userErrors).toEqual([]);
    await data(
      M.addMember,
      { input: { accountId: w.N.id, email: leaving.email, name: 'Back', role: REGULAR } },
      w.u.nAdmin,
    );
    const { accessReview: r } = await data(REVIEW, { a: w.C.id }, w.u.nAdmin);
    expect(r.entries.nodes.map((n: any) => n.user.id)).not.toContain(leaving.id);
  });

  it('R30: a moment before the history began is refused, not guessed; tokens and non-ADMINs are refused', async () => {
    const past = await server.op(
      ExplainAccessReviewAtDocument,
      { a: w.P.id, at: '2026-01-01T00:00:00Z' },
      w.u.pAdmin,
    );
    expect(codes(past)).toEqual(['BAD_USER_INPUT']);
    expect(codes(await server.op(REVIEW, { a: w.P.id }, w.u.nAdmin))).toEqual(['FORBIDDEN']);
    const { token } = await f.apiToken(w.P, w.u.pAdmin);
    expect(codes(await server.op(REVIEW, { a: w.P.id }, { token }))).toEqual(['FORBIDDEN']);
  });

  it('userAccess: the user sees everything; their agency’s ADMIN the part through the agency', async () => {
    const own = await data(USER_ACCESS, { u: w.u.nManager.id }, w.u.nManager);
    const accounts = own.userAccess.nodes.map((n: any) => n.account.id).sort();
    expect(accounts).toEqual([w.N.id, w.P.id, w.C.id].sort());
    const byAdmin = await data(USER_ACCESS, { u: w.u.nManager.id }, w.u.nAdmin);
    expect(byAdmin.userAccess.totalCount).toBe(3);
    expect(codes(await server.op(USER_ACCESS, { u: w.u.nManager.id }, w.u.pAdmin))).toEqual([
      'FORBIDDEN',
    ]);
  });
});

describe('the review as CSV (R29)', () => {
  it('streams one row per user and path, emails as the asker may know them; the link is signed and re-checked', async () => {
    const { accessReview: r } = await data(
      ExplainAccessReviewCsvDocument,
      { a: w.P.id },
      w.u.pAdmin,
    );
    const url = new URL(r.csvUrl);
    expect(url.pathname).toBe(`/access-reviews/${w.P.id}.csv`);
    const response = await fetch(`${server.url}${url.pathname}${url.search}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = (await response.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'userId,userName,userEmail,pathKind,role,actsFor,viaAccountId,viaAccountName,connectionId,since',
    );
    const rows = lines.slice(1).map((line) => line.split(','));
    const row = (user: User) => rows.find((cells) => cells[0] === user.id)!;
    // An agency user reaching the brand: named, no email (A3, R28); the brand's own user: email.
    expect(row(w.u.nRegular).slice(2, 8)).toEqual([
      '',
      'CONNECTION',
      'REGULAR',
      'f',
      w.N.id,
      'Northwind',
    ]);
    expect(row(w.u.pViewer).slice(2, 6)).toEqual([
      w.u.pViewer.email,
      'MEMBERSHIP',
      'VIEW_ONLY',
      't',
    ]);
    const { accessReview: listed } = await data(REVIEW, { a: w.P.id }, w.u.pAdmin);
    expect(new Set(rows.map((cells) => cells[0])).size).toBe(listed.entries.totalCount);

    // Tampered: 403. A viewer who is no longer an ADMIN of the account: 403.
    const tampered = new URLSearchParams(url.search);
    // Another first character, whatever the signature starts with (an 'x' 1 time in 64).
    const sig = tampered.get('sig')!;
    tampered.set('sig', `${sig[0] === 'x' ? 'y' : 'x'}${sig.slice(1)}`);
    expect((await fetch(`${server.url}${url.pathname}?${tampered.toString()}`)).status).toBe(403);
    const other = await f.member(w.P, ADMIN);
    const otherLink = new URL(
      (await data(ExplainAccessReviewCsvDocument, { a: w.P.id }, other)).accessReview.csvUrl,
    );
    await server.db.query(`UPDATE memberships SET role = 'REGULAR' WHERE user_id = $1`, [other.id]);
    expect((await fetch(`${server.url}${otherLink.pathname}${otherLink.search}`)).status).toBe(403);
  });
});
