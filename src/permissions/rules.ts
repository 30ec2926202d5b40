import { rule } from 'graphql-shield';
import { AccountType, Role } from '../entities/enums';
import type { RequestContext } from '../server/context';
import type { AccountAccess } from '../server/loaders';
import { unauthenticated } from '../services/errors';
import { isId } from '../services/ids';

/**
 * Named role gates for the shield map. They decide *whether the viewer's role allows the
 * operation*; per-object visibility is the SQL filter's job (./visibility.ts). A gate whose target
 * the viewer cannot see lets the request through: the service then answers NOT_FOUND, so a
 * forbidden answer never reveals that an invisible object exists.
 *
 * Rules that read arguments use `cache: 'no_cache'`: shield's `contextual` cache ignores args.
 */

const MANAGERS = [Role.ADMIN, Role.ACCOUNT_MANAGER];
const EDITORS = [Role.ADMIN, Role.ACCOUNT_MANAGER, Role.REGULAR];

export const isAuthenticated = rule('isAuthenticated', { cache: 'contextual' })(
  (_parent, _args, ctx: RequestContext) => (ctx.viewer ? true : unauthenticated()),
);

/** API tokens are read-only (R18): every mutation needs a signed-in user. */
export const isUser = rule('isUser', { cache: 'contextual' })(
  (_parent, _args, ctx: RequestContext) => ctx.viewer?.kind === 'user',
);

export const isStaff = rule('isStaff', { cache: 'contextual' })(
  (_parent, _args, ctx: RequestContext) => ctx.viewer?.kind === 'user' && ctx.viewer.user.isStaff,
);

type Args = Record<string, unknown>;

/** Shield requires one instance per rule name; the map reuses gates (e.g. on several fields). */
const ruleInstances = new Map<string, ReturnType<ReturnType<typeof rule>>>();
export function named<R extends ReturnType<ReturnType<typeof rule>>>(
  name: string,
  make: () => R,
): R {
  if (!ruleInstances.has(name)) ruleInstances.set(name, make());
  return ruleInstances.get(name) as R;
}
export type AccountLocator = (
  args: Args,
  ctx: RequestContext,
) => Promise<string | null | undefined>;

const get = (args: Args, path: string): unknown =>
  path.split('.').reduce<unknown>((value, key) => (value as Args | undefined)?.[key], args);

/** Locators: where in the arguments the account whose role matters is found. */
export const accountAt =
  (path: string): AccountLocator =>
  async (args) => {
    const id = get(args, path);
    return isId(id) ? id.toLowerCase() : null;
  };

export const accountOfReportAt =
  (path: string): AccountLocator =>
  async (args, ctx) => {
    const id = get(args, path);
    return isId(id) ? (await ctx.loaders.visibleReport.load(id.toLowerCase()))?.accountId : null;
  };

export const accountOfItemAt =
  (path: string): AccountLocator =>
  async (args, ctx) => {
    const id = get(args, path);
    return isId(id) ? (await ctx.loaders.visibleItem.load(id.toLowerCase()))?.accountId : null;
  };

export const ownerOfIntegrationAt =
  (path: string): AccountLocator =>
  async (args, ctx) => {
    const id = get(args, path);
    return isId(id) ? (await ctx.loaders.integration.load(id.toLowerCase()))?.ownerAccountId : null;
  };

export async function accessAt(locator: AccountLocator, args: Args, ctx: RequestContext) {
  if (!ctx.viewer) return { located: false, access: null as AccountAccess | null };
  const accountId = await locator(args, ctx);
  if (!accountId) return { located: false, access: null };
  return { located: true, access: await ctx.loaders.accountAccess.load(accountId) };
}

/** A rule passing when the viewer holds one of `roles` on the located account (staff always). */
export const roleGate =
  (
    name: string,
    roles: Role[],
    extra?: (access: AccountAccess) => boolean,
    invisible: 'pass' | 'deny' = 'pass',
  ) =>
  (locator: AccountLocator, locatorName: string) =>
    named(`${name}(${locatorName})`, () =>
      rule(`${name}(${locatorName})`, { cache: 'no_cache' })(
        async (_parent, args: Args, ctx: RequestContext) => {
          if (ctx.viewer?.user.isStaff && ctx.viewer.kind === 'user') return true;
          const { located, access } = await accessAt(locator, args, ctx);
          if (!located || !access?.role) return invisible === 'pass'; // the service answers NOT_FOUND
          return roles.includes(access.role) || (extra?.(access) ?? false);
        },
      ),
    );

/** ADMIN or ACCOUNT_MANAGER of the account (R1, R3, R4, R9, R23). */
export const isManagerOf = roleGate('isManagerOf', MANAGERS);
/** ADMIN, ACCOUNT_MANAGER or REGULAR: may create reports and items. */
export const isEditorOf = roleGate('isEditorOf', EDITORS);
/** ADMIN of the account. */
export const isAdminOf = roleGate('isAdminOf', [Role.ADMIN]);
/** Adds members: an ADMIN; on a CLIENT also the owning agency's ACCOUNT_MANAGERs. */
export const canAddMembersTo = roleGate(
  'canAddMembersTo',
  [Role.ADMIN],
  (access) => access.type === AccountType.CLIENT && access.role === Role.ACCOUNT_MANAGER,
);
/** ADMIN of the account, and nothing is revealed to others: invisible is FORBIDDEN too (R22). */
export const isAdminOfOrForbidden = roleGate(
  'isAdminOfOrForbidden',
  [Role.ADMIN],
  undefined,
  'deny',
);

/**
 * R9: ADMIN or ACCOUNT_MANAGER of the agency that owns the CLIENT account at `path` (staff
 * always). Visibility is judged on the client: a viewer who cannot see it passes (the service
 * answers NOT_FOUND), while one who sees it without managing its agency — the client's own
 * users, agency REGULARs — is refused here.
 */
export const isManagerOfOwningAgency = (path: string) =>
  named(`isManagerOfOwningAgency(${path})`, () =>
    rule(`isManagerOfOwningAgency(${path})`, { cache: 'no_cache' })(
      async (_parent, args: Args, ctx: RequestContext) => {
        if (ctx.viewer?.kind === 'user' && ctx.viewer.user.isStaff) return true;
        const id = get(args, path);
        if (!ctx.viewer || !isId(id)) return true;
        const client = await ctx.loaders.accountAccess.load(id.toLowerCase());
        if (!client?.role || client.type !== AccountType.CLIENT || !client.agencyId) return true;
        const agency = await ctx.loaders.accountAccess.load(client.agencyId);
        return !!agency?.role && MANAGERS.includes(agency.role);
      },
    ),
  );
