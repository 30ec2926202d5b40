import { AccountStatus, Membership, Report, ReportStatus, Role } from '../../src/entities';
import { TestDeleteReportDocument, TestRemoveMemberDocument } from '../generated/graphql';
import { ops } from '../disconnection/helpers';
import { factories, type Factories } from '../helpers/factories';
import { usingPostgres } from '../helpers/test-database';
import { startTestServer, type TestServer } from '../helpers/test-server';

/**
 * R24, R25 under concurrency (PostgreSQL: the embedded database runs one transaction at a time).
 */
const pgOnly = usingPostgres() ? describe : describe.skip;

pgOnly('member and report changes racing each other and disconnections', () => {
  let server: TestServer;
  let f: Factories;
  beforeAll(async () => {
    server = await startTestServer();
    f = factories(server.db);
  });
  afterAll(() => server.stop());

  it('two removals of the last two ADMINs at once: exactly one wins, one LAST_ADMIN', async () => {
    const staff = await f.staff();
    for (let round = 0; round < 10; round += 1) {
      const agency = await f.agency();
      const [a, b] = [await f.member(agency, Role.ADMIN), await f.member(agency, Role.ADMIN)];
      const answers = await Promise.all(
        [a, b].map((user) =>
          server.op(
            TestRemoveMemberDocument,
            { input: { accountId: agency.id, userId: user.id } },
            staff,
          ),
        ),
      );
      const codes = answers.flatMap((r) => r.data!.removeMember.userErrors.map((e) => e.code));
      expect(codes).toEqual(['LAST_ADMIN']);
      expect(
        await server.db
          .getRepository(Membership)
          .countBy({ accountId: agency.id, role: Role.ADMIN }),
      ).toBe(1);
    }
  });

  it('two admins removing each other: one wins, the loser is refused with a code, one ADMIN is left', async () => {
    for (let round = 0; round < 10; round += 1) {
      const agency = await f.agency();
      const [a, b] = [await f.member(agency, Role.ADMIN), await f.member(agency, Role.ADMIN)];
      const answers = await Promise.all([
        server.op(TestRemoveMemberDocument, { input: { accountId: agency.id, userId: b.id } }, a),
        server.op(TestRemoveMemberDocument, { input: { accountId: agency.id, userId: a.id } }, b),
      ]);
      const outcomes = answers.map(
        (r) => r.errors?.[0]?.extensions?.code ?? r.data!.removeMember.userErrors[0]?.code ?? 'ok',
      );
      expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1);
      expect(['LAST_ADMIN', 'NOT_FOUND', 'FORBIDDEN']).toContain(outcomes.find((o) => o !== 'ok'));
      expect(
        await server.db
          .getRepository(Membership)
          .countBy({ accountId: agency.id, role: Role.ADMIN }),
      ).toBe(1);
    }
  });

  it('removeMember racing disconnectClient: the removed user never keeps R16 rows for the agency', async () => {
    for (let round = 0; round < 10; round += 1) {
      const agency = await f.agency();
      const admin = await f.member(agency, Role.ADMIN);
      const leaving = await f.member(agency, Role.REGULAR);
      const client = await f.client(agency);
      await f.report(client, { items: [await f.item(client)] });
      const [removed, disconnected] = await Promise.all([
        server.op(
          TestRemoveMemberDocument,
          { input: { accountId: agency.id, userId: leaving.id } },
          admin,
        ),
        server.op(ops.disconnectClient, { id: client.id }, admin),
      ]);
      expect(removed.data!.removeMember.userErrors).toEqual([]);
      expect(disconnected.data!.disconnectClient.userErrors).toEqual([]);
      const [{ count }] = await server.db.query(
        `SELECT (SELECT count(*) FROM archived_report_access WHERE user_id = $1)::int
              + (SELECT count(*) FROM archived_account_access WHERE user_id = $1)::int AS count`,
        [leaving.id],
      );
      expect(count).toBe(0);
      const [{ kept }] = await server.db.query(
        `SELECT (SELECT count(*) FROM archived_report_access WHERE user_id = $1)::int
              + (SELECT count(*) FROM archived_account_access WHERE user_id = $1)::int AS kept`,
        [admin.id],
      );
      expect(kept).toBe(1);
    }
  });

  it('deleteReport racing disconnectClient: the report is deleted or archived, never both, never lost silently', async () => {
    const outcomes: string[] = [];
    for (let round = 0; round < 10; round += 1) {
      const agency = await f.agency();
      const admin = await f.member(agency, Role.ADMIN);
      const client = await f.client(agency);
      const report = await f.report(client, { createdById: admin.id });
      const [deleted, disconnected] = await Promise.all([
        server.op(TestDeleteReportDocument, { reportId: report.id }, admin),
        server.op(ops.disconnectClient, { id: client.id }, admin),
      ]);
      expect(disconnected.data!.disconnectClient.account?.status).toBe(AccountStatus.ARCHIVED);
      const row = await server.db.getRepository(Report).findOneBy({ id: report.id });
      const answer = deleted.data!.deleteReport;
      if (answer.deletedReportId) {
        expect(answer.userErrors).toEqual([]);
        expect(row).toBeNull();
        outcomes.push('deleted');
      } else {
        expect(answer.userErrors).toEqual([{ code: 'REPORT_ARCHIVED', field: ['reportId'] }]);
        expect(row!.status).toBe(ReportStatus.ARCHIVED);
        outcomes.push('archived');
      }
    }
    expect(outcomes).toHaveLength(10);
  });

  it('addReportItems racing deleteReport: the items land before the delete or NOT_FOUND, never an internal error', async () => {
    const outcomes: string[] = [];
    for (let round = 0; round < 10; round += 1) {
      const agency = await f.agency();
      const admin = await f.member(agency, Role.ADMIN);
      const client = await f.client(agency);
      const item = await f.item(client);
      const report = await f.report(client, { createdById: admin.id });
      const [added, deleted] = await Promise.all([
        server.gql(
          `mutation($input: AddReportItemsInput!) { addReportItems(input: $input) { report { id } userErrors { code } } }`,
          { input: { reportId: report.id, itemIds: [item.id] } },
          admin,
        ),
        server.op(TestDeleteReportDocument, { reportId: report.id }, admin),
      ]);
      expect(added.errors).toBeUndefined();
      expect(deleted.data!.deleteReport.userErrors).toEqual([]);
      const codes = added.data!.addReportItems.userErrors.map((e: { code: string }) => e.code);
      expect([[], ['NOT_FOUND']]).toContainEqual(codes);
      outcomes.push(codes.length ? 'not found' : 'added first');
    }
    expect(outcomes).toHaveLength(10);
  });
});
