/**
 * The write-side authority matrix (issue 9; domain.md A1–A3, R1–R27; docs/authority.md): every
 * mutation, both previews, `auditEvents`, `apiTokens`, `exportReport` and `node` for an audit
 * event and a connection, asked by principals in every relation to the accounts involved — own
 * members of an agency N, a premium client P and N's client C; N's users reaching P through the
 * ACTIVE N↔P connection with EVERYONE_IN_AGENCY and then SELECTED_USERS access; a second agency E
 * connected to the same P; an unconnected agency's ADMIN; staff; API tokens; nobody.
 *
 * The expected answer of each cell comes from the oracle below: the facts of the world as this
 * test built them, the two relations of A1/A2 restated in a few lines (`reachRoles`, `actsFor`),
 * and a small table saying which relation each operation needs on which account. It imports no
 * production rule or predicate. Cells that change state run on a target of their own.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { createHash, randomBytes } from 'node:crypto';
import {
  AccountStatus,
  AccountType,
  ApiToken,
  AuditEvent,
  ClientAccessMode,
  ConnectionStatus,
  ReportVisibility,
  Role,
  type Account,
  type User,
} from '../../src/entities';
import { authorityOps as M } from '../helpers/authority-operations';
import { factories, type Factories } from '../helpers/factories';
import { startTestServer, type As, type TestServer } from '../helpers/test-server';

// Minutes of work on a loaded two-core machine; the statements are many and small.
jest.setTimeout(1_200_000);

const { ADMIN, ACCOUNT_MANAGER, REGULAR, VIEW_ONLY } = Role;
const { EVERYONE_IN_AGENCY, SELECTED_USERS } = ClientAccessMode;
const MANAGERS = [ADMIN, ACCOUNT_MANAGER];
const WRITERS = [ADMIN, ACCOUNT_MANAGER, REGULAR];
const ALL_ROLES = [ADMIN, ACCOUNT_MANAGER, REGULAR, VIEW_ONLY];
const { ACCOUNT, RESTRICTED } = ReportVisibility;

let server: TestServer;
let f: Factories;
const unique = () => randomBytes(4).toString('hex');

// ---------------------------------------------------------------------------------------------
// The facts of the world, recorded as the test builds it. The oracle reads only these.
// ---------------------------------------------------------------------------------------------

interface MAccount {
  id: string;
  type: AccountType;
  status: AccountStatus;
  agencyId: string | null;
  /** CLIENT accounts only: who of the owning agency reaches it. */
  access: ClientAccessMode | null;
}
interface MConnection {
  id: string;
  agencyId: string;
  premiumId: string;
  status: ConnectionStatus;
  requestedByAccountId: string;
  /** The agency side's access to the premium, per connection (A2). */
  access: ClientAccessMode;
  selected: Set<string>;
}
interface MReport {
  id: string;
  accountId: string;
  archived: boolean;
  /** R16: who could open it when it was archived. */
  snapshot: string[];
  visibility: ReportVisibility;
  createdById: string | null;
  sharedWith: string[];
}

const facts = {
  accounts: new Map<string, MAccount>(),
  roles: new Map<string, Map<string, Role>>(), // user -> account -> role
  staff: new Set<string>(),
  clientGrants: new Set<string>(), // `${account}:${user}`
  connections: new Map<string, MConnection>(),
  reports: new Map<string, MReport>(),
};

function recordAccount(a: Account, access: ClientAccessMode | null = null) {
  facts.accounts.set(a.id, {
    id: a.id,
    type: a.type,
    status: a.status,
    agencyId: a.agencyId,
    access: a.type === AccountType.CLIENT ? (access ?? a.clientAccess) : null,
  });
  return a;
}

async function member(u: User, a: Account, role: Role) {
  await f.membership(u, a, role);
  if (!facts.roles.has(u.id)) facts.roles.set(u.id, new Map());
  facts.roles.get(u.id)!.set(a.id, role);
}

async function clientGrant(a: Account, u: User) {
  await f.grant(a, u);
  facts.clientGrants.add(`${a.id}:${u.id}`);
}

// ---------------------------------------------------------------------------------------------
// The oracle: A1 and A2 (docs/authority.md) in plain TypeScript.
// ---------------------------------------------------------------------------------------------

const roleIn = (userId: string, accountId: string) => facts.roles.get(userId)?.get(accountId);

/** A2: the reach roles a (non-staff) user has on an account. */
function reachRoles(userId: string, accountId: string): Role[] {
  const account = facts.accounts.get(accountId);
  if (!account) return [];
  const roles: Role[] = [];
  const own = roleIn(userId, accountId);
  const archivedClient =
    account.type === AccountType.CLIENT && account.status === AccountStatus.ARCHIVED;
  if (own && !archivedClient) roles.push(own); // R15
  if (account.type === AccountType.CLIENT && account.agencyId) {
    const agencyRole = roleIn(userId, account.agencyId);
    if (
      agencyRole &&
      (agencyRole === ADMIN ||
        account.access === EVERYONE_IN_AGENCY ||
        facts.clientGrants.has(`${accountId}:${userId}`))
    ) {
      roles.push(agencyRole);
    }
  }
  if (account.type === AccountType.PREMIUM_CLIENT) {
    for (const k of facts.connections.values()) {
      if (k.premiumId !== accountId || k.status !== ConnectionStatus.ACTIVE) continue;
      const agencyRole = roleIn(userId, k.agencyId);
      if (
        agencyRole &&
        (agencyRole === ADMIN || k.access === EVERYONE_IN_AGENCY || k.selected.has(userId))
      ) {
        roles.push(agencyRole);
      }
    }
  }
  return roles;
}

/** A2 with a required reach role; staff reach everything. */
function reaches(userId: string, accountId: string, roles: Role[] = ALL_ROLES): boolean {
  if (facts.staff.has(userId)) return true;
  return reachRoles(userId, accountId).some((r) => roles.includes(r));
}

/** A1: own membership role; a CLIENT's owning-agency ADMIN/ACCOUNT_MANAGER who reach it; staff. */
function actsFor(userId: string, accountId: string, roles: Role[]): boolean {
  if (facts.staff.has(userId)) return true;
  const own = roleIn(userId, accountId);
  if (own && roles.includes(own)) return true;
  const account = facts.accounts.get(accountId);
  if (account?.type === AccountType.CLIENT && account.agencyId) {
    const agencyRole = roleIn(userId, account.agencyId);
    if (agencyRole && MANAGERS.includes(agencyRole) && reachRoles(userId, accountId).length > 0) {
      return true;
    }
  }
  return false;
}

/**
 * R25, A2: one of the account's own administrators — its own ADMIN, or on a CLIENT the owning
 * agency's ADMIN. A connection gives data access, never the premium's roles: a connected agency's
 * ADMIN is not one.
 */
function administers(userId: string, accountId: string): boolean {
  const account = facts.accounts.get(accountId);
  if (!account) return false;
  const archivedClient =
    account.type === AccountType.CLIENT && account.status === AccountStatus.ARCHIVED;
  if (roleIn(userId, accountId) === ADMIN && !archivedClient) return true;
  return (
    account.type === AccountType.CLIENT &&
    !!account.agencyId &&
    roleIn(userId, account.agencyId) === ADMIN
  );
}

/** A3: an account exists for a user who acts for it in any role or reaches it. */
const sees = (userId: string, accountId: string) =>
  reaches(userId, accountId) || actsFor(userId, accountId, ALL_ROLES);

/**
 * A3 (issue 30 #5): a connection exists for whoever acts for one of its sides; reaching the
 * premium through another agency's connection does not show it.
 */
const seesConnection = (userId: string, k: MConnection) =>
  actsFor(userId, k.agencyId, ALL_ROLES) || actsFor(userId, k.premiumId, ALL_ROLES);

/** R16 (users): an archived report is open to its snapshot while they stay in the agency. */
function opensReport(userId: string, report: MReport): boolean {
  if (facts.staff.has(userId)) return true;
  if (!report.archived) {
    // ACCOUNT: whoever reaches the account; RESTRICTED: creator, shares, the account's own ADMINs.
    if (reachRoles(userId, report.accountId).length === 0) return false;
    return (
      report.visibility === ACCOUNT ||
      administers(userId, report.accountId) ||
      report.createdById === userId ||
      report.sharedWith.includes(userId)
    );
  }
  const agencyId = facts.accounts.get(report.accountId)?.agencyId;
  return report.snapshot.includes(userId) && !!agencyId && !!roleIn(userId, agencyId);
}

