import { DisconnectionConnectionHistoryDocument } from '../generated/graphql';
import {
  AgencyConnection,
  ClientAccessMode,
  ConnectionStatus,
  EmailOutbox,
  IntegrationMapping,
  ItemStatus,
  MappingStatus,
  Report,
  ReportingItem,
  ReportStatus,
  Role,
  type Account,
  type User,
} from '../../src/entities';
import { useTestServer } from '../helpers/test-server';
import { agencyWithStaff, call, errorCodes, ids, ops, premiumWithStaff } from './helpers';

const { server, f } = useTestServer();
let staff: User;

beforeAll(async () => {
  staff = await f.staff();
});

async function integration(owner: Account, mapped: Account[]) {
  const created = await f.integration(owner, { name: `Adform ${owner.name}` });
  const mappings = [];
  for (const account of mapped) {
    mappings.push(
      await f.mapping(created, account, {
        externalAdvertiserId: `adv-${account.id}-${created.id}`,
      }),
    );
  }
  return mappings;
}

/**
 * An agency and a premium client (staff of every role on both sides) with an ACTIVE connection;
 * the premium has reports (one made by an agency user) and items; the agency's integration maps
 * one advertiser to the premium and one to its own client; the premium has its own integration.
 */
async function premiumWorld(o: { access?: ClientAccessMode } = {}) {
  const a = await agencyWithStaff(f);
  const p = await premiumWithStaff(f);
  const connection = await f.connection(a.agency, p.premium, {
    requestedById: a.manager.id,
    clientAccess: o.access ?? ClientAccessMode.EVERYONE_IN_AGENCY,
  });
  const agencyClient = await f.client(a.agency);
  const items = [await f.item(p.premium), await f.item(p.premium)];
  const reports = [
    await f.report(p.premium, { items, createdById: a.regular.id }),
    await f.report(p.premium, { items: [items[0]], createdById: p.regular.id }),
  ];
  const [agencyMapping, agencyOtherMapping] = await integration(a.agency, [
    p.premium,
    agencyClient,
  ]);
  const [premiumOwnMapping] = await integration(p.premium, [p.premium]);
  return {
    a,
    p,
    connection,
    agencyClient,
    items,
    reports,
    agencyMapping,
    agencyOtherMapping,
    premiumOwnMapping,
  };
}

const disconnect = (connection: AgencyConnection, as: User) =>
  call(server, ops.disconnectAgency, { id: connection.id }, as);
const preview = (connection: AgencyConnection, as: User) =>
  call(server, ops.disconnectAgencyPreview, { id: connection.id }, as);
const reportsOf = async (account: Account, as: User) =>
  ids((await call(server, ops.reports, { accountId: account.id }, as)).nodes);

