import { Role, type User } from '../../src/entities';
import { registerHttpRoutes } from '../../src/server/app';
import { factories } from '../helpers/factories';
import { startTestServer, useTestServer } from '../helpers/test-server';
import { parsePrometheusText, sampleValue } from './prometheus-text';

// A route that stays in flight until the test releases it, then reads the database: shows
// that a graceful shutdown waits for it and closes the pool only afterwards.
let entered: () => void = () => {};
let release: () => void = () => {};
registerHttpRoutes((app, { db }) => {
  app.get('/test/slow', async (_req, res) => {
    await new Promise<void>((resolve) => {
      release = resolve;
      entered();
    });
    const [row] = await db.query<{ one: number }[]>('SELECT 1 AS one');
    res.json({ one: row.one });
  });
});

const { server } = useTestServer();
let admin: User;

beforeAll(async () => {
  const f = factories(server.db);
  admin = await f.member(await f.agency(), Role.ADMIN);
});

const scrape = async (url: string, headers: Record<string, string> = {}) => {
  const response = await fetch(`${url}/metrics`, { headers });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await response.text());
};

describe('health probes', () => {
  it('/health/live answers 200; /health/ready checks database, migrations and shutdown', async () => {
    const live = await fetch(`${server.url}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${server.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: { database: true, migrations: true, shuttingDown: false },
    });
    // /health keeps its answer
    expect(await (await fetch(`${server.url}/health`)).json()).toEqual({ status: 'ok' });
  });
});

describe('GET /metrics', () => {
  it('reports duration by operation, errors by code, pool and outbox gauges', async () => {
    await server.gql('query MetricsViewer { viewer { id } }', {}, admin);
    await server.gql('query MetricsViewer { viewer { id } }', {}, admin);
    // no token: shield answers UNAUTHENTICATED inside a 200 response
    await server.gql('query Anonymous { accounts { nodes { id } } }');
    await server.db.query(
      `INSERT INTO email_outbox (dedupe_key, to_address, subject, body, created_at, next_attempt_at)
       VALUES ('metrics-test', 'a@example.test', 's', 'b', now() - interval '10 minutes',
               now() + interval '1 day')`,
    );

    const samples = await scrape(server.url);
    expect(
      sampleValue(samples, 'handover_graphql_request_duration_seconds_count', {
        operation: 'MetricsViewer',
        type: 'query',
      }),
    ).toBe(2);
    expect(
      sampleValue(samples, 'handover_graphql_request_duration_seconds_bucket', {
        operation: 'MetricsViewer',
        le: '+Inf',
      }),
    ).toBe(2);
    expect(
      sampleValue(samples, 'handover_graphql_errors_total', { code: 'UNAUTHENTICATED' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sampleValue(samples, 'handover_db_pool_connections', { state: 'in_use' })).toEqual(
      expect.any(Number),
    );
    expect(sampleValue(samples, 'handover_db_pool_connections', { state: 'idle' })).toEqual(
      expect.any(Number),
    );
    expect(sampleValue(samples, 'handover_db_pool_waiting')).toBe(0);
    expect(sampleValue(samples, 'handover_outbox_emails', { status: 'PENDING' })).toBe(1);
    expect(
      sampleValue(samples, 'handover_outbox_oldest_pending_age_seconds'),
    ).toBeGreaterThanOrEqual(600);
    expect(
      sampleValue(samples, 'handover_http_responses_total', { status_class: '2xx' }),
    ).toBeGreaterThanOrEqual(3);
    expect(sampleValue(samples, 'process_cpu_user_seconds_total')).toEqual(expect.any(Number));
  });

  it('labels operation names past a bound as "other" (clients choose them)', async () => {
    await Promise.all(
      Array.from({ length: 210 }, (_, i) => server.gql(`query Op${i} { __typename }`, {}, admin)),
    );
    const samples = await scrape(server.url);
    const names = new Set(
      samples
        .filter((s) => s.name === 'handover_graphql_request_duration_seconds_count')
        .map((s) => s.labels.operation),
    );
    expect(names.size).toBeLessThanOrEqual(201);
    expect(names.has('other')).toBe(true);
  });

  it('asks for METRICS_TOKEN when it is set', async () => {
    const guarded = await startTestServer({ METRICS_TOKEN: 'scrape-me-please' });
    try {
      const refused = await fetch(`${guarded.url}/metrics`);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toEqual({
        error: { code: 'UNAUTHENTICATED', message: expect.any(String) },
      });
      await scrape(guarded.url, { authorization: 'Bearer scrape-me-please' });
    } finally {
      await guarded.stop();
    }
  });
});

describe('graceful shutdown', () => {
  it('turns not-ready, stops accepting, finishes requests in flight, then closes the pool', async () => {
    const draining = await startTestServer({ SHUTDOWN_DELAY_MS: '400' });
    const inFlightStarted = new Promise<void>((resolve) => (entered = resolve));
    const slow = fetch(`${draining.url}/test/slow`);
    await inFlightStarted;

    const stopped = draining.stop();
    // During SHUTDOWN_DELAY_MS: still serving, but a load balancer sees "not ready".
    const ready = await fetch(`${draining.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(
      ((await ready.json()) as { checks: { shuttingDown: boolean } }).checks.shuttingDown,
    ).toBe(true);
    expect((await draining.gql('{ __typename }')).status).toBe(200);

    // After the delay the listener closes; the request in flight still has its pool.
    await new Promise((resolve) => setTimeout(resolve, 600));
    await expect(fetch(`${draining.url}/health/live`)).rejects.toThrow();
    expect(draining.db.isInitialized).toBe(true);
    release();
    const response = await slow;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ one: 1 });
    await stopped;
    expect(draining.db.isInitialized).toBe(false);
  });
});
