import { writeFileSync } from 'node:fs';
import http from 'node:http';
import * as prettier from 'prettier';
import { Client } from 'pg';
import { loadEnv } from '../src/config/env';
import { openDatabase } from '../src/database/database';
import { generateWorld, type WorldSize } from './world';

/**
 * What every bench script needs around a world: its flags, the PostgreSQL server it builds on,
 * the one JWT secret its servers and tokens share, and the world database itself, reused by size.
 * Shared by `npm run bench` and `npm run load`, so both reuse worlds by the same rule.
 */

const args = process.argv.slice(2);
export const flag = (name: string) => args.includes(`--${name}`);
export const option = (name: string, fallback: number) => {
  const at = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (at < 0) return fallback;
  const raw = args[at].includes('=') ? args[at].split('=')[1] : args[at + 1];
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} needs an integer`);
  return value;
};

/** The world's sizes: each one a flag (bench/README.md), else the script's default. */
export const worldSizeFromFlags = (defaults: WorldSize): WorldSize => ({
  agencies: option('agencies', defaults.agencies),
  clients: option('clients', defaults.clients),
  premiums: option('premiums', defaults.premiums),
  reports: option('reports', defaults.reports),
  reportItems: option('report-items', defaults.reportItems),
  bigClients: option('big-clients', defaults.bigClients),
  bigReportsPerClient: option('big-reports-per-client', defaults.bigReportsPerClient),
  bigArchivedClients: option('big-archived-clients', defaults.bigArchivedClients),
});

export const serverUrl =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/test';
export const urlOf = (name: string, server = serverUrl) => {
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
};

export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export const JWT_SECRET = 'bench-secret-not-for-production';
export const envFor = (url: string) =>
  loadEnv({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    JWT_SECRET,
    LOG_LEVEL: 'silent',
    SEED_DEMO: 'false',
    DATABASE_URL: url,
  });

export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * p) - 1))];
};

/** The median: for an even count, the mean of the middle two (percentile(…, 0.5) takes the lower). */
export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** A world in its own database `name`: reused when it was built with the same sizes. */
/** `server`: the PostgreSQL server to hold it (any database URL of it); the bench's by default. */
export async function world(
  name: string,
  worldSize: WorldSize,
  server = serverUrl,
): Promise<string> {
  const url = urlOf(name, server);
  // The R16 snapshot's form is part of what a world is: one generated before issue 11's
  // account-level rows is rebuilt, not reused.
  const wanted = JSON.stringify({ ...worldSize, r16: 'account-level' });
  const existing = await withClient(server, async (c) =>
    c.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name]),
  );
  if (existing.rowCount && !flag('regenerate')) {
    const built = await withClient(url, async (c) =>
      c
        .query<{ size: string }>(`SELECT size FROM bench_world`)
        .then((r) => r.rows[0]?.size)
        .catch(() => undefined),
    );
    if (built === wanted) {
      console.log(`Reusing ${name} (same sizes; --regenerate to rebuild)`);
      return url;
    }
  }
  await withClient(server, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name}`);
  });
  const migrated = await openDatabase(envFor(url));
  await migrated.close();
  console.log(`Generating ${name}: ${wanted}`);
  const start = Date.now();
  await withClient(url, async (c) => {
    await generateWorld(c, worldSize, (line) => console.log(line));
    await c.query(`CREATE TABLE bench_world (size text NOT NULL)`);
    await c.query(`INSERT INTO bench_world VALUES ($1)`, [wanted]);
  });
  console.log(`Generated ${name} in ${((Date.now() - start) / 1000).toFixed(0)} s`);
  return url;
}

/**
 * The bench's HTTP client for GraphQL servers (Handover's and the peer's alike): a POST of JSON
 * over a keep-alive `node:http` agent, the answer parsed. Not fetch: undici's fetch cost ~1 ms
 * of the bench process's CPU per request on the 2-core machine, which landed in every API
 * number although no server did that work — as lean a client as `pg` is for the SQL side.
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
export function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  const payload = JSON.stringify(body);
  const send = (retry: boolean): Promise<{ status: number; body: any }> =>
    new Promise((resolve, reject) => {
      const request = http.request(
        url,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(payload)),
            ...headers,
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            try {
              const text = Buffer.concat(chunks).toString('utf8');
              resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) });
            } catch (error) {
              reject(error instanceof Error ? error : new Error(String(error)));
            }
          });
        },
      );
      request.on('error', (error: NodeJS.ErrnoException) => {
        // The server closed an idle kept-alive socket as this request went out on it: the
        // request never reached it, so it is sent again once on a new socket (Node's advice
        // for `reusedSocket`).
        if (retry && request.reusedSocket && error.code === 'ECONNRESET') {
          resolve(send(false));
        } else reject(error);
      });
      request.end(payload);
    });
  return send(true);
}

/**
 * Writes a results or plans file as the repository's formatter would (`npm run lint` checks
 * every committed file), so a regenerated file is committed as it was written.
 */
export async function writeMarkdown(file: string, text: string): Promise<void> {
  const options = (await prettier.resolveConfig(file)) ?? {};
  writeFileSync(file, await prettier.format(text, { ...options, filepath: file }));
}
