/**
 * R16 through the real snapshot function: reports are created through the API by the users
 * themselves, then the client is archived the way the disconnection does it —
 * `archiveReportsOfAccount` and the account's status in one transaction — and access to the
 * archived reports is read back through the API.
 */
import {
  AccountStatus,
  ClientAccessMode,
  ReportVisibility,
  Role,
  type Account,
  type Report,
  type User,
} from '../../src/entities';
import { archiveReportsOfAccount } from '../../src/services/report.service';
import { useTestServer } from '../helpers/test-server';

const { server, f } = useTestServer();
let agency: Account;
let client: Account;
let otherClient: Account;
const u: Record<string, User> = {};
let accountReport: string;
let restrictedReport: string;
let untouchedReport: Report;
let archivedCount: number;

async function ok<T = any>(query: string, variables: Record<string, unknown>, as: User) {
  const response = await server.gql<T>(query, variables, as);
  expect(response.errors).toBeUndefined();
  return response.data!;
}

const CREATE_REPORT = `mutation($input: CreateReportInput!) {
  createReport(input: $input) { report { id visibility } userErrors { code message field } } }`;

async function createReport(as: User, input: Record<string, unknown>) {
  const data = await ok(CREATE_REPORT, { input: { accountId: client.id, ...input } }, as);
  expect(data.createReport.userErrors).toEqual([]);
  return data.createReport.report.id as string;
}

async function archiveClient(accountId: string) {
  return server.db.transaction(async (em) => {
    const count = await archiveReportsOfAccount(em, accountId);
    await em.query(`UPDATE accounts SET status = 'ARCHIVED', archived_at = now() WHERE id = $1`, [
      accountId,
    ]);
    return count;
  });
}

/** What `who` can open of `reportId`, on every read path. */
async function opens(who: User, reportId: string) {
  const data = await ok(
    `query($id: ID!) {
       report(id: $id) { id archived items { totalCount nodes { id } } }
       node(id: $id) { id }
       reports(filter: { archived: true }, first: 100) { nodes { id } }
       active: reports(first: 100) { nodes { id } } }`,
    { id: reportId },
    who,
  );
  const byId = data.report?.id === reportId;
  expect(data.node?.id === reportId).toBe(byId);
  const listed = data.reports.nodes.some((n: { id: string }) => n.id === reportId);
  expect(listed).toBe(byId);
  expect(data.active.nodes.some((n: { id: string }) => n.id === reportId)).toBe(false);
  if (byId) expect(data.report.archived).toBe(true);
  return byId;
}

beforeAll(async () => {
  agency = await f.agency();
  client = await f.client(agency, { clientAccess: ClientAccessMode.SELECTED_USERS });
  otherClient = await f.client(agency, { clientAccess: ClientAccessMode.EVERYONE_IN_AGENCY });
  u.admin = await f.member(agency, Role.ADMIN);
  u.manager = await f.member(agency, Role.ACCOUNT_MANAGER);
  u.creator = await f.member(agency, Role.REGULAR);
  u.sharee = await f.member(agency, Role.VIEW_ONLY);
  u.bystander = await f.member(agency, Role.REGULAR);
  u.leaver = await f.member(agency, Role.REGULAR);
  u.outsider = await f.member(agency, Role.REGULAR); // no grant: never reached the client
  u.inactive = await f.member(agency, Role.REGULAR, { active: false });
  u.clientUser = await f.member(client, Role.VIEW_ONLY);
  u.otherAgencyAdmin = await f.member(await f.agency(), Role.ADMIN);
  u.staff = await f.staff();
  for (const who of ['manager', 'creator', 'sharee', 'bystander', 'leaver', 'inactive']) {
    await f.grant(client, u[who]);
  }

  const itemData = await ok(
    `mutation($input: CreateReportingItemInput!) {
       createReportingItem(input: $input) { item { id } userErrors { code } } }`,
    { input: { accountId: client.id, name: 'Campaign line' } },
    u.creator,
  );
  const itemId = itemData.createReportingItem.item.id;
  accountReport = await createReport(u.creator, { name: 'For the account', itemIds: [itemId] });
  restrictedReport = await createReport(u.creator, {
    name: 'Restricted',
    visibility: 'RESTRICTED',
    sharedWithUserIds: [u.sharee.id],
    itemIds: [itemId],
  });
  untouchedReport = await f.report(otherClient);

  archivedCount = await archiveClient(client.id);

  // After the archiving: the agency hires a new ADMIN, and the client user is still a member.
  u.lateAdmin = await f.member(agency, Role.ADMIN);
  u.lateManager = await f.member(agency, Role.ACCOUNT_MANAGER);
  await f.grant(client, u.lateManager);
});

