import {
  AccountStatus,
  Membership,
  Report,
  ReportStatus,
  Role,
  type User,
} from '../../src/entities';
import {
  TestAddMemberDocument,
  TestDeactivateUserDocument,
  TestDeleteReportDocument,
  TestRemoveMemberDocument,
} from '../generated/graphql';
import { ops } from '../disconnection/helpers';
import { authorityOps as M } from '../helpers/authority-operations';
import { factories, type Factories } from '../helpers/factories';
import { inFlight, untilLockWait } from '../helpers/races';
import { pgOnly } from '../helpers/requirements';
import { startTestServer, type TestServer } from '../helpers/test-server';

/**
 * R24, R25 under concurrency (PostgreSQL: the embedded database runs one transaction at a time).
 * Where a race is too narrow to hit by chance, another request's transaction is held open half-way
 * on its own connection (`inFlight`) and committed while the request under test waits or answers.
 */

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
        server.op(M.addReportItems, { input: { reportId: report.id, itemIds: [item.id] } }, admin),
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

pgOnly('deactivateUser racing member changes, additions and conversions (R24 LAST_ADMIN)', () => {
  let server: TestServer;
  let f: Factories;
  let staff: User;
  beforeAll(async () => {
    server = await startTestServer();
    f = factories(server.db);
    staff = await f.staff();
  });
  afterAll(() => server.stop());

  const deactivate = (user: User) =>
    server.op(TestDeactivateUserDocument, { userId: user.id }, staff);
  const activeAdmins = async (accountId: string) =>
    (
      await server.db.query(
        `SELECT count(*)::int AS n FROM memberships m JOIN users u ON u.id = m.user_id
          WHERE m.account_id = $1 AND m.role = 'ADMIN' AND u.active`,
        [accountId],
      )
    )[0].n as number;

  const deactivation = (user: User) =>
    inFlight(server.db, [
      ['SELECT id FROM users WHERE id = $1 FOR UPDATE', [user.id]],
      ['UPDATE users SET active = false WHERE id = $1', [user.id]],
    ]);

  it("two deactivations of a premium's two ADMINs at once: exactly one LAST_ADMIN", async () => {
    for (let round = 0; round < 10; round += 1) {
      const premium = await f.premium();
      const [a, b] = [await f.member(premium, Role.ADMIN), await f.member(premium, Role.ADMIN)];
      const answers = await Promise.all([deactivate(a), deactivate(b)]);
      expect(answers.map((r) => r.errors)).toEqual([undefined, undefined]);
      const codes = answers.flatMap((r) => r.data!.deactivateUser.userErrors.map((e) => e.code));
      expect(codes).toEqual(['LAST_ADMIN']);
      expect(await activeAdmins(premium.id)).toBe(1);
    }
  });

  it('deactivating one ADMIN while the other is removed: exactly one wins', async () => {
    for (let round = 0; round < 10; round += 1) {
      const premium = await f.premium();
      const [a, b] = [await f.member(premium, Role.ADMIN), await f.member(premium, Role.ADMIN)];
      const [deactivated, removed] = await Promise.all([
        deactivate(a),
        server.op(
          TestRemoveMemberDocument,
          { input: { accountId: premium.id, userId: b.id } },
          staff,
        ),
      ]);
      const codes = [
        ...deactivated.data!.deactivateUser.userErrors,
        ...removed.data!.removeMember.userErrors,
      ].map((e) => e.code);
      expect(codes).toEqual(['LAST_ADMIN']);
      expect(await activeAdmins(premium.id)).toBe(1);
    }
  });

  it('a hand-over to the user being deactivated, committing meanwhile: the deactivation waits and answers LAST_ADMIN', async () => {
    const premium = await f.premium();
    const outgoing = await f.member(premium, Role.ADMIN);
    const incoming = await f.member(premium, Role.REGULAR);
    // Promote the REGULAR, then demote the old ADMIN (two changeMemberRole calls that both
    // commit while the deactivation runs), held open on the account row as they hold it.
    const handOver = await inFlight(server.db, [
      ['SELECT id FROM accounts WHERE id = $1 FOR UPDATE', [premium.id]],
      [
        `UPDATE memberships SET role = 'ADMIN' WHERE account_id = $1 AND user_id = $2`,
        [premium.id, incoming.id],
      ],
      [
        `UPDATE memberships SET role = 'REGULAR' WHERE account_id = $1 AND user_id = $2`,
        [premium.id, outgoing.id],
      ],
    ]);
    const pending = deactivate(incoming);
    await untilLockWait(server.db, pending);
    await handOver.commit();
    expect((await pending).data!.deactivateUser).toEqual({
      user: null,
      userErrors: [{ code: 'LAST_ADMIN', field: ['userId'] }],
    });
    expect(await activeAdmins(premium.id)).toBe(1);
  });

  it('convertClientToPremium naming a user whose deactivation is in flight: INVALID_INPUT, still a CLIENT', async () => {
    const agency = await f.agency();
    const client = await f.client(agency);
    const brand = await f.member(client, Role.VIEW_ONLY);
    const leaving = await deactivation(brand);
    const pending = server.op(
      ops.convertClientToPremium,
      { input: { clientAccountId: client.id, contractReference: 'C-race', adminUserId: brand.id } },
      staff,
    );
    await untilLockWait(server.db, pending);
    await leaving.commit();
    expect((await pending).data!.convertClientToPremium.userErrors).toEqual([
      expect.objectContaining({ code: 'INVALID_INPUT', field: ['input', 'adminUserId'] }),
    ]);
    const [row] = await server.db.query(`SELECT type FROM accounts WHERE id = $1`, [client.id]);
    expect(row.type).toBe('CLIENT');
    const [membership] = await server.db.query(
      `SELECT role FROM memberships WHERE account_id = $1 AND user_id = $2`,
      [client.id, brand.id],
    );
    expect(membership.role).toBe(Role.VIEW_ONLY);
  });

  it('convertClientToPremium racing deactivateUser of the named user: never both', async () => {
    for (let round = 0; round < 10; round += 1) {
      const agency = await f.agency();
      const client = await f.client(agency);
      const brand = await f.member(client, Role.VIEW_ONLY);
      const [converted, deactivated] = await Promise.all([
        server.op(
          ops.convertClientToPremium,
          {
            input: { clientAccountId: client.id, contractReference: 'C-r', adminUserId: brand.id },
          },
          staff,
        ),
        deactivate(brand),
      ]);
      expect([converted.errors, deactivated.errors]).toEqual([undefined, undefined]);
      const codes = [
        ...converted.data!.convertClientToPremium.userErrors,
        ...deactivated.data!.deactivateUser.userErrors,
      ].map((e) => e.code);
      expect([['INVALID_INPUT'], ['LAST_ADMIN']]).toContainEqual(codes);
      const [row] = await server.db.query(`SELECT type FROM accounts WHERE id = $1`, [client.id]);
      if (row.type === 'PREMIUM_CLIENT') expect(await activeAdmins(client.id)).toBe(1);
    }
  });

  it('addMember of a user whose deactivation is in flight: the neutral refusal, no membership', async () => {
    const agency = await f.agency();
    const admin = await f.member(agency, Role.ADMIN);
    const colleague = await f.user({ organizationId: agency.organizationId });
    const leaving = await deactivation(colleague);
    const pending = server.op(
      TestAddMemberDocument,
      {
        input: { accountId: agency.id, email: colleague.email, name: 'C', role: Role.ADMIN },
      },
      admin,
    );
    await untilLockWait(server.db, pending);
    await leaving.commit();
    expect((await pending).data!.addMember).toEqual({
      membership: null,
      userErrors: [
        {
          code: 'INVALID_STATE',
          message: 'This email cannot be added to this account',
          field: ['input', 'email'],
        },
      ],
    });
    expect(await server.db.getRepository(Membership).countBy({ userId: colleague.id })).toBe(0);
  });
});
