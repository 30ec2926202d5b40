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
    }
  | {
      /**
       * A background job (R31: the scheduler), not a person: it acts for `onBehalfOfAccountId`,
       * on behalf of `user` (who scheduled it), on the one target its job names. Its authority
       * was judged when the job was created, by the operation's own gate, and the job re-checks
       * the facts its target must still have; so visibility does not narrow it (`isStaff`), and
       * no API or rule ever sees this kind: it exists only inside a job's run.
       */
      kind: 'job';
      user: User;
      isStaff: true;
      job: { name: 'scheduler'; scheduleId: string; onBehalfOfAccountId: string };
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

export const jobPrincipal = (
  user: User,
  job: { scheduleId: string; onBehalfOfAccountId: string },
): Principal => ({ kind: 'job', user, isStaff: true, job: { name: 'scheduler', ...job } });
