import {
  DisconnectionClientsOfDocument,
  DisconnectionCreateReportingItemDocument,
  TestViewerIdDocument,
} from '../generated/graphql';
import { Like } from 'typeorm';
import {
  AccountStatus,
  ClientAccessGrant,
  ClientAccessMode,
  EmailOutbox,
  IntegrationMapping,
  ItemStatus,
  Membership,
  MappingStatus,
  Organization,
  Product,
  Report,
  ReportingItem,
  ReportStatus,
  ReportVisibility,
  Role,
  User,
  type Account,
} from '../../src/entities';
import { useTestServer } from '../helpers/test-server';
import { agencyWithStaff, call, errorCodes, ids, ops } from './helpers';

const { server, f } = useTestServer();
let staff: User;

beforeAll(async () => {
  staff = await f.staff();
});

/**
 * An agency with staff of every role and a SELECTED_USERS client (the manager and one regular
 * user selected; the other regular and view-only users not): the
 * brand's own VIEW_ONLY user, two reports (one RESTRICTED), three items, an agency integration
 * with one advertiser mapped to the client and one to another client.
 */
async function clientWorld(o: { access?: ClientAccessMode } = {}) {
  const staffOf = await agencyWithStaff(f);
  const { agency } = staffOf;
  const selected = await f.member(agency, Role.REGULAR);
  const client = await f.client(agency, {
    clientAccess: o.access ?? ClientAccessMode.SELECTED_USERS,
  });
  await f.grant(client, selected);
  await f.grant(client, staffOf.manager);
  const brandUser = await f.member(client, Role.VIEW_ONLY);
  const otherClient = await f.client(agency);
  const items = [await f.item(client), await f.item(client), await f.item(client)];
  const open = await f.report(client, { items });
  const restricted = await f.report(client, {
    items: [items[0]],
    visibility: ReportVisibility.RESTRICTED,
    createdById: selected.id,
  });
  const integration = await f.integration(agency, { name: 'CM360' });
  const mapping = await f.mapping(integration, client);
  const otherMapping = await f.mapping(integration, otherClient);
  return {
    ...staffOf,
    selected,
    client,
    brandUser,
    otherClient,
    items,
    open,
    restricted,
    mapping,
    otherMapping,
  };
}

const disconnect = (client: Account, as: User) =>
  call(server, ops.disconnectClient, { id: client.id }, as);
const preview = (client: Account, as: User) =>
  call(server, ops.disconnectClientPreview, { id: client.id }, as);

