import { SignJWT } from 'jose';
import { Role, User } from '../../src/entities';
import { authenticate } from '../../src/server/auth';
import { factories } from '../helpers/factories';
import { useTestServer } from '../helpers/test-server';
import { ServerViewerIdEmailDocument, TestViewerIdDocument } from '../generated/graphql';

const { server } = useTestServer();
let admin: User;

beforeAll(async () => {
  const f = factories(server.db);
  admin = await f.member(await f.agency(), Role.ADMIN);
});

// The test servers' JWT_SECRET (test/helpers/test-database.ts).
const jwtSecret = 'test-secret-for-handover-tests';
const secret = new TextEncoder().encode(jwtSecret);

describe('GET /health', () => {
  it('answers 200 once the database answers and migrations are applied', async () => {
    const response = await fetch(`${server.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });
});

describe('authentication', () => {
  const viewer = ServerViewerIdEmailDocument;

  it('serves the viewer for a valid JWT whose sub is the user id', async () => {
    const response = await server.op(viewer, {}, admin);
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ viewer: { id: admin.id, email: admin.email } });
  });

  it('answers UNAUTHENTICATED without a token', async () => {
    const response = await server.op(viewer, {});
    expect(response.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });

  it.each([
    ['garbage', 'not-a-jwt'],
    ['wrong secret', 'WRONG'],
    ['expired', 'EXPIRED'],
    ['no exp', 'NOEXP'],
  ])('answers UNAUTHENTICATED with HTTP 401 for a %s token', async (_label, kind) => {
    let token = kind;
    if (kind === 'WRONG') {
      token = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(admin.id)
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode('another-secret-entirely'));
    } else if (kind === 'EXPIRED') {
      token = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(admin.id)
        .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
        .sign(secret);
    } else if (kind === 'NOEXP') {
      token = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(admin.id)
        .sign(secret);
    }
    const response = await server.op(viewer, {}, { token });
    expect(response.status).toBe(401);
    expect(response.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });

  it('answers UNAUTHENTICATED for a deactivated user', async () => {
    const f = factories(server.db);
    const gone = await f.member(await f.agency(), Role.ADMIN, { active: false });
    const response = await server.op(viewer, {}, gone);
    expect(response.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });

  it('answers UNAUTHENTICATED for a user deactivated after their token was last served', async () => {
    const f = factories(server.db);
    const leaving = await f.member(await f.agency(), Role.ADMIN);
    const token = await server.tokenFor(leaving);
    expect((await server.op(viewer, {}, { token })).data).toEqual({
      viewer: { id: leaving.id, email: leaving.email },
    });
    await server.db.getRepository(User).update(leaving.id, { active: false });
    const response = await server.op(viewer, {}, { token });
    expect(response.status).toBe(401);
    expect(response.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });

  it('hides unexpected failures as INTERNAL_SERVER_ERROR without details', async () => {
    const response = await server.op(TestViewerIdDocument, {}, { token: 'hov_unknown' });
    expect(response.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('verified JWTs remembered by the server (src/server/auth.ts)', () => {
  const mint = (subject: string, expiresAt: number) =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(subject)
      .setExpirationTime(expiresAt)
      .sign(secret);
  afterEach(() => jest.useRealTimers());

  it('refuses a token it verified before once the token has expired', async () => {
    const now = Date.now();
    const token = await mint(admin.id, Math.floor(now / 1000) + 60);
    const served = await authenticate(server.db, jwtSecret, `Bearer ${token}`);
    expect(served?.kind === 'user' && served.user.id).toBe(admin.id);
    // Only Date is faked: the database driver's timers and ticks keep running.
    jest.useFakeTimers({
      now: now + 61_000,
      doNotFake: [
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'setImmediate',
        'clearImmediate',
        'setInterval',
        'clearInterval',
        'setTimeout',
        'clearTimeout',
      ],
    });
    await expect(authenticate(server.db, jwtSecret, `Bearer ${token}`)).rejects.toMatchObject({
      message: 'Token expired',
      extensions: { code: 'UNAUTHENTICATED' },
    });
  });

  it('refuses a token whose signature was changed after the genuine one was verified', async () => {
    const token = await mint(admin.id, Math.floor(Date.now() / 1000) + 3600);
    await authenticate(server.db, jwtSecret, `Bearer ${token}`);
    const [header, payload, signature] = token.split('.');
    // The first character carries six bits of the MAC (the last one carries padding bits too).
    const forged = `${header}.${payload}.${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
    await expect(authenticate(server.db, jwtSecret, `Bearer ${forged}`)).rejects.toMatchObject({
      message: 'Invalid token',
      extensions: { code: 'UNAUTHENTICATED' },
    });
  });

  it('refuses a token verified under one secret when the server runs with another', async () => {
    const token = await mint(admin.id, Math.floor(Date.now() / 1000) + 3600);
    await authenticate(server.db, jwtSecret, `Bearer ${token}`);
    await expect(
      authenticate(server.db, 'a-rotated-secret', `Bearer ${token}`),
    ).rejects.toMatchObject({ message: 'Invalid token', extensions: { code: 'UNAUTHENTICATED' } });
  });
});

describe('issue 30 #13: a JWT lives at most JWT_MAX_TTL_SECONDS', () => {
  const sign = (iat: number | null, exp: number) => {
    const jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(admin.id);
    return (iat === null ? jwt : jwt.setIssuedAt(iat)).setExpirationTime(exp).sign(secret);
  };
  const refused = (ttl = 7 * 24 * 3600) => ({
    message: `Token lifetime exceeds ${ttl} seconds (JWT_MAX_TTL_SECONDS)`,
    extensions: { code: 'UNAUTHENTICATED' },
  });

  it('refuses exp 1e20 over HTTP: 401 UNAUTHENTICATED naming the lifetime', async () => {
    const response = await server.op(TestViewerIdDocument, {}, { token: await sign(null, 1e20) });
    expect(response.status).toBe(401);
    expect(response.data).toBeUndefined();
    expect(response.errors).toEqual([expect.objectContaining(refused())]);
  });

  it('refuses exp - iat beyond the lifetime, and serves a token within it (the CLI’s day)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const longIssued = await sign(now - 30 * 24 * 3600, now + 3600);
    await expect(authenticate(server.db, jwtSecret, `Bearer ${longIssued}`)).rejects.toMatchObject(
      refused(),
    );
    const day = await sign(now, now + 24 * 3600);
    expect((await authenticate(server.db, jwtSecret, `Bearer ${day}`))?.user.id).toBe(admin.id);
    const response = await server.op(TestViewerIdDocument, {}, { token: day });
    expect([response.status, response.data]).toEqual([200, { viewer: { id: admin.id } }]);
  });

  it('holds the cap on a remembered token: exp ahead and exp - iat are both checked again', async () => {
    const now = Math.floor(Date.now() / 1000);
    // Verified (and remembered) under the default week, then presented under shorter caps.
    const day = await sign(now, now + 24 * 3600);
    const lateIssued = await sign(now - 3 * 3600, now + 3600);
    for (const token of [day, lateIssued]) {
      expect((await authenticate(server.db, jwtSecret, `Bearer ${token}`))?.user.id).toBe(admin.id);
    }
    await expect(authenticate(server.db, jwtSecret, `Bearer ${day}`, 3600)).rejects.toMatchObject(
      refused(3600),
    );
    // One hour ahead fits two hours; issued four hours before it expires does not.
    await expect(
      authenticate(server.db, jwtSecret, `Bearer ${lateIssued}`, 2 * 3600),
    ).rejects.toMatchObject(refused(2 * 3600));
  });
});
