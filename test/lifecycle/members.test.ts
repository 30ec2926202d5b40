import {
  type Account,
  AccountStatus,
  ClientAccessMode,
  EmailOutbox,
  Membership,
  Role,
  type User,
} from '../../src/entities';
import {
  TestAccountMemberUsersDocument,
  TestAddMemberRevealedDocument,
  TestAddMemberDocument,
  TestAuditActionsDocument,
  TestChangeMemberRoleDocument,
  TestDeactivateUserDocument,
  TestRemoveMemberDocument,
  TestReportIdsDocument,
  TestViewerIdDocument,
} from '../generated/graphql';
import { In } from 'typeorm';
import { type As, useTestServer } from '../helpers/test-server';

/** R24, R27, I3: members join, change role, leave, and are deactivated — through the API. */
const { server, f } = useTestServer();

const codes = (r: { errors?: { extensions?: Record<string, unknown> }[] }) =>
  (r.errors ?? []).map((e) => e.extensions?.code);

async function agencyWorld() {
  const agency = await f.agency();
  const admin = await f.member(agency, Role.ADMIN);
  const manager = await f.member(agency, Role.ACCOUNT_MANAGER);
  const regular = await f.member(agency, Role.REGULAR);
  const client = await f.client(agency, { clientAccess: ClientAccessMode.EVERYONE_IN_AGENCY });
  const report = await f.report(client, { items: [await f.item(client)] });
  return { agency, admin, manager, regular, client, report };
}

const reportIds = async (as: As, archived = false) =>
  ((await server.op(TestReportIdsDocument, { archived }, as)).data?.reports.nodes ?? []).map(
    (r) => r.id,
  );

const remove = (account: Account, user: User, as: As) =>
  server.op(TestRemoveMemberDocument, { input: { accountId: account.id, userId: user.id } }, as);

/** Outbox rows addressed to these users (each test's users are its own). */
const outboxTo = (users: User[]) =>
  server.db
    .getRepository(EmailOutbox)
    .find({ where: { toAddress: In(users.map((u) => u.email)) }, order: { toAddress: 'ASC' } });

