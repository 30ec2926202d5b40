/**
 * The permission matrix (issue 3, domain.md R5, R6, R15, R16, R18, R24, R25): for a small world with every
 * kind of account, role, grant, connection, share and archived-report snapshot, an independent
 * oracle written here (it does not import the production predicates) decides who may see each
 * account and report; every (viewer, object) pair is then compared with what every read path of
 * the API answers. Mismatches are printed one per line and must be zero.
 *
 * Issue 12: part of the world then changes through the API — reports shared then unshared, made
 * RESTRICTED with updateReport, agency members removed (and one added again) — and the model
 * follows the rules for those changes (R24, R25), not the code.
 */
import { createHash } from 'node:crypto';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import {
  AccountStatus,
  AccountType,
  ClientAccessMode,
  ConnectionStatus,
  ReportStatus,
  ReportVisibility,
  Role,
  type Account,
  type Report,
  type User,
} from '../../src/entities';
import {
  MatrixAddMemberDocument,
  MatrixRemoveMemberDocument,
  MatrixShareDocument,
  MatrixUnshareDocument,
  MatrixUpdateDocument,
} from '../generated/graphql';
import { type As, useTestServer } from '../helpers/test-server';

// Hundreds of requests: generous on a loaded CI machine.
jest.setTimeout(600_000);

const { server, f } = useTestServer();

// ---------------------------------------------------------------------------------------------
// The model of the world, as the test built it (the oracle reads only this).
// ---------------------------------------------------------------------------------------------

interface MAccount {
  id: string;
  label: string;
  type: AccountType;
  status: AccountStatus;
  agencyId: string | null;
  access: ClientAccessMode | null;
}
interface MReport {
  id: string;
  label: string;
  accountId: string;
  visibility: ReportVisibility;
  status: ReportStatus;
  createdById: string | null;
  sharedWith: string[];
  snapshot: string[];
}
interface MViewer {
  label: string;
  as: As;
  userId: string;
  isStaff: boolean;
  /** API tokens (R18): the account the token is scoped to. */
  scopeAccountId: string | null;
  /** API tokens: the token's creator is staff (then the creator opens every archived report). */
  creatorIsStaff?: boolean;
}

const model = {
  accounts: [] as MAccount[],
  memberships: [] as { userId: string; accountId: string; role: Role }[],
  grants: [] as { accountId: string; userId: string }[],
  /** Each connection has its own client access and selected users (per-connection access). */
  connections: [] as {
    id: string;
    agencyId: string;
    premiumId: string;
    status: ConnectionStatus;
    access: ClientAccessMode;
    selected: string[];
  }[],
  reports: [] as MReport[],
  /** Each report has one item of its own; each account one item in no report. */
  items: [] as { id: string; accountId: string; reportId: string | null }[],
  viewers: [] as MViewer[],
};
const labels = new Map<string, string>();

// ---------------------------------------------------------------------------------------------
// The oracle: domain.md restated in a few lines of plain TypeScript.
// ---------------------------------------------------------------------------------------------

const accountById = (id: string) => model.accounts.find((a) => a.id === id)!;

/** Roles the user holds on the account, directly or through an agency (R2, R5, R6, R15). */
function rolesOn(userId: string, account: MAccount): Role[] {
  const roles: Role[] = [];
  const agencyUserReaches = (role: Role) =>
    role === Role.ADMIN ||
    account.access === ClientAccessMode.EVERYONE_IN_AGENCY ||
    model.grants.some((g) => g.accountId === account.id && g.userId === userId);
  for (const m of model.memberships) {
    if (m.userId !== userId) continue;
    // A member of the account itself — except a CLIENT's own users once it is archived (R15).
    if (m.accountId === account.id) {
      const lostByR15 =
        account.type === AccountType.CLIENT && account.status === AccountStatus.ARCHIVED;
      if (!lostByR15) roles.push(m.role);
    }
    // An agency user on the agency's own CLIENT accounts (active or archived).
    if (account.type === AccountType.CLIENT && m.accountId === account.agencyId) {
      if (agencyUserReaches(m.role)) roles.push(m.role);
    }
    // An agency user on a PREMIUM_CLIENT connected to the agency right now, as that connection's
    // own access allows.
    if (account.type === AccountType.PREMIUM_CLIENT) {
      const active = model.connections.find(
        (k) =>
          k.premiumId === account.id &&
          k.agencyId === m.accountId &&
          k.status === ConnectionStatus.ACTIVE,
      );
      if (
        active &&
        (m.role === Role.ADMIN ||
          active.access === ClientAccessMode.EVERYONE_IN_AGENCY ||
          active.selected.includes(userId))
      ) {
        roles.push(m.role);
      }
    }
  }
  return roles;
}

/** R16: recorded when archived, and still a member of the owning agency. */
function opensArchived(userId: string, report: MReport): boolean {
  const account = accountById(report.accountId);
  return (
    report.snapshot.includes(userId) &&
    !!account.agencyId &&
    model.memberships.some((m) => m.userId === userId && m.accountId === account.agencyId)
  );
}