describe('R9–R15: an agency account manager disconnects a client account', () => {
  it('R10: the client becomes ARCHIVED and moves to the agency’s archived clients', async () => {
    const w = await clientWorld();
    const result = await disconnect(w.client, w.manager);
    expect(result.userErrors).toEqual([]);
    expect(result.account).toMatchObject({ id: w.client.id, status: 'ARCHIVED' });
    expect(result.account.archivedAt).toEqual(expect.any(String));

    const clients = await call(
      server,
      DisconnectionClientsOfDocument,
      { id: w.agency.id },
      w.admin,
    );
    expect(ids(clients.active.nodes)).toEqual([w.otherClient.id]);
    expect(ids(clients.archived.nodes)).toEqual([w.client.id]);
  });

  it('R11/R16: every report is archived; those who could open it keep read access, nobody new gains it', async () => {
    const w = await clientWorld();
    await disconnect(w.client, w.manager);

    const reports = await server.db.getRepository(Report).findBy({ accountId: w.client.id });
    expect(reports.map((r) => r.status)).toEqual([ReportStatus.ARCHIVED, ReportStatus.ARCHIVED]);

    const archivedFor = async (user: User) =>
      ids(
        (await call(server, ops.reports, { accountId: w.client.id, archived: true }, user)).nodes,
      );
    // the selected regular user created the RESTRICTED report and could open both
    expect(await archivedFor(w.selected)).toEqual(ids([w.open, w.restricted]));
    expect(await archivedFor(w.admin)).toEqual(ids([w.open, w.restricted]));
    // the selected manager could open the ACCOUNT report, not the other user's RESTRICTED one
    expect(await archivedFor(w.manager)).toEqual([w.open.id]);
    // the unselected regular user could open neither
    expect(await archivedFor(w.regular)).toEqual([]);
    // a new agency ADMIN added afterwards gains nothing (R16)
    const newAdmin = await f.member(w.agency, Role.ADMIN);
    expect(await archivedFor(newAdmin)).toEqual([]);
    // and nothing is left among the active reports
    const active = await call(server, ops.reports, { accountId: w.client.id }, w.admin);
    expect(active.totalCount).toBe(0);
  });

  it('R12: every item is FROZEN and no report or item can be created for the client', async () => {
    const w = await clientWorld();
    await disconnect(w.client, w.manager);
    const items = await server.db.getRepository(ReportingItem).findBy({ accountId: w.client.id });
    expect(items).toHaveLength(3);
    for (const item of items) {
      expect(item.status).toBe(ItemStatus.FROZEN);
      expect(item.frozenAt).toBeInstanceOf(Date);
    }
    const report = await call(
      server,
      ops.createReport,
      { input: { accountId: w.client.id, name: 'Too late' } },
      w.admin,
    );
    expect(report.userErrors.map((e: { code: string }) => e.code)).toEqual(['ACCOUNT_ARCHIVED']);
    const item = await call(
      server,
      DisconnectionCreateReportingItemDocument,
      { input: { accountId: w.client.id, name: 'Too late' } },
      w.admin,
    );
    expect(item.userErrors.map((e: { code: string }) => e.code)).toEqual(['ACCOUNT_ARCHIVED']);
  });

  it('R13: the client’s mappings are PAUSED; other clients of the same integration go on', async () => {
    const w = await clientWorld();
    const result = await disconnect(w.client, w.manager);
    expect(result.impact.mappingsToPause).toBe(1);
    const repo = server.db.getRepository(IntegrationMapping);
    const paused = await repo.findOneByOrFail({ id: w.mapping.id });
    expect(paused.status).toBe(MappingStatus.PAUSED);
    expect(paused.pausedAt).toBeInstanceOf(Date);
    const other = await repo.findOneByOrFail({ id: w.otherMapping.id });
    expect(other.status).toBe(MappingStatus.ACTIVE);
    expect(other.pausedAt).toBeNull();
  });

  it('R14/I4: disconnecting again answers ALREADY_DISCONNECTED and changes nothing, no second email', async () => {
    const w = await clientWorld();
    await disconnect(w.client, w.manager);
    const snapshot = async () => ({
      outbox: await server.db.getRepository(EmailOutbox).count(),
      audit: Number(
        (
          await server.db.query(`SELECT count(*) AS n FROM audit_events WHERE account_id = $1`, [
            w.client.id,
          ])
        )[0].n,
      ),
      account: await server.db.getRepository(server.db.getMetadata('Account').target).findOneBy({
        id: w.client.id,
      }),
    });
    const before = await snapshot();
    // the manager reached the client through a grant the disconnection deleted: still told
    const again = await disconnect(w.client, w.manager);
    expect(again.account).toBeNull();
    expect(again.impact).toBeNull();
    expect(again.userErrors).toEqual([
      expect.objectContaining({ code: 'ALREADY_DISCONNECTED', field: ['clientAccountId'] }),
    ]);
    expect(await snapshot()).toEqual(before);
    // R14: no operation re-activates it; even staff get the same answer
    const byStaff = await disconnect(w.client, staff);
    expect(byStaff.userErrors[0].code).toBe('ALREADY_DISCONNECTED');
  });

  it('R15: the client’s own users lose all access; grants and memberships end', async () => {
    const w = await clientWorld();
    // another product's account keeps the brand organization (and its users) alive (R20)
    await f.account({
      type: w.client.type,
      product: Product.USER_REPORT,
      organizationId: w.client.organizationId,
    });
    expect((await call(server, ops.account, { id: w.client.id }, w.brandUser))?.id).toBe(
      w.client.id,
    );
    const result = await disconnect(w.client, w.manager);
    expect(ids(result.impact.usersLosingAccess)).toEqual(
      ids([w.admin, w.manager, w.selected, w.brandUser]),
    );
    expect(await call(server, ops.account, { id: w.client.id }, w.brandUser)).toBeNull();
    const reports = await call(server, ops.reports, { archived: true }, w.brandUser);
    expect(reports.totalCount).toBe(0);
    expect(await server.db.getRepository(Membership).countBy({ accountId: w.client.id })).toBe(0);
    expect(
      await server.db.getRepository(ClientAccessGrant).countBy({ accountId: w.client.id }),
    ).toBe(0);
  });
});

