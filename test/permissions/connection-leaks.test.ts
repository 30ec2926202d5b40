/**
 * Issue 30 #5 and #7 (A3, R18, R28): what one side of a connection learns about the other. The
 * classic attacker: agencies A and B both connected to premium P. Every principal — each side's
 * users, staff, tokens — asks for everything reachable from P (its connections and their people,
 * its members, its reports' creators and items' integrations, the disconnection preview, the
 * audit log, node(id) of both connections, the viewer). An oracle written here from the world's
 * facts (it imports no production rule) says which emails, connections and integrations each may
 * see; every one that appears in an answer must be allowed. Zero leaks.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { ConnectionStatus, ItemSource, Role, type Account, type User } from '../../src/entities';
import {
  LeakConnectionIdsDocument,
  LeakPreviewApDocument,
  LeakProbeAccountReportsDocument,
  LeakProbeAuditADocument,
  LeakProbeAuditPDocument,
  LeakProbeConnectionApDocument,
  LeakProbeConnectionBpDocument,
  LeakProbeConnectionsDocument,
  LeakProbeIntegrationNodeDocument,
  LeakProbeMembersDocument,
  LeakProbePreviewApDocument,
  LeakProbePreviewBpDocument,
  LeakProbeReportsDocument,
  LeakProbeViewerDocument,
  LeakSetConnectionAccessDocument,
} from '../generated/graphql';
import { type As, useTestServer } from '../helpers/test-server';

jest.setTimeout(300_000);

const { server, f } = useTestServer();

interface World {
  P: Account;
  A: Account;
  B: Account;
  AP: string;
  BP: string;
  integrationA: string;
  u: Record<string, User>;
  /** user id -> the accounts they are a member of */
  memberOf: Map<string, Set<string>>;
}
const w = {} as World;

interface Viewer {
  label: string;
  as: As;
  /** The user, or null for a token. */
  user: User | null;
}
const viewers: Viewer[] = [];

beforeAll(async () => {
  w.P = await f.premium({ name: 'P' });
  w.A = await f.agency({ name: 'A' });
  w.B = await f.agency({ name: 'B' });
  w.memberOf = new Map();
  w.u = {};
  const person = async (key: string, account: Account, role: Role) => {
    w.u[key] = await f.member(account, role);
    w.memberOf.set(w.u[key].id, new Set([account.id]));
  };
  await person('pAdmin', w.P, Role.ADMIN);
  await person('pRegular', w.P, Role.REGULAR);
  await person('aAdmin', w.A, Role.ADMIN);
  await person('aManager', w.A, Role.ACCOUNT_MANAGER);
  await person('aRegular', w.A, Role.REGULAR);
  await person('bAdmin', w.B, Role.ADMIN);
  await person('bRegular', w.B, Role.REGULAR);
  w.u.staff = await f.staff();
  const connect = async (agency: Account, requester: User) =>
    (
      await f.connection(agency, w.P, {
        status: ConnectionStatus.ACTIVE,
        requestedByAccountId: agency.id,
        requestedById: requester.id,
        respondedAt: new Date(),
      })
    ).id;
  w.AP = await connect(w.A, w.u.aManager);
  w.BP = await connect(w.B, w.u.bAdmin);
  w.integrationA = (await f.integration(w.A)).id;
  await f.mapping({ id: w.integrationA } as any, w.P);
  const fed = await f.item(w.P, { source: ItemSource.INTEGRATION, integrationId: w.integrationA });
  await f.report(w.P, { createdById: w.u.aRegular.id, items: [fed] });
  await f.report(w.P, { createdById: w.u.bRegular.id });
  await f.report(w.P, { createdById: w.u.pAdmin.id });
  // Audit events with agency users as actors, and the ids of those losing access.
  await server.op(LeakSetConnectionAccessDocument, { id: w.AP }, w.u.aManager);

  const tokenP = await f.apiToken(w.P, w.u.pAdmin);
  const tokenA = await f.apiToken(w.A, w.u.aAdmin);
  for (const key of Object.keys(w.u)) viewers.push({ label: key, as: w.u[key], user: w.u[key] });
  viewers.push({ label: 'token of P', as: { token: tokenP.token }, user: null });
  viewers.push({ label: 'token of A', as: { token: tokenA.token }, user: null });
});

// ---------------------------------------------------------------------------------------------
// The oracle (A3, R18, R28), from the facts above.
// ---------------------------------------------------------------------------------------------

