import {
  AccountStatus,
  ClientAccessMode,
  IntegrationMapping,
  MappingStatus,
  Role,
  type User,
} from '../../src/entities';
import { useTestServer } from '../helpers/test-server';
import { agencyWithStaff, call, errorCodes, ids, ops } from './helpers';

const { server, f } = useTestServer();
let staff: User;

beforeAll(async () => {
  staff = await f.staff();
});

const convert = (
  clientAccountId: string,
  contractReference: string,
  as: User,
  adminUserId: string | null = null,
) =>
  call(
    server,
    ops.convertClientToPremium,
    { input: { clientAccountId, contractReference, adminUserId } },
    as,
  );
const codes = (payload: { userErrors: { code: string }[] }) =>
  payload.userErrors.map((e) => e.code);

async function clientWorld() {
  const a = await agencyWithStaff(f);
  const client = await f.client(a.agency, { clientAccess: ClientAccessMode.SELECTED_USERS });
  await f.grant(client, a.regular);
  const brandUser = await f.member(client, Role.VIEW_ONLY);
  const items = [await f.item(client), await f.item(client)];
  const reports = [await f.report(client, { items }), await f.report(client)];
  const integration = await f.integration(a.agency, { name: 'DV360' });
  const mapping = await f.mapping(integration, client);
  return { a, client, brandUser, items, reports, mapping };
}

