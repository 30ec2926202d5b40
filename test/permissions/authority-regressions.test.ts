/**
 * Regressions for issue 9 (findings 1–5 and 7; 6 and 8 are HTTP findings tested elsewhere), each
 * reproduced through the GraphQL API as the outside tester did, then checked against A1–A3 and
 * the R-rules in domain.md and the per-operation table of docs/authority.md: the exact answer,
 * and that nothing changed afterwards.
 *
 * The world of every test: premium client P ("Acme") connected ACTIVE to agencies N
 * ("Northwind") and E ("Emerald"), each with a user of every role; connections are made through
 * the API (request + accept by the right people), so their access settings are whatever the
 * service gives a new connection (EVERYONE_IN_AGENCY, from the premium's setting).
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { randomBytes } from 'node:crypto';
import {
  Account,
  AgencyConnection,
  ApiToken,
  ClientAccessMode,
  ConnectionStatus,
  Membership,
  Report,
  ReportVisibility,
  Role,
  User,
} from '../../src/entities';
import { type As, type GraphQLResponse, useTestServer } from '../helpers/test-server';
import {
  RegressionAcceptConnectionDocument,
  RegressionAccountMembersDocument,
  RegressionAccountIntegrationMappingsDocument,
  RegressionAccountConnectionsAccessDocument,
  RegressionAccountDocument,
  RegressionAccountsMembersDocument,
  RegressionAddMemberDocument,
  RegressionAuditEventsDocument,
  RegressionCreateApiTokenDocument,
  RegressionCreateClientAccountDocument,
  RegressionCreateReportDocument,
  RegressionDisconnectAgencyDocument,
  RegressionDisconnectClientDocument,
  RegressionExportReportDocument,
  RegressionIntegrationMappingClientsDocument,
  RegressionIntegrationMappingsDocument,
  RegressionNodeDocument,
  RegressionReportDocument,
  RegressionArchivedReportsAccountMembersDocument,
  RegressionArchivedReportsCreatorDocument,
  RegressionReportsDocument,
  RegressionRequestConnectionDocument,
  RegressionSetClientAccessDocument,
  RegressionSetConnectionAccessDocument,
} from '../generated/graphql';

const { server, f } = useTestServer();
let staff: User;

beforeAll(async () => {
  staff = await f.staff({ email: `staff-${unique()}@handover.example` });
});

const unique = () => randomBytes(3).toString('hex');

// ---------------------------------------------------------------------------------------------
// Operations, written as a client would send them
// ---------------------------------------------------------------------------------------------

const Q = {
  requestConnection: RegressionRequestConnectionDocument,
  acceptConnection: RegressionAcceptConnectionDocument,
  disconnectAgency: RegressionDisconnectAgencyDocument,
  disconnectClient: RegressionDisconnectClientDocument,
  setClientAccess: RegressionSetClientAccessDocument,
  setConnectionAccess: RegressionSetConnectionAccessDocument,
  auditEvents: RegressionAuditEventsDocument,
  createApiToken: RegressionCreateApiTokenDocument,
  addMember: RegressionAddMemberDocument,
  reports: RegressionReportsDocument,
  report: RegressionReportDocument,
  node: RegressionNodeDocument,
  account: RegressionAccountDocument,
  createReport: RegressionCreateReportDocument,
  exportReport: RegressionExportReportDocument,
  createClientAccount: RegressionCreateClientAccountDocument,
};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const gql = <V extends Record<string, unknown>>(
  document: TypedDocumentNode<any, V>,
  variables: V,
  as: As,
) => server.op(document, variables, as);

/** The top-level error codes of a response. */
const codes = (response: GraphQLResponse) => (response.errors ?? []).map((e) => e.extensions?.code);

/** Asserts a top-level error with exactly these codes; a failure shows the whole answer. */
function expectTopLevel(response: GraphQLResponse, expected: string[]) {
  const got = codes(response);
  if (JSON.stringify(got) !== JSON.stringify(expected)) {
    throw new Error(
      `expected top-level ${JSON.stringify(expected)}, got ${JSON.stringify(response)}`,
    );
  }
  expect(got).toEqual(expected);
}

