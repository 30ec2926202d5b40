import type { EntityManager } from 'typeorm';
import {
  Account,
  AccountStatus,
  AccountType,
  AgencyConnection,
  ConnectionStatus,
  Product,
  User,
} from '../entities';
import { reaches, REACHES } from '../permissions/authority';
import { requireViewer, type RequestContext } from '../context/request-context';
import { confirmGateDecisions } from '../permissions/gate-decisions';
import { endSharesWithoutReach, endTokensOfCreatorsWithoutAdmin } from './ended-access.service';
import { queueAdminEmails } from './outbox.service';
import { isStaleStatement, query, returnedIds, rowCount, rowMapper } from '../database/raw-sql';
import { recordAuditEvent } from './audit.service';
import {
  assertClientVisible,
  findVisibleConnection,
  lockVisibleClient,
  lockVisibleConnection,
} from './locks';
import { asTopLevelError, DomainError, invalidInput, notFound } from '../shared/errors';
import { archiveReportsOfAccount, reportsToArchive } from './report.service';
import { inTransaction } from './transaction';
import { settleSchedulesOf } from './schedule-settlement';
import type { Principal } from '../permissions/principal';

/** What a disconnection changes (R23): the preview's answer and the mutation's payload. */
export interface DisconnectImpact {
  reportsToArchive: number;
  itemsToFreeze: number;
  mappingsToPause: number;
  usersLosingAccess: User[];
  organizationRemoved: boolean;
}

const NO_IMPACT: DisconnectImpact = {
  reportsToArchive: 0,
  itemsToFreeze: 0,
  mappingsToPause: 0,
  usersLosingAccess: [],
  organizationRemoved: false,
};

/**
 * The result of one disconnection run: `done` carries the impact it applied; `already` and
 * `invalid` changed nothing (the mutation reports them, the preview answers "no impact").
 */
type Outcome<T> =
  | { kind: 'done'; impact: DisconnectImpact; target: T }
  | { kind: 'already'; message: string }
  | { kind: 'invalid'; message: string };

// ---------------------------------------------------------------------------------------------
// The rows a disconnection changes: one predicate each, used by the UPDATE that changes them and
// by the preview that counts them (R23: preview == impact because both read the same predicate).
// `$n` placeholders are passed in, so one preview statement can combine them.
// ---------------------------------------------------------------------------------------------

/** R12: the client's items that become FROZEN. */
const itemsToFreeze = (i: string, account: string) =>
  `${i}.account_id = ${account} AND ${i}.status = 'ACTIVE'`;

/** R13: the client's mappings that become PAUSED. */
const clientMappingsToPause = (m: string, account: string) =>
  `${m}.client_account_id = ${account} AND ${m}.status = 'ACTIVE'`;

/** R7: the mappings of the agency's integrations for this premium client that become PAUSED. */
const agencyMappingsToPause = (m: string, i: string, agency: string, premium: string) =>
  `${i}.id = ${m}.integration_id AND ${i}.owner_account_id = ${agency}
   AND ${m}.client_account_id = ${premium} AND ${m}.status = 'ACTIVE'`;

/** R20: the client's organization is removed when no other account of it is ACTIVE. */
const organizationToRemove = (o: string, organization: string, client: string) =>
  `${o}.id = ${organization} AND ${o}.removed_at IS NULL
   AND NOT EXISTS (SELECT 1 FROM accounts a
                    WHERE a.organization_id = ${o}.id AND a.status = 'ACTIVE' AND a.id <> ${client})`;

/**
 * R23: a preview reads, it never writes: one READ ONLY, REPEATABLE READ transaction (one
 * snapshot for all its statements), no row locks, so it blocks neither readers nor writers and
 * leaves no WAL or dead rows behind.
 */
async function readOnly<T>(ctx: RequestContext, work: (em: EntityManager) => Promise<T>) {
  const attempt = () =>
    (ctx.primaryDb ?? ctx.db).transaction('REPEATABLE READ', async (em) => {
      await em.query('SET TRANSACTION READ ONLY');
      return work(em);
    });
  // Once more when a prepared statement went stale under a migration (raw-sql.ts).
  return attempt().catch((error: unknown) => {
    if (isStaleStatement(error)) return attempt();
    throw error;
  });
}