describe('R24: removeMember', () => {
  it('an ADMIN removes a member, who loses the account with the next request (I3)', async () => {
    const w = await agencyWorld();
    expect(await reportIds(w.regular)).toEqual([w.report.id]);
    const removed = await remove(w.agency, w.regular, w.admin);
    expect(removed.data!.removeMember).toEqual({ removedUserId: w.regular.id, userErrors: [] });
    expect(await reportIds(w.regular)).toEqual([]);
    expect(
      await server.db
        .getRepository(Membership)
        .countBy({ accountId: w.agency.id, userId: w.regular.id }),
    ).toBe(0);
    const audit = await server.op(TestAuditActionsDocument, { accountId: w.agency.id }, w.admin);
    const event = audit.data!.auditEvents.nodes.find((e) => e.action === 'MEMBER_REMOVED');
    expect(JSON.parse(event!.details)).toEqual({ userId: w.regular.id, role: 'REGULAR' });
  });

  it('I3: no read that starts after removeMember returned sees the agency’s reports', async () => {
    const w = await agencyWorld();
    let returnedAt = Number.POSITIVE_INFINITY;
    const reads: { startedAt: number; ids: string[] }[] = [];
    let stop = false;
    const reader = (async () => {
      while (!stop) {
        const startedAt = performance.now();
        reads.push({ startedAt, ids: await reportIds(w.regular) });
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const removed = await remove(w.agency, w.regular, w.admin);
    returnedAt = performance.now();
    expect(removed.data!.removeMember.userErrors).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 150));
    stop = true;
    await reader;
    const after = reads.filter((r) => r.startedAt > returnedAt);
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((r) => r.ids.length > 0)).toEqual([]);
  });

  it('LAST_ADMIN: the only ADMIN cannot be removed or demoted; nothing changes', async () => {
    const w = await agencyWorld();
    const staff = await f.staff();
    const last = await remove(w.agency, w.admin, staff);
    expect(last.data!.removeMember).toEqual({
      removedUserId: null,
      userErrors: [{ code: 'LAST_ADMIN', field: ['input', 'userId'] }],
    });
    const demoted = await server.op(
      TestChangeMemberRoleDocument,
      { input: { accountId: w.agency.id, userId: w.admin.id, role: Role.REGULAR } },
      w.admin,
    );
    expect(demoted.data!.changeMemberRole.userErrors).toEqual([
      { code: 'LAST_ADMIN', field: ['input', 'userId'] },
    ]);
    const membership = await server.db
      .getRepository(Membership)
      .findOneByOrFail({ accountId: w.agency.id, userId: w.admin.id });
    expect(membership.role).toBe(Role.ADMIN);
  });

  it('only an ADMIN acting for the account (or staff) may; others are FORBIDDEN or NOT_FOUND', async () => {
    const w = await agencyWorld();
    const outsider = await f.member(await f.agency(), Role.ADMIN);
    expect(codes(await remove(w.agency, w.regular, w.manager))).toEqual(['FORBIDDEN']);
    expect(codes(await remove(w.agency, w.regular, w.regular))).toEqual(['FORBIDDEN']);
    expect(codes(await remove(w.agency, w.regular, await f.apiToken(w.agency, w.admin)))).toEqual([
      'FORBIDDEN',
    ]);
    expect((await remove(w.agency, w.regular, outsider)).data!.removeMember.userErrors).toEqual([
      { code: 'NOT_FOUND', field: ['input', 'accountId'] },
    ]);
    expect((await remove(w.agency, outsider, w.admin)).data!.removeMember.userErrors).toEqual([
      { code: 'NOT_FOUND', field: ['input', 'userId'] },
    ]);
    expect(await server.db.getRepository(Membership).countBy({ accountId: w.agency.id })).toBe(3);
  });

  it('leaving the agency ends R16 access and client selections for good: re-adding brings nothing back', async () => {
    const w = await agencyWorld();
    const selected = await f.client(w.agency, { clientAccess: ClientAccessMode.SELECTED_USERS });
    await f.grant(selected, w.regular);
    const selectedReport = await f.report(selected);
    const archivedClient = await f.client(w.agency, {
      status: AccountStatus.ARCHIVED,
      archivedAt: new Date(),
    });
    const archived = await f.report(archivedClient, { snapshot: [w.regular, w.admin] });
    expect(await reportIds(w.regular, true)).toEqual([archived.id]);
    expect((await reportIds(w.regular)).sort()).toEqual([w.report.id, selectedReport.id].sort());

    expect((await remove(w.agency, w.regular, w.admin)).data!.removeMember.userErrors).toEqual([]);
    const readded = await server.op(
      TestAddMemberDocument,
      {
        input: { accountId: w.agency.id, email: w.regular.email, name: 'Back', role: Role.REGULAR },
      },
      w.admin,
    );
    expect(readded.data!.addMember.userErrors).toEqual([]);
    expect(await reportIds(w.regular, true)).toEqual([]);
    expect(await reportIds(w.regular)).toEqual([w.report.id]);
    // The admin who stayed keeps R16 access.
    expect(await reportIds(w.admin, true)).toEqual([archived.id]);
  });

  it('removing an ADMIN emails the remaining admins once; a REGULAR’s removal emails nobody', async () => {
    const w = await agencyWorld();
    const second = await f.member(w.agency, Role.ADMIN);
    const third = await f.member(w.agency, Role.ADMIN);
    await remove(w.agency, w.regular, w.admin);
    expect(await outboxTo([w.admin, second, third, w.regular])).toEqual([]);
    await remove(w.agency, third, w.admin);
    const sent = await outboxTo([w.admin, second, third, w.regular]);
    expect(sent.map((r) => r.toAddress).sort()).toEqual([w.admin.email, second.email].sort());
    expect(sent.map((r) => r.subject)).toEqual([
      `Handover: ${third.name} was removed as an ADMIN of ${w.agency.name}`,
      `Handover: ${third.name} was removed as an ADMIN of ${w.agency.name}`,
    ]);
  });
});