describe('R20: removing the brand’s organization', () => {
  it('removes an organization left with no active account and deactivates users with no other membership', async () => {
    const w = await clientWorld();
    // a brand user who is also a member of the agency keeps their account
    const doubleHat = await f.member(w.client, Role.VIEW_ONLY);
    await f.membership(doubleHat, w.agency, Role.REGULAR);
    const result = await disconnect(w.client, w.admin);
    expect(result.impact.organizationRemoved).toBe(true);
    const org = await server.db
      .getRepository(Organization)
      .findOneByOrFail({ id: w.client.organizationId });
    expect(org.removedAt).toBeInstanceOf(Date);
    const users = server.db.getRepository(User);
    expect((await users.findOneByOrFail({ id: w.brandUser.id })).active).toBe(false);
    expect((await users.findOneByOrFail({ id: doubleHat.id })).active).toBe(true);
    // a deactivated user cannot sign in any more
    expect(await errorCodes(server, TestViewerIdDocument, {}, w.brandUser)).toEqual([
      'UNAUTHENTICATED',
    ]);
  });

  it('keeps the organization while it has an active account in another product (UserReport, HUB, kits)', async () => {
    const w = await clientWorld();
    await f.account({
      type: w.client.type,
      product: Product.HUB,
      organizationId: w.client.organizationId,
      agencyId: null,
    });
    expect((await preview(w.client, w.admin)).organizationRemoved).toBe(false);
    const result = await disconnect(w.client, w.admin);
    expect(result.impact.organizationRemoved).toBe(false);
    const org = await server.db
      .getRepository(Organization)
      .findOneByOrFail({ id: w.client.organizationId });
    expect(org.removedAt).toBeNull();
    expect(
      (await server.db.getRepository(User).findOneByOrFail({ id: w.brandUser.id })).active,
    ).toBe(true);
  });

  it('does not count archived accounts as keeping the organization alive', async () => {
    const w = await clientWorld();
    await f.client(w.agency, {
      organizationId: w.client.organizationId,
      status: AccountStatus.ARCHIVED,
      archivedAt: new Date(),
    });
    expect((await disconnect(w.client, w.admin)).impact.organizationRemoved).toBe(true);
  });
});

describe('R23: the preview equals what the disconnection then does', () => {
  it.each([
    ['a SELECTED_USERS client with reports, items and mappings', ClientAccessMode.SELECTED_USERS],
    ['an EVERYONE_IN_AGENCY client', ClientAccessMode.EVERYONE_IN_AGENCY],
  ])('%s', async (_label, access) => {
    const w = await clientWorld({ access });
    const before = await preview(w.client, w.manager);
    // the preview changed nothing
    expect(
      (await server.db.getRepository(Report).findBy({ accountId: w.client.id })).map(
        (r) => r.status,
      ),
    ).toEqual([ReportStatus.ACTIVE, ReportStatus.ACTIVE]);
    expect(
      await server.db
        .getRepository(EmailOutbox)
        .countBy({ dedupeKey: Like(`disconnect-client:${w.client.id}:%`) }),
    ).toBe(0);
    const result = await disconnect(w.client, w.manager);
    expect(result.impact).toEqual(before);
    expect(before).toMatchObject({
      reportsToArchive: 2,
      itemsToFreeze: 3,
      mappingsToPause: 1,
      organizationRemoved: true,
    });
    const expectedUsers =
      access === ClientAccessMode.SELECTED_USERS
        ? [w.admin, w.manager, w.selected, w.brandUser]
        : [w.admin, w.manager, w.regular, w.viewOnly, w.selected, w.brandUser];
    expect(ids(before.usersLosingAccess)).toEqual(ids(expectedUsers));
    // afterwards there is nothing left to do
    expect(await preview(w.client, w.manager)).toEqual({
      reportsToArchive: 0,
      itemsToFreeze: 0,
      mappingsToPause: 0,
      organizationRemoved: false,
      usersLosingAccess: [],
    });
  });

  it('an empty client: zeros and only the brand users lose access', async () => {
    const { agency, admin } = await agencyWithStaff(f);
    const client = await f.client(agency, { clientAccess: ClientAccessMode.SELECTED_USERS });
    const brandUser = await f.member(client, Role.VIEW_ONLY);
    await f.account({
      type: client.type,
      product: Product.KITS,
      organizationId: client.organizationId,
    });
    const before = await preview(client, admin);
    const result = await disconnect(client, admin);
    expect(result.impact).toEqual(before);
    expect(before).toEqual({
      reportsToArchive: 0,
      itemsToFreeze: 0,
      mappingsToPause: 0,
      organizationRemoved: false,
      usersLosingAccess: [
        { id: admin.id, email: admin.email },
        { id: brandUser.id, email: brandUser.email },
      ].sort((a, b) => a.email.localeCompare(b.email)),
    });
  });
});

