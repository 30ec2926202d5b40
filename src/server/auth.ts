import { createHash } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { DataSource } from 'typeorm';
import { ApiToken, User } from '../entities';
import { usableApiToken } from '../permissions/api-token-rules';
import { isId } from '../services/ids';
import { unauthenticated } from '../services/errors';
import type { Viewer } from './viewer';

/** Partner API tokens carry this prefix so they are never mistaken for a JWT. */
export const API_TOKEN_PREFIX = 'hov_';

export const hashApiToken = (token: string) => createHash('sha256').update(token).digest('hex');

const secretKey = (secret: string) => new TextEncoder().encode(secret);

/** A user JWT: HS256, `sub` = the user id as the API serves it, expiring. */
export async function signUserToken(secret: string, userId: string, ttlSeconds = 24 * 3600) {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(secretKey(secret));
}

/**
 * Resolves `Authorization: Bearer <token>` to a viewer. No header: anonymous (null); shield then
 * answers UNAUTHENTICATED for every operation. A header that does not name an active user
 * (bad signature, expired, no `exp`, deactivated user, revoked token) throws UNAUTHENTICATED.
 */
export async function authenticate(
  db: DataSource,
  secret: string,
  authorization: string | undefined,
): Promise<Viewer | null> {
  if (!authorization) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match) throw unauthenticated('Authorization must be "Bearer <token>"');
  const token = match[1];

  if (token.startsWith(API_TOKEN_PREFIX)) {
    const row = await db
      .getRepository(ApiToken)
      .createQueryBuilder('t')
      .innerJoinAndMapOne('t.createdBy', User, 'u', 'u.id = t.created_by_id')
      .where('t.token_hash = :hash', { hash: hashApiToken(token) })
      // R18: not revoked, creator active and still ADMIN of the token's account.
      .andWhere(usableApiToken('t', 'u'))
      .getOne();
    if (!row?.createdBy) throw unauthenticated('Invalid or revoked API token');
    if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
      // At most one write a minute per token: busy pixels must not queue on the token row.
      await db.query(
        `UPDATE api_tokens SET last_used_at = now()
          WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
        [row.id],
      );
    }
    return { kind: 'token', user: row.createdBy, tokenId: row.id, scopeAccountId: row.accountId };
  }

  let subject: string | undefined;
  try {
    const { payload } = await jwtVerify(token, secretKey(secret), {
      algorithms: ['HS256'],
      requiredClaims: ['exp', 'sub'],
    });
    subject = payload.sub;
  } catch (error) {
    const reason = error instanceof joseErrors.JWTExpired ? 'Token expired' : 'Invalid token';
    throw unauthenticated(reason);
  }
  if (!isId(subject)) throw unauthenticated('Invalid token subject');
  const user = await db.getRepository(User).findOneBy({ id: subject, active: true });
  if (!user) throw unauthenticated('Unknown or deactivated user');
  return { kind: 'user', user };
}
