import type { User } from '../entities';

/**
 * Who is calling, decided once per request when the request is authenticated, and read by every
 * rule, predicate and service: a signed-in user (`isStaff` for platform staff), or a partner API
 * token (R18) reading on behalf of its creator within one account. A token is never staff, even
 * when a staff member made it: `isStaff` here is the principal's, not the creator's.
 */
export type Principal =
  | { kind: 'user'; user: User; isStaff: boolean }
  | {
      kind: 'token';
      user: User;
      isStaff: false;
      tokenId: string;
      scopeAccountId: string;
      /** R18: a staff creator can open every archived report of the scope. */
      creatorIsStaff: boolean;
    };

export const userPrincipal = (user: User): Principal => ({
  kind: 'user',
  user,
  isStaff: user.isStaff,
});

export const tokenPrincipal = (
  user: User,
  token: { id: string; accountId: string },
): Principal => ({
  kind: 'token',
  user,
  isStaff: false,
  tokenId: token.id,
  scopeAccountId: token.accountId,
  creatorIsStaff: user.isStaff,
});
