import { GraphQLError } from 'graphql';
import type { EntityManager } from 'typeorm';
import { requireViewer, type RequestContext } from '../context/request-context';
import {
  AccountStatus,
  ConnectionStatus,
  ScheduledDisconnection,
  ScheduleStatus,
} from '../entities';
import { schedulingSideOfConnection } from '../permissions/connection-rules';
import { confirmGateDecisions } from '../permissions/gate-decisions';
import { judgeScheduleDecider } from '../permissions/schedule-rules';
import { query, rowMapper } from '../database/raw-sql';
import { DomainError, invalidInput, notFound } from '../shared/errors';
import { isId } from '../shared/ids';
import { recordAuditEvent, type AuditAction } from './audit.service';
import { lockVisibleClient, lockVisibleConnection } from './locks';
import {
  actorLine,
  assertAgencyClient,
  disconnectAgencyPreview,
  disconnectClientPreview,
  type DisconnectImpact,
} from './disconnection.service';
import { queueAdminEmails } from './outbox.service';
import { inTransaction } from './transaction';

/** R31: how far ahead a disconnection may be scheduled. */
export const SCHEDULE_WINDOW = { minMs: 60 * 60 * 1000, maxMs: 365 * 24 * 60 * 60 * 1000 };

/** A locked link with what its schedule and emails need. */
interface LockedLink {
  connectionId: string | null;
  clientAccountId: string | null;
  /** The side the schedule runs on behalf of. */
  schedulingAccountId: string;
  /** Both sides: their ADMINs are told (R31, as R19). */
  accountIds: string[];
  /** "Acme and the agency Northwind", for the emails. */
  title: string;
}

export const when = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** How the emails name a link: "Acme and the agency Northwind", "the client Initech of …". */
export const linkTitle = (link: {
  kind: 'connection' | 'client';
  name: string;
  agencyName: string;
}) =>
  link.kind === 'connection'
    ? `${link.name} and the agency ${link.agencyName}`
    : `the client ${link.name} of the agency ${link.agencyName}`;

/**
 * R4 via R31: the connection, locked as its disconnection locks it (premium FOR UPDATE), ACTIVE.
 * It runs on behalf of the side the caller manages — the agency when they manage both (staff).
 */
async function lockConnectionLink(
  em: EntityManager,
  ctx: RequestContext,
  connectionId: string,
  field: string[],
): Promise<LockedLink> {
  const { viewer } = requireViewer(ctx);
  const { connection, agency, premium } = await lockVisibleConnection(
    em,
    ctx,
    connectionId,
    field,
    'update',
  );
  if (connection.status === ConnectionStatus.DISCONNECTED) {
    throw new DomainError('ALREADY_DISCONNECTED', 'This connection is already disconnected', field);
  }
  if (connection.status !== ConnectionStatus.ACTIVE) {
    throw new DomainError(
      'INVALID_STATE',
      `Only an ACTIVE connection can be disconnected; this one is ${connection.status}`,
      field,
    );
  }
  return {
    connectionId: connection.id,
    clientAccountId: null,
    schedulingAccountId: await schedulingSideOfConnection(em, viewer, connection),
    accountIds: [agency.id, premium.id],
    title: linkTitle({ kind: 'connection', name: premium.name, agencyName: agency.name }),
  };
}

/** R9 via R31: the client, locked as its disconnection locks it (agency, then client). */
async function lockClientLink(
  em: EntityManager,
  ctx: RequestContext,
  clientAccountId: string,
  field: string[],
  { archived }: { archived: 'refuse' | 'allow' },
): Promise<LockedLink> {
  const { client, agency } = await lockVisibleClient(em, ctx, clientAccountId, field);
  assertAgencyClient(client, field);
  if (archived === 'refuse' && client.status === AccountStatus.ARCHIVED) {
    throw new DomainError(
      'ALREADY_DISCONNECTED',
      `Client "${client.name}" is already disconnected`,
      field,
    );
  }
  if (!agency) throw new Error(`CLIENT ${client.id} has no agency`);
  await confirmGateDecisions(em, ctx);
  return {
    connectionId: null,
    clientAccountId: client.id,
    schedulingAccountId: agency.id,
    accountIds: [agency.id, client.id],
    title: linkTitle({ kind: 'client', name: client.name, agencyName: agency.name }),
  };
}

/**
 * R22, R31: a schedule's change, audited (on the link's accounts) and told to both sides' ADMINs
 * once (dedupe key `schedule:<id>:<kind>`), in the change's transaction.
 */