/** R18: a token reads archived reports of its account (agency: its clients', as its creator). */
function tokenReadsReport(p: Principal, report: MReport): boolean {
  if (!report.archived) return false;
  if (report.accountId === p.scopeAccountId) return true;
  const account = facts.accounts.get(report.accountId)!;
  return account.agencyId === p.scopeAccountId && opensReport(p.userId!, report);
}

/**
 * Answers:
 *   ok              payload without userErrors, or data
 *   FORBIDDEN, NOT_FOUND, UNAUTHENTICATED, …   top-level error code
 *   ue:NOT_FOUND, ue:INVALID_INPUT, …          the payload's userErrors codes
 *   null            node(id) answered null
 */
type Outcome = string;
type Kind =
  'mutation' | 'bulk' | 'preview' | 'admin-query' | 'node' | 'export' | 'staff-only' | 'review';

interface Gate {
  /** The target exists for the caller (A3). */
  visible: boolean;
  /** The caller holds the relation the operation needs. */
  allowed: boolean;
  /** What an allowed caller gets when a rule other than authority answers (default ok). */
  then?: Outcome;
}

interface Principal {
  label: string;
  as: As;
  kind: 'user' | 'token' | 'anonymous';
  /** A user, or a token's creator. */
  userId?: string;
  scopeAccountId?: string;
}

interface Operation<C = any> {
  name: string;
  kind: Kind;
  /** Builds the cell's own target when the operation changes state. */
  setup?: () => Promise<C>;
  /** The small table: which relation the operation needs, on which account. */
  gate?: (userId: string, ctx: C) => Gate;
  /** Tokens: exportReport reads within the token's scope (R18). */
  tokenGate?: (p: Principal, ctx: C) => boolean;
  run: (as: As, ctx: C) => Promise<Outcome>;
  /** Its target involves P: asked again of N's users once N↔P access is SELECTED_USERS. */
  touchesP?: boolean;
}

function expected(p: Principal, op: Operation, ctx: unknown): Outcome {
  if (p.kind === 'anonymous') return 'UNAUTHENTICATED';
  if (p.kind === 'token') {
    // docs/authority.md: a token calls no mutation, no preview, neither auditEvents nor
    // apiTokens; node(id) keeps to its scope; exportReport reads archived reports in scope.
    if (op.kind === 'node') return 'null';
    if (op.kind === 'export') return op.tokenGate!(p, ctx) ? 'ok' : 'ue:NOT_FOUND';
    return 'FORBIDDEN';
  }
  const userId = p.userId!;
  if (op.kind === 'staff-only') return facts.staff.has(userId) ? 'ok' : 'FORBIDDEN';
  const gate = op.gate!(userId, ctx);
  switch (op.kind) {
    case 'mutation':
      if (!gate.visible) return 'ue:NOT_FOUND';
      return gate.allowed ? (gate.then ?? 'ok') : 'FORBIDDEN';
    case 'bulk':
      // R32: the list is taken; each item answers as its single operation would, in its result.
      if (!gate.visible) return 'ue:NOT_FOUND';
      return gate.allowed ? (gate.then ?? 'ok') : 'ue:FORBIDDEN';
    case 'preview':
      if (!gate.visible) return 'NOT_FOUND';
      return gate.allowed ? 'ok' : 'FORBIDDEN';
    case 'admin-query':
      return gate.allowed ? 'ok' : 'FORBIDDEN';
    case 'node':
      return gate.allowed ? 'ok' : 'null';
    case 'export':
      return gate.allowed ? 'ok' : 'ue:NOT_FOUND';
    case 'review':
      // R29, A3: an account that does not exist for the caller is null, nothing said.
      if (!gate.visible) return 'null';
      return gate.allowed ? 'ok' : 'FORBIDDEN';
  }
  throw new Error(`unknown kind ${String(op.kind)}`);
}

// ---------------------------------------------------------------------------------------------
// Calling the API and classifying its answer.
// ---------------------------------------------------------------------------------------------

async function call<V extends Record<string, unknown>>(
  document: TypedDocumentNode<any, V>,
  variables: V,
  as: As,
): Promise<Outcome> {
  const response = await server.op(document, variables, as);
  if (response.errors?.length) {
    return [...new Set(response.errors.map((e) => e.extensions?.code ?? 'NO_CODE'))].join(',');
  }
  if (!response.data) return `HTTP ${response.status}`;
  const value = Object.values(response.data)[0];
  if (value === null) return 'null';
  const userErrors = (value as { userErrors?: { code: string }[] }).userErrors;
  if (userErrors?.length) return userErrors.map((e) => `ue:${e.code}`).join(',');
  return 'ok';
}

/** R32: the one client's outcome in a disconnectClients answer (or the request's refusal). */
async function callBulk(ids: string[], as: As): Promise<Outcome> {
  const response = await server.op(M.disconnectClients, { ids }, as);
  if (response.errors?.length) {
    return [...new Set(response.errors.map((e) => e.extensions?.code ?? 'NO_CODE'))].join(',');
  }
  const payload = response.data!.disconnectClients;
  const errors = payload.userErrors.length ? payload.userErrors : payload.results[0].userErrors;
  return errors.length ? errors.map((e) => `ue:${e.code}`).join(',') : 'ok';
}

// ---------------------------------------------------------------------------------------------
// The world.
// ---------------------------------------------------------------------------------------------

const w = {} as {
  N: Account; // agency
  P: Account; // premium client, connected to N and E
  C: Account; // N's CLIENT, SELECTED_USERS [N.AM(sel), N.REGULAR]
  C2: Account; // N's CLIENT, EVERYONE_IN_AGENCY (mapping target)
  E: Account; // second agency connected to P
  X: Account; // unconnected agency
  Xclient: Account; // X's client: its organization is foreign to N
  Carchived: Account; // N's archived client with an archived report
  NP: MConnection;
  EP: MConnection;
  integrationN: string;
  integrationP: string;
  reportP: string; // active, ACCOUNT visibility
  itemP: string;
  itemC: string;
  archivedReport: string;
  eventP: string; // account P
  eventNP: string; // account N, related P
  eventC: string; // account C, related N
  u: Record<string, User>;
};

async function connect(
  agency: Account,
  premium: Account,
  status: ConnectionStatus,
  requestedBy: Account = agency,
): Promise<MConnection> {
  const row = await f.connection(agency, premium, {
    status,
    requestedByAccountId: requestedBy.id,
    respondedAt: status === ConnectionStatus.PENDING ? null : new Date(),
  });
  const k: MConnection = {
    id: row.id,
    agencyId: agency.id,
    premiumId: premium.id,
    status,
    requestedByAccountId: requestedBy.id,
    access: EVERYONE_IN_AGENCY,
    selected: new Set(),
  };
  facts.connections.set(k.id, k);
  return k;
}

/**
 * Sets a connection's access: through `setConnectionAccess` as the agency's ADMIN for the world's
 * connections (`via: 'api'`), with SQL on the new columns for the many fresh targets of single
 * cells (`via: 'sql'`, cheaper). Any error fails the file: the access is per connection (issue 9).
 */
async function setConnectionAccess(
  k: MConnection,
  mode: ClientAccessMode,
  selected: User[],
  via: 'api' | 'sql' = 'api',
) {
  const admin = Object.values(w.u).find((u) => roleIn(u.id, k.agencyId) === ADMIN)!;
  if (via === 'api') {
    const response = await server.op(
      M.setConnectionAccess,
      { input: { connectionId: k.id, access: mode, userIds: selected.map((u) => u.id) } },
      admin,
    );
    if (response.errors?.length || response.data?.setConnectionAccess?.userErrors?.length) {
      throw new Error(`setConnectionAccess failed: ${JSON.stringify(response)}`);
    }
  } else {
    await server.db.query(`UPDATE agency_connections SET client_access = $1 WHERE id = $2`, [
      mode,
      k.id,
    ]);
    await server.db.query(`DELETE FROM connection_access_grants WHERE connection_id = $1`, [k.id]);
    for (const u of selected) {
      await server.db.query(
        `INSERT INTO connection_access_grants (connection_id, user_id) VALUES ($1, $2)`,
        [k.id, u.id],
      );
    }
  }
  k.access = mode;
  k.selected = new Set(selected.map((u) => u.id));
}

