import Redis from 'ioredis';
import { Role, type Account, type User } from '../../src/entities';
import { startHandover, type RunningHandover } from '../../src/server/bootstrap';
import { authorityOps as M } from '../helpers/authority-operations';
import { factories } from '../helpers/factories';
import { inCi, redisAnswers } from '../helpers/requirements';
import { startTestServer, type TestServer } from '../helpers/test-server';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
// The cost of this query in graphql-armor's model: viewer (object 2) + 1.5 x (id 1 + name 1) = 5.
const VIEWER = 'query Me { viewer { id name } }';
const VIEWER_COST = 5;
const BUDGET = 4 * VIEWER_COST + 2; // four requests fit, the fifth does not

let server: TestServer;
let agency: Account;
let admin: User;

beforeAll(async () => {
  server = await startTestServer({
    RATE_LIMIT: 'on',
    RATE_LIMIT_USER_POINTS: String(BUDGET),
    RATE_LIMIT_TOKEN_POINTS: String(BUDGET * 2),
    RATE_LIMIT_WINDOW_SECONDS: '60',
  });
  const f = factories(server.db);
  agency = await f.agency();
  admin = await f.member(agency, Role.ADMIN);
});
afterAll(() => server.stop());

async function post(url: string, token: string, query: string, variables = {}) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return { response, body: (await response.json()) as Record<string, any> };
}

describe('cost-based rate limits (in-memory, without REDIS_URL)', () => {
  it('reports cost and remaining budget, then answers 429 RATE_LIMITED with Retry-After', async () => {
    const f = factories(server.db);
    const user = await f.member(agency, Role.REGULAR);
    const token = await server.tokenFor(user);
    const remaining: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const { response, body } = await post(server.url, token, VIEWER);
      expect(response.status).toBe(200);
      expect(body.extensions.cost).toEqual({
        requestedQueryCost: VIEWER_COST,
        limit: BUDGET,
        remaining: expect.any(Number),
        resetAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
      expect(response.headers.get('x-ratelimit-remaining')).toBe(
        String(body.extensions.cost.remaining),
      );
      remaining.push(body.extensions.cost.remaining);
    }
    expect(remaining).toEqual([BUDGET - 5, BUDGET - 10, BUDGET - 15, BUDGET - 20]);

    const { response, body } = await post(server.url, token, VIEWER);
    expect(response.status).toBe(429);
    const retryAfter = Number(response.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([
      {
        message: expect.stringContaining('Rate limit exceeded'),
        extensions: { code: 'RATE_LIMITED', retryAfterSeconds: retryAfter },
      },
    ]);
    expect(body.extensions.cost).toMatchObject({ requestedQueryCost: 5, remaining: 0 });

    // Another user's budget is untouched.
    const other = await post(server.url, await server.tokenFor(admin), VIEWER);
    expect(other.response.status).toBe(200);
  });

  it('charges page sizes given as variables (and their defaults) like literal ones', async () => {
    const token = await server.tokenFor(await factories(server.db).member(agency, Role.REGULAR));
    const list = 'query($n: Int = 3) { reports(first: $n) { nodes { id } } }';
    const byDefault = await post(server.url, token, list);
    // reports: (object 2 + 1.5 x nodes (object 2 + 1.5 x id 1)) x 3 = (2 + 1.5 x 3.5) x 3
    expect(byDefault.body.extensions.cost.requestedQueryCost).toBe(Math.ceil((2 + 1.5 * 3.5) * 3));
    // over budget as a single request: refused, nothing executed
    const big = await post(server.url, token, list, { n: 100 });
    expect(big.response.status).toBe(429);
    expect(big.body.extensions.cost.requestedQueryCost).toBe(Math.ceil((2 + 1.5 * 3.5) * 100));
  });

  it('gives an API token its own budget (RATE_LIMIT_TOKEN_POINTS)', async () => {
    const created = await server.op(
      M.createToken,
      { input: { accountId: agency.id, name: 'rate-limit test' } },
      admin,
    );
    const apiToken = created.data!.createApiToken.token as string;
    const { response, body } = await post(server.url, apiToken, '{ __typename }');
    expect(response.status).toBe(200);
    expect(body.extensions.cost).toMatchObject({ limit: BUDGET * 2, remaining: BUDGET * 2 - 1 });
  });

  it('reports the cost without limits when RATE_LIMIT is off (the default under NODE_ENV=test)', async () => {
    const plain = await startTestServer();
    try {
      const user = await factories(plain.db).member(await factories(plain.db).agency(), Role.ADMIN);
      const { response, body } = await post(plain.url, await plain.tokenFor(user), VIEWER);
      expect(response.status).toBe(200);
      expect(body.extensions.cost).toEqual({
        requestedQueryCost: VIEWER_COST,
        limit: null,
        remaining: null,
        resetAt: null,
      });
    } finally {
      await plain.stop();
    }
  });
});

// Redis is optional on a developer's machine (the block is then reported as skipped, saying why)
// but not in CI, which starts one: there the block runs and fails when Redis does not answer.
const redisUp = redisAnswers(REDIS_URL);
(redisUp || inCi() ? describe : describe.skip)(
  `shared budgets on Redis (REDIS_URL)${redisUp ? '' : ` [no Redis answers at ${REDIS_URL}]`}`,
  () => {
    it('two servers on one Redis refuse at the shared budget, not twice it', async () => {
      if (!redisUp)
        throw new Error(`Redis is not reachable at ${REDIS_URL}, and CI must run this test`);
      const env = {
        ...server.database.env,
        RATE_LIMIT: 'on' as const,
        REDIS_URL,
        RATE_LIMIT_USER_POINTS: BUDGET,
      };
      const replicas: RunningHandover[] = [];
      try {
        // Two servers over the same database, as two replicas would be.
        for (let i = 0; i < 2; i += 1) {
          replicas.push(
            await startHandover(env, { database: { ...server.database, close: async () => {} } }),
          );
        }
        // A replica charges its own memory until its Redis connection is ready (the insurance
        // limiter): each must have charged a throwaway user in Redis before the budget is tried.
        const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
        try {
          for (const replica of replicas) {
            let inRedis = false;
            for (let tries = 0; tries < 50 && !inRedis; tries += 1) {
              const warmUp = await factories(server.db).member(agency, Role.REGULAR);
              await post(replica.url, await server.tokenFor(warmUp), VIEWER);
              inRedis = (await redis.exists(`handover-rl-user:${warmUp.id}`)) === 1;
            }
            if (!inRedis) throw new Error(`replica ${replica.url} never charged Redis`);
          }
        } finally {
          redis.disconnect();
        }
        const user = await factories(server.db).member(agency, Role.REGULAR);
        const token = await server.tokenFor(user);
        const statuses: number[] = [];
        for (let i = 0; i < 10; i += 1) {
          const { response } = await post(replicas[i % 2].url, token, VIEWER);
          statuses.push(response.status);
        }
        expect(statuses).toEqual([200, 200, 200, 200, 429, 429, 429, 429, 429, 429]);
      } finally {
        for (const replica of replicas) await replica.stop();
      }
    });
  },
);