describe('R16: archived-report access is the access at archiving time', () => {
  it('archives every active report of the client, and only those', async () => {
    expect(archivedCount).toBe(2);
    const rows: { id: string; status: string }[] = await server.db.query(
      `SELECT id, status FROM reports WHERE id = ANY($1::uuid[])`,
      [[accountReport, restrictedReport, untouchedReport.id]],
    );
    const status = Object.fromEntries(rows.map((r) => [r.id, r.status]));
    expect(status).toEqual({
      [accountReport]: 'ARCHIVED',
      [restrictedReport]: 'ARCHIVED',
      [untouchedReport.id]: 'ACTIVE',
    });
  });

  it.each([
    ['the agency ADMIN', 'admin'],
    ['a granted ACCOUNT_MANAGER', 'manager'],
    ['the creator', 'creator'],
    ['a granted VIEW_ONLY', 'sharee'],
    ['a granted REGULAR', 'bystander'],
    ['staff', 'staff'],
  ])('%s, who could open the ACCOUNT report before, keeps it', async (_label, who) => {
    expect(await opens(u[who], accountReport)).toBe(true);
  });

  it.each([
    ['an agency user who never reached the client', 'outsider'],
    ['the client’s own user (R15)', 'clientUser'],
    ['an ADMIN who joined the agency afterwards', 'lateAdmin'],
    ['a manager granted the client afterwards', 'lateManager'],
    ['a user who was deactivated at archiving time', 'inactive'],
    ['another agency’s ADMIN', 'otherAgencyAdmin'],
  ])('%s does not get it', async (_label, who) => {
    if (who === 'inactive') {
      await server.db.query(`UPDATE users SET active = true WHERE id = $1`, [u.inactive.id]);
    }
    expect(await opens(u[who], accountReport)).toBe(false);
    expect(await opens(u[who], restrictedReport)).toBe(false);
  });

  it('a RESTRICTED report stays with its creator, its share recipient and admins', async () => {
    expect(await opens(u.creator, restrictedReport)).toBe(true);
    expect(await opens(u.sharee, restrictedReport)).toBe(true);
    expect(await opens(u.admin, restrictedReport)).toBe(true);
    expect(await opens(u.manager, restrictedReport)).toBe(false);
    expect(await opens(u.bystander, restrictedReport)).toBe(false);
  });

  it('archived reports stay readable with their items', async () => {
    const data = await ok(
      `query($id: ID!) { report(id: $id) { name archived archivedAt items { totalCount } } }`,
      { id: accountReport },
      u.bystander,
    );
    expect(data.report).toMatchObject({ name: 'For the account', archived: true });
    expect(data.report.archivedAt).toEqual(expect.any(String));
    expect(data.report.items.totalCount).toBe(1);
  });

  it('losing the client grant afterwards changes nothing; leaving the agency removes access', async () => {
    await server.db.query(
      `DELETE FROM client_access_grants WHERE account_id = $1 AND user_id = $2`,
      [client.id, u.bystander.id],
    );
    expect(await opens(u.bystander, accountReport)).toBe(true);

    expect(await opens(u.leaver, accountReport)).toBe(true);
    await server.db.query(`DELETE FROM memberships WHERE user_id = $1 AND account_id = $2`, [
      u.leaver.id,
      agency.id,
    ]);
    expect(await opens(u.leaver, accountReport)).toBe(false);
  });

  it('repeating the archiving records nobody new', async () => {
    const before: { n: string }[] = await server.db.query(
      `SELECT (SELECT COUNT(*) FROM archived_report_access WHERE report_id = ANY($1::uuid[]))
            + (SELECT COUNT(*) FROM archived_account_access WHERE account_id = $2) AS n`,
      [[accountReport, restrictedReport], client.id],
    );
    expect(await archiveClient(client.id)).toBe(0);
    const after: { n: string }[] = await server.db.query(
      `SELECT (SELECT COUNT(*) FROM archived_report_access WHERE report_id = ANY($1::uuid[]))
            + (SELECT COUNT(*) FROM archived_account_access WHERE account_id = $2) AS n`,
      [[accountReport, restrictedReport], client.id],
    );
    expect(after[0].n).toBe(before[0].n);
    expect(await opens(u.lateAdmin, accountReport)).toBe(false);
    const account = await server.db.query(`SELECT status FROM accounts WHERE id = $1`, [client.id]);
    expect(account[0].status).toBe(AccountStatus.ARCHIVED);
  });

  it('a report shared with a user who could not reach the account is not recorded for them', async () => {
    // The share survives only on paper: the user never could open it (no grant), so no access.
    const c = await f.client(agency, { clientAccess: ClientAccessMode.SELECTED_USERS });
    const r = await f.report(c, {
      visibility: ReportVisibility.RESTRICTED,
      createdById: u.admin.id,
      sharedWith: [u.outsider],
    });
    expect(await archiveClient(c.id)).toBe(1);
    expect(await opens(u.outsider, r.id)).toBe(false);
    expect(await opens(u.admin, r.id)).toBe(true);
  });
  it('the disconnectClient mutation records the same access (end to end)', async () => {
    const c = await f.client(agency, { clientAccess: ClientAccessMode.SELECTED_USERS });
    const granted = await f.member(agency, Role.REGULAR);
    const notGranted = await f.member(agency, Role.REGULAR);
    await f.grant(c, granted);
    const reportId = (
      await ok(
        CREATE_REPORT,
        { input: { accountId: c.id, name: 'Before the disconnection' } },
        granted,
      )
    ).createReport.report.id as string;
    const response = await ok(
      `mutation($id: ID!) { disconnectClient(clientAccountId: $id) {
         account { status } userErrors { code } } }`,
      { id: c.id },
      u.admin,
    );
    expect(response.disconnectClient).toMatchObject({
      account: { status: 'ARCHIVED' },
      userErrors: [],
    });
    const later = await f.member(agency, Role.ADMIN);
    expect(await opens(granted, reportId)).toBe(true);
    expect(await opens(u.admin, reportId)).toBe(true);
    expect(await opens(notGranted, reportId)).toBe(false);
    expect(await opens(later, reportId)).toBe(false);
  });
});
