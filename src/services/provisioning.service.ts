import type { EntityManager } from 'typeorm';
import {
  Account,
  AccountStatus,
  AccountType,
  ClientAccessGrant,
  ClientAccessMode,
  Membership,
  Organization,
  Product,
  Role,
  User,
} from '../entities';
import { requireViewer, type RequestContext } from '../server/context';
import type {
  AddMemberInput,
  AddOrganizationAccountInput,
  CreateAgencyInput,
  CreateClientAccountInput,
  CreatePremiumClientInput,
  SetClientAccessInput,
} from '../schema/types/inputs';
import { DomainError, invalidInput, notFound, requiredText } from './errors';
import { distinctIds, isId } from './ids';
import { assertActiveAccount, inTransaction, lockVisibleAccount } from './transaction';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

async function createOrganization(em: EntityManager, name: string) {
  return em.getRepository(Organization).save({ name, removedAt: null });
}

/** Platform staff provision an agency with a new organization. */
export async function createAgency(ctx: RequestContext, input: CreateAgencyInput) {
  const name = requiredText(input.name, ['input', 'name']);
  const orgName = requiredText(input.organizationName, ['input', 'organizationName']);
  return inTransaction(ctx, async (em) => {
    const org = await createOrganization(em, orgName);
    return em.getRepository(Account).save({
      name,
      type: AccountType.AGENCY,
      product: Product.AUDIENCE_REPORT,
      organizationId: org.id,
    });
  });
}

/** Platform staff provision a premium client (a brand with its own contract). */
export async function createPremiumClient(ctx: RequestContext, input: CreatePremiumClientInput) {
  const name = requiredText(input.name, ['input', 'name']);
  const orgName = requiredText(input.organizationName, ['input', 'organizationName']);
  return inTransaction(ctx, async (em) => {
    const org = await createOrganization(em, orgName);
    return em.getRepository(Account).save({
      name,
      type: AccountType.PREMIUM_CLIENT,
      product: Product.AUDIENCE_REPORT,
      organizationId: org.id,
      clientAccess: ClientAccessMode.EVERYONE_IN_AGENCY,
    });
  });
}

/**
 * R20 support: another product's account (UserReport, HUB, kits) of an organization. Such an
 * account keeps the organization alive when its AudienceReport client is disconnected.
 */
export async function addOrganizationAccount(
  ctx: RequestContext,
  input: AddOrganizationAccountInput,
) {
  const name = requiredText(input.name, ['input', 'name']);
  return inTransaction(ctx, async (em) => {
    const org = isId(input.organizationId)
      ? await em.getRepository(Organization).findOneBy({ id: input.organizationId })
      : null;
    if (!org) throw notFound('Organization', ['input', 'organizationId']);
    if (org.removedAt) {
      throw new DomainError('INVALID_STATE', 'The organization was removed', [
        'input',
        'organizationId',
      ]);
    }
    const type =
      input.product === Product.AUDIENCE_REPORT ? AccountType.PREMIUM_CLIENT : AccountType.CLIENT;
    return em
      .getRepository(Account)
      .save({ name, type, product: input.product, organizationId: org.id });
  });
}

/** Users selected for a client must be members of its agency (SELECTED_USERS mode). */
async function agencyMemberIds(
  em: EntityManager,
  agencyIds: string[],
  userIds: string[] | null | undefined,
) {
  const ids = distinctIds(userIds, ['input', 'userIds']);
  if (ids.length === 0) return [];
  const members: { user_id: string }[] = await em.query(
    `SELECT DISTINCT user_id FROM memberships WHERE user_id = ANY($1::uuid[]) AND account_id = ANY($2::uuid[])`,
    [ids, agencyIds],
  );
  if (members.length !== ids.length) {
    throw invalidInput(['input', 'userIds'], 'Every selected user must be a member of the agency');
  }
  return ids;
}

/**
 * R2: an agency ADMIN or ACCOUNT_MANAGER creates a CLIENT account, owned by the agency from
 * birth, with its client-access setting. The brand's organization is reused or created.
 */
