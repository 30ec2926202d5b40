import type { ApolloServerPlugin } from '@apollo/server';
import type express from 'express';
import type { Pool } from 'pg';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { logger } from '../config/logger';
import type { RequestContext } from '../context/request-context';

/** Operation names are chosen by clients: past this many distinct ones, the label is "other". */
const MAX_OPERATION_NAMES = 200;
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export interface Metrics {
  registry: Registry;
  rateLimitRejections: Counter<'principal'>;
  /** Issue 27: where each GraphQL operation read from, and why it stayed on the primary. */
  readRouting: Counter<'target' | 'reason'>;
  /** Apollo plugin: duration by operation, errors by code. */
  plugin: ApolloServerPlugin<RequestContext>;
  /** Express middleware: responses by status class (every route, not only /graphql). */
  httpResponses: express.RequestHandler;
}

/** pg's pool behind TypeORM's PostgreSQL driver (null before initialize / after destroy). */
const poolOf = (db: DataSource): Pool | null =>
  db.isInitialized ? ((db.driver as unknown as { master?: Pool }).master ?? null) : null;

/**
 * Prometheus metrics of one server (prom-client), on a registry of its own so several servers
 * can live in one process (tests). Outbox gauges read the shared table at scrape time, so any
 * replica reports the whole backlog; the pool gauges are this process's pool.
 */
export function createMetrics(db: DataSource): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const duration = new Histogram({
    name: 'handover_graphql_request_duration_seconds',
    help: 'GraphQL request duration by operation name and type',
    labelNames: ['operation', 'type'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'handover_graphql_errors_total',
    help: 'GraphQL errors in responses by code',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const responses = new Counter({
    name: 'handover_http_responses_total',
    help: 'HTTP responses by status class',
    labelNames: ['status_class'] as const,
    registers: [registry],
  });
  const rateLimitRejections = new Counter({
    name: 'handover_rate_limit_rejections_total',
    help: 'Requests refused with 429 RATE_LIMITED, by budget kind (user or API token)',
    labelNames: ['principal'] as const,
    registers: [registry],
  });
  const readRouting = new Counter({
    name: 'handover_read_routing_total',
    help: 'GraphQL operations by the database they read from (standby or primary) and why',
    labelNames: ['target', 'reason'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'handover_db_pool_connections',
    help: 'Database pool connections of this process by state (in_use, idle)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const pool = poolOf(db);
      this.set({ state: 'in_use' }, pool ? pool.totalCount - pool.idleCount : 0);
      this.set({ state: 'idle' }, pool ? pool.idleCount : 0);
    },
  });
  new Gauge({
    name: 'handover_db_pool_waiting',
    help: 'Requests waiting for a database connection in this process',
    registers: [registry],
    collect() {
      this.set(poolOf(db)?.waitingCount ?? 0);
    },
  });

  // One query per scrape feeds both outbox gauges.
  let outbox: Promise<{ pending: number; failed: number; oldest: number }> | null = null;
  const readOutbox = () =>
    (outbox ??= (async () => {
      try {
        const [row] = await db.query<{ pending: string; failed: string; oldest: number }[]>(
          `SELECT count(*) FILTER (WHERE status = 'PENDING') AS pending,
                  count(*) FILTER (WHERE status = 'FAILED') AS failed,
                  coalesce(extract(epoch FROM now() - min(created_at)
                                   FILTER (WHERE status = 'PENDING')), 0)::float8 AS oldest
             FROM email_outbox WHERE status <> 'SENT'`,
        );
        return { pending: Number(row.pending), failed: Number(row.failed), oldest: row.oldest };
      } catch (error) {
        logger.warn({ err: error }, 'metrics: cannot read the outbox');
        return { pending: NaN, failed: NaN, oldest: NaN };
      } finally {
        setImmediate(() => (outbox = null));
      }
    })());
  new Gauge({
    name: 'handover_outbox_emails',
    help: 'Email outbox rows not sent yet, by status (PENDING, FAILED), all relays together',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const { pending, failed } = await readOutbox();
      this.set({ status: 'PENDING' }, pending);
      this.set({ status: 'FAILED' }, failed);
    },
  });
  new Gauge({
    name: 'handover_outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest PENDING outbox row (0 when none): how far the relays lag',
    registers: [registry],
    async collect() {
      this.set((await readOutbox()).oldest);
    },
  });

  const seen = new Set<string>();
  const operationLabel = (name: string | null | undefined) => {
    if (!name) return 'anonymous';
    if (!OPERATION_NAME.test(name)) return 'other';
    if (seen.has(name)) return name;
    if (seen.size >= MAX_OPERATION_NAMES) return 'other';
    seen.add(name);
    return name;
  };

  const plugin: ApolloServerPlugin<RequestContext> = {
    async requestDidStart() {
      const end = duration.startTimer();
      return {
        async willSendResponse({ operation, operationName, response }) {
          end({
            operation: operation ? operationLabel(operationName) : 'unresolved',
            type: operation?.operation ?? 'none',
          });
          if (response.body.kind !== 'single') return;
          for (const error of response.body.singleResult.errors ?? []) {
            const code = error.extensions?.code;
            errors.inc({ code: typeof code === 'string' ? code.slice(0, 40) : 'UNKNOWN' });
          }
        },
      };
    },
  };

  return {
    registry,
    rateLimitRejections,
    readRouting,
    plugin,
    httpResponses: (_req, res, next) => {
      res.on('finish', () =>
        responses.inc({ status_class: `${Math.floor(res.statusCode / 100)}xx` }),
      );
      next();
    },
  };
}