async function recordScheduleChange(
  em: EntityManager,
  ctx: RequestContext,
  link: Pick<LockedLink, 'accountIds'>,
  schedule: ScheduledDisconnection,
  change: { action: AuditAction; kind: string; subject: string; body: string },
) {
  await recordAuditEvent(em, ctx, {
    action: change.action,
    accountId: link.accountIds[1],
    relatedAccountId: link.accountIds[0],
    details: {
      scheduleId: schedule.id,
      connectionId: schedule.connectionId,
      clientAccountId: schedule.clientAccountId,
      schedulingAccountId: schedule.schedulingAccountId,
      runAt: when(schedule.runAt),
    },
  });
  await queueAdminEmails(em, {
    dedupePrefix: `schedule:${schedule.id}:${change.kind}`,
    accountIds: link.accountIds,
    subject: `Handover: ${change.subject}`,
    body: change.body,
  });
}

function targetOf(input: { connectionId?: string | null; clientAccountId?: string | null }) {
  const given = [input.connectionId, input.clientAccountId].filter((id) => id != null);
  if (given.length !== 1) {
    throw invalidInput(['input'], 'Give exactly one of connectionId and clientAccountId');
  }
  return input.connectionId != null
    ? { kind: 'connection' as const, id: input.connectionId, field: ['input', 'connectionId'] }
    : { kind: 'client' as const, id: input.clientAccountId!, field: ['input', 'clientAccountId'] };
}

function assertInWindow(runAt: Date, now: Date) {
  const ahead = runAt.getTime() - now.getTime();
  if (!Number.isFinite(ahead) || ahead < SCHEDULE_WINDOW.minMs || ahead > SCHEDULE_WINDOW.maxMs) {
    throw invalidInput(
      ['input', 'runAt'],
      'A disconnection is scheduled at least 1 hour and at most 365 days ahead',
    );
  }
}

/**
 * R31: schedules the disconnection of a connection or a CLIENT for `runAt` (1 hour to 365 days
 * after `now`), in one transaction:
 * - the gate is the disconnection's own (permission map: `connectionSide('either')`,
 *   `actsForClientAsManager`), confirmed on the link locked as its disconnection locks it;
 * - an invisible link → NOT_FOUND; a disconnected one → ALREADY_DISCONNECTED; a connection not
 *   ACTIVE → INVALID_STATE; not an agency's CLIENT → INVALID_INPUT;
 * - one SCHEDULED per link → SCHEDULE_EXISTS (checked under the link's lock; the partial unique
 *   index is the backstop);
 * - a DISCONNECTION_SCHEDULED audit event; an email to both sides' ADMINs (once: dedupe key).
 */
export async function scheduleDisconnection(
  ctx: RequestContext,
  input: { connectionId?: string | null; clientAccountId?: string | null; runAt: Date },
  now: Date = new Date(),
): Promise<ScheduledDisconnection> {
  const { viewer } = requireViewer(ctx);
  const target = targetOf(input);
  assertInWindow(input.runAt, now);
  if (!isId(target.id))
    throw notFound(target.kind === 'connection' ? 'Connection' : 'Account', target.field);
  return inTransaction(ctx, async (em) => {
    const link =
      target.kind === 'connection'
        ? await lockConnectionLink(em, ctx, target.id, target.field)
        : await lockClientLink(em, ctx, target.id, target.field, { archived: 'refuse' });
    const [pending] = await em.query(
      `SELECT 1 FROM scheduled_disconnections
        WHERE status = 'SCHEDULED' AND (connection_id = $1 OR client_account_id = $2)`,
      [link.connectionId, link.clientAccountId],
    );
    if (pending) {
      throw new DomainError(
        'SCHEDULE_EXISTS',
        'A disconnection is already scheduled for this link; cancel it first',
        target.field,
      );
    }
    const [row] = await em.query(
      `INSERT INTO scheduled_disconnections
              (connection_id, client_account_id, scheduling_account_id, run_at, scheduled_by_id)
       VALUES ($1, $2, $3, $4, $5) RETURNING *`,
      [
        link.connectionId,
        link.clientAccountId,
        link.schedulingAccountId,
        input.runAt,
        viewer.user.id,
      ],
    );
    const schedule = rowMapper(em, ScheduledDisconnection)(row);
    await recordScheduleChange(em, ctx, link, schedule, {
      action: 'DISCONNECTION_SCHEDULED',
      kind: 'scheduled',
      subject: `a disconnection of ${link.title} is scheduled for ${when(schedule.runAt)}`,
      body: [
        `${actorLine(viewer)} scheduled the disconnection of ${link.title} for ${when(schedule.runAt)}.`,
        `Until then either side's admins can cancel it. You will be reminded 7 days and 1 day before.`,
      ].join('\n\n'),
    });
    return schedule;
  });
}

