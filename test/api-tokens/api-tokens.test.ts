import { createHash } from 'node:crypto';
import {
  AccountStatus,
  Membership,
  ReportVisibility,
  Role,
  type Account,
  type User,
} from '../../src/entities';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  TestAccountIdDocument,
  TestAddReportItemsDocument,
  TestApiTokensDocument,
  TestAuditEventsWithActorDocument,
  TestCreateApiTokenDocument,
  TestCreateIntegrationIdDocument,
  TestCreateReportIdDocument,
  TestCreateReportingItemIdDocument,
  TestExportReportDocument,
  TestRecordCampaignDataDocument,
  TestReportAndNodeDocument,
  TestReportIdDocument,
  TestReportsWithStatusDocument,
  TestRevokeApiTokenDocument,
  TestViewerIdDocument,
} from '../generated/graphql';
import { useTestServer } from '../helpers/test-server';
import { parseCsv } from '../exports/parse-csv';

const { server, f } = useTestServer();
let agency: Account;
let admin: User;

beforeAll(async () => {
  agency = await f.agency();
  admin = await f.member(agency, Role.ADMIN);
});

async function createToken(account: Account, as: User = admin, name = 'partner') {
  const response = await server.op(
    TestCreateApiTokenDocument,
    { input: { accountId: account.id, name } },
    as,
  );
  expect(response.errors).toBeUndefined();
  expect(response.data!.createApiToken.userErrors).toEqual([]);
  return response.data!.createApiToken as {
    token: string;
    apiToken: { id: string; name: string; accountId: string };
  };
}

const codes = (response: { errors?: { extensions?: Record<string, unknown> }[] }) =>
  response.errors?.map((e) => e.extensions?.code);

