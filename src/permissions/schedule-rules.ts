import { rule } from 'graphql-shield';
import type { GateContext } from './gate-context';
import type { ScheduledDisconnection } from '../entities';
import { isId } from '../shared/ids';
import { judgeConnectionSide } from './connection-rules';
import { exists, recordGateDecision, type GateDecision } from './gate-decisions';
import { clientManagerJudgement, named } from './rules';

/**
 * R31: who decides a scheduled disconnection — those who may disconnect its link now: for a
 * connection either side's managers (R4, `connectionSide('either')`), for a client the owning
 * agency's managers who act for it (R9, `actsForClientAsManager`), and staff. `visible` is
 * whether the link exists for the principal at all (A3: others hear NOT_FOUND).
 */
export async function judgeScheduleDecider(
  ctx: GateContext,
  schedule: Pick<ScheduledDisconnection, 'connectionId' | 'clientAccountId'>,
): Promise<{ visible: boolean; holds: boolean; decision: GateDecision } | null> {
  if (schedule.connectionId) {
    const connection = await ctx.loaders.connection.load(schedule.connectionId);
    return connection ? judgeConnectionSide(ctx, connection, 'either') : null;
  }
  const clientId = schedule.clientAccountId!;
  const authority = await ctx.loaders.authority.load(clientId);
  const { decision } = clientManagerJudgement(authority, clientId);
  return { visible: exists(authority), holds: decision.holds([authority]), decision };
}

/**
 * R31: cancels are decided by the schedule's deciders (judgeScheduleDecider). An unknown or
 * invisible schedule passes: the service answers NOT_FOUND (A3).
 */
export const decidesScheduledDisconnection = (path: 'scheduleId') =>
  named(`decidesScheduledDisconnection(${path})`, () =>
    rule(`decidesScheduledDisconnection(${path})`, { cache: 'no_cache' })(
      async (_parent, args: { scheduleId?: unknown }, ctx: GateContext, info) => {
        const id = args[path];
        if (!ctx.viewer || !isId(id)) return true;
        const schedule = await ctx.loaders.schedule.load(id.toLowerCase());
        const judgement = schedule && (await judgeScheduleDecider(ctx, schedule));
        if (!judgement) return true;
        recordGateDecision(ctx, info, judgement.decision);
        return !judgement.visible || judgement.holds;
      },
    ),
  );