/**
 * Active users who reach the account now through REACHES (members, agency users). Whether the
 * viewer may know each one's email (A3, R28) is decided by the same statement, before the
 * disconnection changes who acts for what, so the preview and the impact show the same emails.
 */
async function usersReaching(
  em: EntityManager,
  ctx: RequestContext,
  accountId: string,
): Promise<User[]> {
  const { visibility } = requireViewer(ctx);
  const rows = await query<{ email_known: boolean }>(
    em,
    `SELECT u.*, ${visibility.userEmail('u')} AS email_known FROM users u
      WHERE u.id IN (SELECT acl.user_id FROM ${REACHES} acl WHERE acl.account_id = :accountId)
        AND u.active
      ORDER BY u.email`,
    { ...visibility.params, accountId },
  );
  const users = rows.map(rowMapper(em, User));
  users.forEach((user, i) =>
    ctx.loaders.emailKnown.clear(user.id).prime(user.id, rows[i].email_known),
  );
  return users;
}

/**
 * Ids of users who still reach the account's active data (none once the account is ARCHIVED);
 * `relation` is REACHES, or the preview's REACHES without the connection being disconnected.
 */
async function userIdsStillReaching(
  em: EntityManager,
  accountId: string,
  relation = REACHES,
  params: unknown[] = [],
): Promise<Set<string>> {
  const rows: { user_id: string }[] = await em.query(
    `SELECT DISTINCT acl.user_id FROM ${relation} acl
       JOIN accounts a ON a.id = acl.account_id AND a.status = 'ACTIVE'
      WHERE acl.account_id = $1`,
    [accountId, ...params],
  );
  return new Set(rows.map((row) => row.user_id));
}

/**
 * Who disconnected, as the emails say it (R19): the user, or — R31 — the scheduler on behalf of
 * the scheduling account, as scheduled by its user.
 */
export function actorLine(viewer: Principal): string {
  const person = `${viewer.user.name} (${viewer.user.email})`;
  return viewer.kind === 'job' ? `the scheduler, as scheduled by ${person}` : person;
}

const impactLines = (impact: DisconnectImpact) =>
  [
    `Reports archived: ${impact.reportsToArchive}`,
    `Reporting items frozen: ${impact.itemsToFreeze}`,
    `Integration mappings paused: ${impact.mappingsToPause}`,
    `Users losing access: ${impact.usersLosingAccess.length}`,
  ].join('\n');

// ---------------------------------------------------------------------------------------------
// Agency <-> premium client
// ---------------------------------------------------------------------------------------------

/**
 * R4–R8, R19, R22, R23 (I1, I2, I4): disconnects an agency and a premium client, in one
 * transaction, set-based (a fixed number of statements whatever the number of users/mappings):
 * - the premium account row is locked FOR UPDATE, then the connection row;
 * - a DISCONNECTED connection → `already` (nothing changes, no email); not ACTIVE → `invalid`;
 * - R8: the connection becomes DISCONNECTED with who and when;
 * - R5/R6: agency users lose access at once (REACHES reaches the premium only through
 *   ACTIVE connections, each by its own access setting and grants, which stay on the
 *   DISCONNECTED connection as history and reach nobody);
 * - R7: mappings of integrations owned by the agency for this premium are PAUSED; integrations
 *   owned by the premium, items (stay ACTIVE) and reports are untouched;
 * - R19: outbox rows for the ADMINs of both sides; R22: an audit event with counts and ids.
 */