/**
 * R18: a token reads archived reports only — its premium client's, or those of its agency's (or
 * its own) CLIENT accounts that its creator can open under R16 — and, to show them, its own
 * account and the agency's archived clients.
 */
function tokenReadsReport(viewer: MViewer, report: MReport): boolean {
  if (report.status !== ReportStatus.ARCHIVED) return false;
  const account = accountById(report.accountId);
  if (account.type === AccountType.PREMIUM_CLIENT) return account.id === viewer.scopeAccountId;
  if (account.type !== AccountType.CLIENT) return false;
  if (account.id !== viewer.scopeAccountId && account.agencyId !== viewer.scopeAccountId) {
    return false;
  }
  return !!viewer.creatorIsStaff || opensArchived(viewer.userId, report);
}

function expectAccount(viewer: MViewer, account: MAccount): boolean {
  if (viewer.scopeAccountId) {
    // Its own account, and the accounts of the archived reports it reads (R18: nothing else).
    return (
      account.id === viewer.scopeAccountId ||
      model.reports.some((r) => r.accountId === account.id && tokenReadsReport(viewer, r))
    );
  }
  return viewer.isStaff || rolesOn(viewer.userId, account).length > 0;
}

/**
 * R25, A2: the account's own administrators — its own ADMINs, or on a CLIENT the owning agency's
 * ADMINs. A connection never makes a user one (a connected agency's ADMIN only reads).
 */
function administers(userId: string, account: MAccount): boolean {
  const own = model.memberships.some(
    (m) => m.userId === userId && m.accountId === account.id && m.role === Role.ADMIN,
  );
  if (own && !(account.type === AccountType.CLIENT && account.status === AccountStatus.ARCHIVED)) {
    return true;
  }
  return (
    account.type === AccountType.CLIENT &&
    model.memberships.some(
      (m) => m.userId === userId && m.accountId === account.agencyId && m.role === Role.ADMIN,
    )
  );
}

/**
 * R28: a path explainAccess names is true of the raw facts — the oracle's own reading of each
 * kind (the account the path is about, the account it runs through, its connection).
 */
function pathHolds(
  userId: string,
  accountId: string,
  report: MReport | null,
  path: { kind: string; via: { id: string } | null; connection: { id: string } | null },
): boolean {
  const account = accountById(accountId);
  const memberOf = (id: string | undefined, roles?: Role[]) =>
    model.memberships.some(
      (m) => m.userId === userId && m.accountId === id && (!roles || roles.includes(m.role)),
    );
  const k = model.connections.find((c) => c.id === path.connection?.id);
  switch (path.kind) {
    case 'MEMBERSHIP':
      return path.via?.id === accountId && memberOf(accountId);
    case 'OWNING_AGENCY':
      return (
        account.type === AccountType.CLIENT &&
        path.via?.id === account.agencyId &&
        (memberOf(account.agencyId, [Role.ADMIN]) ||
          (account.access === ClientAccessMode.EVERYONE_IN_AGENCY && memberOf(account.agencyId)))
      );
    case 'CLIENT_ACCESS_GRANT':
      return (
        path.via?.id === account.agencyId &&
        memberOf(account.agencyId) &&
        model.grants.some((g) => g.accountId === accountId && g.userId === userId)
      );
    case 'CONNECTION':
    case 'CONNECTION_ACCESS_GRANT':
      return (
        !!k &&
        k.premiumId === accountId &&
        k.status === ConnectionStatus.ACTIVE &&
        path.via?.id === k.agencyId &&
        memberOf(k.agencyId) &&
        (path.kind === 'CONNECTION'
          ? memberOf(k.agencyId, [Role.ADMIN]) || k.access === ClientAccessMode.EVERYONE_IN_AGENCY
          : k.selected.includes(userId))
      );
    case 'REPORT_SHARE':
      return !!report && report.sharedWith.includes(userId);
    case 'ARCHIVED_SNAPSHOT':
      return !!report && report.snapshot.includes(userId);
    default:
      return false;
  }
}

function expectReport(viewer: MViewer, report: MReport): boolean {
  if (viewer.scopeAccountId) return tokenReadsReport(viewer, report);
  if (viewer.isStaff) return true;
  const account = accountById(report.accountId);
  if (report.status === ReportStatus.ARCHIVED) return opensArchived(viewer.userId, report);
  if (rolesOn(viewer.userId, account).length === 0) return false;
  return (
    report.visibility === ReportVisibility.ACCOUNT ||
    administers(viewer.userId, account) ||
    report.createdById === viewer.userId ||
    report.sharedWith.includes(viewer.userId)
  );
}

/** Items: on an ACTIVE account the viewer reaches, or in a report the viewer may open. */
function expectItem(viewer: MViewer, item: { accountId: string; reportId: string | null }) {
  if (!viewer.scopeAccountId && viewer.isStaff) return true;
  const account = accountById(item.accountId);
  if (
    !viewer.scopeAccountId &&
    account.status === AccountStatus.ACTIVE &&
    rolesOn(viewer.userId, account).length > 0
  ) {
    return true;
  }
  const report = model.reports.find((r) => r.id === item.reportId);
  return !!report && expectReport(viewer, report);
}