describe('R9: who may disconnect a client', () => {
  it('agency ADMIN and ACCOUNT_MANAGER and platform staff may', async () => {
    for (const who of ['admin', 'manager', 'staff'] as const) {
      const w = await clientWorld();
      const as = who === 'staff' ? staff : w[who];
      expect((await preview(w.client, as)).reportsToArchive).toBe(2);
      expect((await disconnect(w.client, as)).userErrors).toEqual([]);
    }
  });

  it('agency REGULAR and VIEW_ONLY users and the client’s own users get FORBIDDEN', async () => {
    const w = await clientWorld({ access: ClientAccessMode.EVERYONE_IN_AGENCY });
    for (const user of [w.regular, w.viewOnly, w.brandUser]) {
      expect(await errorCodes(server, ops.disconnectClient, { id: w.client.id }, user)).toEqual([
        'FORBIDDEN',
      ]);
      expect(
        await errorCodes(server, ops.disconnectClientPreview, { id: w.client.id }, user),
      ).toEqual(['FORBIDDEN']);
    }
    const status = await server.db
      .getRepository(server.db.getMetadata('Account').target)
      .findOneByOrFail({ id: w.client.id });
    expect((status as Account).status).toBe(AccountStatus.ACTIVE);
  });

  it('another agency’s admin does not see the client: NOT_FOUND', async () => {
    const w = await clientWorld();
    const other = await agencyWithStaff(f);
    const result = await disconnect(w.client, other.admin);
    expect(result.userErrors).toEqual([
      expect.objectContaining({ code: 'NOT_FOUND', field: ['clientAccountId'] }),
    ]);
    expect(
      await errorCodes(server, ops.disconnectClientPreview, { id: w.client.id }, other.admin),
    ).toEqual(['NOT_FOUND']);
    const unknown = await disconnect(
      { id: '00000000-0000-4000-8000-000000000000' } as Account,
      staff,
    );
    expect(unknown.userErrors[0].code).toBe('NOT_FOUND');
  });

  it('an agency manager not selected on a SELECTED_USERS client does not see it: NOT_FOUND', async () => {
    const w = await clientWorld();
    const unselected = await f.member(w.agency, Role.ACCOUNT_MANAGER);
    const result = await disconnect(w.client, unselected);
    expect(result.userErrors.map((e: { code: string }) => e.code)).toEqual(['NOT_FOUND']);
  });

  it('a premium client is not a CLIENT account: INVALID_INPUT', async () => {
    const premium = await f.premium();
    const result = await disconnect(premium, staff);
    expect(result.userErrors).toEqual([
      expect.objectContaining({ code: 'INVALID_INPUT', field: ['clientAccountId'] }),
    ]);
  });

  it('needs a signed-in user', async () => {
    const w = await clientWorld();
    expect(await errorCodes(server, ops.disconnectClient, { id: w.client.id }, null)).toEqual([
      'UNAUTHENTICATED',
    ]);
  });
});

describe('R19/R22: email and audit around a client disconnection', () => {
  it('queues one email per agency ADMIN and writes one audit event with counts and ids', async () => {
    const w = await clientWorld();
    const secondAdmin = await f.member(w.agency, Role.ADMIN);
    await f.member(w.agency, Role.ADMIN, { active: false });
    const result = await disconnect(w.client, w.manager);
    const outbox = await server.db.getRepository(EmailOutbox).find();
    const mine = outbox.filter((row) =>
      row.dedupeKey.startsWith(`disconnect-client:${w.client.id}:`),
    );
    expect(mine.map((row) => row.toAddress).sort()).toEqual(
      [w.admin.email, secondAdmin.email].sort(),
    );
    expect(mine[0].subject).toContain(w.client.name);

    const events = await call(server, ops.auditEvents, { id: w.client.id }, w.admin);
    expect(events.nodes).toHaveLength(1);
    const [event] = events.nodes;
    expect(event).toMatchObject({
      action: 'CLIENT_DISCONNECTED',
      actor: { id: w.manager.id },
      account: { id: w.client.id },
    });
    expect(JSON.parse(event.details)).toMatchObject({
      reportsArchived: 2,
      itemsFrozen: 3,
      mappingsPaused: 1,
      pausedMappingIds: [w.mapping.id],
      usersLosingAccess: result.impact.usersLosingAccess.length,
      organizationRemoved: true,
    });
    // R22: the request id of the disconnecting request is recorded with it
    const [stored] = await server.db.query(`SELECT request_id FROM audit_events WHERE id = $1`, [
      event.id,
    ]);
    expect(stored.request_id).toEqual(expect.any(String));
    // the agency's admins see it on the agency too; others are refused
    const onAgency = await call(server, ops.auditEvents, { id: w.agency.id }, w.admin);
    expect(onAgency.nodes.map((e: { id: string }) => e.id)).toContain(event.id);
    expect(await errorCodes(server, ops.auditEvents, { id: w.agency.id }, w.manager)).toEqual([
      'FORBIDDEN',
    ]);
  });
});
