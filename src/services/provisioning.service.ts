import type { EntityManager } from 'typeorm';
import {
  Account,
  AccountType,
  ClientAccessGrant,
  ClientAccessMode,
  Membership,
  Organization,
  Product,
} from '../entities';
import { requireViewer, type RequestContext } from '../context/request-context';
import type {
  AddOrganizationAccountInput,
  CreateAgencyInput,
  CreateClientAccountInput,
  CreatePremiumClientInput,
} from '../schema/types/inputs';
import { DomainError, invalidInput, notFound, requiredText } from '../shared/errors';
import { agencyMemberIds } from './client-access.service';
import { isId } from '../shared/ids';
import { recordAuditEvent } from './audit.service';
import { inTransaction } from './transaction';
import { assertActiveAccount, lockVisibleAccount } from './locks';

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

/**
 * A3: an existing brand organization an agency may create a client in — one that already owns a
 * client of this agency (staff: any). Another tenant's organization does not exist for the
 * agency (NOT_FOUND, nothing named), so nobody can park an account in it and keep it from being
 * removed by R20.
 */
async function brandOrganizationOf(
  ctx: RequestContext,
  em: EntityManager,
  agency: Account,
  organizationId: string,
): Promise<string> {
  const rows: { id: string }[] = isId(organizationId)
    ? await em.query(
        `SELECT o.id FROM organizations o
          WHERE o.id = $1 AND o.removed_at IS NULL
            AND ($3 OR EXISTS (SELECT 1 FROM accounts c
                               WHERE c.organization_id = o.id AND c.agency_id = $2))`,
        [organizationId.toLowerCase(), agency.id, !!ctx.viewer?.isStaff],
      )
    : [];
  if (!rows[0]) throw notFound('Organization', ['input', 'organizationId']);
  return rows[0].id;
}

/**
 * R2, A1: an agency ADMIN or ACCOUNT_MANAGER creates a CLIENT account, owned by the agency from
 * birth, with its client-access setting. The brand's organization is reused or created.
 */
export async function createClientAccount(ctx: RequestContext, input: CreateClientAccountInput) {
  const { viewer } = requireViewer(ctx);
  const name = requiredText(input.name, ['input', 'name']);
  return inTransaction(ctx, async (em) => {
    const agency = await lockVisibleAccount(em, ctx, input.agencyId, 'share', [
      'input',
      'agencyId',
    ]);
    if (agency.type !== AccountType.AGENCY) {
      throw invalidInput(['input', 'agencyId'], 'agencyId must name an AGENCY account');
    }
    assertActiveAccount(agency);
    let organizationId: string;
    if (input.organizationId) {
      organizationId = await brandOrganizationOf(ctx, em, agency, input.organizationId);
    } else {
      const orgName = requiredText(input.organizationName ?? '', ['input', 'organizationName']);
      organizationId = (await createOrganization(em, orgName)).id;
    }
    // domain.md, client access: the agency user who creates a SELECTED_USERS client is always on
    // its list (staff, who are no agency members, are not).
    const creatorIsMember = await em.exists(Membership, {
      where: { userId: viewer.user.id, accountId: agency.id },
    });
    const selected =
      input.access === ClientAccessMode.SELECTED_USERS
        ? await agencyMemberIds(em, agency.id, [
            ...(input.userIds ?? []),
            ...(creatorIsMember ? [viewer.user.id] : []),
          ])
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
    // R27: the client's birth sets who reaches it — audited like setClientAccess.
    await recordAuditEvent(em, ctx, {
      action: 'CLIENT_ACCESS_CHANGED',
      accountId: client.id,
      relatedAccountId: agency.id,
      details: { from: null, to: input.access, selectedUserIds: selected },
    });
    return client;
  });
}