describe('R4–R8: disconnecting an agency and a premium client', () => {
  it('an agency account manager disconnects a premium client: agency users lose its reports at once, premium users keep them (R5, R6)', async () => {
    const w = await premiumWorld();
    const all = ids(w.reports);
    expect(await reportsOf(w.p.premium, w.a.regular)).toEqual(all);

    const result = await disconnect(w.connection, w.a.manager);
    expect(result.userErrors).toEqual([]);

    for (const agencyUser of [w.a.admin, w.a.manager, w.a.regular, w.a.viewOnly]) {
      expect(await reportsOf(w.p.premium, agencyUser)).toEqual([]);
      expect(await call(server, ops.account, { id: w.p.premium.id }, agencyUser)).toBeNull();
    }
    for (const premiumUser of [w.p.admin, w.p.viewOnly]) {
      expect(await reportsOf(w.p.premium, premiumUser)).toEqual(all);
    }
    // R5: nothing is archived or frozen; the data stays with the premium client
    const reports = await server.db.getRepository(Report).findBy({ accountId: w.p.premium.id });
    expect(reports.map((r) => r.status)).toEqual([ReportStatus.ACTIVE, ReportStatus.ACTIVE]);
  });

  it('R7: the agency’s integration is paused for this advertiser only; the premium’s own integration and items go on', async () => {
    const w = await premiumWorld();
    const result = await disconnect(w.connection, w.a.manager);
    expect(result.impact.mappingsToPause).toBe(1);
    const mappings = server.db.getRepository(IntegrationMapping);
    const paused = await mappings.findOneByOrFail({ id: w.agencyMapping.id });
    expect(paused.status).toBe(MappingStatus.PAUSED);
    expect(paused.pausedAt).toBeInstanceOf(Date);
    for (const id of [w.agencyOtherMapping.id, w.premiumOwnMapping.id]) {
      expect((await mappings.findOneByOrFail({ id })).status).toBe(MappingStatus.ACTIVE);
    }
    const items = await server.db
      .getRepository(ReportingItem)
      .findBy({ accountId: w.p.premium.id });
    expect(items.map((i) => i.status)).toEqual([ItemStatus.ACTIVE, ItemStatus.ACTIVE]);
  });

  it('R8: the connection becomes DISCONNECTED with who and when, and stays in the history', async () => {
    const w = await premiumWorld();
    const result = await disconnect(w.connection, w.p.manager);
    expect(result.connection).toMatchObject({
      id: w.connection.id,
      status: 'DISCONNECTED',
      disconnectedBy: { id: w.p.manager.id },
      agency: { id: w.a.agency.id },
      premiumClient: { id: w.p.premium.id },
    });
    expect(result.connection.disconnectedAt).toEqual(expect.any(String));
    const history = await call(
      server,
      DisconnectionConnectionHistoryDocument,
      { id: w.p.premium.id },
      w.p.admin,
    );
    expect(history.connections).toEqual([{ id: w.connection.id, status: 'DISCONNECTED' }]);
  });

  it('R6: connection-access grants of the agency’s users on the premium end with the connection', async () => {
    const w = await premiumWorld({ access: ClientAccessMode.SELECTED_USERS });
    await f.connectionGrant(w.connection, w.a.regular);
    expect(await reportsOf(w.p.premium, w.a.regular)).toEqual(ids(w.reports));
    const result = await disconnect(w.connection, w.a.admin);
    expect(ids(result.impact.usersLosingAccess)).toEqual(ids([w.a.admin, w.a.regular]));
    // The grant stays on the DISCONNECTED connection as history and reaches nobody.
    expect(await reportsOf(w.p.premium, w.a.regular)).toEqual([]);
  });

  it('I4: disconnecting again answers ALREADY_DISCONNECTED, changes nothing and sends nothing', async () => {
    const w = await premiumWorld();
    await disconnect(w.connection, w.a.manager);
    const outbox = await server.db.getRepository(EmailOutbox).count();
    const connection = await server.db
      .getRepository(AgencyConnection)
      .findOneByOrFail({ id: w.connection.id });
    const again = await disconnect(w.connection, w.p.admin);
    expect(again.connection).toBeNull();
    expect(again.userErrors).toEqual([
      expect.objectContaining({ code: 'ALREADY_DISCONNECTED', field: ['connectionId'] }),
    ]);
    // an agency manager (who no longer reaches the premium) hears the same
    expect((await disconnect(w.connection, w.a.manager)).userErrors[0].code).toBe(
      'ALREADY_DISCONNECTED',
    );
    expect(await server.db.getRepository(EmailOutbox).count()).toBe(outbox);
    expect(
      await server.db.getRepository(AgencyConnection).findOneByOrFail({ id: w.connection.id }),
    ).toEqual(connection);
  });

  it('a PENDING connection cannot be disconnected: INVALID_STATE', async () => {
    const a = await agencyWithStaff(f);
    const p = await premiumWithStaff(f);
    const pending = await f.connection(a.agency, p.premium, {
      status: ConnectionStatus.PENDING,
      respondedAt: null,
    });
    const result = await disconnect(pending, a.admin);
    expect(result.userErrors.map((e: { code: string }) => e.code)).toEqual(['INVALID_STATE']);
    expect((await preview(pending, a.admin)).mappingsToPause).toBe(0);
  });

  it('after a disconnection the pair can connect again: a new connection, the old one kept', async () => {
    const w = await premiumWorld();
    await disconnect(w.connection, w.a.manager);
    const requested = await call(
      server,
      ops.requestConnection,
      { input: { fromAccountId: w.a.agency.id, toAccountId: w.p.premium.id } },
      w.a.manager,
    );
    expect(requested.userErrors).toEqual([]);
    expect(requested.connection.id).not.toBe(w.connection.id);
    const accepted = await call(
      server,
      ops.acceptConnection,
      { id: requested.connection.id },
      w.p.manager,
    );
    expect(accepted.connection.status).toBe('ACTIVE');
    expect(await reportsOf(w.p.premium, w.a.regular)).toEqual(ids(w.reports));
    const statuses = await server.db
      .getRepository(AgencyConnection)
      .findBy({ premiumClientId: w.p.premium.id });
    expect(statuses.map((k) => k.status).sort()).toEqual(['ACTIVE', 'DISCONNECTED']);
  });
});

