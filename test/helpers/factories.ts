import { createHash, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  Account,
  AccountStatus,
  AccountType,
  AgencyConnection,
  ApiToken,
  ArchivedReportAccess,
  ClientAccessGrant,
  ClientAccessMode,
  ConnectionAccessGrant,
  ConnectionStatus,
  Integration,
  IntegrationMapping,
  ItemSource,
  MappingStatus,
  Membership,
  Organization,
  Product,
  Report,
  ReportItem,
  ReportingItem,
  ReportShare,
  ReportStatus,
  ReportVisibility,
  Role,
  User,
} from '../../src/entities';

const unique = () => randomBytes(4).toString('hex');

/**
 * Test data built straight into the database from partial overrides, so each test states only
 * what matters to it. Rules are exercised through the API, never through these.
 */
export function factories(source: DataSource | (() => DataSource)) {
  // A function when the data source exists only once a beforeAll ran (useTestServer).
  const db = {
    getRepository: ((entity) =>
      (typeof source === 'function' ? source() : source).getRepository(
        entity,
      )) as DataSource['getRepository'],
  };
  const f = {
    organization: (o: Partial<Organization> = {}) =>
      db.getRepository(Organization).save({ name: `Org ${unique()}`, removedAt: null, ...o }),

    async user(o: Partial<User> = {}) {
      return db.getRepository(User).save({
        email: `user-${unique()}@example.test`,
        name: `User ${unique()}`,
        active: true,
        isStaff: false,
        organizationId: o.organizationId ?? null,
        ...o,
      });
    },

    staff: (o: Partial<User> = {}) => f.user({ isStaff: true, ...o }),

    async account(o: Partial<Account> & { type: AccountType }) {
      const organizationId = o.organizationId ?? (await f.organization()).id;
      return db.getRepository(Account).save({
        name: `${o.type} ${unique()}`,
        product: Product.AUDIENCE_REPORT,
        status: AccountStatus.ACTIVE,
        archivedAt: null,
        agencyId: null,
        clientAccess: o.type === AccountType.CLIENT ? ClientAccessMode.EVERYONE_IN_AGENCY : null,
        contractReference: null,
        ...o,
        organizationId,
      });
    },

    agency: (o: Partial<Account> = {}) => f.account({ type: AccountType.AGENCY, ...o }),
    premium: (o: Partial<Account> = {}) => f.account({ type: AccountType.PREMIUM_CLIENT, ...o }),
    client: (agency: Account, o: Partial<Account> = {}) =>
      f.account({ type: AccountType.CLIENT, agencyId: agency.id, ...o }),

    membership: (user: User, account: Account, role: Role) =>
      db.getRepository(Membership).save({ userId: user.id, accountId: account.id, role }),

    /** A new user with `role` on `account`, in the account's organization. */
    async member(account: Account, role: Role, o: Partial<User> = {}) {
      const user = await f.user({ organizationId: account.organizationId, ...o });
      await f.membership(user, account, role);
      return user;
    },

    grant: (account: Account, user: User) =>
      db.getRepository(ClientAccessGrant).save({ accountId: account.id, userId: user.id }),

    /** Selects an agency user on one connection (SELECTED_USERS access to its premium client). */
    connectionGrant: (connection: AgencyConnection, user: User) =>
      db
        .getRepository(ConnectionAccessGrant)
        .save({ connectionId: connection.id, userId: user.id }),

    connection: (agency: Account, premium: Account, o: Partial<AgencyConnection> = {}) =>
      db.getRepository(AgencyConnection).save({
        agencyId: agency.id,
        premiumClientId: premium.id,
        status: ConnectionStatus.ACTIVE,
        clientAccess: ClientAccessMode.EVERYONE_IN_AGENCY,
        requestedByAccountId: agency.id,
        requestedById: null,
        respondedAt: new Date(),
        ...o,
      }),

    integration: (owner: Account, o: Partial<Integration> = {}) =>
      db.getRepository(Integration).save({
        name: `Integration ${unique()}`,
        adServer: 'SIMULATED',
        ownerAccountId: owner.id,
        createdById: null,
        ...o,
      }),

    /** An ACTIVE mapping of `account` under the integration, advertiser `adv-<account id>`. */
    mapping: (integration: Integration, account: Account, o: Partial<IntegrationMapping> = {}) =>
      db.getRepository(IntegrationMapping).save({
        integrationId: integration.id,
        clientAccountId: account.id,
        externalAdvertiserId: `adv-${account.id}`,
        status: MappingStatus.ACTIVE,
        pausedAt: null,
        ...o,
      }),

    item: (account: Account, o: Partial<ReportingItem> = {}) =>
      db.getRepository(ReportingItem).save({
        name: `Item ${unique()}`,
        accountId: account.id,
        source: ItemSource.MANUAL,
        integrationId: null,
        externalId: null,
        lastDataAt: null,
        frozenAt: null,
        ...o,
      }),

    /**
     * A partner API token on `account` made by `creator`, stored as the server stores it (only the
     * SHA-256 of the secret); returns what a client sends: `{ token }`. Whether it authenticates
     * is the server's rule (R18), not this factory's.
     */
    async apiToken(account: Account, creator: User, name = 'partner') {
      const token = `hov_${randomBytes(16).toString('hex')}`;
      const apiToken = await db.getRepository(ApiToken).save({
        name,
        tokenHash: createHash('sha256').update(token).digest('hex'),
        accountId: account.id,
        createdById: creator.id,
      });
      return { token, apiToken };
    },

    async report(
      account: Account,
      o: Partial<Report> & { items?: ReportingItem[]; sharedWith?: User[]; snapshot?: User[] } = {},
    ) {
      const { items = [], sharedWith = [], snapshot, ...fields } = o;
      const report = await db.getRepository(Report).save({
        name: `Report ${unique()}`,
        accountId: account.id,
        visibility: ReportVisibility.ACCOUNT,
        status: snapshot ? ReportStatus.ARCHIVED : ReportStatus.ACTIVE,
        archivedAt: snapshot ? new Date() : null,
        createdById: null,
        ...fields,
      });
      if (items.length) {
        await db
          .getRepository(ReportItem)
          .insert(items.map((i) => ({ reportId: report.id, itemId: i.id })));
      }
      if (sharedWith.length) {
        await db
          .getRepository(ReportShare)
          .insert(sharedWith.map((u) => ({ reportId: report.id, userId: u.id })));
      }
      if (snapshot?.length) {
        await db
          .getRepository(ArchivedReportAccess)
          .insert(snapshot.map((u) => ({ reportId: report.id, userId: u.id })));
      }
      return report;
    },
  };
  return f;
}

export type Factories = ReturnType<typeof factories>;