/** The N↔P access of the phase being run. */
let phase: { mode: ClientAccessMode; selected: User[] } = {
  mode: EVERYONE_IN_AGENCY,
  selected: [],
};

async function apiToken(scope: Account, creator: User, name = `token ${unique()}`) {
  const secret = `hov_${randomBytes(16).toString('hex')}`;
  const row = await server.db.getRepository(ApiToken).save({
    name,
    tokenHash: createHash('sha256').update(secret).digest('hex'),
    accountId: scope.id,
    createdById: creator.id,
  });
  return { id: row.id, secret };
}

async function auditEvent(account: Account, related: Account | null) {
  const row = await server.db.getRepository(AuditEvent).save({
    action: 'TEST_EVENT',
    actorId: null,
    accountId: account.id,
    relatedAccountId: related?.id ?? null,
    requestId: null,
    details: {},
  });
  return row.id;
}

/** A membership change through the API as N's ADMIN; it must succeed. */
async function apiMembership<I>(mutation: TypedDocumentNode<any, { input: I }>, input: I) {
  const response = await server.op(mutation, { input }, w.u.nAdmin);
  const payload = response.data && Object.values(response.data)[0];
  if (response.errors?.length || !payload || payload.userErrors?.length) {
    throw new Error(`membership change failed: ${JSON.stringify(response)}`);
  }
}

/**
 * R24 (and issues 12, 30): a user who leaves an account loses its role; leaving an agency also
 * ends their selections on its clients and connections, their R16 access to the archived reports
 * of its clients and their shares of reports they no longer reach, for good (a later re-add
 * brings none of it back).
 */
function leaves(userId: string, accountId: string) {
  facts.roles.get(userId)?.delete(accountId);
  for (const a of facts.accounts.values()) {
    if (a.agencyId === accountId) facts.clientGrants.delete(`${a.id}:${userId}`);
  }
  for (const k of facts.connections.values()) {
    if (k.agencyId === accountId) k.selected.delete(userId);
  }
  for (const r of facts.reports.values()) {
    if (r.archived && facts.accounts.get(r.accountId)?.agencyId === accountId) {
      r.snapshot = r.snapshot.filter((id) => id !== userId);
    }
    // Issue 30: shares of active reports end with the user's reach of their account.
    if (!r.archived && reachRoles(userId, r.accountId).length === 0) {
      r.sharedWith = r.sharedWith.filter((id) => id !== userId);
    }
  }
}

const principals: Principal[] = [];
const userPrincipal = (label: string, u: User): Principal => ({
  label,
  as: u,
  kind: 'user',
  userId: u.id,
});

beforeAll(async () => {
  server = await startTestServer();
  f = factories(server.db);
  const u: Record<string, User> = {};
  w.u = u;

  w.N = recordAccount(await f.agency({ name: 'N' }));
  w.E = recordAccount(await f.agency({ name: 'E' }));
  w.X = recordAccount(await f.agency({ name: 'X' }));
  w.P = recordAccount(await f.premium({ name: 'P' }));
  w.C = recordAccount(await f.client(w.N, { name: 'C', clientAccess: SELECTED_USERS }));
  w.C2 = recordAccount(await f.client(w.N, { name: 'C2', clientAccess: EVERYONE_IN_AGENCY }));
  w.Xclient = recordAccount(await f.client(w.X, { clientAccess: EVERYONE_IN_AGENCY }));
  w.Carchived = recordAccount(
    await f.client(w.N, {
      clientAccess: EVERYONE_IN_AGENCY,
      status: AccountStatus.ARCHIVED,
      archivedAt: new Date(),
    }),
  );

  const person = async (key: string, account: Account, role: Role) => {
    u[key] = await f.user({ name: key, organizationId: account.organizationId });
    await member(u[key], account, role);
  };
  await person('nAdmin', w.N, ADMIN);
  await person('nManagerSelected', w.N, ACCOUNT_MANAGER);
  await person('nManagerUnselected', w.N, ACCOUNT_MANAGER);
  await person('nRegular', w.N, REGULAR);
  await person('nViewOnly', w.N, VIEW_ONLY);
  // R24 rows: REGULARs selected on C; their membership changes through the API further down.
  for (const key of ['nRemoved', 'nReroled', 'nReadded']) {
    await person(key, w.N, REGULAR);
  }
  await person('pAdmin', w.P, ADMIN);
  await person('pManager', w.P, ACCOUNT_MANAGER);
  await person('pRegular', w.P, REGULAR);
  await person('pViewOnly', w.P, VIEW_ONLY);
  await person('cViewOnly', w.C, VIEW_ONLY);
  await person('eAdmin', w.E, ADMIN);
  await person('eManager', w.E, ACCOUNT_MANAGER);
  await person('xAdmin', w.X, ADMIN);
  u.staff = await f.staff({ name: 'staff' });
  facts.staff.add(u.staff.id);

  await clientGrant(w.C, u.nManagerSelected);
  await clientGrant(w.C, u.nRegular);
  for (const key of ['nRemoved', 'nReroled', 'nReadded']) await clientGrant(w.C, u[key]);

  w.NP = await connect(w.N, w.P, ConnectionStatus.ACTIVE);
  w.EP = await connect(w.E, w.P, ConnectionStatus.ACTIVE);
  await setConnectionAccess(w.EP, EVERYONE_IN_AGENCY, []);
  await setConnectionAccess(w.NP, EVERYONE_IN_AGENCY, []);

  w.integrationN = (await f.integration(w.N)).id;
  await f.mapping({ id: w.integrationN } as any, w.C2);
  w.integrationP = (await f.integration(w.P)).id;
  await f.mapping({ id: w.integrationP } as any, w.P);

  w.itemP = (await f.item(w.P)).id;
  w.itemC = (await f.item(w.C)).id;
  const reportP = await f.report(w.P, { createdById: u.pRegular.id });
  w.reportP = reportP.id;
  facts.reports.set(reportP.id, {
    id: reportP.id,
    accountId: w.P.id,
    archived: false,
    snapshot: [],
    visibility: ACCOUNT,
    createdById: u.pRegular.id,
    sharedWith: [],
  });
  const snapshot = [u.nAdmin, u.nRegular, u.nRemoved, u.nReadded];
  const archived = await f.report(w.Carchived, { items: [await f.item(w.Carchived)], snapshot });
  w.archivedReport = archived.id;
  facts.reports.set(archived.id, {
    id: archived.id,
    accountId: w.Carchived.id,
    archived: true,
    snapshot: snapshot.map((x) => x.id),
    visibility: ACCOUNT,
    createdById: null,
    sharedWith: [],
  });

  // R24 through the API, after the world (and the archived report's snapshot) stands: one N
  // member leaves, one is re-roled, one leaves and is added again by email.
  await apiMembership(M.removeMember, { accountId: w.N.id, userId: u.nRemoved.id });
  leaves(u.nRemoved.id, w.N.id);
  await apiMembership(M.changeRole, {
    accountId: w.N.id,
    userId: u.nReroled.id,
    role: ACCOUNT_MANAGER,
  });
  facts.roles.get(u.nReroled.id)!.set(w.N.id, ACCOUNT_MANAGER);
  await apiMembership(M.removeMember, { accountId: w.N.id, userId: u.nReadded.id });
  leaves(u.nReadded.id, w.N.id);
  await apiMembership(M.addMember, {
    accountId: w.N.id,
    email: u.nReadded.email,
    name: 'nReadded',
    role: REGULAR,
  });
  facts.roles.get(u.nReadded.id)!.set(w.N.id, REGULAR);

  w.eventP = await auditEvent(w.P, null);
  w.eventNP = await auditEvent(w.N, w.P);
  w.eventC = await auditEvent(w.C, w.N);

  const tokenN = await apiToken(w.N, u.nAdmin);
  const tokenP = await apiToken(w.P, u.pAdmin);
  const tokenStaff = await apiToken(w.P, u.staff);

  principals.push(
    userPrincipal('staff', u.staff),
    { label: 'anonymous', as: null, kind: 'anonymous' },
    ...nRows(),
    userPrincipal('N.removed (was REGULAR, selected on C)', u.nRemoved),
    userPrincipal('P.ADMIN', u.pAdmin),
    userPrincipal('P.ACCOUNT_MANAGER', u.pManager),
    userPrincipal('P.REGULAR', u.pRegular),
    userPrincipal('P.VIEW_ONLY', u.pViewOnly),
    userPrincipal('C.VIEW_ONLY', u.cViewOnly),
    userPrincipal('E.ADMIN', u.eAdmin),
    userPrincipal('E.ACCOUNT_MANAGER', u.eManager),
    userPrincipal('X.ADMIN (unconnected)', u.xAdmin),
    tokenPrincipal('token of N (by N.ADMIN)', tokenN.secret, w.N, u.nAdmin),
    tokenPrincipal('token of P (by P.ADMIN)', tokenP.secret, w.P, u.pAdmin),
    tokenPrincipal('token of P (by staff)', tokenStaff.secret, w.P, u.staff),
  );
});
afterAll(() => server?.stop());

