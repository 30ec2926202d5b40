import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EnvError, jwtSecretPath, loadEnv } from '../../src/config/env';
import { Role, type User } from '../../src/entities';
import { factories } from '../helpers/factories';
import { startTestServer, type TestServer } from '../helpers/test-server';

describe('environment', () => {
  const dataDirs: string[] = [];
  const tempDataDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handover-env-'));
    dataDirs.push(dir);
    return path.join(dir, 'data');
  };
  afterAll(() => dataDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  it('applies the documented defaults', () => {
    const env = loadEnv({ DATA_DIR: tempDataDir() });
    expect([env.HOST, env.PORT, env.DATABASE_URL, env.EXPLORER]).toEqual([
      '127.0.0.1',
      4000,
      undefined,
      'auto',
    ]);
    expect(loadEnv({ JWT_SECRET: 'an-explicit-secret-123' }).DATA_DIR).toBe('.data');
    // Issue 30 #13: a week, well above the CLI's 24-hour tokens.
    expect(loadEnv({ JWT_SECRET: 'an-explicit-secret-123' }).JWT_MAX_TTL_SECONDS).toBe(604800);
  });

  it('finding 8: without JWT_SECRET a random secret is generated once and kept under DATA_DIR', () => {
    const dataDir = tempDataDir();
    const file = jwtSecretPath(dataDir);
    const first = loadEnv({ DATA_DIR: dataDir });
    expect(first.jwtSecretFile).toBe(file);
    expect(first.JWT_SECRET).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes, base64url
    expect(fs.readFileSync(file, 'utf8')).toBe(`${first.JWT_SECRET}\n`);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dataDir)).toEqual(['jwt-secret']); // no temporary file left behind

    // Later starts (npm start, npm run cli, in any order) read the same secret...
    expect(loadEnv({ DATA_DIR: dataDir, NODE_ENV: 'development' }).JWT_SECRET).toBe(
      first.JWT_SECRET,
    );
    expect(loadEnv({ DATA_DIR: dataDir, NODE_ENV: 'test' }).JWT_SECRET).toBe(first.JWT_SECRET);
    // ...and no constant is built in: another DATA_DIR gets a secret of its own.
    expect(loadEnv({ DATA_DIR: tempDataDir() }).JWT_SECRET).not.toBe(first.JWT_SECRET);
  });

  it('finding 8: an explicit JWT_SECRET wins and nothing is written; production still refuses without one', () => {
    const dataDir = tempDataDir();
    const env = loadEnv({ DATA_DIR: dataDir, JWT_SECRET: 'an-explicit-secret-123' });
    expect([env.JWT_SECRET, env.jwtSecretFile]).toEqual(['an-explicit-secret-123', null]);
    expect(() => loadEnv({ DATA_DIR: dataDir, NODE_ENV: 'production' })).toThrow(
      new EnvError('Invalid environment: JWT_SECRET is required when NODE_ENV=production'),
    );
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it('finding 8: a kept secret file that is empty or too short stops the start with one line', () => {
    const dataDir = tempDataDir();
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(jwtSecretPath(dataDir), 'short\n', { mode: 0o600 });
    expect(() => loadEnv({ DATA_DIR: dataDir })).toThrow(
      new EnvError(
        `Invalid environment: ${jwtSecretPath(dataDir)} holds no usable JWT secret (delete it to generate a new one)`,
      ),
    );
  });

  it.each([
    [{ PORT: 'eighty' }, 'Invalid environment: PORT: must be a port number (0-65535)'],
    [{ DATABASE_URL: 'mysql://x' }, 'Invalid environment: DATABASE_URL: must be a postgres:// URL'],
    [
      { NODE_ENV: 'production' },
      'Invalid environment: JWT_SECRET is required when NODE_ENV=production',
    ],
    [{ JWT_SECRET: 'short' }, 'Invalid environment: JWT_SECRET must be at least 16 characters'],
    [
      { JWT_SECRET: 'an-explicit-secret-123', JWT_MAX_TTL_SECONDS: '0' },
      'Invalid environment: JWT_MAX_TTL_SECONDS: must be a whole number >= 1',
    ],
    [
      { JWT_SECRET: 'an-explicit-secret-123', JWT_MAX_TTL_SECONDS: '7d' },
      'Invalid environment: JWT_MAX_TTL_SECONDS: must be a whole number >= 1',
    ],
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

describe('introspection follows EXPLORER (issue 9, finding 8)', () => {
  const INTROSPECT = '{ __schema { queryType { name } } }';
  const introspect = async (env: Record<string, string>) => {
    const server = await startTestServer(env);
    try {
      const f = factories(server.db);
      const user = await f.member(await f.agency(), Role.ADMIN);
      return await server.gql(INTROSPECT, {}, user);
    } finally {
      await server.stop();
    }
  };
  const refused = {
    status: 400,
    data: undefined,
    codes: ['GRAPHQL_VALIDATION_FAILED'],
    messages: [expect.stringMatching(/introspection is not allowed/)],
  };
  const summary = (response: Awaited<ReturnType<typeof introspect>>) => ({
    status: response.status,
    data: response.data,
    codes: response.errors?.map((e) => e.extensions?.code),
    messages: response.errors?.map((e) => e.message),
  });

  it('finding 8: introspection is off when the explorer is off', async () => {
    expect(summary(await introspect({ NODE_ENV: 'development', EXPLORER: 'off' }))).toEqual(
      refused,
    );
  });

  it('finding 8: introspection is off by default in production, on with EXPLORER=on', async () => {
    expect(summary(await introspect({ NODE_ENV: 'production' }))).toEqual(refused);
    expect(summary(await introspect({ NODE_ENV: 'production', EXPLORER: 'on' }))).toEqual({
      status: 200,
      data: { __schema: { queryType: { name: 'Query' } } },
      codes: undefined,
      messages: undefined,
    });
  });
});