describe('R23: the agency disconnection preview equals the impact', () => {
  it('EVERYONE_IN_AGENCY: every agency user loses access, one mapping paused', async () => {
    const w = await premiumWorld();
    const before = await preview(w.connection, w.a.manager);
    expect(
      (await server.db.getRepository(AgencyConnection).findOneByOrFail({ id: w.connection.id }))
        .status,
    ).toBe(ConnectionStatus.ACTIVE);
    expect(before).toMatchObject({
      reportsToArchive: 0,
      itemsToFreeze: 0,
      mappingsToPause: 1,
      organizationRemoved: false,
    });
    expect(ids(before.usersLosingAccess)).toEqual(
      ids([w.a.admin, w.a.manager, w.a.regular, w.a.viewOnly]),
    );
    const result = await disconnect(w.connection, w.a.manager);
    expect(result.impact).toEqual(before);
    expect(await preview(w.connection, w.p.admin)).toEqual({
      reportsToArchive: 0,
      itemsToFreeze: 0,
      mappingsToPause: 0,
      organizationRemoved: false,
      usersLosingAccess: [],
    });
  });

  it('SELECTED_USERS with a user who also belongs to a second connected agency, or to the premium: they keep access', async () => {
    const w = await premiumWorld({ access: ClientAccessMode.SELECTED_USERS });
    const b = await agencyWithStaff(f);
    const bConnection = await f.connection(b.agency, w.p.premium, {
      clientAccess: ClientAccessMode.SELECTED_USERS,
    });
    const twoAgencies = await f.member(w.a.agency, Role.REGULAR);
    await f.membership(twoAgencies, b.agency, Role.REGULAR);
    await f.connectionGrant(w.connection, twoAgencies);
    await f.connectionGrant(bConnection, twoAgencies);
    await f.connectionGrant(w.connection, w.a.viewOnly);
    await f.membership(w.a.manager, w.p.premium, Role.VIEW_ONLY);
    await integration(w.a.agency, [w.p.premium]);
    const before = await preview(w.connection, w.p.manager);
    expect(before.mappingsToPause).toBe(2);
    expect(ids(before.usersLosingAccess)).toEqual(ids([w.a.admin, w.a.viewOnly]));
    const result = await disconnect(w.connection, w.p.manager);
    expect(result.impact).toEqual(before);
    // the user of both agencies keeps the reports through the second agency's own connection
    expect(await reportsOf(w.p.premium, twoAgencies)).toEqual(ids(w.reports));
    expect(await reportsOf(w.p.premium, w.a.viewOnly)).toEqual([]);
  });
});

describe('R4: who may disconnect an agency and a premium client', () => {
  it('ADMIN and ACCOUNT_MANAGER of either side, and platform staff, may', async () => {
    for (const pick of [
      (w: Awaited<ReturnType<typeof premiumWorld>>) => w.a.admin,
      (w: Awaited<ReturnType<typeof premiumWorld>>) => w.a.manager,
      (w: Awaited<ReturnType<typeof premiumWorld>>) => w.p.admin,
      (w: Awaited<ReturnType<typeof premiumWorld>>) => w.p.manager,
      () => staff,
    ]) {
      const w = await premiumWorld();
      expect((await preview(w.connection, pick(w))).mappingsToPause).toBe(1);
      expect((await disconnect(w.connection, pick(w))).userErrors).toEqual([]);
    }
  });

  it('REGULAR and VIEW_ONLY users of either side get FORBIDDEN and nothing changes', async () => {
    const w = await premiumWorld();
    for (const user of [w.a.regular, w.a.viewOnly, w.p.regular, w.p.viewOnly]) {
      expect(await errorCodes(server, ops.disconnectAgency, { id: w.connection.id }, user)).toEqual(
        ['FORBIDDEN'],
      );
      expect(
        await errorCodes(server, ops.disconnectAgencyPreview, { id: w.connection.id }, user),
      ).toEqual(['FORBIDDEN']);
    }
    expect(
      (await server.db.getRepository(AgencyConnection).findOneByOrFail({ id: w.connection.id }))
        .status,
    ).toBe(ConnectionStatus.ACTIVE);
  });

  it('a user who sees neither side gets NOT_FOUND', async () => {
    const w = await premiumWorld();
    const outsider = await agencyWithStaff(f);
    const result = await disconnect(w.connection, outsider.admin);
    expect(result.userErrors).toEqual([
      expect.objectContaining({ code: 'NOT_FOUND', field: ['connectionId'] }),
    ]);
    expect(
      await errorCodes(
        server,
        ops.disconnectAgencyPreview,
        { id: w.connection.id },
        outsider.admin,
      ),
    ).toEqual(['NOT_FOUND']);
    expect((await disconnect({ id: 'nope' } as AgencyConnection, staff)).userErrors[0].code).toBe(
      'NOT_FOUND',
    );
  });
});

describe('R19/R22 around an agency disconnection', () => {
  it('queues one email per ADMIN of both sides and writes an audit event both sides’ admins see', async () => {
    const w = await premiumWorld();
    const secondPremiumAdmin = await f.member(w.p.premium, Role.ADMIN);
    const result = await disconnect(w.connection, w.a.manager);
    const rows = (await server.db.getRepository(EmailOutbox).find()).filter((row) =>
      row.dedupeKey.startsWith(`disconnect-agency:${w.connection.id}:`),
    );
    expect(rows.map((row) => row.toAddress).sort()).toEqual(
      [w.a.admin.email, w.p.admin.email, secondPremiumAdmin.email].sort(),
    );
    expect(rows[0].subject).toContain(w.p.premium.name);
    for (const admin of [w.a.admin, w.p.admin]) {
      const accountId = admin === w.a.admin ? w.a.agency.id : w.p.premium.id;
      const events = await call(server, ops.auditEvents, { id: accountId }, admin);
      const event = events.nodes.find(
        (e: { action: string }) => e.action === 'AGENCY_DISCONNECTED',
      );
      expect(event).toMatchObject({ actor: { id: w.a.manager.id } });
      expect(JSON.parse(event.details)).toMatchObject({
        connectionId: w.connection.id,
        mappingsPaused: 1,
        pausedMappingIds: [w.agencyMapping.id],
        userIdsLosingAccess: result.impact.usersLosingAccess.map((u: { id: string }) => u.id),
      });
    }
  });
});
