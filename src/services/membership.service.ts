import type { EntityManager } from 'typeorm';
import { type Account, AccountType, Membership, Role, User } from '../entities';
import { requireViewer, type RequestContext } from '../context/request-context';
import type {
  AddMemberInput,
  ChangeMemberRoleInput,
  RemoveMemberInput,
} from '../schema/types/inputs';
import { type AuditAction, recordAuditEvent } from './audit.service';
import { DomainError, invalidInput, notFound, requiredText } from '../shared/errors';
import { isId } from '../shared/ids';
import {
  endSelectionsInAgency,
  endSharesWithoutReach,
  endTokensOfCreatorsWithoutAdmin,
} from './ended-access.service';
import { queueAdminEmails } from './outbox.service';
import { inTransaction } from './transaction';
import { assertActiveAccount, lockVisibleAccount } from './locks';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Member changes of one account are serialized on its row: FOR UPDATE (lock order: the account,
 * then its memberships). Two admins removing each other, or a removal racing a client
 * disconnection of the same agency (which shares the agency row), queue instead of both seeing
 * the world before the other's change.
 */
const lockAccountForMemberChange = (
  em: EntityManager,
  ctx: RequestContext,
  accountId: string,
): Promise<Account> => lockVisibleAccount(em, ctx, accountId, 'update', ['input', 'accountId']);

async function memberOf(em: EntityManager, accountId: string, userId: string) {
  const membership = isId(userId)
    ? await em.getRepository(Membership).findOneBy({ accountId, userId: userId.toLowerCase() })
    : null;
  if (!membership) throw notFound('Member', ['input', 'userId']);
  return membership;
}

/** R24: the change would leave the account without an ADMIN. */
async function assertAnotherAdmin(em: EntityManager, account: Account, userId: string) {
  const [{ count }]: { count: string }[] = await em.query(
    `SELECT count(*) AS count FROM memberships m JOIN users u ON u.id = m.user_id
      WHERE m.account_id = $1 AND m.role = 'ADMIN' AND m.user_id <> $2 AND u.active`,
    [account.id, userId],
  );
  if (Number(count) === 0) {
    throw new DomainError('LAST_ADMIN', `"${account.name}" would be left without an ADMIN`, [
      'input',
      'userId',
    ]);
  }
}

/** R24: the admins of the account hear of an ADMIN added or removed, once per change. */
async function tellAdmins(
  em: EntityManager,
  account: Account,
  change: { kind: 'added' | 'removed'; user: User; auditEventId: string },
) {
  await queueAdminEmails(em, {
    dedupePrefix: `admin-${change.kind}:${change.auditEventId}`,
    accountIds: [account.id],
    subject: `Handover: ${change.user.name} was ${change.kind} as an ADMIN of ${account.name}`,
    body: [
      `${change.user.name} <${change.user.email}> was ${change.kind} as an ADMIN of ${account.name}.`,
      '',
      'You receive this because you are an ADMIN of that account.',
    ].join('\n'),
  });
}

/**
 * R24: leaving an agency ends the user's work on its clients for good — their client-access and
 * connection-access selections (each ending audited, R27) and their R16 snapshot rows for the
 * agency's archived reports go in the same transaction, so being added again later brings none
 * of it back.
 */
async function dropAgencyAccess(
  em: EntityManager,
  ctx: RequestContext,
  agencyId: string,
  userId: string,
) {
  await endSelectionsInAgency(em, ctx, agencyId, userId);
  await em.query(
    `DELETE FROM archived_report_access s USING reports r, accounts c
      WHERE r.id = s.report_id AND c.id = r.account_id AND c.agency_id = $1 AND s.user_id = $2`,
    [agencyId, userId],
  );
  await em.query(
    `DELETE FROM archived_account_access s USING accounts c
      WHERE c.id = s.account_id AND c.agency_id = $1 AND s.user_id = $2`,
    [agencyId, userId],
  );
}

/**
 * R24, R18, R27: what a member's removal or new role ended ends for good — their shares of
 * reports they no longer reach, and the API tokens they made that they no longer act as ADMIN
 * for — so re-adding or promoting them revives neither.
 */
async function endAccessOfChangedMember(em: EntityManager, ctx: RequestContext, userId: string) {
  await endSharesWithoutReach(em, ctx, { userIds: [userId] });
  await endTokensOfCreatorsWithoutAdmin(em, ctx, { userIds: [userId] });
}

/**
 * R24, A1: an account ADMIN (shield gate: acts for the account as ADMIN) adds a member, creating
 * the user in the account's organization when the email is new. Users of a CLIENT account are
 * always VIEW_ONLY (INVALID_INPUT otherwise); an archived account takes no new members; an
 * existing member is INVALID_STATE, and so is — with one neutral message, revealing nothing of
 * the email — a deactivated user or a user of another organization (a person belongs to one;
 * staff belong to none, so they are never added and no answer here tells who is staff).
 * Nothing else is revealed (A3, issue 30 #11): a success answers with the new membership, whose
 * user the caller now reads in the account's member list anyway; a refusal names nobody. That an
 * email registered elsewhere cannot be added is the one thing left to learn while an email
 * names one person; the answer does not say whether it exists, where, or in what state.
 * R27: audited; a new ADMIN is told to the account's admins by email.
 */
