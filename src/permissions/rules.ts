import { rule } from 'graphql-shield';
import { AccountType, Role } from '../entities/enums';
import type { GateContext } from './gate-context';
import type { AccountAuthority } from './account-authority';
import { unauthenticated } from '../shared/errors';
import { isId } from '../shared/ids';
import { EDITORS, MANAGERS } from './authority';
import { exists, recordGateDecision, type GateDecision } from './gate-decisions';

/**
 * Named gates for the shield map. Each says which relation of domain.md A1–A3 the operation
 * needs — `actsFor` (authority: the principal's own role in the account, or the owning agency's
 * managers on a CLIENT, or staff) or `reaches` (data access) — with which roles, on which
 * account. Per-object visibility is the SQL filter's job (./visibility.ts): a gate whose target
 * the viewer neither acts for nor reaches lets the request through and the service answers
 * NOT_FOUND, so a refusal never reveals that an invisible object exists (A3).
 *
 * Rules that read arguments use `cache: 'no_cache'`: shield's `contextual` cache ignores args.
 */

export const isAuthenticated = rule('isAuthenticated', { cache: 'contextual' })(
  (_parent, _args, ctx: GateContext) => (ctx.viewer ? true : unauthenticated()),
);

/** API tokens are read-only (R18): every mutation needs a signed-in user. */
export const isUser = rule('isUser', { cache: 'contextual' })(
  (_parent, _args, ctx: GateContext) => ctx.viewer?.kind === 'user',
);

export const isStaff = rule('isStaff', { cache: 'contextual' })(
  (_parent, _args, ctx: GateContext) => !!ctx.viewer?.isStaff,
);

type Args = Record<string, unknown>;
type Rule = ReturnType<ReturnType<typeof rule>>;

/** Shield requires one instance per rule name; the map reuses gates (e.g. on several fields). */
const ruleInstances = new Map<string, Rule>();
export function named<R extends Rule>(name: string, make: () => R): R {
  if (!ruleInstances.has(name)) ruleInstances.set(name, make());
  return ruleInstances.get(name) as R;
}

export type AccountLocator = (args: Args, ctx: GateContext) => Promise<string | null | undefined>;

export const argAt = (args: Args, path: string): unknown =>
  path.split('.').reduce<unknown>((value, key) => (value as Args | undefined)?.[key], args);

/** Locators: where in the arguments the account the gate judges is found. */
export const accountAt =
  (path: string): AccountLocator =>
  async (args) => {
    const id = argAt(args, path);
    return isId(id) ? id.toLowerCase() : null;
  };

export const accountOfReportAt =
  (path: string): AccountLocator =>
  async (args, ctx) => {
    const id = argAt(args, path);
    return isId(id) ? (await ctx.loaders.visibleReport.load(id.toLowerCase()))?.accountId : null;
  };

export const accountOfItemAt =
  (path: string): AccountLocator =>
  async (args, ctx) => {
    const id = argAt(args, path);
    return isId(id) ? (await ctx.loaders.visibleItem.load(id.toLowerCase()))?.accountId : null;
  };

export const ownerOfIntegrationAt =
  (path: string): AccountLocator =>
  async (args, ctx) => {
    const id = argAt(args, path);
    return isId(id) ? (await ctx.loaders.integration.load(id.toLowerCase()))?.ownerAccountId : null;
  };

/**
 * A gate passing when `holds` says so for the located account. Invisible targets pass (`pass`:
 * the service answers NOT_FOUND) or are refused (`deny`: nothing at all is revealed). Either
 * way the decision is recorded, so the operation's transaction confirms `holds` on the locked
 * rows (./gate-decisions.ts): a target that became visible meanwhile gets no pass.
 */
const accountGate =
  (
    name: string,
    holds: (authority: AccountAuthority) => boolean,
    invisible: 'pass' | 'deny' = 'pass',
  ) =>
  (locator: AccountLocator, locatorName: string) =>
    named(`${name}(${locatorName})`, () =>
      rule(`${name}(${locatorName})`, { cache: 'no_cache' })(
        async (_parent, args: Args, ctx: GateContext, info) => {
          if (!ctx.viewer) return invisible === 'pass';
          const accountId = await locator(args, ctx);
          if (!accountId) return invisible === 'pass';
          const authority = await ctx.loaders.authority.load(accountId);
          recordGateDecision(ctx, info, {
            gate: name,
            accountIds: [accountId],
            holds: ([a]) => exists(a) && holds(a),
          });
          if (!exists(authority)) return invisible === 'pass';
          return holds(authority);
        },
      ),
    );

