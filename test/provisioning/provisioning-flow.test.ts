import { Role, User } from '../../src/entities';
import {
  TestAddMemberDocument,
  TestCreateAgencyDocument,
  TestCreateClientAccountDocument,
  TestViewerDocument,
} from '../generated/graphql';
import { factories } from '../helpers/factories';
import { useTestServer } from '../helpers/test-server';

/** Staff provision an agency; its admin builds a client and its people, with typed operations. */
const { server } = useTestServer();
let staff: User;

beforeAll(async () => {
  staff = await factories(server.db).staff();
});

it('staff create an agency, add its admin, who creates a client and adds a brand viewer', async () => {
  const agency = await server.op(
    TestCreateAgencyDocument,
    { input: { name: ' Fjord Media ', organizationName: 'Fjord Group' } },
    staff,
  );
  expect(agency.data?.createAgency.userErrors).toEqual([]);
  const agencyAccount = agency.data!.createAgency.account!;
  expect(agencyAccount).toMatchObject({
    name: 'Fjord Media',
    type: 'AGENCY',
    status: 'ACTIVE',
    organization: { name: 'Fjord Group' },
  });

  const member = await server.op(
    TestAddMemberDocument,
    {
      input: { accountId: agencyAccount.id, email: 'boss@fjord.test', name: 'Boss', role: 'ADMIN' },
    },
    staff,
  );
  const boss = member.data!.addMember.membership!.user;
  expect(member.data?.addMember).toEqual({
    membership: {
      role: 'ADMIN',
      user: { id: boss.id, email: 'boss@fjord.test' },
      account: { id: agencyAccount.id },
    },
    userErrors: [],
  });

  const bossUser = {
    ...(await server.db.getRepository('User').findOneByOrFail({ id: boss.id })),
  } as User;
  const viewer = await server.op(TestViewerDocument, {}, bossUser);
  expect(viewer.data?.viewer).toEqual({
    id: boss.id,
    email: 'boss@fjord.test',
    isStaff: false,
    memberships: [
      { role: 'ADMIN', account: { id: agencyAccount.id, name: 'Fjord Media', type: 'AGENCY' } },
    ],
  });

  const client = await server.op(
    TestCreateClientAccountDocument,
    {
      input: {
        agencyId: agencyAccount.id,
        name: 'Brand',
        organizationName: 'Brand Inc',
        access: 'EVERYONE_IN_AGENCY',
      },
    },
    bossUser,
  );
  const clientAccount = client.data!.createClientAccount.account!;
  expect(clientAccount).toEqual({
    id: clientAccount.id,
    type: 'CLIENT',
    clientAccess: 'EVERYONE_IN_AGENCY',
    agency: { id: agencyAccount.id },
  });

  const brandViewer = await server.op(
    TestAddMemberDocument,
    {
      input: {
        accountId: clientAccount.id,
        email: 'eyes@brand.test',
        name: 'Eyes',
        role: 'VIEW_ONLY',
      },
    },
    bossUser,
  );
  expect(brandViewer.data?.addMember.membership?.role).toBe(Role.VIEW_ONLY);
});

it('refuses an empty agency name with INVALID_INPUT naming the field, and creates nothing', async () => {
  const before = await server.db.query(`SELECT count(*)::int AS n FROM accounts`);
  const response = await server.op(
    TestCreateAgencyDocument,
    { input: { name: '  ', organizationName: 'X' } },
    staff,
  );
  expect(response.data?.createAgency).toEqual({
    account: null,
    userErrors: [
      { code: 'INVALID_INPUT', field: ['input', 'name'], message: 'name must not be empty' },
    ],
  });
  expect(await server.db.query(`SELECT count(*)::int AS n FROM accounts`)).toEqual(before);
});