export async function addMember(ctx: RequestContext, input: AddMemberInput) {
  const email = input.email.trim().toLowerCase();
  if (!EMAIL.test(email) || email.length > 254) {
    throw invalidInput(['input', 'email'], 'email is not a valid address');
  }
  const name = requiredText(input.name, ['input', 'name']);
  return inTransaction(ctx, async (em) => {
    const account = await lockAccountForMemberChange(em, ctx, input.accountId);
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
    // FOR SHARE, after the account row (docs/concurrency.md): a deactivation of this user in
    // flight commits first, and then they are refused below rather than added deactivated.
    const user = await em
      .createQueryBuilder(User, 'u')
      .where('u.email = :email', { email })
      .setLock('pessimistic_read')
      .getOneOrFail();
    // A person belongs to one organization (domain.md): an existing user of another one (or
    // staff, or a deactivated user) is not added. One neutral answer for all of these, so the
    // form cannot be used to learn whether, or where, an email is registered (issue 30 #11).
    if (!user.active || user.organizationId !== account.organizationId) {
      throw new DomainError('INVALID_STATE', 'This email cannot be added to this account', [
        'input',
        'email',
      ]);
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
    const membership = await em
      .getRepository(Membership)
      .save({ userId: user.id, accountId: account.id, role: input.role });
    const auditEventId = await recordAuditEvent(em, ctx, {
      action: 'MEMBER_ADDED',
      accountId: account.id,
      relatedAccountId: account.agencyId,
      details: { userId: user.id, role: input.role },
    });
    if (input.role === Role.ADMIN)
      await tellAdmins(em, account, { kind: 'added', user, auditEventId });
    return membership;
  });
}

/**
 * R24, A1: an account ADMIN (or staff) removes a member. LAST_ADMIN when that would leave the
 * account without an active ADMIN — under concurrency too: removals of one account queue on its
 * row, so of two admins removing each other exactly one wins. The user loses the account with
 * the next request (I3); leaving an agency also ends their client and connection selections and
 * R16 access to its archived reports for good. R27: audited; removing an ADMIN is told to the
 * remaining admins by email.
 */
export async function removeMember(ctx: RequestContext, input: RemoveMemberInput) {
  return inTransaction(ctx, async (em) => {
    const account = await lockAccountForMemberChange(em, ctx, input.accountId);
    const membership = await memberOf(em, account.id, input.userId);
    if (membership.role === Role.ADMIN) await assertAnotherAdmin(em, account, membership.userId);
    await em.delete(Membership, { accountId: account.id, userId: membership.userId });
    if (account.type === AccountType.AGENCY) {
      await dropAgencyAccess(em, ctx, account.id, membership.userId);
    }
    await endAccessOfChangedMember(em, ctx, membership.userId);
    const auditEventId = await recordAuditEvent(em, ctx, {
      action: 'MEMBER_REMOVED',
      accountId: account.id,
      relatedAccountId: account.agencyId,
      details: { userId: membership.userId, role: membership.role },
    });
    if (membership.role === Role.ADMIN) {
      const user = await em.getRepository(User).findOneByOrFail({ id: membership.userId });
      await tellAdmins(em, account, { kind: 'removed', user, auditEventId });
    }
    return membership.userId;
  });
}

/**
 * R24, A1: an account ADMIN (or staff) changes a member's role. Users of a CLIENT account stay
 * VIEW_ONLY (INVALID_INPUT); taking ADMIN from the last active ADMIN is LAST_ADMIN. R27:
 * audited; an ADMIN added or removed this way is told to the account's admins by email.
 */
export async function changeMemberRole(ctx: RequestContext, input: ChangeMemberRoleInput) {
  return inTransaction(ctx, async (em) => {
    const account = await lockAccountForMemberChange(em, ctx, input.accountId);
    assertActiveAccount(account);
    if (account.type === AccountType.CLIENT && input.role !== Role.VIEW_ONLY) {
      throw invalidInput(['input', 'role'], 'Users of a CLIENT account are always VIEW_ONLY');
    }
    const membership = await memberOf(em, account.id, input.userId);
    if (membership.role === input.role) return membership;
    if (membership.role === Role.ADMIN) await assertAnotherAdmin(em, account, membership.userId);
    await em.update(
      Membership,
      { accountId: account.id, userId: membership.userId },
      { role: input.role },
    );
    await endAccessOfChangedMember(em, ctx, membership.userId);
    const auditEventId = await recordAuditEvent(em, ctx, {
      action: 'MEMBER_ROLE_CHANGED',
      accountId: account.id,
      relatedAccountId: account.agencyId,
      details: { userId: membership.userId, from: membership.role, to: input.role },
    });
    if (membership.role === Role.ADMIN || input.role === Role.ADMIN) {
      const user = await em.getRepository(User).findOneByOrFail({ id: membership.userId });
      const kind = input.role === Role.ADMIN ? 'added' : 'removed';
      await tellAdmins(em, account, { kind, user, auditEventId });
    }
    return em
      .getRepository(Membership)
      .findOneByOrFail({ accountId: account.id, userId: membership.userId });
  });
}

/**
 * R24 (issue 30 #9): locks FOR UPDATE, in id order, the ACTIVE accounts other than CLIENTs that
 * the user is a member of — in any role, so a promotion or demotion of one of them, which locks
 * the same row, queues before or after the deactivation instead of counting on an ADMIN who is
 * about to go. `held`: rows this transaction already locked. A CLIENT needs no ADMIN of its own:
 * its users are VIEW_ONLY and the agency administers it.
 */
async function lockAccountsOfMember(
  em: EntityManager,
  userId: string,
  held: string[],
): Promise<string[]> {
  const rows: { id: string }[] = await em.query(
    `SELECT a.id FROM accounts a
      WHERE a.status = 'ACTIVE' AND a.type <> 'CLIENT' AND a.id <> ALL($2::uuid[])
        AND EXISTS (SELECT 1 FROM memberships m WHERE m.account_id = a.id AND m.user_id = $1)
      ORDER BY a.id FOR UPDATE OF a`,
    [userId, held],
  );
  return rows.map((row) => row.id);
}

/** R24: LAST_ADMIN, naming one, when a locked account has no active ADMIN but this user. */
async function assertNotLastAdminAnywhere(em: EntityManager, user: User, locked: string[]) {
  if (locked.length === 0) return;
  const [orphaned]: { name: string }[] = await em.query(
    `SELECT a.name FROM accounts a
      WHERE a.id = ANY($2::uuid[])
        AND EXISTS (SELECT 1 FROM memberships m
                     WHERE m.account_id = a.id AND m.user_id = $1 AND m.role = 'ADMIN')
        AND NOT EXISTS (SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id
                         WHERE m.account_id = a.id AND m.role = 'ADMIN' AND m.user_id <> $1
                           AND u.active)
      ORDER BY a.name LIMIT 1`,
    [user.id, locked],
  );
  if (orphaned) {
    throw new DomainError(
      'LAST_ADMIN',
      `"${orphaned.name}" would be left without an active ADMIN; make someone else its ADMIN first`,
      ['userId'],
    );
  }
}

const DEACTIVATED: AuditAction = 'USER_DEACTIVATED';

/**
 * R24: platform staff deactivate a user. LAST_ADMIN (field userId, nothing changes) when they
 * are the last active ADMIN of an ACTIVE account other than a CLIENT — under concurrency too:
 * the accounts they belong to are locked first (the lock order of docs/concurrency.md: accounts
 * in id order, then the user row), so member changes of those accounts queue on the same rows.
 * Their JWTs and the API tokens they made stop working on the next request (authentication
 * reads `active` in the statement that authenticates), the tokens for good (R18). R27: one
 * audit event per account they were a member of, so each account's admins see it.
 */
export async function deactivateUser(ctx: RequestContext, userId: string) {
  return inTransaction(ctx, async (em) => {
    const id = isId(userId) ? userId.toLowerCase() : null;
    const locked = id ? await lockAccountsOfMember(em, id, []) : [];
    const user = id
      ? await em
          .createQueryBuilder(User, 'u')
          .where('u.id = :id', { id })
          .setLock('pessimistic_write')
          .getOne()
      : null;
    if (!user) throw notFound('User', ['userId']);
    if (!user.active) return user;
    // A membership that committed while we waited for the user row (addMember and
    // convertClientToPremium lock that row too, so none can follow now) is locked as well.
    locked.push(...(await lockAccountsOfMember(em, user.id, locked)));
    await assertNotLastAdminAnywhere(em, user, locked);
    await em.update(User, { id: user.id }, { active: false });
    // R18: the tokens they made end for good (a reactivation would revive none).
    await endTokensOfCreatorsWithoutAdmin(em, ctx, { userIds: [user.id] });
    await em.query(
      `INSERT INTO audit_events (action, actor_id, account_id, request_id, details)
       SELECT $4::text, $2, m.account_id, $3, jsonb_build_object('userId', m.user_id)
         FROM memberships m WHERE m.user_id = $1`,
      [user.id, requireViewer(ctx).viewer.user.id, ctx.requestId, DEACTIVATED],
    );
    return em.getRepository(User).findOneByOrFail({ id: user.id });
  });
}
