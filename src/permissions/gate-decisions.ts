import { type GraphQLResolveInfo, responsePathAsArray } from 'graphql';
import type { EntityManager } from 'typeorm';
import type { GateContext } from './gate-context';
import { readAuthorities, type AccountAuthority } from './account-authority';
import { forbidden, notFound } from '../shared/errors';

/**
 * What one shield gate decided on: the accounts it judged and the condition it required of the
 * principal's authority there (the same function the gate applied).
 */
export interface GateDecision {
  gate: string;
  accountIds: string[];
  holds: (authorities: (AccountAuthority | null)[]) => boolean;
}

/** The account exists for the principal: it acts for it or reaches it (A3). */
export const exists = (a: AccountAuthority | null | undefined): a is AccountAuthority =>
  !!a && (a.actsAs !== null || a.reachAs !== null);

/** The gate decisions of one root field of a request (the operation a transaction serves). */
export interface GateDecisions {
  field: string | null;
  list: GateDecision[];
  /** The transaction that last confirmed them. */
  confirmedIn?: EntityManager;
}

/**
 * Remembers a gate's decision for the transactions of the root field it gates (`info`). A
 * request's mutations run one after another, each gated just before it runs, so a new field
 * starts a new list: one mutation's transaction never re-judges another's gate.
 */
export function recordGateDecision(
  ctx: GateContext,
  info: GraphQLResolveInfo,
  decision: GateDecision,
): void {
  const field = String(responsePathAsArray(info.path)[0]);
  if (ctx.gateDecisions.field !== field) ctx.gateDecisions = { field, list: [] };
  ctx.gateDecisions.list.push(decision);
}

/**
 * Issue 30 #6, R24, A1–A2: authority is decided on the locked rows. Shield gates run before the
 * operation's transaction, so a demotion committed in between — or in flight, holding the account
 * row FOR UPDATE as member changes do — would otherwise not count. Every service calls this right
 * after it took its locks (the lock helpers do), before it writes anything: it decides every gate
 * of the operation again with the statement the gate read, in a fresh snapshot, so a member change
 * the lock waited for counts and one that comes later waits for this transaction. A decision that
 * no longer holds rolls the operation back: FORBIDDEN, or NOT_FOUND when the account no longer
 * exists for the principal. Staff are never demoted.
 */
export async function confirmGateDecisions(em: EntityManager, ctx: GateContext): Promise<void> {
  const principal = ctx.viewer;
  const decisions = ctx.gateDecisions.list;
  ctx.gateDecisions.confirmedIn = em;
  if (!principal || principal.isStaff || decisions.length === 0) return;
  const ids = [...new Set(decisions.flatMap((d) => d.accountIds))];
  const authorities = await readAuthorities(em, principal, ids);
  const byId = new Map(ids.map((id, i) => [id, authorities[i]]));
  for (const decision of decisions) {
    const own = decision.accountIds.map((id) => byId.get(id) ?? null);
    if (decision.holds(own)) continue;
    if (own.some(exists)) throw forbidden();
    throw notFound('Account');
  }
}

/**
 * The safety net of `confirmGateDecisions`: a transaction of a gated operation that never
 * confirmed its gates is a service that skipped its lock helper, a bug — it fails loudly in the
 * permission matrices, which run every operation, instead of deciding on a stale gate.
 */
export function assertGateDecisionsConfirmed(em: EntityManager, ctx: GateContext): void {
  const { list, confirmedIn, field } = ctx.gateDecisions;
  if (list.length > 0 && !ctx.viewer?.isStaff && confirmedIn !== em) {
    throw new Error(`The gates of ${field} were not confirmed on the locked rows`);
  }
}