const actsAs = (roles: readonly Role[]) => (a: AccountAuthority) =>
  !!a.actsAs && roles.includes(a.actsAs);
const reachesAs = (roles: readonly Role[]) => (a: AccountAuthority) =>
  !!a.reachAs && roles.includes(a.reachAs);

/**
 * Each account gate: the relation it judges, the roles in it that pass (staff always pass), and
 * what it reads as. The gates below are built from these roles and docs/permissions.md is
 * printed from this table, so the documented roles are the enforced ones.
 */
export const ACCOUNT_GATES = {
  actsForAsManager: {
    relation: 'acts for',
    roles: MANAGERS,
    reads:
      "acts for the account as ADMIN or ACCOUNT_MANAGER (A1: own role; on a CLIENT also its agency's managers who reach it)",
  },
  actsForClientAsManager: {
    relation: 'acts for',
    roles: MANAGERS,
    reads:
      "acts for the CLIENT account as a manager: the owning agency's ADMINs and the ACCOUNT_MANAGERs who reach it (R9)",
  },
  actsForAsAdmin: {
    relation: 'acts for',
    roles: [Role.ADMIN],
    reads: "acts for the account as ADMIN (on a CLIENT: its agency's managers who reach it)",
  },
  actsForAsAdminOrForbidden: {
    relation: 'acts for',
    roles: [Role.ADMIN],
    reads:
      'acts for the account as ADMIN; FORBIDDEN (not NOT_FOUND) when the account does not exist for the viewer',
  },
  reachesAsEditor: {
    relation: 'reaches',
    roles: EDITORS,
    reads:
      "reaches the account's data as ADMIN, ACCOUNT_MANAGER or REGULAR (A2: own role, or the agency role on a client or connected premium)",
  },
  isReportCreatorOrAdmin: {
    relation: 'reaches',
    roles: [Role.ADMIN],
    reads:
      "the report's creator (any role), or one of its account's own ADMINs — by membership, or the owning agency's on a CLIENT; never through a connection (R25, A2)",
  },
  reachesAsAdmin: {
    relation: 'reaches',
    roles: [Role.ADMIN],
    reads: "reaches the account's data as ADMIN",
  },
} as const satisfies Record<
  string,
  { relation: 'acts for' | 'reaches'; roles: readonly Role[]; reads: string }
>;
const G = ACCOUNT_GATES;

/** A1: acts for the account as ADMIN or ACCOUNT_MANAGER (R1, R2, R3, R4, R9, R23). */
export const actsForAsManager = accountGate('actsForAsManager', actsAs(G.actsForAsManager.roles));
/** A1: acts for the account as ADMIN (R18 tokens, R24 members). */
export const actsForAsAdmin = accountGate('actsForAsAdmin', actsAs(G.actsForAsAdmin.roles));
/** A1, R22, R27: acts for the account as ADMIN; nothing is revealed to others (FORBIDDEN). */
export const actsForAsAdminOrForbidden = accountGate(
  'actsForAsAdminOrForbidden',
  actsAs(G.actsForAsAdminOrForbidden.roles),
  'deny',
);
/** A2: reaches the account's data as ADMIN, ACCOUNT_MANAGER or REGULAR: creates reports, items. */
export const reachesAsEditor = accountGate('reachesAsEditor', reachesAs(G.reachesAsEditor.roles));
/** A2: reaches the account's data as ADMIN: records campaign data by hand. */
export const reachesAsAdmin = accountGate('reachesAsAdmin', reachesAs(G.reachesAsAdmin.roles));

/**
 * R9: acts for the CLIENT account at `path` as a manager — the owning agency's ADMINs and the
 * ACCOUNT_MANAGERs who reach it, or staff. Only CLIENT accounts are disconnected this way: any
 * other type passes, and the service answers INVALID_INPUT or NOT_FOUND.
 */