describe('R24: changeMemberRole', () => {
  it('an ADMIN changes a role; CLIENT users stay VIEW_ONLY (INVALID_INPUT)', async () => {
    const w = await agencyWorld();
    const changed = await server.op(
      TestChangeMemberRoleDocument,
      { input: { accountId: w.agency.id, userId: w.regular.id, role: Role.ACCOUNT_MANAGER } },
      w.admin,
    );
    expect(changed.data!.changeMemberRole).toEqual({
      membership: { role: 'ACCOUNT_MANAGER' },
      userErrors: [],
    });
    const clientUser = await f.member(w.client, Role.VIEW_ONLY);
    const refused = await server.op(
      TestChangeMemberRoleDocument,
      { input: { accountId: w.client.id, userId: clientUser.id, role: Role.REGULAR } },
      w.admin,
    );
    expect(refused.data!.changeMemberRole.userErrors).toEqual([
      { code: 'INVALID_INPUT', field: ['input', 'role'] },
    ]);
  });

  it('promoting to ADMIN writes MEMBER_ROLE_CHANGED and emails the admins', async () => {
    const w = await agencyWorld();
    await server.op(
      TestChangeMemberRoleDocument,
      { input: { accountId: w.agency.id, userId: w.manager.id, role: Role.ADMIN } },
      w.admin,
    );
    const audit = await server.op(TestAuditActionsDocument, { accountId: w.agency.id }, w.admin);
    expect(audit.data!.auditEvents.nodes.map((e) => e.action)).toContain('MEMBER_ROLE_CHANGED');
    const sent = await outboxTo([w.admin, w.manager, w.regular]);
    expect(sent.map((r) => r.toAddress).sort()).toEqual([w.admin.email, w.manager.email].sort());
  });
});

describe('R24: deactivateUser', () => {
  it('staff deactivate a user: their JWT and the API tokens they made stop at once', async () => {
    const w = await agencyWorld();
    const staff = await f.staff();
    // Another ADMIN keeps the agency administered (R24: no account is left without one).
    await f.member(w.agency, Role.ADMIN);
    const token = await f.apiToken(w.agency, w.admin);
    expect(codes(await server.op(TestViewerIdDocument, {}, token))).toEqual([]);
    expect(
      codes(await server.op(TestDeactivateUserDocument, { userId: w.admin.id }, w.manager)),
    ).toEqual(['FORBIDDEN']);
    const done = await server.op(TestDeactivateUserDocument, { userId: w.admin.id }, staff);
    expect(done.data!.deactivateUser).toEqual({
      user: { id: w.admin.id, active: false },
      userErrors: [],
    });
    expect(codes(await server.op(TestViewerIdDocument, {}, w.admin))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await server.op(TestViewerIdDocument, {}, token))).toEqual(['UNAUTHENTICATED']);
  });

  it("issue 30 #9: deactivating an account's only active ADMIN is LAST_ADMIN, and nothing changes", async () => {
    const w = await agencyWorld();
    const staff = await f.staff();
    const premium = await f.premium({ name: 'Lonely Brand' });
    const only = await f.member(premium, Role.ADMIN);
    const done = await server.op(TestDeactivateUserDocument, { userId: only.id }, staff);
    expect(done.data!.deactivateUser).toEqual({
      user: null,
      userErrors: [{ code: 'LAST_ADMIN', field: ['userId'] }],
    });
    expect(codes(await server.op(TestViewerIdDocument, {}, only))).toEqual([]);
    // A deactivated second ADMIN does not count: the first stays the last active one.
    const second = await f.member(premium, Role.ADMIN);
    await server.db.query(`UPDATE users SET active = false WHERE id = $1`, [second.id]);
    const again = await server.op(TestDeactivateUserDocument, { userId: only.id }, staff);
    expect(again.data!.deactivateUser.userErrors).toEqual([
      { code: 'LAST_ADMIN', field: ['userId'] },
    ]);
    void w;
  });
});

