import { timingSafeEqual } from 'node:crypto';
import type express from 'express';
import type { DataSource } from 'typeorm';
import type { Env } from '../config/env';
import { sendHttpError } from '../shared/http-errors';
import type { Metrics } from './metrics';

/** A readiness probe answers within this time, whatever the database does. */
const READY_TIMEOUT_MS = 2000;

const withTimeout = <T>(work: Promise<T>, ms: number, fallback: T): Promise<T> =>
  new Promise((resolve) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        resolve(fallback);
      },
    );
  });

export interface ReadinessCheck {
  database: boolean;
  migrations: boolean;
  shuttingDown: boolean;
}

/**
 * Probes and metrics for orchestrators and load balancers:
 * - `GET /health/live`: 200 while the process serves HTTP at all (restart it when this fails);
 * - `GET /health/ready`: 200 when the database answers, every migration is applied and the
 *   process is not shutting down; 503 with the failing checks otherwise (take it out of the
 *   load balancer);
 * - `GET /metrics`: Prometheus text format; with METRICS_TOKEN set, only for
 *   `Authorization: Bearer <METRICS_TOKEN>`.
 */
export function mountOpsRoutes(
  app: express.Express,
  deps: {
    db: DataSource;
    env: Pick<Env, 'METRICS_TOKEN'>;
    metrics: Metrics;
    isShuttingDown: () => boolean;
  },
) {
  const { db, env, metrics } = deps;

  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/health/ready', async (_req, res) => {
    const checks: ReadinessCheck = {
      database: false,
      migrations: false,
      shuttingDown: deps.isShuttingDown(),
    };
    if (!checks.shuttingDown && db.isInitialized) {
      checks.database = await withTimeout(
        db.query('SELECT 1').then(() => true),
        READY_TIMEOUT_MS,
        false,
      );
      if (checks.database) {
        checks.migrations = await withTimeout(
          db.showMigrations().then((pending) => !pending),
          READY_TIMEOUT_MS,
          false,
        );
      }
    }
    const ready = checks.database && checks.migrations && !checks.shuttingDown;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks });
  });

  const expected = env.METRICS_TOKEN ? Buffer.from(`Bearer ${env.METRICS_TOKEN}`) : null;
  app.get('/metrics', async (req, res) => {
    if (expected) {
      const given = Buffer.from(req.header('authorization') ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        sendHttpError(res, 401, 'UNAUTHENTICATED', '/metrics needs the METRICS_TOKEN bearer token');
        return;
      }
    }
    const body = await metrics.registry.metrics();
    res.setHeader('content-type', metrics.registry.contentType);
    res.setHeader('cache-control', 'no-store');
    res.send(body);
  });
}