const tokenPrincipal = (label: string, token: string, scope: Account, creator: User) =>
  ({ label, as: { token }, kind: 'token', userId: creator.id, scopeAccountId: scope.id }) as const;

/** N's users: run once with N↔P EVERYONE_IN_AGENCY and once with SELECTED_USERS [N.AM(sel)]. */
function nRows(suffix = ''): Principal[] {
  return [
    userPrincipal(`N.ADMIN${suffix}`, w.u.nAdmin),
    userPrincipal(`N.ACCOUNT_MANAGER(sel)${suffix}`, w.u.nManagerSelected),
    userPrincipal(`N.ACCOUNT_MANAGER(unsel)${suffix}`, w.u.nManagerUnselected),
    userPrincipal(`N.REGULAR${suffix}`, w.u.nRegular),
    userPrincipal(`N.VIEW_ONLY${suffix}`, w.u.nViewOnly),
    userPrincipal(`N.re-roled REGULAR→ACCOUNT_MANAGER${suffix}`, w.u.nReroled),
    userPrincipal(`N.removed+re-added REGULAR${suffix}`, w.u.nReadded),
  ];
}

// ---------------------------------------------------------------------------------------------
// Fresh targets for cells that change state.
// ---------------------------------------------------------------------------------------------

/** A premium like P (P's four users, the same roles) connected to N (phase access) and E. */
async function premiumLikeP() {
  const premium = recordAccount(await f.premium());
  for (const key of ['pAdmin', 'pManager', 'pRegular', 'pViewOnly']) {
    await member(w.u[key], premium, roleIn(w.u[key].id, w.P.id)!);
  }
  const ek = await connect(w.E, premium, ConnectionStatus.ACTIVE);
  const nk = await connect(w.N, premium, ConnectionStatus.ACTIVE);
  await setConnectionAccess(ek, EVERYONE_IN_AGENCY, [], 'sql');
  await setConnectionAccess(nk, phase.mode, phase.selected, 'sql');
  return nk;
}

/** A client like C: N's, SELECTED_USERS [N.AM(sel), N.REGULAR], with C's own user. */
async function clientLikeC() {
  const client = recordAccount(
    await f.client(w.N, { clientAccess: SELECTED_USERS, organizationId: w.C.organizationId }),
  );
  await clientGrant(client, w.u.nManagerSelected);
  await clientGrant(client, w.u.nRegular);
  await member(w.u.cViewOnly, client, VIEW_ONLY);
  return client;
}

/** A fresh user with a membership in the account (the target of a membership change). */
async function freshMember(account: Account, role: Role) {
  const user = await f.user({ organizationId: account.organizationId });
  await member(user, account, role);
  return user;
}

/** A fresh report with one item of its own, recorded in the facts. */
async function freshReport(
  account: Account,
  o: { createdBy?: User; visibility?: ReportVisibility; sharedWith?: User[]; snapshot?: User[] },
) {
  const item = await f.item(account);
  const row = await f.report(account, {
    items: [item],
    createdById: o.createdBy?.id ?? null,
    visibility: o.visibility ?? ACCOUNT,
    sharedWith: o.sharedWith,
    snapshot: o.snapshot,
  });
  const report: MReport = {
    id: row.id,
    accountId: account.id,
    archived: !!o.snapshot,
    snapshot: (o.snapshot ?? []).map((x) => x.id),
    visibility: o.visibility ?? ACCOUNT,
    createdById: o.createdBy?.id ?? null,
    sharedWith: (o.sharedWith ?? []).map((x) => x.id),
  };
  facts.reports.set(report.id, report);
  return { report, itemId: item.id };
}
type ReportCtx = Awaited<ReturnType<typeof freshReport>>;

/** R31: a SCHEDULED disconnection of the link, on behalf of `by` (its authority is not judged here). */
async function scheduledFor(link: { connectionId?: string; clientAccountId?: string }, by: string) {
  const [row] = await server.db.query(
    `INSERT INTO scheduled_disconnections (connection_id, client_account_id, scheduling_account_id, run_at, scheduled_by_id)
     VALUES ($1, $2, $3, now() + interval '30 days', $4) RETURNING id`,
    [link.connectionId ?? null, link.clientAccountId ?? null, by, w.u.staff.id],
  );
  return row.id as string;
}
const daysAhead = (days: number) => new Date(Date.now() + days * 24 * 3600_000).toISOString();

const freshAgency = async () => recordAccount(await f.agency());
const freshPremium = async () => recordAccount(await f.premium());

// ---------------------------------------------------------------------------------------------
// The table: each operation, the relation it needs and on which account.
// ---------------------------------------------------------------------------------------------

/** actsFor(account, roles) on a target that exists for whoever sees the account. */
const actsOn = (accountId: () => string, roles: Role[], then?: Outcome) => (userId: string) => ({
  visible: sees(userId, accountId()),
  allowed: actsFor(userId, accountId(), roles),
  then,
});
/** reaches(account) with one of the reach roles. */
const reachesOn = (accountId: () => string, roles: Role[]) => (userId: string) => ({
  visible: sees(userId, accountId()),
  allowed: reaches(userId, accountId(), roles),
});
/** Connection answers: the side that must act (R1); the connection exists for either side. */
const onConnection =
  (side: (k: MConnection) => string[], roles = MANAGERS) =>
  (userId: string, k: MConnection) => ({
    visible: seesConnection(userId, k),
    allowed: side(k).some((a) => actsFor(userId, a, roles)),
  });
const otherSide = (k: MConnection) => [
  k.requestedByAccountId === k.agencyId ? k.premiumId : k.agencyId,
];
const requester = (k: MConnection) => [k.requestedByAccountId];
const eitherSide = (k: MConnection) => [k.agencyId, k.premiumId];
/**
 * R25 + A2 + A3: the report exists for whoever opens it; its creator and the account's own ADMINs
 * (an agency ADMIN on its clients, not on a connected premium) edit it, and staff; an archived
 * report answers REPORT_ARCHIVED to them (R11, R25).
 */
const editsReport =
  (then?: (ctx: ReportCtx) => Outcome) =>
  (userId: string, ctx: ReportCtx): Gate => {
    const r = ctx.report;
    const visible = opensReport(userId, r);
    const allowed =
      facts.staff.has(userId) ||
      (visible && (r.createdById === userId || administers(userId, r.accountId)));
    return { visible, allowed, then: r.archived ? 'ue:REPORT_ARCHIVED' : then?.(ctx) };
  };
/** R25: sharing only with users who reach the report's account (INVALID_INPUT otherwise). */
const shareTarget = (target: () => User) => (ctx: ReportCtx) =>
  reaches(target().id, ctx.report.accountId) ? 'ok' : 'ue:INVALID_INPUT';

/** auditEvents / node(AuditEvent): ADMIN of the event's account or related account (R22). */
const auditAdmin =
  (...accounts: (() => string)[]) =>
  (userId: string) => ({
    visible: true,
    allowed: accounts.some((a) => actsFor(userId, a(), [ADMIN])),
  });