describe('R24, A3: addMember reveals nothing the caller did not give', () => {
  const add = (account: Account, email: string, as: User) =>
    server.op(
      TestAddMemberRevealedDocument,
      { input: { accountId: account.id, email, name: 'Typed By The Admin', role: Role.REGULAR } },
      as,
    );

  it('staff, a user of another organization and a deactivated user get one answer; nothing changes', async () => {
    const w = await agencyWorld();
    const staff = await f.staff();
    const foreign = await f.member(await f.premium(), Role.ADMIN);
    const gone = await f.user({ organizationId: w.agency.organizationId, active: false });
    const before = await server.db.query(
      `SELECT (SELECT count(*)::int FROM memberships WHERE account_id = $1) AS members,
              (SELECT count(*)::int FROM users) AS users,
              (SELECT count(*)::int FROM audit_events WHERE account_id = $1) AS events`,
      [w.agency.id],
    );
    const answers = [];
    for (const email of [staff.email, foreign.email, gone.email]) {
      answers.push((await add(w.agency, email, w.admin)).data!.addMember);
    }
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
    expect(answers).toEqual([neutral, neutral, neutral]);
    expect(
      await server.db.query(
        `SELECT (SELECT count(*)::int FROM memberships WHERE account_id = $1) AS members,
                (SELECT count(*)::int FROM users) AS users,
                (SELECT count(*)::int FROM audit_events WHERE account_id = $1) AS events`,
        [w.agency.id],
      ),
    ).toEqual(before);
  });

  it('a colleague of the same organization is added; the answer is the member the ADMIN now lists', async () => {
    const w = await agencyWorld();
    const colleague = await f.user({
      organizationId: w.agency.organizationId,
      name: 'Stored Name',
    });
    const added = await add(w.agency, colleague.email.toUpperCase(), w.admin);
    expect(added.data!.addMember).toEqual({
      membership: {
        role: 'REGULAR',
        user: { id: colleague.id, name: 'Stored Name', email: colleague.email, isStaff: false },
      },
      userErrors: [],
    });
    // Exactly what the account's member list shows that ADMIN from now on.
    const members = await server.op(TestAccountMemberUsersDocument, { id: w.agency.id }, w.admin);
    expect(members.data!.account!.members.map((m: { user: unknown }) => m.user)).toContainEqual(
      added.data!.addMember.membership!.user,
    );
    const fresh = `new-${colleague.id.slice(0, 8)}@example.test`;
    const created = await add(w.agency, fresh, w.admin);
    expect(created.data!.addMember.membership!.user).toMatchObject({
      name: 'Typed By The Admin',
      email: fresh,
      isStaff: false,
    });
    const [row] = await server.db.query(`SELECT organization_id FROM users WHERE email = $1`, [
      fresh,
    ]);
    expect(row.organization_id).toBe(w.agency.organizationId);
  });
});

describe('R24: deactivateUser leaves no account without an ADMIN', () => {
  const deactivate = (user: User, as: User) =>
    server.op(TestDeactivateUserDocument, { userId: user.id }, as);
  const deactivationsOn = async (accountId: string) =>
    (
      await server.db.query(
        `SELECT details->>'userId' AS "userId" FROM audit_events
          WHERE action = 'USER_DEACTIVATED' AND account_id = $1`,
        [accountId],
      )
    ).map((row: { userId: string }) => row.userId);

  it('the last active ADMIN of any one of their accounts: LAST_ADMIN, and nothing changes', async () => {
    const staff = await f.staff();
    const agency = await f.agency();
    const premium = await f.premium({ organizationId: agency.organizationId });
    const both = await f.member(agency, Role.ADMIN);
    await f.member(agency, Role.ADMIN);
    await f.membership(both, premium, Role.ADMIN);
    const token = await f.apiToken(agency, both);
    const refused = await deactivate(both, staff);
    expect(refused.data!.deactivateUser).toEqual({
      user: null,
      userErrors: [{ code: 'LAST_ADMIN', field: ['userId'] }],
    });
    expect(codes(await server.op(TestViewerIdDocument, {}, both))).toEqual([]);
    expect(codes(await server.op(TestViewerIdDocument, {}, token))).toEqual([]);
    expect(await deactivationsOn(agency.id)).toEqual([]);
    expect(await deactivationsOn(premium.id)).toEqual([]);

    // With a second ADMIN on the premium the deactivation goes through, audited on both.
    await f.member(premium, Role.ADMIN);
    const done = await deactivate(both, staff);
    expect(done.data!.deactivateUser).toEqual({
      user: { id: both.id, active: false },
      userErrors: [],
    });
    expect(await deactivationsOn(agency.id)).toEqual([both.id]);
    expect(await deactivationsOn(premium.id)).toEqual([both.id]);
  });

  it("a CLIENT needs no ADMIN of its own: the brand's only user is deactivated", async () => {
    const w = await agencyWorld();
    const staff = await f.staff();
    const brand = await f.member(w.client, Role.VIEW_ONLY);
    const done = await deactivate(brand, staff);
    expect(done.data!.deactivateUser).toEqual({
      user: { id: brand.id, active: false },
      userErrors: [],
    });
    // The agency's ADMIN, who acts for the client, reads it on the client's log.
    const audit = await server.op(TestAuditActionsDocument, { accountId: w.client.id }, w.admin);
    expect(
      audit
        .data!.auditEvents.nodes.filter((e) => e.action === 'USER_DEACTIVATED')
        .map((e) => JSON.parse(e.details)),
    ).toEqual([{ userId: brand.id }]);
  });
});
