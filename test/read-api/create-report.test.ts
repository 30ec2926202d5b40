/**
 * Writes that create data (issue 3, item 3): createReportingItem, createReport, addReportItems.
 * Role gates answer FORBIDDEN at the top level (VIEW_ONLY users, API tokens); business refusals
 * come back as userErrors (NOT_FOUND for anything invisible, ACCOUNT_ARCHIVED, REPORT_ARCHIVED,
 * INVALID_INPUT with the field) and change nothing.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  AuditActionsByActorDocument,
  TestAddReportItemsCountedDocument,
  TestCreateReportDocument,
  TestCreateReportingItemDocument,
  TestReportIdDocument,
} from '../generated/graphql';
import {
  AccountStatus,
  ClientAccessMode,
  ReportVisibility,
  Role,
  type Account,
  type User,
} from '../../src/entities';
import { type As, useTestServer } from '../helpers/test-server';

const { server, f } = useTestServer();
let agency: Account;
let client: Account;
let selectedClient: Account;
let archivedClient: Account;
let otherClient: Account;
let premium: Account;
const u: Record<string, User> = {};
let token: As;

/** The mutations under test, each with one `input` argument (some tests send invalid ones). */
type InputMutation = TypedDocumentNode<Record<string, unknown>, { input: any }>;
const CREATE_ITEM: InputMutation = TestCreateReportingItemDocument;
const CREATE_REPORT: InputMutation = TestCreateReportDocument;
const ADD_ITEMS: InputMutation = TestAddReportItemsCountedDocument;

async function counts() {
  const [row]: { reports: string; items: string; links: string; shares: string }[] =
    await server.db.query(
      `SELECT (SELECT COUNT(*) FROM reports) AS reports,
              (SELECT COUNT(*) FROM reporting_items) AS items,
              (SELECT COUNT(*) FROM report_items) AS links,
              (SELECT COUNT(*) FROM report_shares) AS shares`,
    );
  return row;
}

/** Runs a mutation expected to be refused with a user error, and checks nothing changed. */
async function refused(
  query: InputMutation,
  input: Record<string, unknown>,
  as: As,
  code: string,
  field?: string[],
) {
  const before = await counts();
  const response = await server.op(query, { input }, as);
  expect(response.errors).toBeUndefined();
  const payload = Object.values(response.data!)[0] as {
    userErrors: { code: string; field: string[] | null }[];
  } & Record<string, unknown>;
  expect(payload.userErrors.map((e) => e.code)).toEqual([code]);
  if (field) expect(payload.userErrors[0].field).toEqual(field);
  for (const [key, value] of Object.entries(payload)) {
    if (key !== 'userErrors') expect(value).toBeNull();
  }
  expect(await counts()).toEqual(before);
}

