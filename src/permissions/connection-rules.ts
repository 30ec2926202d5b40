import { rule } from 'graphql-shield';
import type { EntityManager } from 'typeorm';
import type { GateContext } from './gate-context';
import { isId } from '../shared/ids';
import { MANAGERS } from './authority';
import { named } from './rules';
import { exists, recordGateDecision, type GateDecision } from './gate-decisions';
import type { AgencyConnection } from '../entities';
import { readAuthorities, type AccountAuthority } from './account-authority';
import type { Principal } from './principal';

/**
 * Gates on agency <-> premium connections (R1, R4, per-connection access): whose managers act.
 * Each side is judged by *acting for* that account (A1) — reaching the premium through this or
 * another connection never counts as a role in it, so a second agency connected to the same
 * premium acts for none of this connection's sides.
 * - `either`: acts for the agency or the premium client as a manager (disconnect, preview);
 * - `requester`: for the side that sent the request (cancel);
 * - `responder`: for the other side (accept, decline);
 * - `agency`: for the agency (its users' access to the premium: setConnectionAccess).
 * A viewer who acts for neither side passes, and the service answers NOT_FOUND: the connection
 * does not exist for them (A3), even when they reach its premium through another agency.
 */
export const connectionSide = (side: 'either' | 'requester' | 'responder' | 'agency') =>
  named(`actsForAsManager(${side} side of connectionId)`, () =>
    rule(`actsForAsManager(${side} side of connectionId)`, { cache: 'no_cache' })(
      async (
        _parent,
        args: { connectionId?: unknown; input?: { connectionId?: unknown } },
        ctx: GateContext,
        info,
      ) => {
        const connectionId = args.connectionId ?? args.input?.connectionId;
        if (!ctx.viewer || !isId(connectionId)) return true;
        const connection = await ctx.loaders.connection.load(connectionId.toLowerCase());
        if (!connection) return true;
        const judgement = await judgeConnectionSide(ctx, connection, side);
        recordGateDecision(ctx, info, judgement.decision);
        // A3: the connection exists only for those acting for a side; others hear NOT_FOUND.
        return !judgement.visible || judgement.holds;
      },
    ),
  );

/** R4, A1: the principal acts for this side of a connection as ADMIN or ACCOUNT_MANAGER. */
const managesSide = (a: AccountAuthority | null | undefined) =>
  exists(a) && !!a.actsAs && MANAGERS.includes(a.actsAs);

/**
 * The judgement behind `connectionSide` for one connection: whether the principal acts for a
 * side at all (`visible`, A3), whether it manages the side `side` names (`holds`), and the
 * decision its transaction confirms on the locked rows.
 */
export async function judgeConnectionSide(
  ctx: GateContext,
  connection: AgencyConnection,
  side: 'either' | 'requester' | 'responder' | 'agency',
): Promise<{ visible: boolean; holds: boolean; decision: GateDecision }> {
  const accountIds = [connection.agencyId, connection.premiumClientId];
  const [agency, premium] = await Promise.all(
    accountIds.map((id) => ctx.loaders.authority.load(id)),
  );
  const requesterIsAgency = connection.requestedByAccountId === connection.agencyId;
  const holds = ([a, p]: (AccountAuthority | null)[]) => {
    switch (side) {
      case 'either':
        return managesSide(a) || managesSide(p);
      case 'requester':
        return managesSide(requesterIsAgency ? a : p);
      case 'responder':
        return managesSide(requesterIsAgency ? p : a);
      case 'agency':
        return managesSide(a);
    }
  };
  return {
    visible: !!agency?.actsAs || !!premium?.actsAs,
    holds: holds([agency, premium]),
    decision: { gate: `${side} side of connectionId`, accountIds, holds },
  };
}

/**
 * R31 (with R4): the side a connection's scheduled disconnection runs on behalf of — the agency
 * when the principal manages it (staff manage both: the agency), else the premium client, whose
 * manager the gate then let through. Read on the transaction's own connection after the link is
 * locked, as confirmGateDecisions reads, so it is the authority the schedule was decided by.
 */
export async function schedulingSideOfConnection(
  em: EntityManager,
  principal: Principal,
  connection: Pick<AgencyConnection, 'agencyId' | 'premiumClientId'>,
): Promise<string> {
  const [agency] = await readAuthorities(em, principal, [connection.agencyId]);
  return managesSide(agency) ? connection.agencyId : connection.premiumClientId;
}