async function disconnectAgencyWork(
  ctx: RequestContext,
  em: EntityManager,
  connectionId: string,
): Promise<Outcome<AgencyConnection>> {
  const { viewer } = requireViewer(ctx);
  const { connection, agency, premium } = await lockVisibleConnection(
    em,
    ctx,
    connectionId,
    ['connectionId'],
    'update',
  );
  if (connection.status === ConnectionStatus.DISCONNECTED) {
    return { kind: 'already', message: 'This connection is already disconnected' };
  }
  if (connection.status !== ConnectionStatus.ACTIVE) {
    return {
      kind: 'invalid',
      message: `Only an ACTIVE connection can be disconnected; this one is ${connection.status}`,
    };
  }
  const before = await usersReaching(em, ctx, premium.id);

  await em.query(
    `UPDATE agency_connections
        SET status = 'DISCONNECTED', disconnected_at = now(), disconnected_by_id = $2
      WHERE id = $1`,
    [connection.id, viewer.user.id],
  );
  const mappingIds = returnedIds(
    await em.query(
      `UPDATE integration_mappings m SET status = 'PAUSED', paused_at = now()
         FROM integrations i
        WHERE ${agencyMappingsToPause('m', 'i', '$1', '$2')}
       RETURNING m.id`,
      [agency.id, premium.id],
    ),
  );

  const still = await userIdsStillReaching(em, premium.id);
  const impact: DisconnectImpact = {
    reportsToArchive: 0,
    itemsToFreeze: 0,
    mappingsToPause: mappingIds.length,
    usersLosingAccess: before.filter((user) => !still.has(user.id)),
    organizationRemoved: false,
  };

  await queueAdminEmails(em, {
    // Plain ASCII subjects stay readable in the raw message (quotes would force MIME encoding).
    dedupePrefix: `disconnect-agency:${connection.id}`,
    accountIds: [agency.id, premium.id],
    subject: `Handover: ${premium.name} was disconnected from ${agency.name}`,
    body: [
      `The premium client "${premium.name}" and the agency "${agency.name}" were disconnected by ${actorLine(viewer)}.`,
      `The premium client keeps all its reports and reporting items; agency users no longer have access.`,
      impactLines(impact),
    ].join('\n\n'),
  });
  await recordAuditEvent(em, ctx, {
    action: 'AGENCY_DISCONNECTED',
    accountId: premium.id,
    relatedAccountId: agency.id,
    details: {
      connectionId: connection.id,
      mappingsPaused: impact.mappingsToPause,
      pausedMappingIds: mappingIds,
      usersLosingAccess: impact.usersLosingAccess.length,
      userIdsLosingAccess: impact.usersLosingAccess.map((user) => user.id),
    },
  });
  // R6: the agency's users keep no share of the premium's reports (a later connection revives none).
  await endSharesWithoutReach(em, ctx, { accountIds: [premium.id] });
  await settleSchedulesOf(em, ctx, { connectionId: connection.id });
  const updated = await em.getRepository(AgencyConnection).findOneByOrFail({ id: connection.id });
  return { kind: 'done', impact, target: updated };
}

// ---------------------------------------------------------------------------------------------
// Client account
// ---------------------------------------------------------------------------------------------

/**
 * R9, R21 (issue 30 #12): only an AudienceReport CLIENT that an agency owns is disconnected
 * (archived) or converted; any other account — a premium, an agency, or another product's
 * account of the brand (HUB, USER_REPORT, KITS: typed CLIENT, owned by no agency) — is
 * INVALID_INPUT, in the disconnection, its preview and the conversion alike.
 */
export function assertAgencyClient(client: Account, field: string[]): void {
  if (client.type !== AccountType.CLIENT) {
    throw invalidInput(field, 'Only a CLIENT account can be disconnected or converted');
  }
  if (client.product !== Product.AUDIENCE_REPORT || !client.agencyId) {
    throw invalidInput(
      field,
      `Only an AudienceReport client of an agency can be disconnected or converted; this is a ${client.product} account`,
    );
  }
}

/**
 * R10–R13, R16: archives the client's reports with their R16 snapshot, freezes its items, pauses
 * its mappings and archives the account — each by the predicate its preview counts (R23).
 */
async function archiveClient(em: EntityManager, client: Account) {
  const reportsArchived = await archiveReportsOfAccount(em, client.id);
  const itemsFrozen = rowCount(
    await em.query(
      `UPDATE reporting_items i SET status = 'FROZEN', frozen_at = now()
        WHERE ${itemsToFreeze('i', '$1')}`,
      [client.id],
    ),
  );
  const mappingIds = returnedIds(
    await em.query(
      `UPDATE integration_mappings m SET status = 'PAUSED', paused_at = now()
        WHERE ${clientMappingsToPause('m', '$1')}
       RETURNING m.id`,
      [client.id],
    ),
  );
  const [archived] = await em.query<[{ archived_at: Date }[], number]>(
    `UPDATE accounts SET status = 'ARCHIVED', archived_at = now() WHERE id = $1 AND status = 'ACTIVE'
     RETURNING archived_at`,
    [client.id],
  );
  // The payload's account is this row as updated: no reload.
  client.status = AccountStatus.ARCHIVED;
  client.archivedAt = archived[0]?.archived_at ?? client.archivedAt;
  return { reportsArchived, itemsFrozen, mappingIds };
}

