import { createHash } from 'node:crypto';
import { Role } from '../entities/enums';
import type { GateContext } from './gate-context';
import { isId } from '../shared/ids';
import type { AccountLocator } from './rules';
import { ACTS_FOR } from './authority';

/** Partner API tokens carry this prefix so they are never mistaken for a JWT. */
export const API_TOKEN_PREFIX = 'hov_';

/** Only this digest of a token is stored; the token itself is shown once (R18). */
export const hashApiToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * R18: a token works only while it is not revoked, its creator is active, and the creator is
 * still acting for the token's account as ADMIN (A1) (staff creators: still staff). `t` is api_tokens, `u`
 * the creator in users. Checked by the statement that authenticates every request.
 */
export const usableApiToken = (t: string, u: string) => `(
    ${t}.revoked_at IS NULL AND ${u}.active
    AND (${u}.is_staff OR EXISTS (
          SELECT 1 FROM ${ACTS_FOR} tacl
           WHERE tacl.user_id = ${t}.created_by_id AND tacl.account_id = ${t}.account_id
             AND tacl.role = '${Role.ADMIN}')))`;

/** Locator for the shield map: the account an API token (id at `path`) is scoped to. */
export const accountOfApiTokenAt =
  (path: string): AccountLocator =>
  async (args, ctx: GateContext) => {
    const id = path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)?.[k], args);
    if (!isId(id)) return null;
    const rows: { account_id: string }[] = await ctx.db.query(
      'SELECT account_id FROM api_tokens WHERE id = $1',
      [id.toLowerCase()],
    );
    return rows[0]?.account_id ?? null;
  };