/** The payload of the single root field, failing loudly (with the response) on top-level errors. */
async function payload<T = any>(
  document: TypedDocumentNode<any, any>,
  variables: Record<string, unknown>,
  as: As,
) {
  const response = await gql(document, variables, as);
  if (response.errors) throw new Error(`top-level errors: ${JSON.stringify(response)}`);
  return Object.values(response.data ?? {})[0] as T;
}

/** A payload that must have no userErrors. */
async function ok<T = any>(
  document: TypedDocumentNode<any, any>,
  variables: Record<string, unknown>,
  as: As,
) {
  const result = await payload<T & { userErrors: unknown[] }>(document, variables, as);
  expect(result.userErrors).toEqual([]);
  return result;
}

const userErrorCodes = (p: { userErrors: { code: string }[] }) => p.userErrors.map((e) => e.code);
const ids = (rows: { id: string }[]) => rows.map((r) => r.id).sort();

async function reportIdsFor(as: As, accountId?: string, archived = false) {
  const list = await payload<{ nodes: { id: string }[] }>(
    Q.reports,
    { accountId: accountId ?? null, archived },
    as,
  );
  return ids(list.nodes);
}

const connectionStatus = async (id: string) =>
  (await server.db.getRepository(AgencyConnection).findOneByOrFail({ id })).status;

const memberships = (account: Account) =>
  server.db
    .getRepository(Membership)
    .find({ where: { accountId: account.id }, order: { userId: 'ASC' } })
    .then((rows) => rows.map((m) => `${m.userId}:${m.role}`).sort());

async function connect(from: Account, to: Account, requester: User, accepter: User) {
  const requested = await ok(
    Q.requestConnection,
    { input: { fromAccountId: from.id, toAccountId: to.id } },
    requester,
  );
  const accepted = await ok(Q.acceptConnection, { id: requested.connection.id }, accepter);
  expect(accepted.connection.status).toBe('ACTIVE');
  return accepted.connection.id as string;
}

async function createToken(account: Account, as: User) {
  const created = await ok<{ token: string }>(
    Q.createApiToken,
    { input: { accountId: account.id, name: `partner ${unique()}` } },
    as,
  );
  return { token: created.token };
}

/** An agency with a user of every role (two ACCOUNT_MANAGERs), named like the demo world. */
async function agencyTeam(label: string) {
  const suffix = unique();
  const org = await f.organization({ name: `${label} Media ${suffix}` });
  const agency = await f.agency({ name: `${label} Agency ${suffix}`, organizationId: org.id });
  const at = (who: string) => ({ email: `${who}-${suffix}@${label.toLowerCase()}.example` });
  return {
    agency,
    admin: await f.member(agency, Role.ADMIN, at('admin')),
    manager: await f.member(agency, Role.ACCOUNT_MANAGER, at('manager')),
    manager2: await f.member(agency, Role.ACCOUNT_MANAGER, at('manager2')),
    regular: await f.member(agency, Role.REGULAR, at('regular')),
    viewer: await f.member(agency, Role.VIEW_ONLY, at('viewer')),
  };
}

async function premiumTeam(label: string) {
  const suffix = unique();
  const org = await f.organization({ name: `${label} Brands ${suffix}` });
  const premium = await f.premium({
    name: `${label} (premium) ${suffix}`,
    organizationId: org.id,
    clientAccess: ClientAccessMode.EVERYONE_IN_AGENCY,
  });
  const at = (who: string) => ({ email: `${who}-${suffix}@${label.toLowerCase()}.example` });
  return {
    premium,
    org,
    admin: await f.member(premium, Role.ADMIN, at('admin')),
    manager: await f.member(premium, Role.ACCOUNT_MANAGER, at('manager')),
    regular: await f.member(premium, Role.REGULAR, at('regular')),
  };
}

/**
 * P connected ACTIVE to N (N asked, P's admin accepted) and, unless `connectE` is false, to E
 * (E asked, P's admin accepted). P has an ACCOUNT report and a RESTRICTED one.
 */