/** R20: removes the client's organization when no other account of it is ACTIVE. */
async function removeOrganizationIfLast(em: EntityManager, client: Account): Promise<boolean> {
  return (
    returnedIds(
      await em.query(
        `UPDATE organizations o SET removed_at = now()
          WHERE ${organizationToRemove('o', '$1', '$2')}
         RETURNING o.id`,
        [client.organizationId, client.id],
      ),
    ).length > 0
  );
}

/**
 * R19: outbox rows for the ADMINs of the agency and of the client. Queued while the client's
 * memberships still exist (R15 deletes them next), so its admins, if any, are told too.
 */
async function queueClientDisconnectionEmails(
  em: EntityManager,
  viewer: Principal,
  client: Account,
  agency: Account,
  impact: DisconnectImpact,
) {
  await queueAdminEmails(em, {
    dedupePrefix: `disconnect-client:${client.id}`,
    accountIds: [agency.id, client.id],
    subject: `Handover: client ${client.name} was disconnected from ${agency.name}`,
    body: [
      `The client account "${client.name}" of the agency "${agency.name}" was disconnected and archived by ${actorLine(viewer)}.`,
      `Its reports are archived (read-only), its reporting items frozen and its integration mappings paused.`,
      impactLines(impact) +
        (impact.organizationRemoved ? '\nThe client organization was removed.' : ''),
    ].join('\n\n'),
  });
}

/** R15: the client-access grants and the client's own users' memberships end. */
async function revokeClientAccess(em: EntityManager, client: Account) {
  await em.query(`DELETE FROM client_access_grants WHERE account_id = $1`, [client.id]);
  await em.query(`DELETE FROM memberships WHERE account_id = $1`, [client.id]);
}

/**
 * R20: with the organization removed, its users left with no membership anywhere are
 * deactivated (staff never). Runs after R15, which removed their memberships of the client.
 */
async function deactivateUsersOfRemovedOrganization(
  em: EntityManager,
  client: Account,
  organizationRemoved: boolean,
): Promise<string[]> {
  if (!organizationRemoved) return [];
  return returnedIds(
    await em.query(
      `UPDATE users u SET active = false
        WHERE u.organization_id = $1 AND u.active AND NOT u.is_staff
          AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id)
       RETURNING u.id`,
      [client.organizationId],
    ),
  );
}

/**
 * R9–R15, R16, R19, R20, R22, R23 (I1, I2, I4): disconnects (archives) a CLIENT account in one
 * transaction, set-based (a fixed number of statements whatever the number of reports, items,
 * users or mappings), in this order:
 * - R9/I2: the agency, then the client locked (lockVisibleClient);
 * - not an AudienceReport CLIENT of an agency (a premium, a HUB account) → INVALID_INPUT;
 *   already ARCHIVED → `already` (R14: nothing re-activates it);
 * - R10–R13, R16: reports, items, mappings and the account archived (archiveClient);
 * - R20: the organization removed when it has no other ACTIVE account (removeOrganizationIfLast);
 * - R19: emails queued; R15: grants and the client's memberships deleted; R20: the removed
 *   organization's users with no membership left deactivated; R22: an audit event.
 */
