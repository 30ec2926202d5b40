import { createSecretKey, type KeyObject } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { LRUCache } from 'lru-cache';
import type { DataSource } from 'typeorm';
import { ApiToken, User } from '../entities';
import { API_TOKEN_PREFIX, hashApiToken, usableApiToken } from '../permissions/api-token-rules';
import { tokenPrincipal, userPrincipal } from '../permissions/principal';
import { isId } from '../shared/ids';
import { query, rowMapper } from '../database/raw-sql';
import { unauthenticated } from '../shared/errors';
import type { Principal as Viewer } from '../permissions/principal';

interface SigningSecret {
  /** Imported once: jose would otherwise import the raw bytes on every request. */
  key: KeyObject;
  /**
   * Token strings this key verified, with their `sub`, `exp` and `iat`. Verifying (HMAC, base64url and
   * JSON decoding, claim checks) was ~0.2 ms of every request on the 2-core bench machine
   * (issue 10), and its answer for one string under one key changes only with the clock, so a
   * hit checks `exp` again as jose does. Not a permission cache: whether the user is still
   * active is read by the statement in `authenticate` on every request. Bounded, so tokens
   * minted in bulk cannot grow it.
   */
  verified: LRUCache<
    string,
    { subject: string | undefined; expiresAt: number; issuedAt: number | undefined }
  >;
}
const secrets = new Map<string, SigningSecret>();
const signingSecret = (secret: string) => {
  let known = secrets.get(secret);
  if (!known) {
    known = {
      key: createSecretKey(Buffer.from(secret, 'utf8')),
      verified: new LRUCache({ max: 10_000 }),
    };
    secrets.set(secret, known);
  }
  return known;
};

/** A JWT whose `exp` lies further ahead than the configured lifetime (issue 30 #13). */
class LifetimeTooLong extends Error {}

/**
 * The `sub` of a user JWT signed with `secret`, or the error jose raises for it. A token valid for
 * longer than `maxTtlSeconds` from now (`exp` 1e20, or `exp - iat` beyond it) is refused: a leaked
 * token must not outlive the lifetime the deployment chose — on a remembered token too.
 */
async function verifiedSubject(
  secret: string,
  token: string,
  maxTtlSeconds: number,
): Promise<string | undefined> {
  const { key, verified } = signingSecret(secret);
  const now = Math.floor(Date.now() / 1000);
  const livesTooLong = (expiresAt: number, issuedAt: number | undefined) =>
    expiresAt - now > maxTtlSeconds ||
    (issuedAt !== undefined && expiresAt - issuedAt > maxTtlSeconds);
  const known = verified.get(token);
  // jose's own rule: expired once `exp` <= now, in whole seconds.
  if (known && known.expiresAt > now) {
    // The cap is checked again on every hit: it is an argument, and the cache outlives it.
    if (livesTooLong(known.expiresAt, known.issuedAt)) throw new LifetimeTooLong();
    return known.subject;
  }
  const { payload } = await jwtVerify(token, key, {
    algorithms: ['HS256'],
    requiredClaims: ['exp', 'sub'],
  });
  const expiresAt = payload.exp as number;
  const issuedAt = typeof payload.iat === 'number' ? payload.iat : undefined;
  if (livesTooLong(expiresAt, issuedAt)) throw new LifetimeTooLong();
  verified.set(token, { subject: payload.sub, expiresAt, issuedAt });
  return payload.sub;
}

/** A user JWT: HS256, `sub` = the user id as the API serves it, expiring. */
export async function signUserToken(secret: string, userId: string, ttlSeconds = 24 * 3600) {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(signingSecret(secret).key);
}

/**
 * R18: the API token matching `where` (alias `t`) that may still be used — not revoked, creator
 * active and still acting for the token's account as ADMIN (staff creators: still staff) — as
 * the principal it authenticates. The one lookup for bearer tokens and signed export links.
 */
export async function findUsableApiToken(
  db: DataSource,
  where: string,
  parameters: Record<string, unknown>,
): Promise<{ principal: Extract<Viewer, { kind: 'token' }>; lastUsedAt: Date | null } | null> {
  const row = await db
    .getRepository(ApiToken)
    .createQueryBuilder('t')
    .innerJoinAndMapOne('t.createdBy', User, 'u', 'u.id = t.created_by_id')
    .where(where, parameters)
    .andWhere(usableApiToken('t', 'u'))
    .getOne();
  if (!row?.createdBy) return null;
  const principal = tokenPrincipal(row.createdBy, row) as Extract<Viewer, { kind: 'token' }>;
  return { principal, lastUsedAt: row.lastUsedAt };
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
  maxTtlSeconds = 7 * 24 * 3600,
): Promise<Viewer | null> {
  if (!authorization) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match) throw unauthenticated('Authorization must be "Bearer <token>"');
  const token = match[1];

  if (token.startsWith(API_TOKEN_PREFIX)) {
    const found = await findUsableApiToken(db, 't.token_hash = :hash', {
      hash: hashApiToken(token),
    });
    if (!found) throw unauthenticated('Invalid or revoked API token');
    if (!found.lastUsedAt || Date.now() - found.lastUsedAt.getTime() > 60_000) {
      // At most one write a minute per token: busy pixels must not queue on the token row.
      await db.query(
        `UPDATE api_tokens SET last_used_at = now()
          WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
        [found.principal.tokenId],
      );
    }
    return found.principal;
  }

  let subject: string | undefined;
  try {
    subject = await verifiedSubject(secret, token, maxTtlSeconds);
  } catch (error) {
    const reason =
      error instanceof joseErrors.JWTExpired
        ? 'Token expired'
        : error instanceof LifetimeTooLong
          ? `Token lifetime exceeds ${maxTtlSeconds} seconds (JWT_MAX_TTL_SECONDS)`
          : 'Invalid token';
    throw unauthenticated(reason);
  }
  // `sub` must be the id exactly as the API serves it (lower-case): one user, one spelling.
  if (!isId(subject) || subject !== subject.toLowerCase()) {
    throw unauthenticated('Invalid token subject');
  }
  // Every request runs this: one raw statement, mapped once (TypeORM's find pipeline was the
  // largest Node-side cost of a small page — bench/results.md, B9).
  const [row] = await query(db, `SELECT * FROM users WHERE id = :id AND active`, { id: subject });
  if (!row) throw unauthenticated('Unknown or deactivated user');
  const user = rowMapper(db, User)(row);
  return userPrincipal(user);
}