const operations: Operation[] = [
  // --- connecting (R1, R26) ---
  {
    name: 'requestConnection(N→new premium)',
    kind: 'mutation',
    setup: freshPremium,
    gate: actsOn(() => w.N.id, MANAGERS),
    run: (as, to: Account) =>
      call(M.request, { input: { fromAccountId: w.N.id, toAccountId: to.id } }, as),
  },
  {
    name: 'requestConnection(P→new agency)',
    touchesP: true,
    kind: 'mutation',
    setup: freshAgency,
    gate: actsOn(() => w.P.id, MANAGERS),
    run: (as, to: Account) =>
      call(M.request, { input: { fromAccountId: w.P.id, toAccountId: to.id } }, as),
  },
  {
    name: 'acceptConnection(new agency→P)',
    touchesP: true,
    kind: 'mutation',
    setup: async () => connect(await freshAgency(), w.P, ConnectionStatus.PENDING),
    gate: onConnection(otherSide),
    run: (as, k: MConnection) => call(M.accept, { id: k.id }, as),
  },
  {
    name: 'acceptConnection(new premium→N)',
    kind: 'mutation',
    setup: async () => {
      const premium = await freshPremium();
      return connect(w.N, premium, ConnectionStatus.PENDING, premium);
    },
    gate: onConnection(otherSide),
    run: (as, k: MConnection) => call(M.accept, { id: k.id }, as),
  },
  {
    name: 'declineConnection(new agency→P)',
    touchesP: true,
    kind: 'mutation',
    setup: async () => connect(await freshAgency(), w.P, ConnectionStatus.PENDING),
    gate: onConnection(otherSide),
    run: (as, k: MConnection) => call(M.decline, { id: k.id }, as),
  },
  {
    name: 'cancelConnection(P→new agency)',
    touchesP: true,
    kind: 'mutation',
    setup: async () => connect(await freshAgency(), w.P, ConnectionStatus.PENDING, w.P),
    gate: onConnection(requester),
    run: (as, k: MConnection) => call(M.cancel, { id: k.id }, as),
  },
  {
    name: 'cancelConnection(N→new premium)',
    kind: 'mutation',
    setup: async () => connect(w.N, await freshPremium(), ConnectionStatus.PENDING),
    gate: onConnection(requester),
    run: (as, k: MConnection) => call(M.cancel, { id: k.id }, as),
  },
  // --- disconnecting an agency and a premium (R4, R23) ---
  {
    name: 'disconnectAgency(N↔P-like)',
    touchesP: true,
    kind: 'mutation',
    setup: premiumLikeP,
    gate: onConnection(eitherSide),
    run: (as, k: MConnection) => call(M.disconnectAgency, { id: k.id }, as),
  },
  // --- scheduled (R31): the disconnection's own gate; cancels by either side's deciders ---
  {
    name: 'scheduleDisconnection(N↔P-like)',
    touchesP: true,
    kind: 'mutation',
    setup: premiumLikeP,
    gate: onConnection(eitherSide),
    run: (as, k: MConnection) =>
      call(M.schedule, { input: { connectionId: k.id, runAt: daysAhead(30) } }, as),
  },
  {
    name: 'cancelScheduledDisconnection(N↔P-like)',
    touchesP: true,
    kind: 'mutation',
    setup: async () => {
      const k = await premiumLikeP();
      return { k, scheduleId: await scheduledFor({ connectionId: k.id }, k.agencyId) };
    },
    gate: (userId, ctx: { k: MConnection }) => onConnection(eitherSide)(userId, ctx.k),
    run: (as, ctx: { scheduleId: string }) => call(M.cancelSchedule, { id: ctx.scheduleId }, as),
  },
  {
    name: 'scheduleDisconnection(C-like)',
    kind: 'mutation',
    setup: clientLikeC,
    gate: (userId, client: Account) => actsOn(() => client.id, MANAGERS)(userId),
    run: (as, client: Account) =>
      call(M.schedule, { input: { clientAccountId: client.id, runAt: daysAhead(30) } }, as),
  },
  {
    name: 'cancelScheduledDisconnection(C-like)',
    kind: 'mutation',
    setup: async () => {
      const client = await clientLikeC();
      return {
        client,
        scheduleId: await scheduledFor({ clientAccountId: client.id }, client.agencyId!),
      };
    },
    gate: (userId, ctx: { client: Account }) => actsOn(() => ctx.client.id, MANAGERS)(userId),
    run: (as, ctx: { scheduleId: string }) => call(M.cancelSchedule, { id: ctx.scheduleId }, as),
  },
  {
    name: 'disconnectAgencyPreview(N↔P)',
    touchesP: true,
    kind: 'preview',
    gate: (userId) => onConnection(eitherSide)(userId, w.NP),
    run: (as) => call(M.agencyPreview, { id: w.NP.id }, as),
  },
  // --- per-connection access (A2; issue 9): the current value again, so nothing changes ---
  {
    name: 'setConnectionAccess(N↔P)',
    touchesP: true,
    kind: 'mutation',
    gate: (userId) => onConnection((k) => [k.agencyId])(userId, w.NP),
    run: (as) =>
      call(
        M.setConnectionAccess,
        {
          input: {
            connectionId: w.NP.id,
            access: phase.mode,
            userIds: phase.selected.map((u) => u.id),
          },
        },
        as,
      ),
  },
  {
    name: 'setConnectionAccess(E↔P)',
    touchesP: true,
    kind: 'mutation',
    gate: (userId) => onConnection((k) => [k.agencyId])(userId, w.EP),
    run: (as) =>
      call(
        M.setConnectionAccess,
        { input: { connectionId: w.EP.id, access: EVERYONE_IN_AGENCY, userIds: [] } },
        as,
      ),
  },
  // --- clients (R2, R9, R23) ---
  {
    name: 'createClientAccount(N, new org)',
    kind: 'mutation',
    gate: actsOn(() => w.N.id, MANAGERS),
    run: (as) =>
      call(
        M.createClient,
        {
          input: {
            agencyId: w.N.id,
            name: `Client ${unique()}`,
            organizationName: `Brand ${unique()}`,
            access: EVERYONE_IN_AGENCY,
          },
        },
        as,
      ),
  },
  {
    name: "createClientAccount(N, own client's org)",
    kind: 'mutation',
    gate: actsOn(() => w.N.id, MANAGERS),
    run: (as) =>
      call(
        M.createClient,
        {
          input: {
            agencyId: w.N.id,
            name: `Client ${unique()}`,
            organizationId: w.C.organizationId,
            access: EVERYONE_IN_AGENCY,
          },
        },
        as,
      ),
  },
  {
    name: 'createClientAccount(N, foreign org)',
    kind: 'mutation',
    // The organization must be one of N's own clients' (staff: any), else NOT_FOUND.
    gate: (userId) =>
      actsOn(() => w.N.id, MANAGERS, facts.staff.has(userId) ? 'ok' : 'ue:NOT_FOUND')(userId),
    // A fresh foreign organization per cell: a staff cell parks a client of N in the one it uses.
    run: async (as) =>
      call(
        M.createClient,
        {
          input: {
            agencyId: w.N.id,
            name: `Client ${unique()}`,
            organizationId: (await f.client(w.X, { clientAccess: EVERYONE_IN_AGENCY }))
              .organizationId,
            access: EVERYONE_IN_AGENCY,
          },
        },
        as,
      ),
  },
  {
    name: 'disconnectClient(C-like)',
    kind: 'mutation',
    setup: clientLikeC,
    gate: (userId, client: Account) => actsOn(() => client.id, MANAGERS)(userId),
    run: (as, client: Account) => call(M.disconnectClient, { id: client.id }, as),
  },
  {
    name: 'disconnectClients([C-like])',
    kind: 'bulk',
    setup: clientLikeC,
    gate: (userId, client: Account) => actsOn(() => client.id, MANAGERS)(userId),
    run: (as, client: Account) => callBulk([client.id], as),
  },
  {
    name: 'disconnectClientsPreview([C])',
    kind: 'preview',
    gate: actsOn(() => w.C.id, MANAGERS),
    run: (as) => call(M.clientsPreview, { ids: [w.C.id] }, as),
  },
  {
    name: 'disconnectClientPreview(C)',
    kind: 'preview',
    gate: actsOn(() => w.C.id, MANAGERS),
    run: (as) => call(M.clientPreview, { id: w.C.id }, as),
  },
  {
    name: 'setClientAccess(C)',
    kind: 'mutation',
    gate: actsOn(() => w.C.id, MANAGERS),
    run: (as) =>
      call(
        M.setClientAccess,
        {
          input: {
            accountId: w.C.id,
            access: SELECTED_USERS,
            // The current list again (from the facts), so nothing changes.
            userIds: [...facts.clientGrants]
              .filter((g) => g.startsWith(`${w.C.id}:`))
              .map((g) => g.slice(w.C.id.length + 1)),
          },
        },
        as,
      ),
  },
  {
    name: 'setClientAccess(P)',
    touchesP: true,
    kind: 'mutation',
    // A premium's access is per connection: whoever acts for P is told INVALID_INPUT.
    gate: actsOn(() => w.P.id, MANAGERS, 'ue:INVALID_INPUT'),
    run: (as) =>
      call(
        M.setClientAccess,
        {
          input: {
            accountId: w.P.id,
            access: phase.mode,
            userIds: phase.selected.map((u) => u.id),
          },
        },
        as,
      ),
  },
  // --- members (R24) ---
  ...(
    [
      ['N', () => w.N, REGULAR],
      ['P', () => w.P, REGULAR],
      ['C', () => w.C, VIEW_ONLY],
    ] as const
  ).map(([label, account, role]): Operation => ({
    name: `addMember(${label})`,
    touchesP: label === 'P',
    kind: 'mutation',
    gate: actsOn(() => account().id, [ADMIN]),
    run: (as) =>
      call(
        M.addMember,
        {
          input: {
            accountId: account().id,
            email: `new-${unique()}@example.test`,
            name: 'New Person',
            role,
          },
        },
        as,
      ),
  })),
  // --- integrations (R3) ---
  ...(
    [
      ['N', () => w.N],
      ['P', () => w.P],
    ] as const
  ).map(([label, owner]): Operation => ({
    name: `createIntegration(${label})`,
    touchesP: label === 'P',
    kind: 'mutation',
    gate: actsOn(() => owner().id, MANAGERS),
    run: (as) =>
      call(
        M.createIntegration,
        {
          input: { ownerAccountId: owner().id, name: `Int ${unique()}`, adServer: 'SIMULATED' },
        },
        as,
      ),
  })),
  ...(
    [
      ['N', 'C2', () => w.N, () => w.C2],
      ['P', 'P', () => w.P, () => w.P],
    ] as const
  ).map(([ownerLabel, clientLabel, owner, client]): Operation => ({
    name: `mapAdvertiser(${ownerLabel}'s integration→${clientLabel})`,
    touchesP: ownerLabel === 'P',
    kind: 'mutation',
    setup: async () => (await f.integration(owner())).id,
    gate: actsOn(() => owner().id, MANAGERS),
    run: (as, integrationId: string) =>
      call(
        M.mapAdvertiser,
        {
          input: {
            integrationId,
            clientAccountId: client().id,
            externalAdvertiserId: `adv-${unique()}`,
          },
        },
        as,
      ),
  })),
  ...(
    [
      ['N', () => w.N, () => w.integrationN],
      ['P', () => w.P, () => w.integrationP],
    ] as const
  ).map(([label, owner, integration]): Operation => ({
    name: `syncIntegration(${label}'s)`,
    touchesP: label === 'P',
    kind: 'mutation',
    gate: actsOn(() => owner().id, MANAGERS),
    run: (as) => call(M.sync, { id: integration() }, as),
  })),
  // --- API tokens (R18) ---
  ...(
    [
      ['N', () => w.N, 'nAdmin'],
      ['P', () => w.P, 'pAdmin'],
    ] as const
  ).flatMap(([label, account, admin]): Operation[] => [
    {
      name: `createApiToken(${label})`,
      touchesP: label === 'P',
      kind: 'mutation',
      gate: actsOn(() => account().id, [ADMIN]),
      run: (as) =>
        call(M.createToken, { input: { accountId: account().id, name: `t ${unique()}` } }, as),
    },
    {
      name: `revokeApiToken(${label}'s)`,
      touchesP: label === 'P',
      kind: 'mutation',
      setup: () => apiToken(account(), w.u[admin]),
      gate: actsOn(() => account().id, [ADMIN]),
      run: (as, token: { id: string }) => call(M.revokeToken, { id: token.id }, as),
    },
    {
      name: `apiTokens(${label})`,
      touchesP: label === 'P',
      kind: 'admin-query',
      gate: actsOn(() => account().id, [ADMIN]),
      run: (as) => call(M.apiTokens, { id: account().id }, as),
    },
  ]),
  // --- audit (R22, R27) ---
  ...(
    [
      ['N', () => w.N],
      ['P', () => w.P],
      ['C', () => w.C],
    ] as const
  ).map(([label, account]): Operation => ({
    name: `auditEvents(${label})`,
    touchesP: label === 'P',
    kind: 'admin-query',
    gate: auditAdmin(() => account().id),
    run: (as) => call(M.auditEvents, { id: account().id }, as),
  })),
  {
    name: 'node(AuditEvent of P)',
    touchesP: true,
    kind: 'node',
    gate: auditAdmin(() => w.P.id),
    run: (as) => call(M.node, { id: w.eventP }, as),
  },
  {
    name: 'node(AuditEvent of N, related P)',
    touchesP: true,
    kind: 'node',
    gate: auditAdmin(
      () => w.N.id,
      () => w.P.id,
    ),
    run: (as) => call(M.node, { id: w.eventNP }, as),
  },
  {
    name: 'node(AuditEvent of C, related N)',
    kind: 'node',
    gate: auditAdmin(
      () => w.C.id,
      () => w.N.id,
    ),
    run: (as) => call(M.node, { id: w.eventC }, as),
  },
  {
    name: 'node(AgencyConnection N↔P)',
    touchesP: true,
    kind: 'node',
    gate: (userId) => ({ visible: true, allowed: seesConnection(userId, w.NP) }),
    run: (as) => call(M.node, { id: w.NP.id }, as),
  },
  // --- data: reaching an account (A2) ---
  ...(
    [
      ['P', () => w.P],
      ['C', () => w.C],
    ] as const
  ).flatMap(([label, account]): Operation[] => [
    {
      name: `createReportingItem(${label})`,
      touchesP: label === 'P',
      kind: 'mutation',
      gate: reachesOn(() => account().id, WRITERS),
      run: (as) =>
        call(M.createItem, { input: { accountId: account().id, name: `Item ${unique()}` } }, as),
    },
    {
      name: `createReport(${label})`,
      touchesP: label === 'P',
      kind: 'mutation',
      gate: reachesOn(() => account().id, WRITERS),
      run: (as) =>
        call(
          M.createReport,
          { input: { accountId: account().id, name: `Report ${unique()}` } },
          as,
        ),
    },
  ]),
  {
    name: 'addReportItems(P report)',
    touchesP: true,
    kind: 'mutation',
    setup: async () => (await f.item(w.P)).id,
    gate: reachesOn(() => w.P.id, WRITERS),
    run: (as, itemId: string) =>
      call(M.addReportItems, { input: { reportId: w.reportP, itemIds: [itemId] } }, as),
  },
  ...(
    [
      ['P', () => w.P, () => w.itemP],
      ['C', () => w.C, () => w.itemC],
    ] as const
  ).map(([label, account, item]): Operation => ({
    name: `recordCampaignData(${label} item)`,
    touchesP: label === 'P',
    kind: 'mutation',
    gate: reachesOn(() => account().id, [ADMIN]),
    run: (as) =>
      call(M.record, { input: { itemId: item(), impressions: 10, clicks: 1, reach: 5 } }, as),
  })),
  {
    name: 'exportReport(P active)',
    touchesP: true,
    kind: 'export',
    gate: (userId) => ({
      visible: true,
      allowed: opensReport(userId, facts.reports.get(w.reportP)!),
    }),
    tokenGate: (p) => tokenReadsReport(p, facts.reports.get(w.reportP)!),
    run: (as) => call(M.exportReport, { input: { reportId: w.reportP, format: 'CSV' } }, as),
  },
  {
    name: "exportReport(N's archived client)",
    kind: 'export',
    gate: (userId) => ({
      visible: true,
      allowed: opensReport(userId, facts.reports.get(w.archivedReport)!),
    }),
    tokenGate: (p) => tokenReadsReport(p, facts.reports.get(w.archivedReport)!),
    run: (as) => call(M.exportReport, { input: { reportId: w.archivedReport, format: 'CSV' } }, as),
  },
  // --- members over time (R24) ---
  ...(
    [
      ['N', () => w.N, REGULAR],
      ['P', () => w.P, REGULAR],
      ['C', () => w.C, VIEW_ONLY],
    ] as const
  ).map(([label, account, role]): Operation => ({
    name: `removeMember(${label}, fresh ${role})`,
    touchesP: label === 'P',
    kind: 'mutation',
    setup: () => freshMember(account(), role),
    gate: actsOn(() => account().id, [ADMIN]),
    run: (as, user: User) =>
      call(M.removeMember, { input: { accountId: account().id, userId: user.id } }, as),
  })),
  {
    name: 'removeMember(P-like, its only ADMIN)',
    touchesP: true,
    kind: 'mutation',
    setup: premiumLikeP,
    gate: (userId, k: MConnection) => actsOn(() => k.premiumId, [ADMIN], 'ue:LAST_ADMIN')(userId),
    run: (as, k: MConnection) =>
      call(M.removeMember, { input: { accountId: k.premiumId, userId: w.u.pAdmin.id } }, as),
  },
  ...(
    [
      ['N', () => w.N, REGULAR, ACCOUNT_MANAGER, undefined],
      ['P', () => w.P, REGULAR, ACCOUNT_MANAGER, undefined],
      // CLIENT users stay VIEW_ONLY: whoever may change roles there is told INVALID_INPUT.
      ['C', () => w.C, VIEW_ONLY, REGULAR, 'ue:INVALID_INPUT'],
    ] as const
  ).map(([label, account, from, to, then]): Operation => ({
    name: `changeMemberRole(${label}, fresh ${from}→${to})`,
    touchesP: label === 'P',
    kind: 'mutation',
    setup: () => freshMember(account(), from),
    gate: actsOn(() => account().id, [ADMIN], then),
    run: (as, user: User) =>
      call(M.changeRole, { input: { accountId: account().id, userId: user.id, role: to } }, as),
  })),
  {
    name: 'deactivateUser(fresh N REGULAR)',
    kind: 'staff-only',
    setup: () => freshMember(w.N, REGULAR),
    run: (as, user: User) => call(M.deactivate, { id: user.id }, as),
  },
  // --- sharing and report edits (R25) ---
  {
    name: 'shareReport(C by N.REGULAR → N.AM(sel))',
    kind: 'mutation',
    setup: () => freshReport(w.C, { createdBy: w.u.nRegular }),
    gate: editsReport(shareTarget(() => w.u.nManagerSelected)),
    run: (as, ctx: ReportCtx) =>
      call(M.share, { input: { reportId: ctx.report.id, userIds: [w.u.nManagerSelected.id] } }, as),
  },
  {
    name: 'shareReport(C by N.REGULAR → X.ADMIN)',
    kind: 'mutation',
    setup: () => freshReport(w.C, { createdBy: w.u.nRegular }),
    gate: editsReport(shareTarget(() => w.u.xAdmin)),
    run: (as, ctx: ReportCtx) =>
      call(M.share, { input: { reportId: ctx.report.id, userIds: [w.u.xAdmin.id] } }, as),
  },
  {
    name: 'shareReport(P by P.REGULAR → N.REGULAR)',
    touchesP: true,
    kind: 'mutation',
    setup: () => freshReport(w.P, { createdBy: w.u.pRegular }),
    gate: editsReport(shareTarget(() => w.u.nRegular)),
    run: (as, ctx: ReportCtx) =>
      call(M.share, { input: { reportId: ctx.report.id, userIds: [w.u.nRegular.id] } }, as),
  },
  {
    name: 'unshareReport(C RESTRICTED by N.REGULAR, shared N.AM(sel))',
    kind: 'mutation',
    setup: () =>
      freshReport(w.C, {
        createdBy: w.u.nRegular,
        visibility: RESTRICTED,
        sharedWith: [w.u.nManagerSelected],
      }),
    gate: editsReport(),
    run: (as, ctx: ReportCtx) =>
      call(
        M.unshare,
        { input: { reportId: ctx.report.id, userIds: [w.u.nManagerSelected.id] } },
        as,
      ),
  },
  ...(
    [
      ['N', () => w.N, 'nRegular'],
      ['C', () => w.C, 'nRegular'],
      ['P', () => w.P, 'pRegular'],
    ] as const
  ).map(([label, account, creator]): Operation => ({
    name: `updateReport(${label} by ${creator} → RESTRICTED)`,
    touchesP: label === 'P',
    kind: 'mutation',
    setup: () => freshReport(account(), { createdBy: w.u[creator] }),
    gate: editsReport(),
    run: (as, ctx: ReportCtx) =>
      call(
        M.updateReport,
        { input: { reportId: ctx.report.id, name: `Renamed ${unique()}`, visibility: RESTRICTED } },
        as,
      ),
  })),
  ...(
    [
      ['C', () => w.C, 'nRegular'],
      ['P', () => w.P, 'pRegular'],
    ] as const
  ).flatMap(([label, account, creator]): Operation[] => [
    {
      name: `removeReportItems(${label} by ${creator})`,
      touchesP: label === 'P',
      kind: 'mutation',
      setup: () => freshReport(account(), { createdBy: w.u[creator] }),
      gate: editsReport(),
      run: (as, ctx: ReportCtx) =>
        call(M.removeItems, { input: { reportId: ctx.report.id, itemIds: [ctx.itemId] } }, as),
    },
  ]),
  {
    name: 'deleteReport(C RESTRICTED by N.REGULAR, shared N.AM(sel))',
    kind: 'mutation',
    setup: () =>
      freshReport(w.C, {
        createdBy: w.u.nRegular,
        visibility: RESTRICTED,
        sharedWith: [w.u.nManagerSelected],
      }),
    gate: editsReport(),
    run: (as, ctx: ReportCtx) => call(M.deleteReport, { id: ctx.report.id }, as),
  },
  {
    name: 'deleteReport(P by P.REGULAR)',
    touchesP: true,
    kind: 'mutation',
    setup: () => freshReport(w.P, { createdBy: w.u.pRegular }),
    gate: editsReport(),
    run: (as, ctx: ReportCtx) => call(M.deleteReport, { id: ctx.report.id }, as),
  },
  // Issue 30 #1: a premium's reports are edited, shared and deleted by their creator and the
  // premium's own ADMINs only — never by a connected agency's ADMIN (N's or the second agency E's).
  ...(['update', 'delete'] as const).map((what): Operation => ({
    name: `${what}Report(P RESTRICTED by P.ADMIN)`,
    touchesP: true,
    kind: 'mutation',
    setup: () => freshReport(w.P, { createdBy: w.u.pAdmin, visibility: RESTRICTED }),
    gate: editsReport(),
    run: (as, ctx: ReportCtx) =>
      what === 'update'
        ? call(
            M.updateReport,
            { input: { reportId: ctx.report.id, visibility: ACCOUNT, name: `R ${unique()}` } },
            as,
          )
        : call(M.deleteReport, { id: ctx.report.id }, as),
  })),
  {
    name: 'updateReport(P by P.REGULAR → RESTRICTED, by visibility only)',
    touchesP: true,
    kind: 'mutation',
    setup: () => freshReport(w.P, { createdBy: w.u.pRegular }),
    gate: editsReport(),
    run: (as, ctx: ReportCtx) =>
      call(M.updateReport, { input: { reportId: ctx.report.id, visibility: RESTRICTED } }, as),
  },
  {
    name: 'shareReport(P by N.REGULAR → E.ACCOUNT_MANAGER)',
    touchesP: true,
    kind: 'mutation',
    setup: () => freshReport(w.P, { createdBy: w.u.nRegular, visibility: RESTRICTED }),
    gate: editsReport(shareTarget(() => w.u.eManager)),
    run: (as, ctx: ReportCtx) =>
      call(M.share, { input: { reportId: ctx.report.id, userIds: [w.u.eManager.id] } }, as),
  },
  {
    name: 'unshareReport(P RESTRICTED by P.ADMIN, shared P.VIEW_ONLY)',
    touchesP: true,
    kind: 'mutation',
    setup: () =>
      freshReport(w.P, {
        createdBy: w.u.pAdmin,
        visibility: RESTRICTED,
        sharedWith: [w.u.pViewOnly],
      }),
    gate: editsReport(),
    run: (as, ctx: ReportCtx) =>
      call(M.unshare, { input: { reportId: ctx.report.id, userIds: [w.u.pViewOnly.id] } }, as),
  },
  {
    name: 'removeReportItems(P RESTRICTED by P.ADMIN)',
    touchesP: true,
    kind: 'mutation',
    setup: () => freshReport(w.P, { createdBy: w.u.pAdmin, visibility: RESTRICTED }),
    gate: editsReport(),
    run: (as, ctx: ReportCtx) =>
      call(M.removeItems, { input: { reportId: ctx.report.id, itemIds: [ctx.itemId] } }, as),
  },
  // An archived report (N's archived client) changes in no way: R11, R25.
  ...(['update', 'delete'] as const).map((what): Operation => ({
    name: `${what}Report(N's archived client, by N.REGULAR)`,
    kind: 'mutation',
    setup: () =>
      freshReport(w.Carchived, {
        createdBy: w.u.nRegular,
        snapshot: [w.u.nAdmin, w.u.nRegular, w.u.nManagerSelected],
      }),
    gate: editsReport(),
    run: (as, ctx: ReportCtx) =>
      what === 'update'
        ? call(M.updateReport, { input: { reportId: ctx.report.id, name: 'x' } }, as)
        : call(M.deleteReport, { id: ctx.report.id }, as),
  })),
  // --- showing the handover (R28, R29): the account's acting ADMINs and staff; tokens never ---
  ...(
    [
      ['P', () => w.P],
      ['N', () => w.N],
      ['C', () => w.C],
    ] as const
  ).map(([label, account]): Operation => ({
    name: `accessReview(${label})`,
    touchesP: label === 'P',
    kind: 'review',
    gate: actsOn(() => account().id, [ADMIN]),
    run: (as) => call(M.accessReview, { id: account().id }, as),
  })),
  // --- platform staff (R21) ---
  {
    name: 'createAgency',
    kind: 'staff-only',
    run: (as) =>
      call(
        M.createAgency,
        { input: { name: `Agency ${unique()}`, organizationName: `Org ${unique()}` } },
        as,
      ),
  },
  {
    name: 'createPremiumClient',
    kind: 'staff-only',
    run: (as) =>
      call(
        M.createPremium,
        { input: { name: `Brand ${unique()}`, organizationName: `Org ${unique()}` } },
        as,
      ),
  },
  {
    name: "addOrganizationAccount(C's org)",
    kind: 'staff-only',
    run: (as) =>
      call(
        M.addOrgAccount,
        { input: { organizationId: w.C.organizationId, name: `Hub ${unique()}`, product: 'HUB' } },
        as,
      ),
  },
  {
    name: 'convertClientToPremium(C-like)',
    kind: 'staff-only',
    setup: clientLikeC,
    run: (as, client: Account) =>
      call(
        M.convert,
        {
          input: {
            clientAccountId: client.id,
            contractReference: `K-${unique()}`,
            adminUserId: w.u.cViewOnly.id,
          },
        },
        as,
      ),
  },
];