describe('createApiToken, apiTokens, revokeApiToken (R18)', () => {
  it('shows the token once and stores only its SHA-256', async () => {
    const { token, apiToken } = await createToken(agency, admin, 'BI tool');
    expect(token).toMatch(/^hov_[A-Za-z0-9_-]{43}$/);
    expect(apiToken).toMatchObject({
      name: 'BI tool',
      accountId: agency.id,
      revoked: false,
      lastUsedAt: null,
    });
    const rows: { token_hash: string }[] = await server.db.query(
      `SELECT token_hash FROM api_tokens WHERE id = $1`,
      [apiToken.id],
    );
    expect(rows[0].token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    const dump = JSON.stringify(await server.db.query(`SELECT * FROM api_tokens`));
    expect(dump).not.toContain(token);

    // Using it records lastUsedAt; the list never carries the secret.
    expect(codes(await server.op(TestViewerIdDocument, {}, { token }))).toBeUndefined();
    const list = await server.op(TestApiTokensDocument, { accountId: agency.id }, admin);
    expect(JSON.stringify(list)).not.toContain(token);
    const listed = (list.data!.apiTokens as { id: string; lastUsedAt: string | null }[]).find(
      (t) => t.id === apiToken.id,
    );
    expect(listed).toMatchObject({ name: 'BI tool', revoked: false, revokedAt: null });
    expect(listed!.lastUsedAt).not.toBeNull();
  });

  it('is for account ADMINs only; tokens cannot make tokens', async () => {
    const manager = await f.member(agency, Role.ACCOUNT_MANAGER);
    expect(
      codes(
        await server.op(
          TestCreateApiTokenDocument,
          { input: { accountId: agency.id, name: 'x' } },
          manager,
        ),
      ),
    ).toEqual(['FORBIDDEN']);
    expect(
      codes(await server.op(TestApiTokensDocument, { accountId: agency.id }, manager)),
    ).toEqual(['FORBIDDEN']);
    const { token, apiToken } = await createToken(agency);
    expect(
      codes(
        await server.op(
          TestCreateApiTokenDocument,
          { input: { accountId: agency.id, name: 'x' } },
          { token },
        ),
      ),
    ).toEqual(['FORBIDDEN']);
    expect(
      codes(await server.op(TestApiTokensDocument, { accountId: agency.id }, { token })),
    ).toEqual(['FORBIDDEN']);
    expect(
      codes(await server.op(TestRevokeApiTokenDocument, { id: apiToken.id }, { token })),
    ).toEqual(['FORBIDDEN']);
    expect(
      codes(await server.op(TestRevokeApiTokenDocument, { id: apiToken.id }, manager)),
    ).toEqual(['FORBIDDEN']);
    const stranger = await f.member(await f.agency(), Role.ADMIN);
    const hidden = await server.op(TestRevokeApiTokenDocument, { id: apiToken.id }, stranger);
    expect(hidden.data!.revokeApiToken.userErrors).toEqual([{ code: 'NOT_FOUND', field: ['id'] }]);
    expect(codes(await server.op(TestViewerIdDocument, {}, { token }))).toBeUndefined();
  });

  it('a revoked token is UNAUTHENTICATED (HTTP 401) from the next request on', async () => {
    const { token, apiToken } = await createToken(agency);
    expect(codes(await server.op(TestViewerIdDocument, {}, { token }))).toBeUndefined();
    const revoked = await server.op(TestRevokeApiTokenDocument, { id: apiToken.id }, admin);
    expect(revoked.data!.revokeApiToken.userErrors).toEqual([]);
    expect(revoked.data!.revokeApiToken.apiToken).toMatchObject({ id: apiToken.id, revoked: true });
    const after = await server.op(TestViewerIdDocument, {}, { token });
    expect(after.status).toBe(401);
    expect(codes(after)).toEqual(['UNAUTHENTICATED']);
  });

  it('stops working when its creator loses ADMIN or is deactivated', async () => {
    const demoted = await f.member(agency, Role.ADMIN);
    const first = await createToken(agency, demoted);
    await server.db
      .getRepository(Membership)
      .update({ userId: demoted.id }, { role: Role.REGULAR });
    expect(codes(await server.op(TestViewerIdDocument, {}, { token: first.token }))).toEqual([
      'UNAUTHENTICATED',
    ]);
    const leaving = await f.member(agency, Role.ADMIN);
    const second = await createToken(agency, leaving);
    await server.db.query(`UPDATE users SET active = false WHERE id = $1`, [leaving.id]);
    expect(codes(await server.op(TestViewerIdDocument, {}, { token: second.token }))).toEqual([
      'UNAUTHENTICATED',
    ]);
  });
});

describe('token scope (R18)', () => {
  it('reads archived reports of its own account only — never an ACTIVE one; every write is FORBIDDEN', async () => {
    const scopeAgency = await f.agency();
    const owner = await f.member(scopeAgency, Role.ADMIN);
    const client = await f.client(scopeAgency);
    const archivedClient = await f.client(scopeAgency, {
      status: AccountStatus.ARCHIVED,
      archivedAt: new Date(),
    });
    const premium = await f.premium();
    await f.connection(scopeAgency, premium);
    // The creator also administers another agency: the token must not reach it.
    const otherAgency = await f.agency();
    await f.membership(owner, otherAgency, Role.ADMIN);
    const otherClient = await f.client(otherAgency, {
      status: AccountStatus.ARCHIVED,
      archivedAt: new Date(),
    });

    const active = [await f.report(client), await f.report(premium)];
    const archived = await f.report(archivedClient, { snapshot: [owner] });
    const outOfScope = await f.report(otherClient, { snapshot: [owner] });
    const { token } = await createToken(scopeAgency, owner);

    const listedActive = await server.op(
      TestReportsWithStatusDocument,
      { archived: false },
      { token },
    );
    expect(listedActive.data!.reports.nodes).toEqual([]);
    const listed = await server.op(TestReportsWithStatusDocument, { archived: true }, { token });
    expect((listed.data!.reports.nodes as { id: string }[]).map((r) => r.id)).toEqual([
      archived.id,
    ]);
    for (const hidden of [...active, outOfScope]) {
      const single = await server.op(TestReportAndNodeDocument, { id: hidden.id }, { token });
      expect(single.data).toEqual({ report: null, node: null });
    }
    const account = await server.op(TestAccountIdDocument, { id: otherAgency.id }, { token });
    expect(account.data!.account).toBeNull();

    // A token scoped to one archived client reads that client's archived reports only.
    const sibling = await f.client(scopeAgency, {
      status: AccountStatus.ARCHIVED,
      archivedAt: new Date(),
    });
    const siblingReport = await f.report(sibling, { snapshot: [owner] });
    const clientToken = (await createToken(archivedClient, owner)).token;
    const clientReports = await server.op(
      TestReportsWithStatusDocument,
      { archived: true },
      { token: clientToken },
    );
    expect((clientReports.data!.reports.nodes as { id: string }[]).map((r) => r.id)).toEqual([
      archived.id,
    ]);
    expect(
      (await server.op(TestReportIdDocument, { id: siblingReport.id }, { token: clientToken }))
        .data!.report,
    ).toBeNull();

    const item = await f.item(client);
    const writes: [TypedDocumentNode<unknown, any>, Record<string, unknown>][] = [
      [TestCreateReportIdDocument, { input: { accountId: client.id, name: 'x' } }],
      [TestCreateReportingItemIdDocument, { input: { accountId: client.id, name: 'x' } }],
      [
        TestRecordCampaignDataDocument,
        { input: { itemId: item.id, impressions: 1, clicks: 1, reach: 1 } },
      ],
      [
        TestCreateIntegrationIdDocument,
        { input: { ownerAccountId: scopeAgency.id, name: 'x', adServer: 'SIMULATED' } },
      ],
      [TestAddReportItemsDocument, { input: { reportId: active[0].id, itemIds: [item.id] } }],
    ];
    for (const [query, variables] of writes) {
      expect(codes(await server.op(query, variables, { token }))).toEqual(['FORBIDDEN']);
    }
  });

  it('sees at most what its creator sees (RESTRICTED and R16 archived reports)', async () => {
    const scopeAgency = await f.agency();
    const creator = await f.member(scopeAgency, Role.ACCOUNT_MANAGER);
    await server.db.getRepository(Membership).update({ userId: creator.id }, { role: Role.ADMIN });
    const colleague = await f.member(scopeAgency, Role.ADMIN);
    const client = await f.client(scopeAgency, {
      status: AccountStatus.ARCHIVED,
      archivedAt: new Date(),
    });
    const seen = await f.report(client, { snapshot: [creator, colleague] });
    const notSeen = await f.report(client, { snapshot: [colleague] });
    const { token } = await createToken(scopeAgency, creator);
    const archived = await server.op(TestReportsWithStatusDocument, { archived: true }, { token });
    expect((archived.data!.reports.nodes as { id: string }[]).map((r) => r.id)).toEqual([seen.id]);
    expect(
      (await server.op(TestReportIdDocument, { id: notSeen.id }, { token })).data!.report,
    ).toBeNull();
    const restricted = await f.report(await f.client(scopeAgency), {
      visibility: ReportVisibility.RESTRICTED,
    });
    const adminToken = (await createToken(scopeAgency, colleague)).token;
    // ADMINs see RESTRICTED reports of their clients; their token reads no ACTIVE report (R18).
    expect(
      (await server.op(TestReportIdDocument, { id: restricted.id }, { token: adminToken })).data!
        .report,
    ).toBeNull();
  });
});

describe('partner flow (R17, R18)', () => {
  it('with only an API token, lists an agency’s archived reports and downloads each as CSV', async () => {
    const partnerAgency = await f.agency();
    const agencyAdmin = await f.member(partnerAgency, Role.ADMIN);
    const archivedA = await f.client(partnerAgency, {
      status: AccountStatus.ARCHIVED,
      archivedAt: new Date(),
    });
    const archivedB = await f.client(partnerAgency, {
      status: AccountStatus.ARCHIVED,
      archivedAt: new Date(),
    });
    const active = await f.client(partnerAgency);
    const reports = [];
    for (const [n, account] of [archivedA, archivedA, archivedB].entries()) {
      const items = [];
      for (let i = 0; i <= n; i += 1) {
        items.push(
          await f.item(account, {
            name: `Line ${n}.${i}`,
            impressions: 100 * n + i,
            clicks: i,
            reach: n,
          }),
        );
      }
      reports.push({ report: await f.report(account, { items, snapshot: [agencyAdmin] }), items });
    }
    await f.report(active); // an active report: not in the archived list
    const elsewhere = await f.client(await f.agency(), {
      status: AccountStatus.ARCHIVED,
      archivedAt: new Date(),
    });
    await f.report(elsewhere, { snapshot: [agencyAdmin] }); // outside the token's scope

    const { token } = await createToken(partnerAgency, agencyAdmin, 'partner script');

    // --- from here on, only the token ---
    const listed = await server.op(TestReportsWithStatusDocument, { archived: true }, { token });
    expect(listed.errors).toBeUndefined();
    const nodes = listed.data!.reports.nodes as { id: string; archived: boolean }[];
    expect(nodes.map((r) => r.id).sort()).toEqual(reports.map((r) => r.report.id).sort());
    expect(nodes.every((r) => r.archived)).toBe(true);

    for (const node of nodes) {
      const exported = await server.op(
        TestExportReportDocument,
        { input: { reportId: node.id, format: 'CSV' } },
        { token },
      );
      const { url, content, userErrors } = exported.data!.exportReport;
      expect(userErrors).toEqual([]);
      const download = await fetch(url!);
      expect(download.status).toBe(200);
      const text = await download.text();
      expect(text).toBe(content);
      const expected = reports.find((r) => r.report.id === node.id)!.items;
      const rows = parseCsv(text);
      expect(rows[0]).toEqual([
        'name',
        'source',
        'status',
        'externalId',
        'impressions',
        'clicks',
        'reach',
        'lastDataAt',
      ]);
      expect(rows.slice(1).map((r) => [r[0], r[4], r[5], r[6]])).toEqual(
        expected.map((i) => [i.name, String(i.impressions), String(i.clicks), String(i.reach)]),
      );
    }

    // Revoking the token also kills the links it was given.
    const link = (
      await server.op(
        TestExportReportDocument,
        { input: { reportId: nodes[0].id, format: 'JSON' } },
        { token },
      )
    ).data!.exportReport.url;
    const tokens = await server.op(
      TestApiTokensDocument,
      { accountId: partnerAgency.id },
      agencyAdmin,
    );
    await server.op(TestRevokeApiTokenDocument, { id: tokens.data!.apiTokens[0].id }, agencyAdmin);
    expect((await fetch(link!)).status).toBe(403);
    expect(
      codes(await server.op(TestReportsWithStatusDocument, { archived: true }, { token })),
    ).toEqual(['UNAUTHENTICATED']);
  });
});

describe('R27: tokens made and revoked are audited', () => {
  it('writes API_TOKEN_CREATED and API_TOKEN_REVOKED on the token’s account', async () => {
    const own = await f.agency();
    const ownAdmin = await f.member(own, Role.ADMIN);
    const made = await createToken(own, ownAdmin, 'audited');
    await server.op(TestRevokeApiTokenDocument, { id: made.apiToken.id }, ownAdmin);
    const events = await server.op(TestAuditEventsWithActorDocument, { id: own.id }, ownAdmin);
    expect(
      (
        events.data!.auditEvents.nodes as {
          action: string;
          actor: { id: string };
          details: string;
        }[]
      ).map((e) => [e.action, e.actor.id, JSON.parse(e.details)]),
    ).toEqual([
      ['API_TOKEN_REVOKED', ownAdmin.id, { tokenId: made.apiToken.id, name: 'audited' }],
      ['API_TOKEN_CREATED', ownAdmin.id, { tokenId: made.apiToken.id, name: 'audited' }],
    ]);
  });
});
