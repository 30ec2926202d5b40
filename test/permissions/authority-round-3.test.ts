/**
 * Regressions for issue 30 ("Authority round 3"), each reproduced through the GraphQL API as the
 * outside tester did: agencies A and B both connected to premium P, P's own users, tokens. Each
 * test asserts the exact answer and what changed (or did not) afterwards. Finding 6 (the role
 * re-check race) is test/permissions/gate-races.test.ts; the matrices cover #1 for every principal.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { randomBytes } from 'node:crypto';
import {
  ClientAccessMode,
  ConnectionStatus,
  ReportVisibility,
  Role,
  type Account,
  type User,
} from '../../src/entities';
import { type As, type GraphQLResponse, useTestServer } from '../helpers/test-server';
import {
  Round3AcceptConnectionDocument,
  Round3AccountIntegrationsDocument,
  Round3AccountOrganizationDocument,
  Round3AddMemberAsStaffDocument,
  Round3AddMemberDocument,
  Round3ApiTokensDocument,
  AuditActionsByActorDocument,
  Round3ChangeRoleDocument,
  Round3CreateApiTokenDocument,
  Round3CreateClientAccountDocument,
  Round3CreateReportDocument,
  Round3DeleteReportDocument,
  Round3DisconnectAgencyDocument,
  Round3RemoveMemberDocument,
  Round3ReportDocument,
  Round3ReportsDocument,
  Round3RequestConnectionDocument,
  Round3ShareReportDocument,
  Round3UpdateReportDocument,
  Round3ViewerDocument,
  TestViewerEmailDocument,
  Round3ViewerIdEmailDocument,
} from '../generated/graphql';

const { server, f } = useTestServer();
const unique = () => randomBytes(3).toString('hex');
const { ADMIN, REGULAR, VIEW_ONLY } = Role;

const Q = {
  report: Round3ReportDocument,
  reports: Round3ReportsDocument,
  deleteReport: Round3DeleteReportDocument,
  updateReport: Round3UpdateReportDocument,
  shareReport: Round3ShareReportDocument,
  removeMember: Round3RemoveMemberDocument,
  addMember: Round3AddMemberDocument,
  changeRole: Round3ChangeRoleDocument,
  disconnectAgency: Round3DisconnectAgencyDocument,
  requestConnection: Round3RequestConnectionDocument,
  acceptConnection: Round3AcceptConnectionDocument,
  createApiToken: Round3CreateApiTokenDocument,
  apiTokens: Round3ApiTokensDocument,
  viewer: Round3ViewerDocument,
  auditEvents: AuditActionsByActorDocument,
};

async function gql<V extends Record<string, unknown>>(
  document: TypedDocumentNode<any, V>,
  variables: V,
  as: As,
) {
  return server.op(document, variables, as);
}
/** The single root field's payload, failing on top-level errors. */
async function ok<V extends Record<string, unknown>>(
  document: TypedDocumentNode<any, V>,
  variables: V,
  as: As,
) {
  const response = await gql(document, variables, as);
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return Object.values<any>(response.data)[0];
}
const topCodes = (r: GraphQLResponse) => (r.errors ?? []).map((e) => e.extensions?.code);
const auditOf = async (accountId: string, as: User) =>
  (await ok(Q.auditEvents, { id: accountId }, as)).nodes.map((e: any) => ({
    action: e.action,
    actor: e.actor?.id ?? null,
    details: JSON.parse(e.details),
  }));

interface World {
  P: Account;
  A: Account;
  B: Account;
  AP: string;
  BP: string;
  u: Record<string, User>;
}

/** P connected to agencies A and B (EVERYONE_IN_AGENCY), a user of the roles each test needs. */
async function world(): Promise<World> {
  const P = await f.premium({ name: `P ${unique()}` });
  const A = await f.agency({ name: `A ${unique()}` });
  const B = await f.agency({ name: `B ${unique()}` });
  const u = {
    pAdmin: await f.member(P, ADMIN),
    pViewOnly: await f.member(P, VIEW_ONLY),
    aAdmin: await f.member(A, ADMIN),
    aRegular: await f.member(A, REGULAR),
    bAdmin: await f.member(B, ADMIN),
    bRegular: await f.member(B, REGULAR),
    bViewOnly: await f.member(B, VIEW_ONLY),
  };
  const connect = async (agency: Account) =>
    (
      await f.connection(agency, P, {
        status: ConnectionStatus.ACTIVE,
        requestedByAccountId: agency.id,
        respondedAt: new Date(),
        clientAccess: ClientAccessMode.EVERYONE_IN_AGENCY,
      })
    ).id;
  return { P, A, B, AP: await connect(A), BP: await connect(B), u };
}

