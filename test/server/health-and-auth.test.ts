import { SignJWT } from 'jose';
import { Role, type User } from '../../src/entities';
import { factories } from '../helpers/factories';
import { useTestServer } from '../helpers/test-server';

const { server } = useTestServer();
let admin: User;

beforeAll(async () => {
  const f = factories(server.db);
  admin = await f.member(await f.agency(), Role.ADMIN);
});

const secret = new TextEncoder().encode('test-secret-for-handover-tests');

describe('GET /health', () => {
  it('answers 200 once the database answers and migrations are applied', async () => {
    const response = await fetch(`${server.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });
});

describe('authentication', () => {
  const viewer = '{ viewer { id email } }';

  it('serves the viewer for a valid JWT whose sub is the user id', async () => {
    const response = await server.gql(viewer, {}, admin);
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ viewer: { id: admin.id, email: admin.email } });
  });

  it('answers UNAUTHENTICATED without a token', async () => {
    const response = await server.gql(viewer);
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
    const response = await server.gql(viewer, {}, { token });
    expect(response.status).toBe(401);
    expect(response.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });

  it('answers UNAUTHENTICATED for a deactivated user', async () => {
    const f = factories(server.db);
    const gone = await f.member(await f.agency(), Role.ADMIN, { active: false });
    const response = await server.gql(viewer, {}, gone);
    expect(response.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });

  it('hides unexpected failures as INTERNAL_SERVER_ERROR without details', async () => {
    const response = await server.gql('{ viewer { id } }', {}, { token: 'hov_unknown' });
    expect(response.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});
