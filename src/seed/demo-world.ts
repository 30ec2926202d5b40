import type { DataSource, EntityManager } from 'typeorm';
import type { Env } from '../config/env';
import {
  Account,
  AccountType,
  AgencyConnection,
  ClientAccessGrant,
  ClientAccessMode,
  ConnectionStatus,
  Integration,
  IntegrationMapping,
  ItemSource,
  Membership,
  Organization,
  Report,
  ReportItem,
  ReportingItem,
  ReportShare,
  ReportVisibility,
  Role,
  User,
} from '../entities';

export interface DemoUser {
  email: string;
  role: string;
}

/**
 * The demo world's people (emails under `.example`, a TLD reserved for examples, so no real
 * person has one): what `npm start` prints and what the development explorer offers to sign in
 * as. test/seed/demo-world.test.ts holds this list to what the seed creates.
 */
export const DEMO_USERS: readonly DemoUser[] = [
  { email: 'staff@handover.example', role: 'platform staff' },
  { email: 'admin@northwind.example', role: 'Northwind Agency ADMIN' },
  { email: 'manager@northwind.example', role: 'Northwind Agency ACCOUNT_MANAGER' },
  { email: 'regular@northwind.example', role: 'Northwind Agency REGULAR' },
  { email: 'viewer@northwind.example', role: 'Northwind Agency VIEW_ONLY' },
  { email: 'admin@acme.example', role: 'Acme (premium) ADMIN' },
  { email: 'viewer@globex.example', role: 'Globex (client) VIEW_ONLY' },
];

/**
 * A small world to explore on a fresh embedded database: an agency with a user of every role,
 * a connected premium client, two clients (EVERYONE and SELECTED access), items and reports.
 * Runs only when the database has no accounts, so restarting never duplicates it.
 */
export async function seedDemoWorldIfEmpty(db: DataSource, _env: Env): Promise<DemoUser[] | null> {
  return db.transaction(async (em) => {
    await em.query('LOCK TABLE accounts IN SHARE ROW EXCLUSIVE MODE');
    if ((await em.count(Account)) > 0) return null;
    return seedDemoWorld(em);
  });
}

/** Row writers the demo world is built with, all in the seeding transaction. */
function writers(em: EntityManager) {
  return {
    org: (name: string) => em.save(Organization, { name, removedAt: null }),
    user: (email: string, name: string, organizationId: string | null, isStaff = false) =>
      em.save(User, { email, name, organizationId, isStaff, active: true }),
    member: (userId: string, accountId: string, role: Role) =>
      em.save(Membership, { userId, accountId, role }),
    items: async (accountId: string, names: string[]) =>
      em.save(
        ReportingItem,
        names.map((name, index) =>
          em.create(ReportingItem, {
            name,
            accountId,
            source: ItemSource.MANUAL,
            impressions: 10000 * (index + 1),
            clicks: 120 * (index + 1),
            reach: 4000 * (index + 1),
            lastDataAt: new Date(),
          }),
        ),
      ),
    report: async (
      accountId: string,
      name: string,
      itemIds: string[],
      createdById: string,
      visibility = ReportVisibility.ACCOUNT,
    ) => {
      const saved = await em.save(Report, { name, accountId, visibility, createdById });
      await em.insert(
        ReportItem,
        itemIds.map((itemId) => ({ reportId: saved.id, itemId })),
      );
      return saved;
    },
  };
}
type Writers = ReturnType<typeof writers>;

/** A1, R24: the agency with one user of every role. */
async function seedAgency(em: EntityManager, w: Writers) {
  const agencyOrg = await w.org('Northwind Media');
  const agency = await em.save(Account, {
    name: 'Northwind Agency',
    type: AccountType.AGENCY,
    organizationId: agencyOrg.id,
  });
  const users = {
    admin: await w.user('admin@northwind.example', 'Ada Admin', agencyOrg.id),
    manager: await w.user('manager@northwind.example', 'Max Manager', agencyOrg.id),
    regular: await w.user('regular@northwind.example', 'Rita Regular', agencyOrg.id),
    viewer: await w.user('viewer@northwind.example', 'Vic Viewer', agencyOrg.id),
  };
  await w.member(users.admin.id, agency.id, Role.ADMIN);
  await w.member(users.manager.id, agency.id, Role.ACCOUNT_MANAGER);
  await w.member(users.regular.id, agency.id, Role.REGULAR);
  await w.member(users.viewer.id, agency.id, Role.VIEW_ONLY);
  return { agency, users };
}

/** R1: a premium client with its ADMIN, connected to the agency (ACTIVE, as if accepted). */
async function seedConnectedPremium(
  em: EntityManager,
  w: Writers,
  agency: Account,
  requestedBy: User,
) {
  const acmeOrg = await w.org('Acme Brands');
  const premium = await em.save(Account, {
    name: 'Acme (premium)',
    type: AccountType.PREMIUM_CLIENT,
    organizationId: acmeOrg.id,
  });
  const admin = await w.user('admin@acme.example', 'Alice Acme', acmeOrg.id);
  await w.member(admin.id, premium.id, Role.ADMIN);
  await em.save(AgencyConnection, {
    agencyId: agency.id,
    premiumClientId: premium.id,
    status: ConnectionStatus.ACTIVE,
    requestedByAccountId: agency.id,
    requestedById: requestedBy.id,
    respondedAt: new Date(),
    respondedById: admin.id,
  });
  return { premium, admin };
}