/** R9: the principal may disconnect the account if it is a CLIENT (others: the service answers). */
const managesClient = (a: AccountAuthority) =>
  a.type === AccountType.CLIENT ? actsAs(G.actsForClientAsManager.roles)(a) : true;

export const actsForClientAsManager = (path: string) =>
  accountGate('actsForClientAsManager', managesClient)(accountAt(path), path);

/**
 * R9, R32: `actsForClientAsManager` for one client of a list, for an operation that judges each
 * client on its own (bulk disconnection): `allowed` is the gate's answer now (an account that
 * does not exist for the principal passes, as the gate lets it: the service answers NOT_FOUND),
 * `decision` what the client's transaction confirms on its locked rows.
 */
export const clientManagerJudgement = (authority: AccountAuthority | null, clientId: string) => ({
  allowed: !exists(authority) || managesClient(authority),
  decision: {
    gate: 'actsForClientAsManager',
    accountIds: [clientId],
    holds: ([a]: (AccountAuthority | null)[]) => exists(a) && managesClient(a),
  } satisfies GateDecision,
});

/**
 * R25: the report at `path` is edited by its creator or by one of its account's own ADMINs
 * (REACHES `administers`: a connected agency's ADMIN is not one, A2; staff are). A report the
 * viewer cannot open passes: the service answers NOT_FOUND.
 */
export const isReportCreatorOrAdmin = (path: string) =>
  named(`isReportCreatorOrAdmin(${path})`, () =>
    rule(`isReportCreatorOrAdmin(${path})`, { cache: 'no_cache' })(
      async (_parent, args: Args, ctx: GateContext, info) => {
        const id = argAt(args, path);
        if (!ctx.viewer || !isId(id)) return true;
        const report = await ctx.loaders.visibleReport.load(id.toLowerCase());
        if (!report) return true;
        // The creator keeps the right while they reach the account; others must administer it.
        const creator = report.createdById === ctx.viewer.user.id;
        const holds = (a: AccountAuthority | null) => (creator ? exists(a) : !!a?.administers);
        recordGateDecision(ctx, info, {
          gate: 'isReportCreatorOrAdmin',
          accountIds: [report.accountId],
          holds: ([a]) => holds(a),
        });
        return creator || holds(await ctx.loaders.authority.load(report.accountId));
      },
    ),
  );

/**
 * R28 (who may ask): the user about themselves, staff about anyone, and the acting ADMINs (A1) of
 * the account asked about (or of the report's account). A target that does not exist for the
 * viewer passes: the service answers null (A3).
 */
export const mayExplainAccess = named('mayExplainAccess', () =>
  rule('mayExplainAccess', { cache: 'no_cache' })(
    async (
      _parent,
      args: { userId?: unknown; reportId?: unknown; accountId?: unknown },
      ctx: GateContext,
    ) => {
      const viewer = ctx.viewer;
      if (!viewer) return false;
      if (viewer.isStaff) return true;
      if (isId(args.userId) && args.userId.toLowerCase() === viewer.user.id) return true;
      const accountId = isId(args.accountId)
        ? args.accountId.toLowerCase()
        : isId(args.reportId)
          ? (await ctx.loaders.visibleReport.load(args.reportId.toLowerCase()))?.accountId
          : null;
      if (!accountId) return true;
      const authority = await ctx.loaders.authority.load(accountId);
      if (!exists(authority)) return true;
      return authority.actsAs === Role.ADMIN;
    },
  ),
);

/**
 * R29 (userAccess): the user about themselves, staff, and an acting ADMIN of an account the user
 * is a member of (who then sees the part reached through the accounts they administer).
 */
export const mayReviewUser = named('mayReviewUser', () =>
  rule('mayReviewUser', { cache: 'no_cache' })(
    async (_parent, args: { userId?: unknown }, ctx: GateContext) => {
      const viewer = ctx.viewer;
      if (!viewer || !isId(args.userId)) return !!viewer;
      if (viewer.isStaff || args.userId.toLowerCase() === viewer.user.id) return true;
      const memberships = await ctx.loaders.membershipsByUser.load(args.userId.toLowerCase());
      const authorities = await ctx.loaders.authority.loadMany(memberships.map((m) => m.accountId));
      return authorities.some((a) => !!a && !(a instanceof Error) && a.actsAs === Role.ADMIN);
    },
  ),
);