async function disconnectClientWork(
  ctx: RequestContext,
  em: EntityManager,
  clientAccountId: string,
): Promise<Outcome<Account>> {
  const { viewer } = requireViewer(ctx);
  const { client, agency } = await lockVisibleClient(em, ctx, clientAccountId);
  assertAgencyClient(client, ['clientAccountId']);
  if (client.status === AccountStatus.ARCHIVED) {
    // I4: a repeat changes nothing, so it rolls back before any authority is confirmed (the
    // agency's managers who reached the client through a deleted grant hear it too).
    throw new DomainError(
      'ALREADY_DISCONNECTED',
      `Client "${client.name}" is already disconnected`,
      ['clientAccountId'],
    );
  }
  if (!agency) throw new Error(`CLIENT ${client.id} has no agency`);
  await confirmGateDecisions(em, ctx);
  const before = await usersReaching(em, ctx, client.id);

  const { reportsArchived, itemsFrozen, mappingIds } = await archiveClient(em, client);
  const organizationRemoved = await removeOrganizationIfLast(em, client);
  // R10/R15: an ARCHIVED client is reached by nobody, so everyone who reached it loses access.
  const impact: DisconnectImpact = {
    reportsToArchive: reportsArchived,
    itemsToFreeze: itemsFrozen,
    mappingsToPause: mappingIds.length,
    usersLosingAccess: before,
    organizationRemoved,
  };

  await queueClientDisconnectionEmails(em, viewer, client, agency, impact);
  await revokeClientAccess(em, client);
  // R18: managers who acted for the client through a selection it no longer has made tokens.
  await endTokensOfCreatorsWithoutAdmin(em, ctx, { accountIds: [client.id] });
  const deactivatedIds = await deactivateUsersOfRemovedOrganization(
    em,
    client,
    organizationRemoved,
  );
  await recordAuditEvent(em, ctx, {
    action: 'CLIENT_DISCONNECTED',
    accountId: client.id,
    relatedAccountId: agency.id,
    details: {
      reportsArchived: impact.reportsToArchive,
      itemsFrozen: impact.itemsToFreeze,
      mappingsPaused: impact.mappingsToPause,
      pausedMappingIds: mappingIds,
      usersLosingAccess: impact.usersLosingAccess.length,
      userIdsLosingAccess: impact.usersLosingAccess.map((user) => user.id),
      organizationRemoved,
      organizationId: client.organizationId,
      deactivatedUserIds: deactivatedIds,
    },
  });
  await settleSchedulesOf(em, ctx, { clientAccountId: client.id });
  return { kind: 'done', impact, target: client };
}

// ---------------------------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------------------------

function settle<T>(outcome: Outcome<T>, field: string[]): { impact: DisconnectImpact; target: T } {
  if (outcome.kind === 'already') {
    throw new DomainError('ALREADY_DISCONNECTED', outcome.message, field);
  }
  if (outcome.kind === 'invalid') throw new DomainError('INVALID_STATE', outcome.message, field);
  return outcome;
}

/** A preview is a query: business-rule failures become coded top-level errors. */
async function previewOf<T>(run: () => Promise<Outcome<T>>): Promise<DisconnectImpact> {
  try {
    const outcome = await run();
    return outcome.kind === 'done' ? outcome.impact : NO_IMPACT;
  } catch (error) {
    if (error instanceof DomainError) throw asTopLevelError(error);
    throw error;
  }
}

/**
 * R23 preview of R4–R8, read-only: the same visibility and state checks as the disconnection,
 * then the rows its statements would change, counted with their predicates, and the users who
 * reach the premium client now but not through REACHES without this connection. Not ACTIVE →
 * no impact.
 */
export const disconnectAgencyPreview = (ctx: RequestContext, connectionId: string) =>
  previewOf(() =>
    readOnly(ctx, async (em): Promise<Outcome<null>> => {
      const { visibility } = requireViewer(ctx);
      const connection = await findVisibleConnection(em, visibility, connectionId);
      if (!connection) throw notFound('Connection', ['connectionId']);
      if (connection.status !== ConnectionStatus.ACTIVE) {
        return { kind: 'invalid', message: `The connection is ${connection.status}` };
      }
      const premiumId = connection.premiumClientId;
      const before = await usersReaching(em, ctx, premiumId);
      const [{ mappings }]: { mappings: number }[] = await em.query(
        `SELECT count(*)::int AS mappings FROM integration_mappings m, integrations i
          WHERE ${agencyMappingsToPause('m', 'i', '$1', '$2')}`,
        [connection.agencyId, premiumId],
      );
      const still = await userIdsStillReaching(em, premiumId, reaches('$2'), [connection.id]);
      const impact: DisconnectImpact = {
        reportsToArchive: 0,
        itemsToFreeze: 0,
        mappingsToPause: mappings,
        usersLosingAccess: before.filter((user) => !still.has(user.id)),
        organizationRemoved: false,
      };
      return { kind: 'done', impact, target: null };
    }),
  );