describe('#1 (HIGH): a connected agency neither reads RESTRICTED premium reports nor edits any', () => {
  it("B's ADMIN cannot open or delete a RESTRICTED report made by P's ADMIN", async () => {
    const { P, u } = await world();
    const restricted = await f.report(P, {
      createdById: u.pAdmin.id,
      visibility: ReportVisibility.RESTRICTED,
    });
    expect(await ok(Q.report, { id: restricted.id }, u.bAdmin)).toBeNull();
    const listed = await ok(Q.reports, { id: P.id }, u.bAdmin);
    expect(listed.nodes.map((n: any) => n.id)).not.toContain(restricted.id);
    const deleted = await ok(Q.deleteReport, { id: restricted.id }, u.bAdmin);
    expect(deleted).toEqual({
      deletedReportId: null,
      userErrors: [{ code: 'NOT_FOUND', field: ['reportId'] }],
    });
    // P's ADMIN still reads it, and no REPORT_DELETED was written.
    expect(await ok(Q.report, { id: restricted.id }, u.pAdmin)).toEqual({
      id: restricted.id,
      visibility: 'RESTRICTED',
    });
    expect((await auditOf(P.id, u.pAdmin)).map((e: any) => e.action)).not.toContain(
      'REPORT_DELETED',
    );
  });

  it("B's ADMIN reads an ACCOUNT report of P but cannot restrict, share or delete it", async () => {
    const { P, u } = await world();
    const report = await f.report(P, { createdById: u.aRegular.id });
    expect(await ok(Q.report, { id: report.id }, u.bAdmin)).toEqual({
      id: report.id,
      visibility: 'ACCOUNT',
    });
    const restrict = await gql(
      Q.updateReport,
      { input: { reportId: report.id, visibility: 'RESTRICTED' } },
      u.bAdmin,
    );
    expect(topCodes(restrict)).toEqual(['FORBIDDEN']);
    const share = await gql(
      Q.shareReport,
      { input: { reportId: report.id, userIds: [u.bViewOnly.id] } },
      u.bAdmin,
    );
    expect(topCodes(share)).toEqual(['FORBIDDEN']);
    expect(topCodes(await gql(Q.deleteReport, { id: report.id }, u.bAdmin))).toEqual(['FORBIDDEN']);
    // P's VIEW_ONLY still reads it: it is still ACCOUNT visibility.
    expect(await ok(Q.report, { id: report.id }, u.pViewOnly)).toEqual({
      id: report.id,
      visibility: 'ACCOUNT',
    });
  });
});