async function world(o: { connectE?: boolean } = {}) {
  const n = await agencyTeam('Northwind');
  const e = await agencyTeam('Emerald');
  const p = await premiumTeam('Acme');
  const pItem = await f.item(p.premium, { name: `Acme spring video ${unique()}` });
  const pReport = await f.report(p.premium, {
    name: `Acme spring campaign ${unique()}`,
    createdById: p.admin.id,
    items: [pItem],
  });
  const pRestricted = await f.report(p.premium, {
    name: `Acme board numbers ${unique()}`,
    createdById: p.admin.id,
    visibility: ReportVisibility.RESTRICTED,
  });
  const np = await connect(n.agency, p.premium, n.admin, p.admin);
  const ep = o.connectE === false ? null : await connect(e.agency, p.premium, e.admin, p.admin);
  return { n, e, p, np, ep, pReport, pRestricted };
}

// ---------------------------------------------------------------------------------------------
// Finding 1: agency users act as the premium client (R1, R4, R22, R3; A1)
// ---------------------------------------------------------------------------------------------

describe('finding 1: agency users act as the premium client they reach through a connection', () => {
  it('finding 1: an ACCOUNT_MANAGER of agency N cannot accept a request agency E sent to premium P', async () => {
    const { n, e, p, pReport } = await world({ connectE: false });
    // N's manager reaches P through N↔P (the premium is visible to it) ...
    expect(await reportIdsFor(n.manager, p.premium.id)).toContain(pReport.id);
    const requested = await ok(
      Q.requestConnection,
      { input: { fromAccountId: e.agency.id, toAccountId: p.premium.id } },
      e.admin,
    );
    const pending = requested.connection.id as string;
    expect(requested.connection.status).toBe('PENDING');

    // ... but does not act for P: only P's own ADMIN/ACCOUNT_MANAGER answers for P (R1, A1).
    // E's request does not even exist for N's users: they act for neither side (A3, issue 30).
    for (const as of [n.manager, n.admin]) {
      expect(userErrorCodes(await payload(Q.acceptConnection, { id: pending }, as))).toEqual([
        'NOT_FOUND',
      ]);
    }
    expect(await connectionStatus(pending)).toBe(ConnectionStatus.PENDING);
    // E's users reach nothing of P while the request is pending.
    expect(await reportIdsFor(e.regular, p.premium.id)).toEqual([]);

    const accepted = await ok(Q.acceptConnection, { id: pending }, p.admin);
    expect(accepted.connection.status).toBe('ACTIVE');
    expect(await connectionStatus(pending)).toBe(ConnectionStatus.ACTIVE);
  });

  it('finding 1: an ADMIN of agency E cannot send a request in the name of premium P (from P to N)', async () => {
    const { n, e } = await world();
    // Q: a second premium, connected to E only, so a P→N request is not masked by CONNECTION_EXISTS.
    const q = await premiumTeam('Quark');
    await connect(e.agency, q.premium, e.admin, q.admin);
    const before = await server.db.getRepository(AgencyConnection).count();

    expectTopLevel(
      await gql(
        Q.requestConnection,
        { input: { fromAccountId: q.premium.id, toAccountId: n.agency.id } },
        e.admin,
      ),
      ['FORBIDDEN'],
    );
    expectTopLevel(
      await gql(
        Q.requestConnection,
        { input: { fromAccountId: q.premium.id, toAccountId: n.agency.id } },
        e.manager,
      ),
      ['FORBIDDEN'],
    );
    expect(await server.db.getRepository(AgencyConnection).count()).toBe(before);
    expect(
      await server.db
        .getRepository(AgencyConnection)
        .countBy({ agencyId: n.agency.id, premiumClientId: q.premium.id }),
    ).toBe(0);
    // Nothing for N to accept: N's admin reaches nothing of Q.
    expect(await payload(Q.account, { id: q.premium.id }, n.admin)).toBeNull();
  });

  it('finding 1: an ADMIN of agency E cannot disconnect the N↔P connection it is not a side of', async () => {
    const { n, e, p, np, pReport } = await world();
    // E reaches P, but N↔P is another agency's connection: it does not exist for E (A3, issue 30).
    for (const as of [e.admin, e.manager]) {
      expect(userErrorCodes(await payload(Q.disconnectAgency, { id: np }, as))).toEqual([
        'NOT_FOUND',
      ]);
    }
    expect(await connectionStatus(np)).toBe(ConnectionStatus.ACTIVE);
    expect(
      (await server.db.getRepository(AgencyConnection).findOneByOrFail({ id: np })).disconnectedAt,
    ).toBeNull();
    // N's users keep P.
    expect(await reportIdsFor(n.regular, p.premium.id)).toContain(pReport.id);
  });

  it('finding 1: an ADMIN of agency E cannot set the client access of premium P', async () => {
    const { n, e, p, pReport } = await world();
    expectTopLevel(
      await gql(
        Q.setClientAccess,
        { input: { accountId: p.premium.id, access: 'SELECTED_USERS', userIds: [e.admin.id] } },
        e.admin,
      ),
      ['FORBIDDEN'],
    );
    // Even P's own ADMIN: a premium's access is per connection (setConnectionAccess).
    const own = await payload(
      Q.setClientAccess,
      { input: { accountId: p.premium.id, access: 'SELECTED_USERS', userIds: [] } },
      p.admin,
    );
    expect(userErrorCodes(own)).toEqual(['INVALID_INPUT']);
    expect(own.account ?? null).toBeNull();
    // N's (and E's) users keep P.
    // (N's admin, reaching P with the agency's ADMIN role, also sees P's RESTRICTED reports.)
    for (const user of [n.admin, n.manager, n.regular, n.viewer, e.regular]) {
      expect(await reportIdsFor(user, p.premium.id)).toContain(pReport.id);
    }
  });

  it('finding 1: an ADMIN of agency E cannot read premium P’s audit log or create an API token on P', async () => {
    const { e, p } = await world();
    const tokensBefore = await server.db.getRepository(ApiToken).countBy({
      accountId: p.premium.id,
    });
    // P's own ADMIN reads it (the oracle is not just "everything FORBIDDEN").
    const own = await payload<{ nodes: { action: string }[] }>(
      Q.auditEvents,
      { id: p.premium.id },
      p.admin,
    );
    expect(own.nodes.length).toBeGreaterThan(0);
    // Both tried before either is judged, so each hole shows on its own.
    const audit = await gql(Q.auditEvents, { id: p.premium.id }, e.admin);
    const token = await gql(
      Q.createApiToken,
      { input: { accountId: p.premium.id, name: 'not mine' } },
      e.admin,
    );
    expect({
      auditEvents: codes(audit),
      auditData: audit.data?.auditEvents ?? null,
      createApiToken: codes(token),
      tokenData: token.data?.createApiToken ?? null,
    }).toEqual({
      auditEvents: ['FORBIDDEN'],
      auditData: null,
      createApiToken: ['FORBIDDEN'],
      tokenData: null,
    });
    expect(await server.db.getRepository(ApiToken).countBy({ accountId: p.premium.id })).toBe(
      tokensBefore,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Finding 2: leftover access after disconnect (R6, R24)
// ---------------------------------------------------------------------------------------------

describe('finding 2: leftover access after disconnect', () => {
  it('finding 2: an ADMIN of agency N cannot add itself or another user as ADMIN member of premium P', async () => {
    const { n, p } = await world();
    const before = await memberships(p.premium);
    const usersBefore = await server.db.getRepository(User).count();
    for (const target of [n.admin, n.manager]) {
      expectTopLevel(
        await gql(
          Q.addMember,
          {
            input: {
              accountId: p.premium.id,
              email: target.email,
              name: target.name,
              role: 'ADMIN',
            },
          },
          n.admin,
        ),
        ['FORBIDDEN'],
      );
    }
    expectTopLevel(
      await gql(
        Q.addMember,
        {
          input: {
            accountId: p.premium.id,
            email: `newcomer-${unique()}@northwind.example`,
            name: 'New Comer',
            role: 'ADMIN',
          },
        },
        n.admin,
      ),
      ['FORBIDDEN'],
    );
    expect(await memberships(p.premium)).toEqual(before);
    expect(await server.db.getRepository(User).count()).toBe(usersBefore);
  });

  it('finding 2: after N↔P is disconnected, N’s users read nothing of P and cannot create reports on it', async () => {
    const { n, p, np, pReport } = await world();
    // The sequence: N's admin tries to make itself and a colleague ADMINs of P (must
    // not work, see above), then P disconnects N.
    for (const target of [n.admin, n.manager]) {
      await gql(
        Q.addMember,
        {
          input: { accountId: p.premium.id, email: target.email, name: target.name, role: 'ADMIN' },
        },
        n.admin,
      );
    }
    expect(await reportIdsFor(n.manager, p.premium.id)).toContain(pReport.id);
    const disconnected = await ok(Q.disconnectAgency, { id: np }, p.admin);
    expect(disconnected.connection.status).toBe('DISCONNECTED');

    const reportsBefore = await server.db.getRepository(Report).countBy({
      accountId: p.premium.id,
    });
    for (const user of [n.admin, n.manager, n.regular]) {
      expect(await reportIdsFor(user, p.premium.id, false)).toEqual([]);
      expect(await reportIdsFor(user, p.premium.id, true)).toEqual([]);
      expect(await reportIdsFor(user)).not.toContain(pReport.id);
      expect(await payload(Q.account, { id: p.premium.id }, user)).toBeNull();
      expect(await payload(Q.report, { id: pReport.id }, user)).toBeNull();
      const created = await payload(
        Q.createReport,
        { input: { accountId: p.premium.id, name: 'leftover' } },
        user,
      );
      expect(userErrorCodes(created)).toEqual(['NOT_FOUND']);
      expect(created.report ?? null).toBeNull();
    }
    expect(await server.db.getRepository(Report).countBy({ accountId: p.premium.id })).toBe(
      reportsBefore,
    );
    // No N user is (or became) a member of P.
    const nUsers = new Set([n.admin, n.manager, n.manager2, n.regular, n.viewer].map((u) => u.id));
    expect((await memberships(p.premium)).filter((m) => nUsers.has(m.split(':')[0]))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Finding 3: partner tokens read live data (R18)
// ---------------------------------------------------------------------------------------------

describe('finding 3: an agency API token reads only archived reports of its archived clients', () => {
  it('finding 3: a token on agency N reads no ACTIVE report, no members, no emails; it reads and exports N’s archived client reports (R16, R18)', async () => {
    const { n, p, pReport, pRestricted } = await world();
    const activeClient = await f.client(n.agency, { name: `Globex ${unique()}` });
    const activeReport = await f.report(activeClient, { createdById: n.manager.id });
    const restrictedReport = await f.report(activeClient, {
      createdById: n.manager.id,
      visibility: ReportVisibility.RESTRICTED,
    });
    // N's admin archives a client through the API; the archived reports remember who could
    // open them (R16).
    const archivedClient = await f.client(n.agency, { name: `Initech ${unique()}` });
    const line = await f.item(archivedClient, { name: `Initech search ${unique()}` });
    const archived = [
      await f.report(archivedClient, { createdById: n.admin.id, items: [line] }),
      await f.report(archivedClient, { createdById: n.manager.id }),
    ];
    const archivedAccount = await ok(Q.disconnectClient, { id: archivedClient.id }, n.admin);
    expect(archivedAccount.account.status).toBe('ARCHIVED');
    const { token } = await createToken(n.agency, n.admin);
    const as = { token };

    // The archived reports its creator could open, readable and exportable.
    expect(await reportIdsFor(as, undefined, true)).toEqual(ids(archived));
    const csv = await ok(
      Q.exportReport,
      { input: { reportId: archived[0].id, format: 'CSV' } },
      as,
    );
    expect(csv.content).toContain(line.name);

    // Everything else the token is asked, compared at once so every hole shows.
    const activeReports = [activeReport, restrictedReport, pReport, pRestricted];
    const exportCodes = [];
    for (const report of activeReports) {
      const exported = await payload(
        Q.exportReport,
        { input: { reportId: report.id, format: 'CSV' } },
        as,
      );
      exportCodes.push({ codes: userErrorCodes(exported), content: exported.content ?? null });
    }
    const probes = [
      await gql(RegressionAccountsMembersDocument, {}, as),
      await gql(RegressionAccountMembersDocument, { id: archivedClient.id }, as),
      await gql(RegressionAccountMembersDocument, { id: n.agency.id }, as),
      await gql(RegressionArchivedReportsAccountMembersDocument, {}, as),
      await gql(RegressionArchivedReportsCreatorDocument, {}, as),
    ];
    const memberLists: unknown[] = [
      ...(probes[0].data?.accounts?.nodes ?? []).map((a: { members?: unknown }) => a.members),
      probes[1].data?.account?.members,
      probes[2].data?.account?.members,
      ...(probes[3].data?.reports?.nodes ?? []).map(
        (r: { account?: { members?: unknown } }) => r.account?.members,
      ),
    ].filter((members) => Array.isArray(members) && members.length > 0);
    const emails = [n.admin, n.manager, n.manager2, n.regular, n.viewer, p.admin, p.regular].map(
      (u) => u.email,
    );
    const emailsIn = (response: GraphQLResponse) =>
      emails.filter((email) => JSON.stringify(response).includes(email));

    const seen = {
      activeList: await reportIdsFor(as),
      activeListByAccount: [
        await reportIdsFor(as, activeClient.id),
        await reportIdsFor(as, p.premium.id),
      ],
      reportById: await Promise.all(activeReports.map((r) => payload(Q.report, { id: r.id }, as))),
      nodeById: await Promise.all(activeReports.map((r) => payload(Q.node, { id: r.id }, as))),
      exports: exportCodes,
      memberLists,
      emailsSeen: {
        accountsMembers: emailsIn(probes[0]),
        archivedClientMembers: emailsIn(probes[1]),
        agencyMembers: emailsIn(probes[2]),
        archivedReportsAccountMembers: emailsIn(probes[3]),
        archivedReportsCreatedBy: emailsIn(probes[4]),
      },
    };
    expect(seen).toEqual({
      activeList: [],
      activeListByAccount: [[], []],
      reportById: activeReports.map(() => null),
      nodeById: activeReports.map(() => null),
      exports: activeReports.map(() => ({ codes: ['NOT_FOUND'], content: null })),
      memberLists: [],
      emailsSeen: {
        accountsMembers: [],
        archivedClientMembers: [],
        agencyMembers: [],
        archivedReportsAccountMembers: [],
        archivedReportsCreatedBy: [],
      },
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Finding 4: createClientAccount accepts any organizationId (A3, R20)
// ---------------------------------------------------------------------------------------------

describe('finding 4: createClientAccount and organizations the manager cannot see', () => {
  it('finding 4: an organization of another agency’s client is NOT_FOUND and not named; an own client’s organization works', async () => {
    const { n, e } = await world();
    const hiddenOrg = await f.organization({ name: `Hooli Secret ${unique()}` });
    await f.client(e.agency, { name: `Hooli ${unique()}`, organizationId: hiddenOrg.id });
    const ownOrg = await f.organization({ name: `Globex ${unique()}` });
    await f.client(n.agency, { organizationId: ownOrg.id });
    const countIn = (organizationId: string) =>
      server.db.getRepository(Account).countBy({ organizationId });

    const created = await ok(
      Q.createClientAccount,
      {
        input: {
          agencyId: n.agency.id,
          name: `Globex EMEA ${unique()}`,
          organizationId: ownOrg.id,
          access: 'EVERYONE_IN_AGENCY',
        },
      },
      n.manager,
    );
    expect(created.account).toMatchObject({
      type: 'CLIENT',
      organization: { id: ownOrg.id, name: ownOrg.name },
    });
    expect(await countIn(ownOrg.id)).toBe(2);

    const response = await gql(
      Q.createClientAccount,
      {
        input: {
          agencyId: n.agency.id,
          name: `Brand ${unique()}`,
          organizationId: hiddenOrg.id,
          access: 'EVERYONE_IN_AGENCY',
        },
      },
      n.manager,
    );
    expect(response.errors).toBeUndefined();
    const refused = response.data!.createClientAccount;
    expect(
      refused.userErrors.map((u: { code: string; field: string[] }) => [u.code, u.field]),
    ).toEqual([['NOT_FOUND', ['input', 'organizationId']]]);
    expect(refused.account).toBeNull();
    expect(JSON.stringify(response)).not.toContain(hiddenOrg.name);
    expect(await countIn(hiddenOrg.id)).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------
// Finding 5: node(id) on an AuditEvent ignores a token's scope; staff-made tokens (R18)
// ---------------------------------------------------------------------------------------------

describe('finding 5: node(id) of an AuditEvent and staff-created tokens stay within the token scope', () => {
  it('finding 5: node(id) of an AuditEvent is null for an API token, also one created by staff; a staff token reads no other agency’s reports', async () => {
    const { n, e } = await world();
    const events = await payload<{ nodes: { id: string; action: string }[] }>(
      Q.auditEvents,
      { id: n.agency.id },
      n.admin,
    );
    expect(events.nodes.length).toBeGreaterThan(0);
    const eventId = events.nodes[0].id;
    // The admin itself reads the event by id (so null below is the scope, not a bad id).
    expect(await payload(Q.node, { id: eventId }, n.admin)).toMatchObject({
      id: eventId,
      __typename: 'AuditEvent',
    });

    // Another agency's reports: an archived client of E (with a report E's admin could open)
    // and an active client of E.
    const eArchived = await f.client(e.agency);
    const eArchivedReport = await f.report(eArchived, { createdById: e.admin.id });
    await ok(Q.disconnectClient, { id: eArchived.id }, e.admin);
    const eActiveReport = await f.report(await f.client(e.agency));
    // And one archived client of N, so the staff token has something in scope.
    const nArchived = await f.client(n.agency);
    const nArchivedReport = await f.report(nArchived, { createdById: n.admin.id });
    await ok(Q.disconnectClient, { id: nArchived.id }, n.admin);

    const adminToken = await createToken(n.agency, n.admin);
    const staffToken = await createToken(n.agency, staff);
    // Everything each token is asked, compared at once so every hole shows.
    const observe = async (as: As) => ({
      auditEventNode: await payload(Q.node, { id: eventId }, as),
      auditEvents: codes(await gql(Q.auditEvents, { id: n.agency.id }, as)),
      otherAgencyReportById: [
        await payload(Q.report, { id: eArchivedReport.id }, as),
        await payload(Q.report, { id: eActiveReport.id }, as),
      ],
      otherAgencyNodeById: [
        await payload(Q.node, { id: eArchivedReport.id }, as),
        await payload(Q.node, { id: eActiveReport.id }, as),
      ],
      otherAgencyArchivedList: await reportIdsFor(as, eArchived.id, true),
      otherAgencyAccount: await payload(Q.account, { id: e.agency.id }, as),
      archivedList: await reportIdsFor(as, undefined, true),
      activeList: await reportIdsFor(as),
    });
    const expected = {
      auditEventNode: null,
      auditEvents: ['FORBIDDEN'],
      otherAgencyReportById: [null, null],
      otherAgencyNodeById: [null, null],
      otherAgencyArchivedList: [],
      otherAgencyAccount: null,
      archivedList: [nArchivedReport.id],
      activeList: [],
    };
    expect({
      adminToken: await observe(adminToken),
      staffToken: await observe(staffToken),
    }).toEqual({
      adminToken: expected,
      // Whether R16 lets a staff creator open N's archived reports is not this finding: only
      // that nothing of E is among them.
      staffToken: { ...expected, archivedList: expect.not.arrayContaining([eArchivedReport.id]) },
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Finding 7: Integration.mappings shows clients the viewer cannot reach (A3)
// ---------------------------------------------------------------------------------------------

describe('finding 7: Integration.mappings and clients the viewer cannot reach', () => {
  it('finding 7: an agency ACCOUNT_MANAGER not selected on a SELECTED_USERS client does not see its mapping, name or organization', async () => {
    const { n } = await world();
    const hiddenOrg = await f.organization({ name: `Initech Holding ${unique()}` });
    const hidden = await f.client(n.agency, {
      name: `Initech ${unique()}`,
      organizationId: hiddenOrg.id,
      clientAccess: ClientAccessMode.SELECTED_USERS,
    });
    await f.grant(hidden, n.manager);
    const openOrg = await f.organization({ name: `Globex Group ${unique()}` });
    const open = await f.client(n.agency, {
      name: `Globex ${unique()}`,
      organizationId: openOrg.id,
      clientAccess: ClientAccessMode.EVERYONE_IN_AGENCY,
    });
    const integration = await f.integration(n.agency, { name: `CM360 ${unique()}` });
    await f.mapping(integration, hidden);
    await f.mapping(integration, open);
    // manager2 is not selected on `hidden`: it does not reach it.
    expect(await payload(Q.account, { id: hidden.id }, n.manager2)).toBeNull();

    // The selected manager sees both.
    const selected = await payload(
      RegressionIntegrationMappingClientsDocument,
      { id: integration.id },
      n.manager,
    );
    expect(ids(selected.mappings.map((m: { client: { id: string } }) => m.client))).toEqual(
      ids([hidden, open]),
    );
    const responses = [
      await gql(RegressionAccountIntegrationMappingsDocument, { id: n.agency.id }, n.manager2),
      await gql(RegressionIntegrationMappingsDocument, { id: integration.id }, n.manager2),
    ];
    for (const response of responses) {
      const body = JSON.stringify(response);
      expect(body).not.toContain(hiddenOrg.name);
      expect(body).not.toContain(hidden.name);
      expect(body).not.toContain(hidden.id);
      // The reachable client's mapping is listed with its organization (not a vacuous pass).
      expect(body).toContain(openOrg.name);
    }
    const viaAccount = responses[0].data!.account.integrations.find(
      (i: { id: string }) => i.id === integration.id,
    );
    expect(viaAccount.mappings.map((m: { client: { id: string } }) => m.client.id)).toEqual([
      open.id,
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Per-connection client access for a connected premium (domain.md "Client access", R27)
// ---------------------------------------------------------------------------------------------

describe('per-connection access to a premium client', () => {
  it('N’s admin sets N↔P to SELECTED_USERS [manager]: N’s manager2 loses P, E’s users keep it, and an audit event is written (R27)', async () => {
    const { n, e, p, np, ep, pReport } = await world();
    for (const user of [n.manager, n.manager2, n.regular, e.regular, e.manager]) {
      expect(await reportIdsFor(user, p.premium.id)).toEqual([pReport.id]);
    }
    const eventsBefore = await payload<{ nodes: { id: string }[] }>(
      Q.auditEvents,
      { id: n.agency.id },
      n.admin,
    );
    const seenBefore = new Set(eventsBefore.nodes.map((ev) => ev.id));

    const set = await ok(
      Q.setConnectionAccess,
      { input: { connectionId: np, access: 'SELECTED_USERS', userIds: [n.manager.id] } },
      n.admin,
    );
    expect(set.connection).toMatchObject({
      id: np,
      status: 'ACTIVE',
      clientAccess: 'SELECTED_USERS',
    });

    // N: the selected manager and the admins keep P; everyone else loses it at the next request.
    expect(await reportIdsFor(n.manager, p.premium.id)).toEqual([pReport.id]);
    expect(await reportIdsFor(n.admin, p.premium.id)).toContain(pReport.id);
    for (const user of [n.manager2, n.regular, n.viewer]) {
      expect(await reportIdsFor(user, p.premium.id)).toEqual([]);
      expect(await payload(Q.report, { id: pReport.id }, user)).toBeNull();
      expect(await payload(Q.account, { id: p.premium.id }, user)).toBeNull();
    }
    // E: unchanged, one agency's setting never touches another's.
    for (const user of [e.regular, e.manager, e.viewer]) {
      expect(await reportIdsFor(user, p.premium.id)).toEqual([pReport.id]);
    }
    const eConnections = await payload<{ connections: { id: string; clientAccess: string }[] }>(
      RegressionAccountConnectionsAccessDocument,
      { id: e.agency.id },
      e.admin,
    );
    expect(eConnections.connections.find((c) => c.id === ep)).toEqual({
      id: ep,
      clientAccess: 'EVERYONE_IN_AGENCY',
    });
    // P's own users are untouched too.
    expect(await reportIdsFor(p.regular, p.premium.id)).toEqual([pReport.id]);

    // R27: the change is audited, readable by N's admin.
    const eventsAfter = await payload<{
      nodes: { id: string; action: string; actor: { id: string } | null; details: string }[];
    }>(Q.auditEvents, { id: n.agency.id }, n.admin);
    const fresh = eventsAfter.nodes.filter((ev) => !seenBefore.has(ev.id));
    expect(fresh).toEqual([
      expect.objectContaining({
        action: expect.stringMatching(/ACCESS/),
        actor: { id: n.admin.id },
      }),
    ]);
  });
});
