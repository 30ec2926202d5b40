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

async function seedDemoWorld(em: EntityManager): Promise<DemoUser[]> {
  const org = (name: string) => em.save(Organization, { name, removedAt: null });
  const user = (email: string, name: string, organizationId: string | null, isStaff = false) =>
    em.save(User, { email, name, organizationId, isStaff, active: true });
  const member = (userId: string, accountId: string, role: Role) =>
    em.save(Membership, { userId, accountId, role });

  const staff = await user('staff@handover.example', 'Sam Staff', null, true);

  const agencyOrg = await org('Northwind Media');
  const agency = await em.save(Account, {
    name: 'Northwind Agency',
    type: AccountType.AGENCY,
    organizationId: agencyOrg.id,
  });
  const agencyUsers = {
    admin: await user('admin@northwind.example', 'Ada Admin', agencyOrg.id),
    manager: await user('manager@northwind.example', 'Max Manager', agencyOrg.id),
    regular: await user('regular@northwind.example', 'Rita Regular', agencyOrg.id),
    viewer: await user('viewer@northwind.example', 'Vic Viewer', agencyOrg.id),
  };
  await member(agencyUsers.admin.id, agency.id, Role.ADMIN);
  await member(agencyUsers.manager.id, agency.id, Role.ACCOUNT_MANAGER);
  await member(agencyUsers.regular.id, agency.id, Role.REGULAR);
  await member(agencyUsers.viewer.id, agency.id, Role.VIEW_ONLY);

  const acmeOrg = await org('Acme Brands');
  const premium = await em.save(Account, {
    name: 'Acme (premium)',
    type: AccountType.PREMIUM_CLIENT,
    organizationId: acmeOrg.id,
  });
  const acmeAdmin = await user('admin@acme.example', 'Alice Acme', acmeOrg.id);
  await member(acmeAdmin.id, premium.id, Role.ADMIN);
  await em.save(AgencyConnection, {
    agencyId: agency.id,
    premiumClientId: premium.id,
    status: ConnectionStatus.ACTIVE,
    requestedByAccountId: agency.id,
    requestedById: agencyUsers.admin.id,
    respondedAt: new Date(),
    respondedById: acmeAdmin.id,
  });

  const globexOrg = await org('Globex');
  const globex = await em.save(Account, {
    name: 'Globex',
    type: AccountType.CLIENT,
    organizationId: globexOrg.id,
    agencyId: agency.id,
    clientAccess: ClientAccessMode.EVERYONE_IN_AGENCY,
  });
  const globexViewer = await user('viewer@globex.example', 'Gary Globex', globexOrg.id);
  await member(globexViewer.id, globex.id, Role.VIEW_ONLY);

  const initechOrg = await org('Initech');
  const initech = await em.save(Account, {
    name: 'Initech',
    type: AccountType.CLIENT,
    organizationId: initechOrg.id,
    agencyId: agency.id,
    clientAccess: ClientAccessMode.SELECTED_USERS,
  });
  await em.save(ClientAccessGrant, { accountId: initech.id, userId: agencyUsers.manager.id });

  const items = async (accountId: string, names: string[]) =>
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
    );
  const report = async (
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
  };

  const globexItems = await items(globex.id, [
    'Globex spring video',
    'Globex spring display',
    'Globex search',
  ]);
  await report(
    globex.id,
    'Globex spring campaign',
    globexItems.map((i) => i.id),
    agencyUsers.manager.id,
  );
  const secret = await report(
    globex.id,
    'Globex board review',
    [globexItems[0].id],
    agencyUsers.manager.id,
    ReportVisibility.RESTRICTED,
  );
  await em.save(ReportShare, { reportId: secret.id, userId: agencyUsers.regular.id });

  const initechItems = await items(initech.id, ['Initech launch display', 'Initech launch social']);
  await report(
    initech.id,
    'Initech launch',
    initechItems.map((i) => i.id),
    agencyUsers.manager.id,
  );

  const acmeItems = await items(premium.id, ['Acme TV sync', 'Acme online video']);
  await report(
    premium.id,
    'Acme brand tracking',
    acmeItems.map((i) => i.id),
    acmeAdmin.id,
  );

  // One simulated ad-server integration on the agency covering all three brands: syncing it
  // feeds INTEGRATION items; disconnecting Globex or Acme pauses that advertiser only (R7, R13).
  const integration = await em.save(Integration, {
    name: 'Northwind ad server (simulated)',
    adServer: 'SIMULATED',
    ownerAccountId: agency.id,
    createdById: agencyUsers.admin.id,
  });
  await em.save(IntegrationMapping, [
    {
      integrationId: integration.id,
      clientAccountId: globex.id,
      externalAdvertiserId: 'adv-globex',
    },
    {
      integrationId: integration.id,
      clientAccountId: initech.id,
      externalAdvertiserId: 'adv-initech',
    },
    {
      integrationId: integration.id,
      clientAccountId: premium.id,
      externalAdvertiserId: 'adv-acme',
    },
  ]);

  return [
    { email: staff.email, role: 'platform staff' },
    { email: agencyUsers.admin.email, role: 'Northwind Agency ADMIN' },
    { email: agencyUsers.manager.email, role: 'Northwind Agency ACCOUNT_MANAGER' },
    { email: agencyUsers.regular.email, role: 'Northwind Agency REGULAR' },
    { email: agencyUsers.viewer.email, role: 'Northwind Agency VIEW_ONLY' },
    { email: acmeAdmin.email, role: 'Acme (premium) ADMIN' },
    { email: globexViewer.email, role: 'Globex (client) VIEW_ONLY' },
  ];
}