export async function createClientAccount(ctx: RequestContext, input: CreateClientAccountInput) {
  const { visibility } = requireViewer(ctx);
  const name = requiredText(input.name, ['input', 'name']);
  return inTransaction(ctx, async (em) => {
    const agency = await lockVisibleAccount(em, visibility, input.agencyId, 'share', [
      'input',
      'agencyId',
    ]);
    if (agency.type !== AccountType.AGENCY) {
      throw invalidInput(['input', 'agencyId'], 'agencyId must name an AGENCY account');
    }
    assertActiveAccount(agency);
    let organizationId: string;
    if (input.organizationId) {
      const org = isId(input.organizationId)
        ? await em.getRepository(Organization).findOneBy({ id: input.organizationId })
        : null;
      if (!org || org.removedAt) throw notFound('Organization', ['input', 'organizationId']);
      organizationId = org.id;
    } else {
      const orgName = requiredText(input.organizationName ?? '', ['input', 'organizationName']);
      organizationId = (await createOrganization(em, orgName)).id;
    }
    const selected =
      input.access === ClientAccessMode.SELECTED_USERS
        ? await agencyMemberIds(em, [agency.id], input.userIds)
        : [];
    const client = await em.getRepository(Account).save({
      name,
      type: AccountType.CLIENT,
      product: Product.AUDIENCE_REPORT,
      organizationId,
      agencyId: agency.id,
      clientAccess: input.access,
    });
    if (selected.length > 0) {
      await em
        .getRepository(ClientAccessGrant)
        .insert(selected.map((userId) => ({ accountId: client.id, userId })));
    }
    return client;
  });
}

/**
 * Adds a member to an account, creating the user when the email is new. Users of a CLIENT
 * account are always VIEW_ONLY (domain: Actors). An archived account takes no new members.
 */
export async function addMember(ctx: RequestContext, input: AddMemberInput) {
  const { visibility } = requireViewer(ctx);
  const email = input.email.trim().toLowerCase();
  if (!EMAIL.test(email) || email.length > 254) {
    throw invalidInput(['input', 'email'], 'email is not a valid address');
  }
  const name = requiredText(input.name, ['input', 'name']);
  return inTransaction(ctx, async (em) => {
    const account = await lockVisibleAccount(em, visibility, input.accountId, 'share', [
      'input',
      'accountId',
    ]);
    assertActiveAccount(account);
    if (account.type === AccountType.CLIENT && input.role !== Role.VIEW_ONLY) {
      throw invalidInput(['input', 'role'], 'Users of a CLIENT account are always VIEW_ONLY');
    }
    await em
      .createQueryBuilder()
      .insert()
      .into(User)
      .values({ email, name, organizationId: account.organizationId })
      .orIgnore()
      .execute();
    const user = await em.getRepository(User).findOneByOrFail({ email });
    if (!user.active) {
      throw new DomainError('INVALID_STATE', 'This user is deactivated', ['input', 'email']);
    }
    const existing = await em
      .getRepository(Membership)
      .findOneBy({ userId: user.id, accountId: account.id });
    if (existing) {
      throw new DomainError('INVALID_STATE', 'This user is already a member of the account', [
        'input',
        'email',
      ]);
    }
    return em
      .getRepository(Membership)
      .save({ userId: user.id, accountId: account.id, role: input.role });
  });
}

/**
 * Sets which agency users reach a CLIENT (or connected PREMIUM_CLIENT) account: everyone in the
 * agency, or the selected users (agency ADMINs always do). Grants are replaced as a set.
 */
export async function setClientAccess(ctx: RequestContext, input: SetClientAccessInput) {
  const { visibility } = requireViewer(ctx);
  return inTransaction(ctx, async (em) => {
    const account = await lockVisibleAccount(em, visibility, input.accountId, 'share', [
      'input',
      'accountId',
    ]);
    if (account.type === AccountType.AGENCY) {
      throw invalidInput(
        ['input', 'accountId'],
        'Client access applies to client and premium accounts',
      );
    }
    assertActiveAccount(account);
    let selected: string[] = [];
    if (input.access === ClientAccessMode.SELECTED_USERS) {
      const agencyIds =
        account.type === AccountType.CLIENT
          ? [account.agencyId!]
          : (
              await em.query(
                `SELECT agency_id FROM agency_connections WHERE premium_client_id = $1 AND status = 'ACTIVE'`,
                [account.id],
              )
            ).map((row: { agency_id: string }) => row.agency_id);
      selected = await agencyMemberIds(em, agencyIds, input.userIds);
    }
    await em.update(
      Account,
      { id: account.id, status: AccountStatus.ACTIVE },
      { clientAccess: input.access },
    );
    await em.delete(ClientAccessGrant, { accountId: account.id });
    if (selected.length > 0) {
      await em
        .getRepository(ClientAccessGrant)
        .insert(selected.map((userId) => ({ accountId: account.id, userId })));
    }
    return em.getRepository(Account).findOneByOrFail({ id: account.id });
  });
}
