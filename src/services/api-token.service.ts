import { randomBytes } from 'node:crypto';
import { ApiToken } from '../entities';
import { API_TOKEN_PREFIX, hashApiToken } from '../permissions/api-token-rules';
import { requireViewer, type RequestContext } from '../context/request-context';
import type { CreateApiTokenInput } from '../schema/types/inputs';
import type { ApiTokenInfo } from '../schema/types/api-token.type';
import { recordAuditEvent } from './audit.service';
import { notFound, requiredText } from '../shared/errors';
import { isId } from '../shared/ids';
import { confirmGateDecisions } from '../permissions/gate-decisions';
import { query } from '../database/raw-sql';
import { inTransaction } from './transaction';
import { lockVisibleAccount } from './locks';

const info = (row: ApiToken): ApiTokenInfo => ({
  id: row.id,
  name: row.name,
  accountId: row.accountId,
  createdAt: row.createdAt,
  lastUsedAt: row.lastUsedAt,
  revoked: row.revokedAt !== null,
  revokedAt: row.revokedAt,
});

/**
 * R18: an account ADMIN (shield gate) creates a read-only partner token scoped to the account:
 * `hov_` + 32 random bytes (base64url), shown once; only its SHA-256 is stored. R27: audited.
 */
export async function createApiToken(ctx: RequestContext, input: CreateApiTokenInput) {
  const { viewer } = requireViewer(ctx);
  const name = requiredText(input.name, ['input', 'name']);
  return inTransaction(ctx, async (em) => {
    const account = await lockVisibleAccount(em, ctx, input.accountId, 'share', [
      'input',
      'accountId',
    ]);
    const token = `${API_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const saved = await em.getRepository(ApiToken).save({
      name,
      tokenHash: hashApiToken(token),
      accountId: account.id,
      createdById: viewer.user.id,
      revokedAt: null,
      lastUsedAt: null,
    });
    await recordAuditEvent(em, ctx, {
      action: 'API_TOKEN_CREATED',
      accountId: account.id,
      relatedAccountId: null,
      details: { tokenId: saved.id, name },
    });
    return { token, apiToken: info(saved) };
  });
}

/** R18: the account's tokens, newest first (ADMIN of the account: shield gate). No secrets. */
export async function listApiTokens(ctx: RequestContext, accountId: string) {
  const { visibility } = requireViewer(ctx);
  if (!isId(accountId)) return [];
  const rows = await ctx.db
    .getRepository(ApiToken)
    .createQueryBuilder('t')
    .where('t.account_id = :accountId', { accountId: accountId.toLowerCase() })
    .andWhere(
      `EXISTS (SELECT 1 FROM accounts a WHERE a.id = t.account_id AND ${visibility.account('a')})`,
      visibility.params,
    )
    .orderBy('t.created_at', 'DESC')
    .addOrderBy('t.id', 'DESC')
    .getMany();
  return rows.map(info);
}

/**
 * R18: revokes a token (ADMIN of its account: shield gate); from the next request on it is
 * UNAUTHENTICATED. Revoking twice keeps the first revocation time. Invisible → NOT_FOUND.
 * R27: audited (each call).
 */
export async function revokeApiToken(ctx: RequestContext, id: string) {
  const { visibility } = requireViewer(ctx);
  if (!isId(id)) throw notFound('API token', ['id']);
  return inTransaction(ctx, async (em) => {
    const [row] = await query<{ id: string }>(
      em,
      `UPDATE api_tokens t SET revoked_at = COALESCE(t.revoked_at, now())
        WHERE t.id = :tokenId
          AND EXISTS (SELECT 1 FROM accounts a WHERE a.id = t.account_id AND ${visibility.account('a')})
        RETURNING t.id`,
      { ...visibility.params, tokenId: id.toLowerCase() },
    );
    if (!row) throw notFound('API token', ['id']);
    // The UPDATE locked the token row; its revocation commits only if the gate still holds.
    await confirmGateDecisions(em, ctx);
    const token = await em.getRepository(ApiToken).findOneByOrFail({ id: row.id });
    await recordAuditEvent(em, ctx, {
      action: 'API_TOKEN_REVOKED',
      accountId: token.accountId,
      relatedAccountId: null,
      details: { tokenId: token.id, name: token.name },
    });
    return info(token);
  });
}