async function forbidden(query: InputMutation, input: Record<string, unknown>, as: As) {
  const before = await counts();
  const response = await server.op(query, { input }, as);
  expect(response.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
  expect(response.data ?? null).toBeNull();
  expect(await counts()).toEqual(before);
}

async function succeeds(query: InputMutation, input: Record<string, unknown>, as: As) {
  const response = await server.op(query, { input }, as);
  expect(response.errors).toBeUndefined();
  const payload = Object.values(response.data!)[0] as Record<string, any>;
  expect(payload.userErrors).toEqual([]);
  return payload;
}

beforeAll(async () => {
  agency = await f.agency();
  client = await f.client(agency, { clientAccess: ClientAccessMode.EVERYONE_IN_AGENCY });
  selectedClient = await f.client(agency, { clientAccess: ClientAccessMode.SELECTED_USERS });
  archivedClient = await f.client(agency, {
    status: AccountStatus.ARCHIVED,
    archivedAt: new Date(),
  });
  otherClient = await f.client(await f.agency());
  premium = await f.premium();
  u.admin = await f.member(agency, Role.ADMIN);
  u.manager = await f.member(agency, Role.ACCOUNT_MANAGER);
  u.regular = await f.member(agency, Role.REGULAR);
  u.regular2 = await f.member(agency, Role.REGULAR);
  u.viewOnly = await f.member(agency, Role.VIEW_ONLY);
  u.clientUser = await f.member(client, Role.VIEW_ONLY);
  u.premiumRegular = await f.member(premium, Role.REGULAR);
  u.premiumViewOnly = await f.member(premium, Role.VIEW_ONLY);
  u.staff = await f.staff();

  token = await f.apiToken(agency, u.admin);
});

describe('who may create', () => {
  it.each([
    ['agency ADMIN', 'admin', () => client],
    ['agency ACCOUNT_MANAGER', 'manager', () => client],
    ['agency REGULAR', 'regular', () => client],
    ['premium REGULAR on its own account', 'premiumRegular', () => premium],
    ['staff', 'staff', () => otherClient],
  ])('%s creates items and reports and adds items', async (_label, who, accountOf) => {
    const account = accountOf();
    const item = await succeeds(
      CREATE_ITEM,
      { accountId: account.id, name: `  Line by ${who}  ` },
      u[who],
    );
    expect(item.item).toMatchObject({
      name: `Line by ${who}`,
      source: 'MANUAL',
      status: 'ACTIVE',
      account: { id: account.id },
    });
    const report = await succeeds(
      CREATE_REPORT,
      { accountId: account.id, name: `Report by ${who}`, itemIds: [item.item.id] },
      u[who],
    );
    expect(report.report).toMatchObject({
      name: `Report by ${who}`,
      visibility: 'ACCOUNT',
      archived: false,
      account: { id: account.id },
      createdBy: { id: u[who].id },
      items: { totalCount: 1, nodes: [{ id: item.item.id }] },
    });
    const second = await succeeds(
      CREATE_ITEM,
      { accountId: account.id, name: 'Second line' },
      u[who],
    );
    const added = await succeeds(
      ADD_ITEMS,
      { reportId: report.report.id, itemIds: [second.item.id, item.item.id] },
      u[who],
    );
    expect(added.report.items.totalCount).toBe(2);
    // The new report is listed for the creator at once.
    const listed = await server.op(TestReportIdDocument, { id: report.report.id }, u[who]);
    expect(listed.data!.report).toEqual({ id: report.report.id });
  });

  it.each([
    ['an agency VIEW_ONLY', () => u.viewOnly, () => client],
    ['a client’s own user', () => u.clientUser, () => client],
    ['a premium VIEW_ONLY', () => u.premiumViewOnly, () => premium],
    ['an API token (read-only, R18)', () => token, () => client],
  ])('%s gets FORBIDDEN', async (_label, who, accountOf) => {
    const account = accountOf();
    await forbidden(CREATE_ITEM, { accountId: account.id, name: 'x' }, who());
    await forbidden(CREATE_REPORT, { accountId: account.id, name: 'x' }, who());
    const report = await f.report(account);
    const item = await f.item(account);
    await forbidden(ADD_ITEMS, { reportId: report.id, itemIds: [item.id] }, who());
  });

  it('anonymous requests get UNAUTHENTICATED', async () => {
    const response = await server.op(CREATE_ITEM, {
      input: { accountId: client.id, name: 'x' },
    });
    expect(response.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('refusals as user errors', () => {
  it.each([
    ['another agency’s client', () => otherClient.id],
    ['a SELECTED client the user was not given', () => selectedClient.id],
    ['an unknown id', () => '00000000-0000-4000-8000-000000000000'],
    ['a malformed id', () => 'not-an-id'],
  ])('an invisible account (%s) is NOT_FOUND', async (_label, accountId) => {
    await refused(CREATE_ITEM, { accountId: accountId(), name: 'x' }, u.regular, 'NOT_FOUND', [
      'input',
      'accountId',
    ]);
    await refused(CREATE_REPORT, { accountId: accountId(), name: 'x' }, u.regular, 'NOT_FOUND', [
      'input',
      'accountId',
    ]);
  });

  it('an invisible report is NOT_FOUND for addReportItems', async () => {
    const hidden = await f.report(client, {
      visibility: ReportVisibility.RESTRICTED,
      createdById: u.admin.id,
    });
    const item = await f.item(client);
    await refused(ADD_ITEMS, { reportId: hidden.id, itemIds: [item.id] }, u.regular, 'NOT_FOUND', [
      'input',
      'reportId',
    ]);
    const foreign = await f.report(otherClient);
    await refused(ADD_ITEMS, { reportId: foreign.id, itemIds: [item.id] }, u.admin, 'NOT_FOUND', [
      'input',
      'reportId',
    ]);
    await refused(ADD_ITEMS, { reportId: 'nope', itemIds: [item.id] }, u.admin, 'NOT_FOUND', [
      'input',
      'reportId',
    ]);
  });

  it('an ARCHIVED account is ACCOUNT_ARCHIVED (R12)', async () => {
    await refused(
      CREATE_ITEM,
      { accountId: archivedClient.id, name: 'x' },
      u.admin,
      'ACCOUNT_ARCHIVED',
    );
    await refused(
      CREATE_REPORT,
      { accountId: archivedClient.id, name: 'x' },
      u.manager,
      'ACCOUNT_ARCHIVED',
    );
  });

  it('an archived report is REPORT_ARCHIVED (R11)', async () => {
    const archived = await f.report(archivedClient, { snapshot: [u.admin, u.regular] });
    const item = await f.item(archivedClient);
    await refused(
      ADD_ITEMS,
      { reportId: archived.id, itemIds: [item.id] },
      u.admin,
      'REPORT_ARCHIVED',
      ['input', 'reportId'],
    );
    await refused(
      ADD_ITEMS,
      { reportId: archived.id, itemIds: [item.id] },
      u.regular,
      'REPORT_ARCHIVED',
      ['input', 'reportId'],
    );
    // An archived report the viewer may not open does not exist for them.
    await refused(ADD_ITEMS, { reportId: archived.id, itemIds: [item.id] }, u.manager, 'NOT_FOUND');
    // On an active account too.
    const archivedOnActive = await f.report(client, { snapshot: [u.regular] });
    const activeItem = await f.item(client);
    await refused(
      ADD_ITEMS,
      { reportId: archivedOnActive.id, itemIds: [activeItem.id] },
      u.regular,
      'REPORT_ARCHIVED',
    );
  });

  it('an item of another account is INVALID_INPUT on itemIds', async () => {
    const foreignItem = await f.item(otherClient);
    const ownItem = await f.item(client);
    const siblingItem = await f.item(selectedClient);
    for (const itemIds of [[foreignItem.id], [ownItem.id, siblingItem.id], ['not-an-id']]) {
      await refused(
        CREATE_REPORT,
        { accountId: client.id, name: 'x', itemIds },
        u.regular,
        'INVALID_INPUT',
        ['input', 'itemIds'],
      );
    }
    const report = await f.report(client);
    await refused(
      ADD_ITEMS,
      { reportId: report.id, itemIds: [ownItem.id, foreignItem.id] },
      u.regular,
      'INVALID_INPUT',
      ['input', 'itemIds'],
    );
    await refused(ADD_ITEMS, { reportId: report.id, itemIds: [] }, u.regular, 'INVALID_INPUT', [
      'input',
      'itemIds',
    ]);
  });

  it.each([
    ['an empty', ''],
    ['a blank', '   '],
    ['a 201-character', 'x'.repeat(201)],
  ])('%s name is INVALID_INPUT on name', async (_label, name) => {
    await refused(CREATE_ITEM, { accountId: client.id, name }, u.regular, 'INVALID_INPUT', [
      'input',
      'name',
    ]);
    await refused(CREATE_REPORT, { accountId: client.id, name }, u.regular, 'INVALID_INPUT', [
      'input',
      'name',
    ]);
  });
});

describe('RESTRICTED reports with shares', () => {
  it('are visible to the creator, the users shared with and admins only', async () => {
    const payload = await succeeds(
      CREATE_REPORT,
      {
        accountId: client.id,
        name: 'Private',
        visibility: 'RESTRICTED',
        sharedWithUserIds: [u.viewOnly.id],
      },
      u.regular,
    );
    const id = payload.report.id;
    const sees = async (who: User) =>
      (await server.op(TestReportIdDocument, { id }, who)).data!.report !== null;
    expect(await sees(u.regular)).toBe(true);
    expect(await sees(u.viewOnly)).toBe(true);
    expect(await sees(u.admin)).toBe(true);
    expect(await sees(u.manager)).toBe(false);
    expect(await sees(u.regular2)).toBe(false);
    expect(await sees(u.clientUser)).toBe(false);
  });

  it('R27: the shares it is created with are audited as shareReport audits them, once', async () => {
    const shared = await succeeds(
      CREATE_REPORT,
      {
        accountId: client.id,
        name: 'Shared at birth',
        visibility: 'RESTRICTED',
        sharedWithUserIds: [u.viewOnly.id, u.regular2.id],
      },
      u.regular,
    );
    const unshared = await succeeds(
      CREATE_REPORT,
      { accountId: client.id, name: 'Kept to myself', visibility: 'RESTRICTED' },
      u.regular,
    );
    // The client's log, read by the agency ADMIN who acts for it (A1).
    const response = await server.op(AuditActionsByActorDocument, { id: client.id }, u.admin);
    expect(response.errors).toBeUndefined();
    const about = (reportId: string) =>
      (
        response.data!.auditEvents.nodes as {
          action: string;
          actor: { id: string };
          details: string;
        }[]
      )
        .map((e) => ({ action: e.action, actor: e.actor?.id, details: JSON.parse(e.details) }))
        .filter((e) => e.details.reportId === reportId);
    expect(about(shared.report.id)).toEqual([
      {
        action: 'REPORT_SHARED',
        actor: u.regular.id,
        details: { reportId: shared.report.id, userIds: [u.viewOnly.id, u.regular2.id] },
      },
    ]);
    expect(about(unshared.report.id)).toEqual([]);
  });

  it('cannot be shared with users who cannot see the account, nor can ACCOUNT reports be shared', async () => {
    const stranger = await f.member(await f.agency(), Role.ADMIN);
    await refused(
      CREATE_REPORT,
      {
        accountId: client.id,
        name: 'x',
        visibility: 'RESTRICTED',
        sharedWithUserIds: [stranger.id],
      },
      u.regular,
      'INVALID_INPUT',
      ['input', 'sharedWithUserIds'],
    );
    await refused(
      CREATE_REPORT,
      { accountId: client.id, name: 'x', sharedWithUserIds: [u.viewOnly.id] },
      u.regular,
      'INVALID_INPUT',
      ['input', 'sharedWithUserIds'],
    );
  });
});