describe('#2 and #3: shares end with the access they were made for (R24, R6)', () => {
  it('a user removed from the agency and added again does not read what was shared before', async () => {
    const { A, P, u } = await world();
    const report = await f.report(P, {
      createdById: u.pAdmin.id,
      visibility: ReportVisibility.RESTRICTED,
    });
    await ok(Q.shareReport, { input: { reportId: report.id, userIds: [u.aRegular.id] } }, u.pAdmin);
    expect(await ok(Q.report, { id: report.id }, u.aRegular)).not.toBeNull();

    const removed = await ok(
      Q.removeMember,
      { input: { accountId: A.id, userId: u.aRegular.id } },
      u.aAdmin,
    );
    expect(removed.userErrors).toEqual([]);
    const added = await ok(
      Q.addMember,
      { input: { accountId: A.id, email: u.aRegular.email, name: 'Again', role: REGULAR } },
      u.aAdmin,
    );
    expect(added.userErrors).toEqual([]);
    expect(await ok(Q.report, { id: report.id }, u.aRegular)).toBeNull();
    expect(
      Number(
        (
          await server.db.query(`SELECT count(*) FROM report_shares WHERE report_id = $1`, [
            report.id,
          ])
        )[0].count,
      ),
    ).toBe(0);
    // R27: the ending is audited on P, by whoever removed the member.
    expect(await auditOf(P.id, u.pAdmin)).toContainEqual({
      action: 'REPORT_UNSHARED',
      actor: u.aAdmin.id,
      details: { reportId: report.id, userIds: [u.aRegular.id], reason: 'ACCESS_ENDED' },
    });
  });

  it('a share to an agency user does not come back when the agency reconnects', async () => {
    const { B, P, BP, u } = await world();
    const report = await f.report(P, {
      createdById: u.pAdmin.id,
      visibility: ReportVisibility.RESTRICTED,
    });
    await ok(Q.shareReport, { input: { reportId: report.id, userIds: [u.bRegular.id] } }, u.pAdmin);
    expect((await ok(Q.disconnectAgency, { id: BP }, u.pAdmin)).userErrors).toEqual([]);
    const requested = await ok(
      Q.requestConnection,
      { input: { fromAccountId: B.id, toAccountId: P.id } },
      u.bAdmin,
    );
    expect(requested.userErrors).toEqual([]);
    const accepted = await ok(Q.acceptConnection, { id: requested.connection.id }, u.pAdmin);
    expect(accepted.connection).toEqual({ status: 'ACTIVE', clientAccess: 'EVERYONE_IN_AGENCY' });
    // B's REGULAR reaches P again, but the RESTRICTED report is not theirs any more.
    expect(await ok(Q.report, { id: report.id }, u.bRegular)).toBeNull();
    expect(await auditOf(P.id, u.pAdmin)).toContainEqual({
      action: 'REPORT_UNSHARED',
      actor: u.pAdmin.id,
      details: { reportId: report.id, userIds: [u.bRegular.id], reason: 'ACCESS_ENDED' },
    });
  });

  it('a share to a user who reaches the premium another way survives the disconnection', async () => {
    const { A, P, BP, u } = await world();
    // B's REGULAR is also a member of A, which stays connected.
    await f.membership(u.bRegular, A, REGULAR);
    const report = await f.report(P, {
      createdById: u.pAdmin.id,
      visibility: ReportVisibility.RESTRICTED,
    });
    await ok(Q.shareReport, { input: { reportId: report.id, userIds: [u.bRegular.id] } }, u.pAdmin);
    await ok(Q.disconnectAgency, { id: BP }, u.pAdmin);
    expect(await ok(Q.report, { id: report.id }, u.bRegular)).toEqual({
      id: report.id,
      visibility: 'RESTRICTED',
    });
  });
});

describe('#4: an API token ends for good when its creator loses ADMIN (R18, R24, R27)', () => {
  async function premiumWithToken() {
    const P = await f.premium();
    const keeper = await f.member(P, ADMIN);
    const creator = await f.member(P, ADMIN);
    const made = await ok(
      Q.createApiToken,
      { input: { accountId: P.id, name: 'partner' } },
      creator,
    );
    expect(topCodes(await gql(Q.viewer, {}, { token: made.token }))).toEqual([]);
    return { P, keeper, creator, token: made.token as string, tokenId: made.apiToken.id as string };
  }

  it('demoted and promoted again: the token stays revoked, audited', async () => {
    const { P, keeper, creator, token, tokenId } = await premiumWithToken();
    const change = (role: Role) =>
      ok(Q.changeRole, { input: { accountId: P.id, userId: creator.id, role } }, keeper);
    expect((await change(REGULAR)).userErrors).toEqual([]);
    expect(topCodes(await gql(Q.viewer, {}, { token }))).toEqual(['UNAUTHENTICATED']);
    expect((await change(ADMIN)).userErrors).toEqual([]);
    expect(topCodes(await gql(Q.viewer, {}, { token }))).toEqual(['UNAUTHENTICATED']);
    expect(await ok(Q.apiTokens, { id: P.id }, keeper)).toEqual([{ id: tokenId, revoked: true }]);
    expect(await auditOf(P.id, keeper)).toContainEqual({
      action: 'API_TOKEN_REVOKED',
      actor: keeper.id,
      details: { tokenId, name: 'partner', reason: 'CREATOR_LOST_ADMIN' },
    });
  });

  it('removed and added again: the token stays revoked', async () => {
    const { P, keeper, creator, token, tokenId } = await premiumWithToken();
    await ok(Q.removeMember, { input: { accountId: P.id, userId: creator.id } }, keeper);
    await ok(
      Q.addMember,
      { input: { accountId: P.id, email: creator.email, name: 'Back', role: ADMIN } },
      keeper,
    );
    expect(topCodes(await gql(Q.viewer, {}, { token }))).toEqual(['UNAUTHENTICATED']);
    expect(await ok(Q.apiTokens, { id: P.id }, keeper)).toEqual([{ id: tokenId, revoked: true }]);
  });

  it("another member's change leaves the token alone", async () => {
    const { P, keeper, token, tokenId } = await premiumWithToken();
    const other = await f.member(P, ADMIN);
    await ok(Q.changeRole, { input: { accountId: P.id, userId: other.id, role: REGULAR } }, keeper);
    expect(topCodes(await gql(Q.viewer, {}, { token }))).toEqual([]);
    expect(await ok(Q.apiTokens, { id: P.id }, keeper)).toEqual([{ id: tokenId, revoked: false }]);
  });
});