// ---------------------------------------------------------------------------------------------
// Running the cells and printing the matrix.
// ---------------------------------------------------------------------------------------------

interface Cell {
  principal: string;
  operation: string;
  expected: Outcome;
  actual: Outcome;
}

/** Runs `work` over `items`, `width` at a time (the embedded database serializes anyway). */
async function pool<T>(items: T[], width: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

async function runCells(rows: Principal[], ops: Operation[]): Promise<Cell[]> {
  const cells: Cell[] = [];
  const jobs = rows.flatMap((p) => ops.map((op) => ({ p, op })));
  await pool(jobs, 4, async ({ p, op }) => {
    const ctx = op.setup ? await op.setup() : undefined;
    // The answer is decided from the facts before the call: the call may change them.
    const want = expected(p, op, ctx);
    const actual = await op.run(p.as, ctx);
    cells.push({ principal: p.label, operation: op.name, expected: want, actual });
  });
  return cells;
}

const SHORT: Record<string, string> = {
  ok: 'ok',
  FORBIDDEN: 'F',
  NOT_FOUND: 'NF',
  'ue:NOT_FOUND': 'nf',
  UNAUTHENTICATED: 'U',
  'ue:INVALID_INPUT': 'inv',
  'ue:REPORT_ARCHIVED': 'arch',
  'ue:LAST_ADMIN': 'last',
  null: 'null',
};
const short = (o: Outcome) => SHORT[o] ?? o;

function matrix(cells: Cell[], rowOrder: string[]): string {
  const wrong = cells.filter((c) => c.expected !== c.actual);
  const columns = operations.map((o) => o.name).filter((n) => wrong.some((c) => c.operation === n));
  const rows = rowOrder.filter((r) => wrong.some((c) => c.principal === r));
  const at = (r: string, o: string) => cells.find((c) => c.principal === r && c.operation === o);
  const text = (r: string, o: string) => {
    const c = at(r, o);
    if (!c) return '';
    return c.expected === c.actual ? short(c.actual) : `${short(c.expected)}/${short(c.actual)} ✗`;
  };
  const head = ['principal \\ operation', ...columns.map((_, i) => `[${i + 1}]`)];
  const body = rows.map((r) => [r, ...columns.map((o) => text(r, o))]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (row: string[]) => row.map((v, i) => v.padEnd(widths[i])).join(' │ ');
  return [
    `${wrong.length} of ${cells.length} cells differ from the oracle (expected/actual ✗).`,
    'Legend: ok = answered; F = FORBIDDEN; NF = top-level NOT_FOUND; nf = userError NOT_FOUND;',
    '        U = UNAUTHENTICATED; inv = userError INVALID_INPUT; null = node(id) is null;',
    '        arch = userError REPORT_ARCHIVED; last = userError LAST_ADMIN.',
    'Only rows and columns with a mismatch are shown.',
    '',
    line(head),
    ...body.map(line),
    '',
    ...columns.map((o, i) => `[${i + 1}] ${o}`),
    '',
    'Mismatches:',
    ...wrong.map(
      (c) => `  ${c.principal} × ${c.operation}: expected ${c.expected}, got ${c.actual}`,
    ),
  ].join('\n');
}

describe('explainAccess agrees with the oracle on acting and reaching (R28)', () => {
  it('canAct = actsFor and canRead = reaches for every user × account of the world, asked by staff', async () => {
    const accounts = [w.N, w.P, w.C, w.C2, w.E, w.X, w.Xclient, w.Carchived];
    const users = principals.filter((p) => p.kind === 'user' && !facts.staff.has(p.userId!));
    const wrong: string[] = [];
    for (const p of users) {
      const query = `{ ${accounts
        .map(
          (a, i) =>
            `a${i}: explainAccess(userId: "${p.userId}", accountId: "${a.id}") { canRead canAct }`,
        )
        .join(' ')} }`;
      const response = await server.gql(query, {}, w.u.staff);
      accounts.forEach((a, i) => {
        const got = response.data?.[`a${i}`];
        const want = {
          canRead: reaches(p.userId!, a.id),
          canAct: actsFor(p.userId!, a.id, ALL_ROLES),
        };
        if (JSON.stringify(got) !== JSON.stringify(want)) {
          wrong.push(
            `${p.label} × ${a.name}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`,
          );
        }
      });
    }
    expect(wrong).toEqual([]);
  });
});

describe('write-side authority matrix (A1–A3)', () => {
  it('every operation × every principal answers as the oracle says', async () => {
    // Phase 1: N↔P access EVERYONE_IN_AGENCY; every principal.
    phase = { mode: EVERYONE_IN_AGENCY, selected: [] };
    const cells = await runCells(principals, operations);
    // Phase 2: N↔P access SELECTED_USERS [N.AM(sel)]; N's users again, on what involves P.
    phase = { mode: SELECTED_USERS, selected: [w.u.nManagerSelected] };
    await setConnectionAccess(w.NP, phase.mode, phase.selected);
    const selectedRows = nRows(' ·NP:SEL');
    const involvingP = operations.filter((op) => op.touchesP);
    cells.push(...(await runCells(selectedRows, involvingP)));

    const order = [...principals.map((p) => p.label), ...selectedRows.map((p) => p.label)];
    const wrong = cells.filter((c) => c.expected !== c.actual);
    if (wrong.length) throw new Error(matrix(cells, order));
    expect(cells).toHaveLength(
      principals.length * operations.length + selectedRows.length * involvingP.length,
    );
  });
});
