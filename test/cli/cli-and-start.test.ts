import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeJwt } from 'jose';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';

/**
 * The operator paths as a newcomer runs them: the built CLI, and `node dist/main.js` on a
 * fresh embedded database (seeding, health, a demo token, graceful shutdown).
 */
const root = path.join(__dirname, '..', '..');
const cli = path.join(root, 'dist', 'cli', 'cli.js');
/** The Node running the tests: CI runs them on several runtimes (.ci/run), not only PATH's. */
const node = process.execPath;
const baseEnv = {
  ...process.env,
  NODE_ENV: 'development',
  JWT_SECRET: 'cli-test-secret-0123456789',
  LOG_LEVEL: 'info',
};

/** CI builds dist once for every step that runs it (.ci/run) and says so with TEST_DIST_BUILT. */
beforeAll(() => {
  if (process.env.TEST_DIST_BUILT) return;
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
});

/** Async on purpose: the in-memory test database lives in this process and must keep serving. */
function runCli(args: string[], env: Record<string, string | undefined>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(node, [cli, ...args], { cwd: root, env: { ...baseEnv, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout: stdout.trim(), stderr: stderr.trim() }));
  });
}

describe('npm run cli', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.close());

  it('create-staff creates (then finds) a staff user and prints {userId, token}', async () => {
    const env = { DATABASE_URL: database.url };
    const first = await runCli(
      ['create-staff', '--email', 'Ops@Handover.test', '--name', 'Ops'],
      env,
    );
    expect(first.code).toBe(0);
    const printed = JSON.parse(first.stdout);
    expect(Object.keys(printed).sort()).toEqual(['token', 'userId']);
    const [row] = await database.db.query('SELECT id, is_staff FROM users WHERE email = $1', [
      'ops@handover.test',
    ]);
    expect(printed.userId).toBe(row.id);
    expect(row.is_staff).toBe(true);
    const again = await runCli(
      ['create-staff', '--email', 'ops@handover.test', '--name', 'Ops'],
      env,
    );
    expect(JSON.parse(again.stdout).userId).toBe(row.id);
    const token = await runCli(['token', '--email', 'ops@handover.test'], env);
    expect(JSON.parse(token.stdout).userId).toBe(row.id);
  });

  it('issue 30 #13: mints 24-hour tokens, or JWT_MAX_TTL_SECONDS when that is shorter', async () => {
    const lifetime = async (env: Record<string, string>) => {
      const result = await runCli(['create-staff', '--email', 'ttl@handover.test', '--name', 'T'], {
        DATABASE_URL: database.url,
        ...env,
      });
      const { exp, iat } = decodeJwt(JSON.parse(result.stdout).token);
      return exp! - iat!;
    };
    expect(await lifetime({})).toBe(24 * 3600);
    expect(await lifetime({ JWT_MAX_TTL_SECONDS: '3600' })).toBe(3600);
  });

  it.each([
    [['token', '--email', 'nobody@handover.test'], 'No user with email nobody@handover.test'],
    [['token', '--email', 'not-an-email'], '--email must be a valid email address'],
    [['create-staff', '--email', 'a@b.test'], '--name is required'],
    [['launch-rockets'], 'usage:'],
  ])('%j fails with one line on stderr and exit code 1', async (args, message) => {
    const result = await runCli(args, { DATABASE_URL: database.url });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(message);
  });

  it('refuses a bad environment with a clear message and exit code 1', async () => {
    const result = await runCli(['token', '--email', 'a@b.test'], { DATABASE_URL: 'mysql://nope' });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('Invalid environment: DATABASE_URL: must be a postgres:// URL');
  });
});

describe('node dist/main.js on a fresh embedded database', () => {
  it.each([
    ['migrates, seeds the demo world, serves health and a demo token, and stops on SIGTERM', {}],
    [
      'finding 8: without JWT_SECRET, npm start and the CLI share the secret kept under DATA_DIR',
      { JWT_SECRET: undefined },
    ],
  ])('%s', async (_name, secretEnv: Record<string, string | undefined>) => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'handover-start-'));
    const env = { ...baseEnv, ...secretEnv, DATA_DIR: dataDir, PORT: '0', DATABASE_URL: '' };
    delete (env as Record<string, string | undefined>).TEST_DATABASE_URL;
    const child = spawn(node, [path.join(root, 'dist', 'main.js')], { cwd: root, env });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setInterval(() => {
          const match = /"url":"(http:\/\/127\.0\.0\.1:\d+)\/graphql"/.exec(output);
          if (match && output.includes('Demo world seeded')) {
            clearInterval(timer);
            resolve(match[1]);
          }
        }, 100);
        child.once('exit', (code) => {
          clearInterval(timer);
          reject(new Error(`server exited with ${code}: ${output}`));
        });
      });
      expect(output).toContain('admin@northwind.example');
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);

      // the CLI reaches the running server's embedded database through its socket address
      const token = await runCli(['token', '--email', 'admin@northwind.example'], {
        ...secretEnv,
        DATA_DIR: dataDir,
        DATABASE_URL: '',
      });
      expect(token.code).toBe(0);
      const { userId, token: jwt } = JSON.parse(token.stdout);
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${jwt}` },
        body: JSON.stringify({ query: '{ viewer { id memberships { role account { name } } } }' }),
      });
      expect(await response.json()).toEqual({
        data: {
          viewer: {
            id: userId,
            memberships: [{ role: 'ADMIN', account: { name: 'Northwind Agency' } }],
          },
        },
        // every response reports its query cost and the budget left (src/ops/rate-limit.ts)
        extensions: { cost: expect.objectContaining({ requestedQueryCost: expect.any(Number) }) },
      });

      if ('JWT_SECRET' in secretEnv) {
        // Generated once by the server (mode 0600) and read, not regenerated, by the CLI.
        const secretFile = path.join(dataDir, 'jwt-secret');
        expect(readFileSync(secretFile, 'utf8')).toMatch(/^[A-Za-z0-9_-]{43}\n$/);
        expect(statSync(secretFile).mode & 0o777).toBe(0o600);
        expect(output).toContain('JWT_SECRET is not set');
      }

      const exitCode = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exitCode).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