describe('#7: an API token reads no email, organization or integration (R18)', () => {
  it("neither its creator's email nor its own account's organization and integrations", async () => {
    const P = await f.premium();
    const admin = await f.member(P, ADMIN);
    await f.integration(P);
    const { token } = await f.apiToken(P, admin);
    const viewer = await gql(Round3ViewerIdEmailDocument, {}, { token });
    expect(viewer.data!.viewer).toEqual({ id: admin.id, email: '' });
    const organization = await gql(Round3AccountOrganizationDocument, { id: P.id }, { token });
    expect(topCodes(organization)).toEqual(['FORBIDDEN']);
    const integrations = await ok(Round3AccountIntegrationsDocument, { id: P.id }, { token });
    expect(integrations).toEqual({ integrations: [] });
    // The creator signed in still reads all three.
    expect((await ok(TestViewerEmailDocument, {}, admin)).email).toBe(admin.email);
  });
});

describe('#10: every grant is audited (R27)', () => {
  it('createReport(sharedWithUserIds) writes REPORT_SHARED; createClientAccount(SELECTED) writes CLIENT_ACCESS_CHANGED', async () => {
    const { P, u } = await world();
    const made = await ok(
      Round3CreateReportDocument,
      {
        input: {
          accountId: P.id,
          name: 'Shared at birth',
          itemIds: [],
          visibility: 'RESTRICTED',
          sharedWithUserIds: [u.pViewOnly.id],
        },
      },
      u.pAdmin,
    );
    expect(made.userErrors).toEqual([]);
    expect(await auditOf(P.id, u.pAdmin)).toContainEqual({
      action: 'REPORT_SHARED',
      actor: u.pAdmin.id,
      details: { reportId: made.report.id, userIds: [u.pViewOnly.id] },
    });

    const agency = await f.agency();
    const admin = await f.member(agency, ADMIN);
    const picked = await f.member(agency, REGULAR);
    const client = await ok(
      Round3CreateClientAccountDocument,
      {
        input: {
          agencyId: agency.id,
          name: 'Selected Brand',
          organizationName: 'Selected Brand Org',
          access: 'SELECTED_USERS',
          userIds: [picked.id],
        },
      },
      admin,
    );
    expect(client.userErrors).toEqual([]);
    const events = await auditOf(client.account.id, admin);
    expect(events).toEqual([
      {
        action: 'CLIENT_ACCESS_CHANGED',
        actor: admin.id,
        details: {
          from: null,
          to: 'SELECTED_USERS',
          selectedUserIds: expect.arrayContaining([picked.id, admin.id]),
        },
      },
    ]);
  });
});

describe('#11: addMember reveals nothing of an email it does not add', () => {
  it('a deactivated user and a user of another organization get the same neutral answer', async () => {
    const agency = await f.agency();
    const admin = await f.member(agency, ADMIN);
    const elsewhere = await f.member(await f.agency(), REGULAR);
    const gone = await f.member(agency, REGULAR);
    await server.db.query(`UPDATE users SET active = false WHERE id = $1`, [gone.id]);
    const add = (email: string) =>
      gql(
        Round3AddMemberAsStaffDocument,
        { input: { accountId: agency.id, email, name: 'Someone', role: REGULAR } },
        admin,
      );
    const answers = [await add(elsewhere.email), await add(gone.email)].map(
      (r) => r.data!.addMember,
    );
    const neutral = {
      membership: null,
      userErrors: [
        {
          code: 'INVALID_STATE',
          message: 'This email cannot be added to this account',
          field: ['input', 'email'],
        },
      ],
    };
    expect(answers).toEqual([neutral, neutral]);
    // Nothing was added to the foreign user.
    const rows = await server.db.query(
      `SELECT count(*)::int AS n FROM memberships WHERE user_id = $1 AND account_id = $2`,
      [elsewhere.id, agency.id],
    );
    expect(rows[0].n).toBe(0);
  });
});