/**
 * R2: two clients of the agency — Globex open to everyone in the agency (with a VIEW_ONLY brand
 * user), Initech to the selected account manager only.
 */
async function seedClients(em: EntityManager, w: Writers, agency: Account, selected: User) {
  const globexOrg = await w.org('Globex');
  const globex = await em.save(Account, {
    name: 'Globex',
    type: AccountType.CLIENT,
    organizationId: globexOrg.id,
    agencyId: agency.id,
    clientAccess: ClientAccessMode.EVERYONE_IN_AGENCY,
  });
  const globexViewer = await w.user('viewer@globex.example', 'Gary Globex', globexOrg.id);
  await w.member(globexViewer.id, globex.id, Role.VIEW_ONLY);

  const initechOrg = await w.org('Initech');
  const initech = await em.save(Account, {
    name: 'Initech',
    type: AccountType.CLIENT,
    organizationId: initechOrg.id,
    agencyId: agency.id,
    clientAccess: ClientAccessMode.SELECTED_USERS,
  });
  await em.save(ClientAccessGrant, { accountId: initech.id, userId: selected.id });
  return { globex, globexViewer, initech };
}

/**
 * R25: items and reports on every brand — Globex's board review RESTRICTED and shared with the
 * agency's REGULAR user.
 */
async function seedReports(
  em: EntityManager,
  w: Writers,
  accounts: { globex: Account; initech: Account; premium: Account },
  people: { manager: User; regular: User; premiumAdmin: User },
) {
  const { globex, initech, premium } = accounts;
  const globexItems = await w.items(globex.id, [
    'Globex spring video',
    'Globex spring display',
    'Globex search',
  ]);
  await w.report(
    globex.id,
    'Globex spring campaign',
    globexItems.map((i) => i.id),
    people.manager.id,
  );
  const secret = await w.report(
    globex.id,
    'Globex board review',
    [globexItems[0].id],
    people.manager.id,
    ReportVisibility.RESTRICTED,
  );
  await em.save(ReportShare, { reportId: secret.id, userId: people.regular.id });

  const initechItems = await w.items(initech.id, [
    'Initech launch display',
    'Initech launch social',
  ]);
  await w.report(
    initech.id,
    'Initech launch',
    initechItems.map((i) => i.id),
    people.manager.id,
  );

  const acmeItems = await w.items(premium.id, ['Acme TV sync', 'Acme online video']);
  await w.report(
    premium.id,
    'Acme brand tracking',
    acmeItems.map((i) => i.id),
    people.premiumAdmin.id,
  );
}

/**
 * R3, R7, R13: one simulated ad-server integration on the agency covering all three brands:
 * syncing it feeds INTEGRATION items; disconnecting Globex or Acme pauses that advertiser only.
 */
async function seedIntegration(
  em: EntityManager,
  agency: Account,
  createdBy: User,
  mapped: { globex: Account; initech: Account; premium: Account },
) {
  const integration = await em.save(Integration, {
    name: 'Northwind ad server (simulated)',
    adServer: 'SIMULATED',
    ownerAccountId: agency.id,
    createdById: createdBy.id,
  });
  await em.save(IntegrationMapping, [
    {
      integrationId: integration.id,
      clientAccountId: mapped.globex.id,
      externalAdvertiserId: 'adv-globex',
    },
    {
      integrationId: integration.id,
      clientAccountId: mapped.initech.id,
      externalAdvertiserId: 'adv-initech',
    },
    {
      integrationId: integration.id,
      clientAccountId: mapped.premium.id,
      externalAdvertiserId: 'adv-acme',
    },
  ]);
}

async function seedDemoWorld(em: EntityManager): Promise<DemoUser[]> {
  const w = writers(em);
  const staff = await w.user('staff@handover.example', 'Sam Staff', null, true);
  const { agency, users: agencyUsers } = await seedAgency(em, w);
  const { premium, admin: acmeAdmin } = await seedConnectedPremium(
    em,
    w,
    agency,
    agencyUsers.admin,
  );
  const { globex, globexViewer, initech } = await seedClients(em, w, agency, agencyUsers.manager);
  await seedReports(
    em,
    w,
    { globex, initech, premium },
    { manager: agencyUsers.manager, regular: agencyUsers.regular, premiumAdmin: acmeAdmin },
  );
  await seedIntegration(em, agency, agencyUsers.admin, { globex, initech, premium });

  const made = [
    staff,
    agencyUsers.admin,
    agencyUsers.manager,
    agencyUsers.regular,
    agencyUsers.viewer,
    acmeAdmin,
    globexViewer,
  ].map((user) => user.email);
  if (made.join() !== DEMO_USERS.map((user) => user.email).join()) {
    throw new Error('The demo world and DEMO_USERS disagree');
  }
  return [...DEMO_USERS];
}