describe('R21: platform staff convert a CLIENT into a PREMIUM_CLIENT to keep the data with the brand', () => {
  it('becomes a premium client with an ACTIVE connection to its former agency; data and access are kept', async () => {
    const w = await clientWorld();
    const seen = async (user: User) =>
      ids((await call(server, ops.reports, { accountId: w.client.id }, user)).nodes);
    const before = {
      admin: await seen(w.a.admin),
      regular: await seen(w.a.regular),
      viewOnly: await seen(w.a.viewOnly),
      brand: await seen(w.brandUser),
    };
    expect(before.regular).toEqual(ids(w.reports));
    expect(before.viewOnly).toEqual([]);

    const result = await convert(w.client.id, 'CONTRACT-2026-17', staff, w.brandUser.id);
    expect(result.userErrors).toEqual([]);
    expect(result.account).toMatchObject({
      id: w.client.id,
      type: 'PREMIUM_CLIENT',
      status: 'ACTIVE',
      agency: null,
      // A premium's access belongs to the connection: the client's setting moved there.
      clientAccess: null,
      connections: [
        { status: 'ACTIVE', clientAccess: 'SELECTED_USERS', agency: { id: w.a.agency.id } },
      ],
    });
    const stored = await server.db
      .getRepository(server.db.getMetadata('Account').target)
      .findOneByOrFail({ id: w.client.id });
    expect(stored).toMatchObject({ contractReference: 'CONTRACT-2026-17', agencyId: null });

    // the same users reach the same reports (grants and access mode kept)
    expect({
      admin: await seen(w.a.admin),
      regular: await seen(w.a.regular),
      viewOnly: await seen(w.a.viewOnly),
      brand: await seen(w.brandUser),
    }).toEqual(before);
    const mapping = await server.db
      .getRepository(IntegrationMapping)
      .findOneByOrFail({ id: w.mapping.id });
    expect(mapping.status).toBe(MappingStatus.ACTIVE);

    // The agency's admins read it on the agency's log: they no longer act for the brand (A1).
    const events = await call(server, ops.auditEvents, { id: w.a.agency.id }, w.a.admin);
    expect(events.nodes.map((e: { action: string }) => e.action)).toEqual([
      'CLIENT_CONVERTED_TO_PREMIUM',
    ]);
    const brandLog = await server.op(ops.auditEvents, { id: w.client.id }, w.a.admin);
    expect(brandLog.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
  });

  it('a later agency disconnect follows R4–R8: the brand keeps its reports, the agency loses them', async () => {
    const w = await clientWorld();
    const converted = await convert(w.client.id, 'C-1', staff, w.brandUser.id);
    const connectionId = converted.account.connections[0].id;
    const preview = await call(
      server,
      ops.disconnectAgencyPreview,
      { id: connectionId },
      w.a.admin,
    );
    const result = await call(server, ops.disconnectAgency, { id: connectionId }, w.a.admin);
    expect(result.userErrors).toEqual([]);
    expect(result.impact).toEqual(preview);
    expect(result.impact).toMatchObject({
      reportsToArchive: 0,
      itemsToFreeze: 0,
      mappingsToPause: 1,
    });
    expect(ids(result.impact.usersLosingAccess)).toEqual(ids([w.a.admin, w.a.regular]));
    const reportsFor = async (user: User) =>
      (await call(server, ops.reports, { accountId: w.client.id }, user)).totalCount;
    expect(await reportsFor(w.a.regular)).toBe(0);
    expect(await reportsFor(w.brandUser)).toBe(2);
  });

  it('needs a contract reference: INVALID_INPUT', async () => {
    const w = await clientWorld();
    const result = await convert(w.client.id, '   ', staff, w.brandUser.id);
    expect(result.userErrors).toEqual([
      expect.objectContaining({ code: 'INVALID_INPUT', field: ['input', 'contractReference'] }),
    ]);
  });

  it("issue 30 #9: the premium needs an ADMIN — one of the client's users (LAST_ADMIN without one)", async () => {
    const w = await clientWorld();
    expect((await convert(w.client.id, 'C-9', staff)).userErrors).toEqual([
      expect.objectContaining({ code: 'LAST_ADMIN', field: ['input', 'adminUserId'] }),
    ]);
    expect((await convert(w.client.id, 'C-9', staff, w.a.admin.id)).userErrors).toEqual([
      expect.objectContaining({ code: 'INVALID_INPUT', field: ['input', 'adminUserId'] }),
    ]);
    const [still] = await server.db.query(`SELECT type FROM accounts WHERE id = $1`, [w.client.id]);
    expect(still.type).toBe('CLIENT');
    expect((await convert(w.client.id, 'C-9', staff, w.brandUser.id)).userErrors).toEqual([]);
    const [membership] = await server.db.query(
      `SELECT role FROM memberships WHERE account_id = $1 AND user_id = $2`,
      [w.client.id, w.brandUser.id],
    );
    expect(membership.role).toBe('ADMIN');
  });

  it('R24, R27: the named brand user becomes the ADMIN, audited on the brand’s log they now read', async () => {
    const w = await clientWorld();
    const gone = await f.member(w.client, Role.VIEW_ONLY, { active: false });
    // A deactivated user of the client is no ADMIN: INVALID_INPUT, nothing changes.
    expect((await convert(w.client.id, 'C-10', staff, gone.id)).userErrors).toEqual([
      expect.objectContaining({ code: 'INVALID_INPUT', field: ['input', 'adminUserId'] }),
    ]);
    expect(await server.db.query(`SELECT type FROM accounts WHERE id = $1`, [w.client.id])).toEqual(
      [{ type: 'CLIENT' }],
    );
    const converted = await convert(w.client.id, 'C-10', staff, w.brandUser.id);
    expect(converted.userErrors).toEqual([]);
    const log = await call(server, ops.auditEvents, { id: w.client.id }, w.brandUser);
    const events = log.nodes.map((e: any) => ({
      action: e.action,
      actor: e.actor?.id,
      details: JSON.parse(e.details),
    }));
    // One transaction, one occurredAt: the two come in either order.
    expect(events.map((e: { action: string }) => e.action).sort()).toEqual([
      'CLIENT_CONVERTED_TO_PREMIUM',
      'MEMBER_ROLE_CHANGED',
    ]);
    expect(events.find((e: { action: string }) => e.action === 'MEMBER_ROLE_CHANGED')).toEqual({
      action: 'MEMBER_ROLE_CHANGED',
      actor: staff.id,
      details: { userId: w.brandUser.id, from: 'VIEW_ONLY', to: 'ADMIN' },
    });
    // The former agency reads the conversion, not the brand's member change (A3).
    const agencyLog = await call(server, ops.auditEvents, { id: w.a.agency.id }, w.a.admin);
    expect(agencyLog.nodes.map((e: { action: string }) => e.action)).toEqual([
      'CLIENT_CONVERTED_TO_PREMIUM',
    ]);
  });

  it('an archived client cannot be converted: ACCOUNT_ARCHIVED', async () => {
    const a = await agencyWithStaff(f);
    const archived = await f.client(a.agency, {
      status: AccountStatus.ARCHIVED,
      archivedAt: new Date(),
    });
    expect(codes(await convert(archived.id, 'C-2', staff))).toEqual(['ACCOUNT_ARCHIVED']);
  });

  it('only a CLIENT can be converted; an unknown id is NOT_FOUND', async () => {
    const premium = await f.premium();
    expect(codes(await convert(premium.id, 'C-3', staff))).toEqual(['INVALID_INPUT']);
    expect(codes(await convert('00000000-0000-4000-8000-000000000000', 'C-3', staff))).toEqual([
      'NOT_FOUND',
    ]);
  });

  it('is for platform staff only: agency admins and managers get FORBIDDEN', async () => {
    const w = await clientWorld();
    for (const user of [w.a.admin, w.a.manager, w.a.regular, w.brandUser]) {
      expect(
        await errorCodes(
          server,
          ops.convertClientToPremium,
          { input: { clientAccountId: w.client.id, contractReference: 'X' } },
          user,
        ),
      ).toEqual(['FORBIDDEN']);
    }
  });
});