const isStaff = (v: Viewer) => !!v.user?.isStaff;
const memberOf = (userId: string) => w.memberOf.get(userId) ?? new Set<string>();
/** An email is known to the user, staff, and members of an account the user is a member of. */
function mayKnowEmail(v: Viewer, userId: string) {
  if (!v.user) return false;
  if (isStaff(v) || v.user.id === userId) return true;
  return [...memberOf(userId)].some((a) => memberOf(v.user!.id).has(a));
}
/** A connection exists for members of its sides (and staff); never for tokens. */
function maySeeConnection(v: Viewer, id: string) {
  if (!v.user) return false;
  if (isStaff(v)) return true;
  const sides = id === w.AP ? [w.A.id, w.P.id] : [w.B.id, w.P.id];
  return sides.some((a) => memberOf(v.user!.id).has(a));
}
/** An integration shows to those who reach its owner (A's people, staff); never to tokens. */
const maySeeIntegration = (v: Viewer) =>
  !!v.user && (isStaff(v) || memberOf(v.user.id).has(w.A.id));

// ---------------------------------------------------------------------------------------------
// What the API answers
// ---------------------------------------------------------------------------------------------

/** Every probe runs for every viewer, whatever its result type, with the variables it declares. */
type Probe = TypedDocumentNode<unknown, Record<string, string>>;
const DOCUMENTS = [
  LeakProbeConnectionsDocument,
  LeakProbeMembersDocument,
  LeakProbeAccountReportsDocument,
  LeakProbeReportsDocument,
  LeakProbeConnectionApDocument,
  LeakProbeConnectionBpDocument,
  LeakProbePreviewApDocument,
  LeakProbePreviewBpDocument,
  LeakProbeAuditPDocument,
  LeakProbeAuditADocument,
  LeakProbeViewerDocument,
  LeakProbeIntegrationNodeDocument,
] as Probe[];

interface Seen {
  emails: { userId: string; email: string }[];
  connections: string[];
  integrations: string[];
}

function collect(value: unknown, seen: Seen) {
  if (Array.isArray(value)) return value.forEach((v) => collect(v, seen));
  if (!value || typeof value !== 'object') return;
  const record = value as Record<string, unknown>;
  if (typeof record.email === 'string' && record.email !== '') {
    seen.emails.push({ userId: String(record.id), email: record.email });
  }
  if (typeof record.id === 'string') {
    if (record.id === w.AP || record.id === w.BP) seen.connections.push(record.id);
    if (record.id === w.integrationA) seen.integrations.push(record.id);
  }
  Object.values(record).forEach((v) => collect(v, seen));
}

it('nothing of the other side beyond id, name and type, and no email one may not know', async () => {
  const leaks: string[] = [];
  let emailsSeen = 0;
  for (const v of viewers) {
    const seen: Seen = { emails: [], connections: [], integrations: [] };
    for (const document of DOCUMENTS) {
      const variables = { p: w.P.id, a: w.A.id, ap: w.AP, bp: w.BP, i: w.integrationA };
      const used = Object.fromEntries(
        Object.entries(variables).filter(([k]) => print(document).includes(`$${k}`)),
      );
      const response = await server.op(document, used, v.as);
      const codes = (response.errors ?? []).map((e) => e.extensions?.code);
      for (const code of codes) {
        if (code !== 'FORBIDDEN' && code !== 'NOT_FOUND')
          leaks.push(`${v.label}: error ${code} ${JSON.stringify(response.errors)}`);
      }
      collect(response.data, seen);
    }
    emailsSeen += seen.emails.length;
    for (const { userId, email } of seen.emails) {
      if (!mayKnowEmail(v, userId)) leaks.push(`${v.label} reads the email ${email}`);
    }
    for (const id of new Set(seen.connections)) {
      if (!maySeeConnection(v, id)) {
        leaks.push(`${v.label} sees the connection ${id === w.AP ? 'A–P' : 'B–P'}`);
      }
    }
    if (seen.integrations.length > 0 && !maySeeIntegration(v)) {
      leaks.push(`${v.label} sees agency A's integration`);
    }
  }
  expect(leaks).toEqual([]);
  // The oracle is not vacuous: the allowed emails and connections do show.
  expect(emailsSeen).toBeGreaterThan(10);
});

it('each side still sees what is its own: P its connections and members, A its integration', async () => {
  const connectionsOf = async (as: As) =>
    (await server.op(LeakConnectionIdsDocument, { p: w.P.id }, as)).data!.account!.connections.map(
      (k) => k.id,
    );
  expect((await connectionsOf(w.u.pRegular)).sort()).toEqual([w.AP, w.BP].sort());
  expect(await connectionsOf(w.u.bRegular)).toEqual([w.BP]);
  expect(await connectionsOf(w.u.aRegular)).toEqual([w.AP]);
  const preview = await server.op(LeakPreviewApDocument, { ap: w.AP }, w.u.pAdmin);
  const losing = preview.data!.disconnectAgencyPreview.usersLosingAccess;
  // P's ADMIN sees who loses access by name, never by email (R28).
  expect(losing.map((x) => x.id).sort()).toEqual(
    [w.u.aAdmin.id, w.u.aManager.id, w.u.aRegular.id].sort(),
  );
  expect(losing.map((x) => x.email)).toEqual(['', '', '']);
  expect(losing.map((x) => x.name).every((name) => name.length > 0)).toBe(true);
});