/** R4–R8 (see disconnectAgencyWork). Repeat → ALREADY_DISCONNECTED; not ACTIVE → INVALID_STATE. */
export async function disconnectAgency(ctx: RequestContext, connectionId: string) {
  const outcome = await inTransaction(ctx, (em) => disconnectAgencyWork(ctx, em, connectionId));
  const { impact, target } = settle(outcome, ['connectionId']);
  return { connection: target, impact };
}

/**
 * R23 preview of R9–R15/R20, read-only: the same visibility and type checks as the
 * disconnection, then one statement counting the rows its UPDATEs would change (their own
 * predicates) and the users who reach the client now (all of them lose it). Archived → no impact.
 */
export const disconnectClientPreview = (ctx: RequestContext, clientAccountId: string) =>
  previewOf(() =>
    readOnly(ctx, async (em): Promise<Outcome<null>> => {
      await assertClientVisible(ctx, em, clientAccountId);
      const client = await em
        .getRepository(Account)
        .findOneByOrFail({ id: clientAccountId.toLowerCase() });
      assertAgencyClient(client, ['clientAccountId']);
      if (client.status === AccountStatus.ARCHIVED) {
        return { kind: 'already', message: `Client "${client.name}" is already disconnected` };
      }
      const before = await usersReaching(em, ctx, client.id);
      const [counts]: {
        reports: number;
        items: number;
        mappings: number;
        organization_removed: boolean;
      }[] = await em.query(
        `SELECT (SELECT count(*) FROM reports r WHERE ${reportsToArchive('r', '$1')})::int AS reports,
                (SELECT count(*) FROM reporting_items i WHERE ${itemsToFreeze('i', '$1')})::int AS items,
                (SELECT count(*) FROM integration_mappings m
                  WHERE ${clientMappingsToPause('m', '$1')})::int AS mappings,
                EXISTS (SELECT 1 FROM organizations o
                         WHERE ${organizationToRemove('o', 'CAST($2 AS uuid)', '$1')}) AS organization_removed`,
        [client.id, client.organizationId],
      );
      const impact: DisconnectImpact = {
        reportsToArchive: counts.reports,
        itemsToFreeze: counts.items,
        mappingsToPause: counts.mappings,
        usersLosingAccess: before,
        organizationRemoved: counts.organization_removed,
      };
      return { kind: 'done', impact, target: null };
    }),
  );

/** R9–R15, R20 (see disconnectClientWork). Repeat → ALREADY_DISCONNECTED. */
export async function disconnectClient(ctx: RequestContext, clientAccountId: string) {
  const outcome = await inTransaction(ctx, (em) => disconnectClientWork(ctx, em, clientAccountId));
  const { impact, target } = settle(outcome, ['clientAccountId']);
  return { account: target, impact };
}

/**
 * R31: the scheduled run of a disconnection — the very work of `disconnectAgency` /
 * `disconnectClient` (R4–R23, I1–I4) in one transaction, by the job's principal (`jobContext`),
 * which ends its schedule DONE in that transaction (settleSchedulesOf). A link found already
 * disconnected ends the schedule ALREADY_DISCONNECTED and sends nothing; every other refusal
 * (INVALID_STATE, INVALID_INPUT: converted meanwhile…) comes back as a DomainError for the
 * scheduler to record as FAILED.
 */
export async function disconnectAsScheduled(
  ctx: RequestContext,
  target: { connectionId: string | null; clientAccountId: string | null },
): Promise<'DONE' | 'ALREADY_DISCONNECTED'> {
  const outcome = await inTransaction(ctx, async (em) => {
    const result = target.connectionId
      ? await disconnectAgencyWork(ctx, em, target.connectionId)
      : await disconnectClientWork(ctx, em, target.clientAccountId!);
    if (result.kind === 'already') await settleSchedulesOf(em, ctx, target, 'ALREADY_DISCONNECTED');
    return result;
  });
  if (outcome.kind === 'invalid') throw new DomainError('INVALID_STATE', outcome.message);
  return outcome.kind === 'done' ? 'DONE' : 'ALREADY_DISCONNECTED';
}
