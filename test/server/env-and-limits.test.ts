import { EnvError, loadEnv } from '../../src/config/env';
import { Role, type User } from '../../src/entities';
import { factories } from '../helpers/factories';
import { startTestServer, type TestServer } from '../helpers/test-server';

describe('environment', () => {
  it('applies the documented defaults', () => {
    const env = loadEnv({});
    expect([env.HOST, env.PORT, env.DATABASE_URL, env.usingDevSecret]).toEqual([
      '127.0.0.1',
      4000,
      undefined,
      true,
    ]);
  });

  it.each([
    [{ PORT: 'eighty' }, 'Invalid environment: PORT: must be a port number (0-65535)'],
    [{ DATABASE_URL: 'mysql://x' }, 'Invalid environment: DATABASE_URL: must be a postgres:// URL'],
    [
      { NODE_ENV: 'production' },
      'Invalid environment: JWT_SECRET is required when NODE_ENV=production',
    ],
    [{ JWT_SECRET: 'short' }, 'Invalid environment: JWT_SECRET must be at least 16 characters'],
  ])('refuses %j with one clear message', (source, message) => {
    expect(() => loadEnv(source)).toThrow(new EnvError(message));
  });
});

describe('request limits (graphql-armor) and HTTP hygiene', () => {
  let server: TestServer;
  let user: User;
  beforeAll(async () => {
    server = await startTestServer();
    const f = factories(server.db);
    user = await f.member(await f.agency(), Role.ADMIN);
  });
  afterAll(() => server.stop());

  it('refuses a query deeper than the limit before running it', async () => {
    const agencies = 'agency { '.repeat(12) + 'id' + ' }'.repeat(12);
    const response = await server.gql(
      `{ viewer { memberships { account { ${agencies} } } } }`,
      {},
      user,
    );
    expect(response.data).toBeUndefined();
    expect(response.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(response.errors?.[0].message).toMatch(/depth/i);
  });

  it('refuses too many aliases', async () => {
    const aliases = Array.from({ length: 20 }, (_, i) => `a${i}: viewer { id }`).join(' ');
    const response = await server.gql(`{ ${aliases} }`, {}, user);
    expect(response.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(response.errors?.[0].message).toMatch(/alias/i);
  });

  it('refuses batched HTTP requests', async () => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await server.tokenFor(user)}`,
      },
      body: JSON.stringify([{ query: '{ viewer { id } }' }, { query: '{ viewer { id } }' }]),
    });
    expect(response.status).toBe(400);
  });

  it('refuses a GET query without a CSRF-safe header (CSRF prevention)', async () => {
    const response = await fetch(
      `${server.url}/graphql?query=${encodeURIComponent('{ viewer { id } }')}`,
      {
        headers: { authorization: `Bearer ${await server.tokenFor(user)}` },
      },
    );
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/CSRF/);
  });
});