/** The schedule `id` as the viewer may see it (its link's visibility), else NOT_FOUND. */
async function visibleSchedule(ctx: RequestContext, em: EntityManager, id: string) {
  const { visibility } = requireViewer(ctx);
  const rows = isId(id)
    ? await query(
        em,
        `SELECT s.* FROM scheduled_disconnections s
          WHERE s.id = :id AND ${visibility.scheduledDisconnection('s')}`,
        { ...visibility.params, id: id.toLowerCase() },
      )
    : [];
  if (rows.length === 0) throw notFound('Scheduled disconnection', ['scheduleId']);
  return rowMapper(em, ScheduledDisconnection)(rows[0]);
}

/**
 * R31: cancels a SCHEDULED disconnection — either side's deciders (permission map:
 * `decidesScheduledDisconnection`), until it runs. The link is locked first, as the run and a
 * disconnection by hand lock it, so a cancel and a run never both happen: the one that waits
 * finds the schedule no longer SCHEDULED (the cancel: INVALID_STATE naming what happened; the
 * run: rolled back). A SCHEDULED_DISCONNECTION_CANCELLED audit event; an email to both sides'
 * ADMINs (once).
 */
export async function cancelScheduledDisconnection(
  ctx: RequestContext,
  scheduleId: string,
): Promise<ScheduledDisconnection> {
  const { viewer } = requireViewer(ctx);
  return inTransaction(ctx, async (em) => {
    const found = await visibleSchedule(ctx, em, scheduleId);
    const link = found.connectionId
      ? await lockVisibleConnection(em, ctx, found.connectionId, ['scheduleId'], 'update').then(
          ({ agency, premium }) => ({
            accountIds: [agency.id, premium.id],
            title: linkTitle({ kind: 'connection', name: premium.name, agencyName: agency.name }),
          }),
        )
      : await lockClientLink(em, ctx, found.clientAccountId!, ['scheduleId'], {
          archived: 'allow',
        });
    const [rows] = await em.query<[Record<string, unknown>[], number]>(
      `UPDATE scheduled_disconnections
          SET status = 'CANCELLED', cancelled_at = now(), cancelled_by_id = $2, lease_until = NULL
        WHERE id = $1 AND status = 'SCHEDULED'
       RETURNING *`,
      [found.id, viewer.user.id],
    );
    if (rows.length === 0) {
      const [{ status }] = await em.query(
        `SELECT status FROM scheduled_disconnections WHERE id = $1`,
        [found.id],
      );
      throw new DomainError(
        'INVALID_STATE',
        `This disconnection is ${status}; only a SCHEDULED one can be cancelled`,
        ['scheduleId'],
      );
    }
    const schedule = rowMapper(em, ScheduledDisconnection)(rows[0]);
    await recordScheduleChange(em, ctx, link, schedule, {
      action: 'SCHEDULED_DISCONNECTION_CANCELLED',
      kind: 'cancelled',
      subject: `the disconnection of ${link.title} was cancelled`,
      body: `${actorLine(viewer)} cancelled the disconnection of ${link.title} scheduled for ${when(schedule.runAt)}. Nothing changes.`,
    });
    return schedule;
  });
}

/**
 * R31, R23: what a SCHEDULED disconnection would change if it ran now — the link's own preview,
 * for those who may decide it (its deciders: the preview's own gate); null for everyone else,
 * and once it is no longer SCHEDULED.
 */
export async function schedulePreview(
  ctx: RequestContext,
  schedule: ScheduledDisconnection,
): Promise<DisconnectImpact | null> {
  if (schedule.status !== ScheduleStatus.SCHEDULED) return null;
  const judgement = await judgeScheduleDecider(ctx, schedule);
  if (!judgement?.visible || !judgement.holds) return null;
  try {
    return schedule.connectionId
      ? await disconnectAgencyPreview(ctx, schedule.connectionId)
      : await disconnectClientPreview(ctx, schedule.clientAccountId!);
  } catch (error) {
    // The link changed under the schedule (converted, disconnected): nothing to preview.
    if (error instanceof GraphQLError) return null;
    throw error;
  }
}
