import { rule } from 'graphql-shield';
import { Role } from '../entities/enums';
import type { RequestContext } from '../server/context';
import { isId } from '../services/ids';
import { named } from './rules';

/**
 * Role gates on agency <-> premium connections (R1, R4): which side's managers may act.
 * - `either`: ADMIN/ACCOUNT_MANAGER of the agency or the premium client (disconnect, preview);
 * - `requester`: of the side that sent the request (cancel);
 * - `responder`: of the other side (accept, decline).
 * A viewer who sees neither side passes, and the service answers NOT_FOUND.
 */
export const connectionSide = (side: 'either' | 'requester' | 'responder', name: string) =>
  named(`${name}(${side} side of connectionId)`, () =>
    rule(`${name}(${side} side of connectionId)`, { cache: 'no_cache' })(
      async (_parent, args: { connectionId?: unknown }, ctx: RequestContext) => {
        if (ctx.viewer?.kind === 'user' && ctx.viewer.user.isStaff) return true;
        if (!ctx.viewer || !isId(args.connectionId)) return true;
        const connection = await ctx.loaders.connection.load(args.connectionId.toLowerCase());
        if (!connection) return true;
        const [agency, premium] = await Promise.all([
          ctx.loaders.accountAccess.load(connection.agencyId),
          ctx.loaders.accountAccess.load(connection.premiumClientId),
        ]);
        // The agency side is identified by membership of the agency itself (after a disconnection
        // the agency's users no longer reach the premium account).
        const agencyRole = agency?.role ?? null;
        const premiumRole = premium?.role ?? null;
        if (!agencyRole && !premiumRole) return true;
        const manages = (role: Role | null) => role === Role.ADMIN || role === Role.ACCOUNT_MANAGER;
        const requesterIsAgency = connection.requestedByAccountId === connection.agencyId;
        switch (side) {
          case 'either':
            return manages(agencyRole) || manages(premiumRole);
          case 'requester':
            return manages(requesterIsAgency ? agencyRole : premiumRole);
          case 'responder':
            return manages(requesterIsAgency ? premiumRole : agencyRole);
        }
      },
    ),
  );