/**
 * R24 (and issues 12, 30): a user who leaves an agency loses its membership, their selections on
 * its clients and connections, their R16 access to the archived reports of its clients, and the
 * shares of active reports on accounts they no longer reach — for good (a later re-add brings
 * none of it back).
 */
function leaves(userId: string, agencyId: string) {
  model.memberships = model.memberships.filter(
    (m) => !(m.userId === userId && m.accountId === agencyId),
  );
  model.grants = model.grants.filter(
    (g) => !(g.userId === userId && accountById(g.accountId).agencyId === agencyId),
  );
  for (const k of model.connections) {
    if (k.agencyId === agencyId) k.selected = k.selected.filter((id) => id !== userId);
  }
  for (const r of model.reports) {
    if (r.status === ReportStatus.ARCHIVED && accountById(r.accountId).agencyId === agencyId) {
      r.snapshot = r.snapshot.filter((id) => id !== userId);
    }
    const reachesStill = rolesOn(userId, accountById(r.accountId)).length > 0;
    if (r.status === ReportStatus.ACTIVE && !reachesStill) {
      r.sharedWith = r.sharedWith.filter((id) => id !== userId);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Building the world.
// ---------------------------------------------------------------------------------------------

async function account(
  label: string,
  make: () => Promise<Account>,
  access: ClientAccessMode | null = null,
): Promise<Account> {
  const a = await make();
  model.accounts.push({
    id: a.id,
    label,
    type: a.type,
    status: a.status,
    agencyId: a.agencyId,
    access: access ?? a.clientAccess,
  });
  labels.set(a.id, label);
  const loose = await f.item(a);
  model.items.push({ id: loose.id, accountId: a.id, reportId: null });
  labels.set(loose.id, `item of ${label} in no report`);
  return a;
}

async function user(label: string, memberships: [Account, Role][] = []): Promise<User> {
  // A person belongs to one organization: their first account's (addMember re-adds only those).
  const u = await f.user({ name: label, organizationId: memberships[0]?.[0].organizationId });
  for (const [a, role] of memberships) {
    await f.membership(u, a, role);
    model.memberships.push({ userId: u.id, accountId: a.id, role });
  }
  model.viewers.push({ label, as: u, userId: u.id, isStaff: false, scopeAccountId: null });
  labels.set(u.id, label);
  return u;
}

async function grant(a: Account, u: User) {
  await f.grant(a, u);
  model.grants.push({ accountId: a.id, userId: u.id });
}

async function connect(
  agency: Account,
  premium: Account,
  status: ConnectionStatus,
  access: ClientAccessMode = ClientAccessMode.EVERYONE_IN_AGENCY,
) {
  const k = await f.connection(agency, premium, { status, clientAccess: access });
  const modelled = {
    id: k.id,
    agencyId: agency.id,
    premiumId: premium.id,
    status,
    access,
    selected: [],
  };
  model.connections.push(modelled);
  return {
    async select(u: User) {
      await f.connectionGrant(k, u);
      (modelled.selected as string[]).push(u.id);
    },
  };
}

async function report(
  label: string,
  a: Account,
  o: {
    visibility?: ReportVisibility;
    createdBy?: User;
    sharedWith?: User[];
    snapshot?: User[];
  } = {},
): Promise<Report> {
  const item = await f.item(a);
  const r = await f.report(a, {
    name: label,
    items: [item],
    visibility: o.visibility ?? ReportVisibility.ACCOUNT,
    createdById: o.createdBy?.id ?? null,
    sharedWith: o.sharedWith,
    snapshot: o.snapshot,
  });
  model.reports.push({
    id: r.id,
    label,
    accountId: a.id,
    visibility: r.visibility,
    status: r.status,
    createdById: r.createdById,
    sharedWith: (o.sharedWith ?? []).map((u) => u.id),
    snapshot: (o.snapshot ?? []).map((u) => u.id),
  });
  labels.set(r.id, label);
  model.items.push({ id: item.id, accountId: a.id, reportId: r.id });
  labels.set(item.id, `item of report ${label}`);
  return r;
}

async function apiToken(label: string, scope: Account, creator: User) {
  const token = `hov_${createHash('sha256').update(label).digest('hex').slice(0, 32)}`;
  await server.db.query(
    `INSERT INTO api_tokens (name, token_hash, account_id, created_by_id) VALUES ($1, $2, $3, $4)`,
    [label, createHash('sha256').update(token).digest('hex'), scope.id, creator.id],
  );
  model.viewers.push({
    label,
    as: { token },
    userId: creator.id,
    isStaff: false,
    scopeAccountId: scope.id,
    creatorIsStaff: creator.isStaff,
  });
}

const MUTATIONS = {
  share: MatrixShareDocument,
  unshare: MatrixUnshareDocument,
  update: MatrixUpdateDocument,
  removeMember: MatrixRemoveMemberDocument,
  addMember: MatrixAddMemberDocument,
};

/** A change through the API; it must succeed. */
async function api<R extends object, I>(
  as: User,
  mutation: TypedDocumentNode<R, { input: I }>,
  input: I,
) {
  const response = await server.op(mutation, { input }, as);
  const payload = response.data && (Object.values(response.data)[0] as { userErrors?: unknown[] });
  if (response.errors?.length || !payload || payload.userErrors?.length) {
    throw new Error(`${print(mutation)}: ${JSON.stringify(response)}`);
  }
}
const modelReport = (r: Report) => model.reports.find((x) => x.id === r.id)!;

const { RESTRICTED } = ReportVisibility;
const { ADMIN, ACCOUNT_MANAGER, REGULAR, VIEW_ONLY } = Role;
const { EVERYONE_IN_AGENCY, SELECTED_USERS } = ClientAccessMode;

beforeAll(async () => {
  const agencyA = await account('agencyA', () => f.agency());
  const agencyB = await account('agencyB', () => f.agency());
  const premium = await account('premium(A active, B disconnected; SELECTED)', () =>
    f.premium({ clientAccess: SELECTED_USERS }),
  );
  const premium2 = await account('premium2(A pending; EVERYONE)', () =>
    f.premium({ clientAccess: EVERYONE_IN_AGENCY }),
  );
  const clientEvery = await account('clientA-EVERYONE', () =>
    f.client(agencyA, { clientAccess: EVERYONE_IN_AGENCY }),
  );
  const clientSelected = await account('clientA-SELECTED', () =>
    f.client(agencyA, { clientAccess: SELECTED_USERS }),
  );
  const clientB = await account('clientB-SELECTED', () =>
    f.client(agencyB, { clientAccess: SELECTED_USERS }),
  );
  const clientArchived = await account('clientA-ARCHIVED', () =>
    f.client(agencyA, {
      clientAccess: EVERYONE_IN_AGENCY,
      status: AccountStatus.ARCHIVED,
      archivedAt: new Date(),
    }),
  );
  const clientArchivedSelected = await account('clientA-ARCHIVED-SELECTED', () =>
    f.client(agencyA, {
      clientAccess: SELECTED_USERS,
      status: AccountStatus.ARCHIVED,
      archivedAt: new Date(),
    }),
  );

  await connect(agencyB, premium, ConnectionStatus.DISCONNECTED);
  const aToPremium = await connect(agencyA, premium, ConnectionStatus.ACTIVE, SELECTED_USERS);
  await connect(agencyA, premium2, ConnectionStatus.PENDING);

  const staff = await f.staff({ name: 'staff' });
  model.viewers.push({
    label: 'staff',
    as: staff,
    userId: staff.id,
    isStaff: true,
    scopeAccountId: null,
  });
  labels.set(staff.id, 'staff');

  const aAdmin = await user('A.ADMIN', [[agencyA, ADMIN]]);
  const aManager = await user('A.ACCOUNT_MANAGER', [[agencyA, ACCOUNT_MANAGER]]);
  const aRegular = await user('A.REGULAR', [[agencyA, REGULAR]]);
  const aViewOnly = await user('A.VIEW_ONLY', [[agencyA, VIEW_ONLY]]);
  const aGranted = await user('A.REGULAR+grants', [[agencyA, REGULAR]]);
  const aLateAdmin = await user('A.ADMIN(added after archiving)', [[agencyA, ADMIN]]);
  const aLeft = await user('A.left(no membership now)');
  const bAdmin = await user('B.ADMIN', [[agencyB, ADMIN]]);
  const bRegular = await user('B.REGULAR', [[agencyB, REGULAR]]);
  const bGranted = await user('B.VIEW_ONLY+grant', [[agencyB, VIEW_ONLY]]);
  const pAdmin = await user('P.ADMIN', [[premium, ADMIN]]);
  const pRegular = await user('P.REGULAR', [[premium, REGULAR]]);
  const p2Manager = await user('P2.ACCOUNT_MANAGER', [[premium2, ACCOUNT_MANAGER]]);
  const clientUser = await user('clientA-EVERYONE.VIEW_ONLY', [[clientEvery, VIEW_ONLY]]);
  const archivedClientUser = await user('clientA-ARCHIVED.VIEW_ONLY', [
    [clientArchived, VIEW_ONLY],
  ]);
  const twoHats = await user('B.REGULAR+clientA-SELECTED.VIEW_ONLY', [
    [agencyB, REGULAR],
    [clientSelected, VIEW_ONLY],
  ]);
  const lonely = await user('nobody');
  // R24: both leave agency A through the API further down; one is then added again.
  const aRemoved = await user('A.REGULAR(removed by API)', [[agencyA, REGULAR]]);
  const aReadded = await user('A.REGULAR(removed, re-added by API)', [[agencyA, REGULAR]]);

  await grant(clientSelected, aGranted);
  await grant(clientSelected, aViewOnly);
  await aToPremium.select(aGranted);
  await grant(clientB, bGranted);
  await grant(clientArchivedSelected, aRegular);
  for (const u of [aRemoved, aReadded]) {
    await grant(clientSelected, u);
    await grant(clientArchivedSelected, u);
    await aToPremium.select(u);
  }

  // Active reports.
  await report('clientA-EVERYONE/ACCOUNT', clientEvery, { createdBy: aRegular });
  await report('clientA-EVERYONE/RESTRICTED shared A.VIEW_ONLY', clientEvery, {
    visibility: RESTRICTED,
    createdBy: aRegular,
    sharedWith: [aViewOnly],
  });
  await report('clientA-EVERYONE/RESTRICTED by A.ACCOUNT_MANAGER', clientEvery, {
    visibility: RESTRICTED,
    createdBy: aManager,
  });
  await report('clientA-EVERYONE/RESTRICTED shared clientUser', clientEvery, {
    visibility: RESTRICTED,
    createdBy: aManager,
    sharedWith: [clientUser],
  });
  await report('clientA-SELECTED/ACCOUNT', clientSelected, { createdBy: aGranted });
  await report('clientA-SELECTED/RESTRICTED shared A.REGULAR(no reach)', clientSelected, {
    visibility: RESTRICTED,
    createdBy: aGranted,
    sharedWith: [aRegular, aViewOnly],
  });
  await report('clientA-SELECTED/RESTRICTED by A.REGULAR(no reach)', clientSelected, {
    visibility: RESTRICTED,
    createdBy: aRegular,
  });
  await report('premium/ACCOUNT', premium, { createdBy: pRegular });
  await report('premium/RESTRICTED shared A.REGULAR+grants', premium, {
    visibility: RESTRICTED,
    createdBy: pRegular,
    sharedWith: [aGranted],
  });
  await report('premium/RESTRICTED shared A.REGULAR(no reach)', premium, {
    visibility: RESTRICTED,
    createdBy: pRegular,
    sharedWith: [aRegular, bRegular],
  });
  await report('premium/RESTRICTED by P.ADMIN', premium, {
    visibility: RESTRICTED,
    createdBy: pAdmin,
  });
  await report('premium2/ACCOUNT', premium2, { createdBy: p2Manager });
  await report('clientB/ACCOUNT', clientB, { createdBy: bAdmin });
  await report('clientB/RESTRICTED shared B.VIEW_ONLY+grant', clientB, {
    visibility: RESTRICTED,
    createdBy: bAdmin,
    sharedWith: [bGranted],
  });
  await report('agencyA/ACCOUNT', agencyA, { createdBy: aAdmin });
  await report('agencyB/RESTRICTED', agencyB, { visibility: RESTRICTED, createdBy: bRegular });

  // Archived reports (R16): snapshots as the archiving transaction would have recorded them,
  // including users who since left the agency or never were in it.
  await report('clientA-ARCHIVED/archived ACCOUNT', clientArchived, {
    createdBy: aRegular,
    snapshot: [
      aAdmin,
      aManager,
      aRegular,
      aViewOnly,
      aLeft,
      archivedClientUser,
      bAdmin,
      aRemoved,
      aReadded,
    ],
  });
  await report('clientA-ARCHIVED/archived RESTRICTED', clientArchived, {
    visibility: RESTRICTED,
    createdBy: aManager,
    snapshot: [aAdmin, aManager, aLeft],
  });
  await report('clientA-ARCHIVED/archived empty snapshot', clientArchived, {
    createdBy: aManager,
    snapshot: [],
  });
  await report('clientA-ARCHIVED-SELECTED/archived', clientArchivedSelected, {
    createdBy: aRegular,
    snapshot: [aAdmin, aRegular, aGranted, aRemoved, aReadded],
  });
  await report('clientA-EVERYONE/archived (account still active)', clientEvery, {
    createdBy: aRegular,
    snapshot: [aViewOnly, clientUser],
  });

  // Issue 12, through the API (R25): shared then unshared; made RESTRICTED by updateReport.
  const sharedUnshared = await report(
    'clientA-EVERYONE/RESTRICTED shared A.VIEW_ONLY+A.ACCOUNT_MANAGER, A.VIEW_ONLY unshared',
    clientEvery,
    { visibility: RESTRICTED, createdBy: aRegular },
  );
  await api(aRegular, MUTATIONS.share, {
    reportId: sharedUnshared.id,
    userIds: [aViewOnly.id, aManager.id],
  });
  await api(aAdmin, MUTATIONS.unshare, { reportId: sharedUnshared.id, userIds: [aViewOnly.id] });
  modelReport(sharedUnshared).sharedWith = [aManager.id];

  const premiumRestricted = await report('premium/ACCOUNT made RESTRICTED by P.ADMIN', premium, {
    createdBy: pRegular,
  });
  await api(pAdmin, MUTATIONS.update, { reportId: premiumRestricted.id, visibility: RESTRICTED });
  modelReport(premiumRestricted).visibility = RESTRICTED;

  const clientRestricted = await report(
    'clientA-EVERYONE/ACCOUNT shared clientUser, made RESTRICTED by its creator',
    clientEvery,
    { createdBy: aManager },
  );
  await api(aManager, MUTATIONS.share, { reportId: clientRestricted.id, userIds: [clientUser.id] });
  await api(aManager, MUTATIONS.update, {
    reportId: clientRestricted.id,
    name: 'renamed',
    visibility: RESTRICTED,
  });
  Object.assign(modelReport(clientRestricted), {
    visibility: RESTRICTED,
    sharedWith: [clientUser.id],
  });

  const sharedWithLeavers = await report(
    'clientA-EVERYONE/RESTRICTED shared A.REGULAR(removed) and (re-added)',
    clientEvery,
    { visibility: RESTRICTED, createdBy: aManager },
  );
  await api(aManager, MUTATIONS.share, {
    reportId: sharedWithLeavers.id,
    userIds: [aRemoved.id, aReadded.id],
  });
  modelReport(sharedWithLeavers).sharedWith = [aRemoved.id, aReadded.id];

  // R24, through the API: both leave agency A; one is added again by email.
  for (const u of [aRemoved, aReadded]) {
    await api(aAdmin, MUTATIONS.removeMember, { accountId: agencyA.id, userId: u.id });
    leaves(u.id, agencyA.id);
  }
  await api(aAdmin, MUTATIONS.addMember, {
    accountId: agencyA.id,
    email: aReadded.email,
    name: 'back again',
    role: REGULAR,
  });
  model.memberships.push({ userId: aReadded.id, accountId: agencyA.id, role: REGULAR });

  // Tokens are made by ADMINs of their account (or staff): other tokens do not authenticate.
  // aLeft used to be in agency A; aLateAdmin joined after the archiving (already a member above).
  void aLateAdmin;
  void lonely;
  void twoHats;

  await apiToken('token(agencyA by A.ADMIN)', agencyA, aAdmin);
  await apiToken('token(premium by P.ADMIN)', premium, pAdmin);
  await apiToken('token(clientA-ARCHIVED by A.ADMIN)', clientArchived, aAdmin);
  await apiToken('token(agencyB by staff)', agencyB, staff);
});

// ---------------------------------------------------------------------------------------------
// Comparing every path with the oracle.
// ---------------------------------------------------------------------------------------------

const mismatches: string[] = [];
const yes = (b: boolean) => (b ? 'visible' : 'hidden');
function compare(path: string, viewer: MViewer, objectId: string, expected: boolean, got: boolean) {
  if (expected !== got) {
    mismatches.push(
      `${path.padEnd(34)} viewer=${viewer.label.padEnd(40)} object=${labels.get(objectId)}: expected ${yes(expected)}, got ${yes(got)}`,
    );
  }
}
function compareSet(
  path: string,
  viewer: MViewer,
  universe: { id: string }[],
  expected: (id: string) => boolean,
  got: Set<string>,
) {
  for (const { id } of universe) compare(path, viewer, id, expected(id), got.has(id));
  for (const id of got) {
    if (!universe.some((o) => o.id === id)) {
      mismatches.push(`${path} viewer=${viewer.label}: unexpected row ${id}`);
    }
  }
}

async function ask(viewer: MViewer, query: string) {
  const response = await server.gql(query, {}, viewer.as);
  if (response.errors) {
    throw new Error(`${viewer.label}: ${JSON.stringify(response.errors)}\n${query}`);
  }
  return response.data!;
}

/** graphql-armor allows 15 aliases per document: ask in chunks, merging the answers. */
async function askChunked(
  viewer: MViewer,
  fragments: string[],
  aliasesPerFragment: number,
  extra = '',
  extraAliases = 0,
) {
  const perRequest = Math.max(1, Math.floor((15 - extraAliases) / aliasesPerFragment));
  let merged: Record<string, any> = {};
  for (let start = 0; start < fragments.length || start === 0; start += perRequest) {
    const chunk = fragments.slice(start, start + perRequest).join('\n');
    merged = { ...merged, ...(await ask(viewer, `{ ${chunk} ${start === 0 ? extra : ''} }`)) };
    if (fragments.length === 0) break;
  }
  return merged;
}

const ids = (connection: { nodes: { id: string }[] }) => new Set(connection.nodes.map((n) => n.id));

describe('visibility matrix', () => {
  afterAll(() => {
    if (mismatches.length) console.log(`Visibility mismatches:\n${mismatches.join('\n')}`);
  });

  it('the world has both visible and hidden pairs for every kind of object', () => {
    let visibleReports = 0;
    let hiddenReports = 0;
    for (const viewer of model.viewers) {
      for (const r of model.reports) {
        if (expectReport(viewer, r)) visibleReports++;
        else hiddenReports++;
      }
    }
    expect(visibleReports).toBeGreaterThan(40);
    expect(hiddenReports).toBeGreaterThan(40);
    expect(model.viewers.length).toBeGreaterThanOrEqual(20);
  });

  it('report(id) and node(id) agree with the oracle for every (viewer, report)', async () => {
    for (const viewer of model.viewers) {
      const fragments = model.reports.map(
        (r, i) =>
          `r${i}: report(id: "${r.id}") { id archived } n${i}: node(id: "${r.id}") { id __typename }`,
      );
      const data = await askChunked(viewer, fragments, 2);
      model.reports.forEach((r, i) => {
        const expected = expectReport(viewer, r);
        compare('report(id)', viewer, r.id, expected, data[`r${i}`]?.id === r.id);
        compare('node(id) as Report', viewer, r.id, expected, data[`n${i}`]?.id === r.id);
        if (data[`r${i}`] && data[`r${i}`].archived !== (r.status === ReportStatus.ARCHIVED)) {
          mismatches.push(`report(id).archived wrong for ${r.label}`);
        }
        if (data[`n${i}`] && data[`n${i}`].__typename !== 'Report') {
          mismatches.push(`node(id).__typename wrong for ${r.label}`);
        }
      });
    }
    expect(mismatches).toEqual([]);
  });

  it('explainAccess (R28), asked by staff, says canRead exactly as the oracle for every (user, report) and (user, account), with a path for every yes', async () => {
    const staff = model.viewers.find((v) => v.isStaff)!;
    const users = model.viewers.filter((v) => !v.scopeAccountId && !v.isStaff);
    let granted = 0;
    let denied = 0;
    const explained = (target: string, what: 'reportId' | 'accountId', id: string, i: number) =>
      `e${i}: explainAccess(userId: "${target}", ${what}: "${id}") { canRead missing
         paths { kind via { id } connection { id } } }`;
    for (const viewer of users) {
      const objects = [
        ...model.reports.map((r) => ({
          id: r.id,
          what: 'reportId' as const,
          expected: expectReport(viewer, r),
        })),
        ...model.accounts.map((a) => ({
          id: a.id,
          what: 'accountId' as const,
          expected: expectAccount(viewer, a),
        })),
      ];
      const data = await askChunked(
        staff,
        objects.map((o, i) => explained(viewer.userId, o.what, o.id, i)),
        1,
      );
      objects.forEach((o, i) => {
        const answer = data[`e${i}`];
        if (answer?.canRead) granted += 1;
        else if (answer) denied += 1;
        compare(`explainAccess(${o.what}).canRead`, viewer, o.id, o.expected, !!answer?.canRead);
        if (answer?.canRead && answer.paths.length === 0) {
          mismatches.push(`explainAccess: ${viewer.label} reads ${labels.get(o.id)} by no path`);
        }
        const report = model.reports.find((r) => r.id === o.id) ?? null;
        for (const p of answer?.paths ?? []) {
          if (!pathHolds(viewer.userId, report?.accountId ?? o.id, report, p)) {
            mismatches.push(
              `explainAccess: ${viewer.label} on ${labels.get(o.id)} names a false ${p.kind} path`,
            );
          }
        }
        if (answer && !answer.canRead && !answer.missing) {
          mismatches.push(
            `explainAccess: ${viewer.label} denied ${labels.get(o.id)} without a reason`,
          );
        }
      });
    }
    expect(mismatches).toEqual([]);
    // Every pair was answered (staff may ask about anyone), both ways.
    expect(granted).toBeGreaterThan(50);
    expect(denied).toBeGreaterThan(50);
  });

  it('node(id) and Report.items agree with the oracle for every (viewer, reporting item)', async () => {
    for (const viewer of model.viewers) {
      const fragments = model.items.map(
        (item, i) => `i${i}: node(id: "${item.id}") { id ... on ReportingItem { account { id } } }`,
      );
      const data = await askChunked(viewer, fragments, 1);
      model.items.forEach((item, i) => {
        compare(
          'node(id) as ReportingItem',
          viewer,
          item.id,
          expectItem(viewer, item),
          data[`i${i}`]?.id === item.id,
        );
      });
      const reportFragments = model.reports.map(
        (r, i) => `r${i}: report(id: "${r.id}") { items { totalCount nodes { id } } }`,
      );
      const reports = await askChunked(viewer, reportFragments, 1);
      model.reports.forEach((r, i) => {
        const got = reports[`r${i}`];
        if (!got) return;
        const own = model.items.filter((item) => item.reportId === r.id).map((item) => item.id);
        if (
          JSON.stringify(got.items.nodes.map((n: { id: string }) => n.id)) !==
            JSON.stringify(own) ||
          got.items.totalCount !== own.length
        ) {
          mismatches.push(`Report.items viewer=${viewer.label} report=${r.label}: wrong items`);
        }
      });
    }
    expect(mismatches).toEqual([]);
  });

  it('reports(filter: {archived}) lists exactly the visible reports, totalCount included', async () => {
    for (const viewer of model.viewers) {
      const data = await ask(
        viewer,
        `{ active: reports(first: 100) { totalCount nodes { id } }
           explicitActive: reports(filter: { archived: false }, first: 100) { totalCount nodes { id } }
           archived: reports(filter: { archived: true }, first: 100) { totalCount nodes { id } } }`,
      );
      for (const [key, status] of [
        ['active', ReportStatus.ACTIVE],
        ['explicitActive', ReportStatus.ACTIVE],
        ['archived', ReportStatus.ARCHIVED],
      ] as const) {
        const expected = (id: string) => {
          const r = model.reports.find((x) => x.id === id)!;
          return r.status === status && expectReport(viewer, r);
        };
        compareSet(`reports(${key})`, viewer, model.reports, expected, ids(data[key]));
        const expectedCount = model.reports.filter((r) => expected(r.id)).length;
        if (data[key].totalCount !== expectedCount) {
          mismatches.push(
            `reports(${key}).totalCount viewer=${viewer.label}: expected ${expectedCount}, got ${data[key].totalCount}`,
          );
        }
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('account(id), node(id) and accounts(filter) agree with the oracle for every (viewer, account)', async () => {
    for (const viewer of model.viewers) {
      const fragments = model.accounts.map(
        (a, i) =>
          `a${i}: account(id: "${a.id}") { id status } n${i}: node(id: "${a.id}") { id __typename }`,
      );
      const data = await askChunked(
        viewer,
        fragments,
        2,
        `active: accounts(first: 100) { totalCount nodes { id } }
         archived: accounts(filter: { archived: true }, first: 100) { totalCount nodes { id } }`,
        2,
      );
      model.accounts.forEach((a, i) => {
        const expected = expectAccount(viewer, a);
        compare('account(id)', viewer, a.id, expected, data[`a${i}`]?.id === a.id);
        compare('node(id) as Account', viewer, a.id, expected, data[`n${i}`]?.id === a.id);
      });
      for (const [key, status] of [
        ['active', AccountStatus.ACTIVE],
        ['archived', AccountStatus.ARCHIVED],
      ] as const) {
        const expected = (id: string) => {
          const a = accountById(id);
          return a.status === status && expectAccount(viewer, a);
        };
        compareSet(`accounts(${key})`, viewer, model.accounts, expected, ids(data[key]));
        const expectedCount = model.accounts.filter((a) => expected(a.id)).length;
        if (data[key].totalCount !== expectedCount) {
          mismatches.push(
            `accounts(${key}).totalCount viewer=${viewer.label}: expected ${expectedCount}, got ${data[key].totalCount}`,
          );
        }
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('Account.reports(archived) and Account.clients(archived) of every visible account agree with the oracle', async () => {
    for (const viewer of model.viewers) {
      const visible = model.accounts.filter((a) => expectAccount(viewer, a));
      if (visible.length === 0) continue;
      const fragments = visible.map(
        (a, i) => `a${i}: account(id: "${a.id}") {
            active: reports(first: 100) { totalCount nodes { id } }
            archived: reports(archived: true, first: 100) { totalCount nodes { id } }
            activeClients: clients(first: 100) { totalCount nodes { id } }
            archivedClients: clients(archived: true, first: 100) { totalCount nodes { id } } }`,
      );
      const data = await askChunked(viewer, fragments, 5);
      visible.forEach((a, i) => {
        const got = data[`a${i}`];
        if (!got) {
          mismatches.push(`Account.reports viewer=${viewer.label}: ${a.label} not returned`);
          return;
        }
        for (const [key, status] of [
          ['active', ReportStatus.ACTIVE],
          ['archived', ReportStatus.ARCHIVED],
        ] as const) {
          const expected = (id: string) => {
            const r = model.reports.find((x) => x.id === id)!;
            return r.accountId === a.id && r.status === status && expectReport(viewer, r);
          };
          compareSet(`${a.label}.reports(${key})`, viewer, model.reports, expected, ids(got[key]));
          const count = model.reports.filter((r) => expected(r.id)).length;
          if (got[key].totalCount !== count) {
            mismatches.push(
              `${a.label}.reports(${key}).totalCount viewer=${viewer.label}: expected ${count}, got ${got[key].totalCount}`,
            );
          }
        }
        for (const [key, status] of [
          ['activeClients', AccountStatus.ACTIVE],
          ['archivedClients', AccountStatus.ARCHIVED],
        ] as const) {
          const expected = (id: string) => {
            const c = accountById(id);
            return (
              c.type === AccountType.CLIENT &&
              c.agencyId === a.id &&
              c.status === status &&
              expectAccount(viewer, c)
            );
          };
          compareSet(`${a.label}.clients(${key})`, viewer, model.accounts, expected, ids(got[key]));
        }
      });
    }
    expect(mismatches).toEqual([]);
  });

  it('reports(filter: {accountId}) agrees with the oracle for every (viewer, account)', async () => {
    for (const viewer of model.viewers) {
      const fragments = model.accounts.map(
        (a, i) => `
            a${i}: reports(filter: { accountId: "${a.id}" }, first: 100) { nodes { id } }
            z${i}: reports(filter: { accountId: "${a.id}", archived: true }, first: 100) { nodes { id } }`,
      );
      const data = await askChunked(viewer, fragments, 2);
      model.accounts.forEach((a, i) => {
        for (const [key, status] of [
          ['a', ReportStatus.ACTIVE],
          ['z', ReportStatus.ARCHIVED],
        ] as const) {
          const expected = (id: string) => {
            const r = model.reports.find((x) => x.id === id)!;
            return r.accountId === a.id && r.status === status && expectReport(viewer, r);
          };
          compareSet(
            `reports(accountId=${a.label}, ${status})`,
            viewer,
            model.reports,
            expected,
            ids(data[`${key}${i}`]),
          );
        }
      });
    }
    expect(mismatches).toEqual([]);
  });
});
