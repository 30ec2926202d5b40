import { GraphQLError } from 'graphql';
import { logger } from '../config/logger';
import { requireViewer, type RequestContext } from '../context/request-context';
import type { Account, User } from '../entities';
import { clientManagerJudgement } from '../permissions/rules';
import {
  asTopLevelError,
  DomainError,
  forbidden,
  invalidInput,
  isBulkItemCode,
} from '../shared/errors';
import { isId } from '../shared/ids';
import {
  disconnectClient,
  disconnectClientPreview,
  type DisconnectImpact,
} from './disconnection.service';

/** R32: how many clients one request may disconnect. */
export const BULK_DISCONNECT_LIMIT = 100;

interface BulkUserError {
  code: string;
  message: string;
  field: string[] | null;
}

export interface DisconnectClientResult {
  clientAccountId: string;
  account: Account | null;
  impact: DisconnectImpact | null;
  userErrors: BulkUserError[];
}

/** The clients asked for, in the order given, each once (ids compared case-insensitively). */
function distinctClients(ids: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const id of ids) {
    const key = isId(id) ? id.toLowerCase() : id;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(key);
  }
  return out;
}

/** The request's list is refused as a whole (nothing runs): empty, or over the limit. */
function listError(ids: string[]): DomainError | null {
  if (ids.length === 0) return invalidInput(['clientAccountIds'], 'Give at least one client');
  if (ids.length > BULK_DISCONNECT_LIMIT) {
    return invalidInput(
      ['clientAccountIds'],
      `At most ${BULK_DISCONNECT_LIMIT} clients per request (${ids.length} given)`,
    );
  }
  return null;
}

/**
 * R9 via R32: the gate of `disconnectClient`, judged for one client of the list: FORBIDDEN when
 * the client exists for the caller but they may not disconnect it. The decision is also what the
 * client's own transaction confirms on its locked rows (confirmGateDecisions), exactly as for a
 * single disconnection.
 */
async function mayDisconnect(ctx: RequestContext, clientId: string, field: string) {
  const authority = isId(clientId) ? await ctx.loaders.authority.load(clientId) : null;
  const judgement = clientManagerJudgement(authority, clientId);
  ctx.gateDecisions = { field, list: [judgement.decision] };
  return judgement.allowed;
}

/** Why one client's disconnection changed nothing, as a per-client user error. */
function clientError(error: unknown, field: string[]): BulkUserError {
  if (error instanceof DomainError) return { code: error.code, message: error.message, field };
  const code = error instanceof GraphQLError ? error.extensions?.code : undefined;
  if (isBulkItemCode(code)) {
    return { code, message: (error as GraphQLError).message, field };
  }
  logger.error({ err: error }, 'bulk disconnection: one client failed');
  return {
    code: 'INTERNAL_SERVER_ERROR',
    message: 'This client’s disconnection failed; nothing of it was applied',
    field,
  };
}

/**
 * R32: disconnects up to 100 clients, each exactly as `disconnectClient` does (R9–R15, R19, R20,
 * R22: the same service, gate and emails — one per admin per client), each in its own
 * transaction (I1 per client), one after another in the order given, duplicates once. Each
 * client has its own outcome: its account and impact, or userErrors (NOT_FOUND, FORBIDDEN,
 * ALREADY_DISCONNECTED, INVALID_INPUT for a non-client, CONFLICT…) with the field
 * `clientAccountIds.<index>`; a failure leaves the others done. An empty or too long list
 * changes nothing (top-level INVALID_INPUT).
 */
export async function disconnectClients(ctx: RequestContext, clientAccountIds: string[]) {
  requireViewer(ctx);
  const ids = distinctClients(clientAccountIds);
  const refused = listError(ids);
  if (refused) {
    return {
      results: [],
      userErrors: [{ code: refused.code, message: refused.message, field: refused.field }],
    };
  }
  const results: DisconnectClientResult[] = [];
  for (const [index, id] of ids.entries()) {
    const field = ['clientAccountIds', String(index)];
    try {
      if (!(await mayDisconnect(ctx, id, 'disconnectClients'))) throw forbidden();
      const { account, impact } = await disconnectClient(ctx, id);
      results.push({ clientAccountId: id, account, impact, userErrors: [] });
    } catch (error) {
      results.push({
        clientAccountId: id,
        account: null,
        impact: null,
        userErrors: [clientError(error, field)],
      });
    }
  }
  ctx.gateDecisions = { field: null, list: [] };
  return { results, userErrors: [] };
}

/**
 * R32, R23: the batch's preview is the sum of the clients' single previews (each read-only, as
 * `disconnectClientPreview`): counts added, the users losing access listed once, the
 * organization removed if any single preview says so. Any client the single preview refuses
 * (NOT_FOUND, FORBIDDEN, not a client) refuses the batch with that error, naming its index.
 */
export async function disconnectClientsPreview(
  ctx: RequestContext,
  clientAccountIds: string[],
): Promise<DisconnectImpact> {
  requireViewer(ctx);
  const ids = distinctClients(clientAccountIds);
  const refused = listError(ids);
  if (refused) throw asTopLevelError(refused);
  const sum: DisconnectImpact = {
    reportsToArchive: 0,
    itemsToFreeze: 0,
    mappingsToPause: 0,
    usersLosingAccess: [],
    organizationRemoved: false,
  };
  const users = new Map<string, User>();
  for (const [index, id] of ids.entries()) {
    const at = { index, clientAccountId: id };
    if (!(await mayDisconnect(ctx, id, 'disconnectClientsPreview'))) {
      throw forbidden(`You may not disconnect client ${index + 1} of the list`);
    }
    const impact = await disconnectClientPreview(ctx, id).catch((error: unknown) => {
      if (error instanceof GraphQLError) {
        throw new GraphQLError(error.message, {
          extensions: { ...error.extensions, field: ['clientAccountIds', String(at.index)] },
        });
      }
      throw error;
    });
    sum.reportsToArchive += impact.reportsToArchive;
    sum.itemsToFreeze += impact.itemsToFreeze;
    sum.mappingsToPause += impact.mappingsToPause;
    sum.organizationRemoved ||= impact.organizationRemoved;
    for (const user of impact.usersLosingAccess) users.set(user.id, user);
  }
  ctx.gateDecisions = { field: null, list: [] };
  sum.usersLosingAccess = [...users.values()];
  return sum;
}
