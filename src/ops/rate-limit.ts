import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import Redis from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { Env } from '../config/env';
import { logger } from '../config/logger';
import type { RequestContext } from '../context/request-context';
import type { Principal as Viewer } from '../permissions/principal';
import type { Metrics } from './metrics';
import { operationCost } from './query-cost';
import type { TopLevelCode } from '../shared/errors';

/** What one response reports in `extensions.cost` (in the manner of Shopify and GitHub). */
export interface CostReport {
  /** The operation's cost, charged against the budget (graphql-armor's cost model). */
  requestedQueryCost: number;
  /** The budget of this user or API token per window; null when limits are off. */
  limit: number | null;
  /** What is left of it after this request; null when limits are off. */
  remaining: number | null;
  /** When the window restarts with a full budget (ISO 8601); null when limits are off. */
  resetAt: string | null;
}

export interface RateLimits {
  enabled: boolean;
  /** True when the budgets live in Redis and are shared by every replica. */
  shared: boolean;
  /** The Apollo plugin that charges each operation and reports its cost. */
  plugin: ApolloServerPlugin<RequestContext>;
  close(): Promise<void>;
}

export const rateLimitsEnabled = (env: Pick<Env, 'RATE_LIMIT' | 'NODE_ENV'>) =>
  env.RATE_LIMIT === 'on' || (env.RATE_LIMIT === 'auto' && env.NODE_ENV !== 'test');

/** The budget key: one per user (whatever replica serves it) and one per API token. */
function budgetOf(viewer: Viewer): { kind: 'user' | 'token'; key: string } {
  return viewer.kind === 'token'
    ? { kind: 'token', key: viewer.tokenId }
    : { kind: 'user', key: viewer.user.id };
}

const rateLimited = (retryAfterSeconds: number, cost: number) =>
  new GraphQLError(
    `Rate limit exceeded: this request costs ${cost} points; retry after ${retryAfterSeconds} s`,
    {
      extensions: {
        code: 'RATE_LIMITED' satisfies TopLevelCode,
        retryAfterSeconds,
        http: {
          status: 429,
          headers: new HeaderMap([['retry-after', String(retryAfterSeconds)]]),
        },
      },
    },
  );

/**
 * Cost-based rate limits (rate-limiter-flexible): every operation is charged its query cost
 * (at least 1) against a budget per user and per API token for a fixed window. With REDIS_URL
 * the counters live in Redis, so all replicas share one budget; a Redis outage falls back to
 * an in-memory limiter per process (the insurance limiter) rather than refusing traffic.
 * Without REDIS_URL the limits are per process, and a warning says so.
 */
export function createRateLimits(env: Env, metrics: Metrics): RateLimits {
  const enabled = rateLimitsEnabled(env);
  const duration = env.RATE_LIMIT_WINDOW_SECONDS;
  let redis: Redis | null = null;
  const limiterFor = (kind: 'user' | 'token', points: number): RateLimiterAbstract => {
    const memory = new RateLimiterMemory({ points, duration, keyPrefix: `handover-rl-${kind}` });
    if (!redis) return memory;
    return new RateLimiterRedis({
      storeClient: redis,
      points,
      duration,
      keyPrefix: `handover-rl-${kind}`,
      // Redis down or slow: decide in this process instead of failing or queueing requests.
      rejectIfRedisNotReady: true,
      insuranceLimiter: memory,
    });
  };
  if (enabled && env.REDIS_URL) {
    redis = new Redis(env.REDIS_URL, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
    });
    let lastError = '';
    redis.on('error', (error: Error) => {
      // ioredis reconnects by itself; log each distinct failure once, not every retry.
      if (error.message === lastError) return;
      lastError = error.message;
      logger.warn(
        { err: error.message },
        'Redis unavailable: rate limits are per process until it returns',
      );
    });
    redis.on('ready', () => (lastError = ''));
  } else if (enabled) {
    logger.warn(
      'REDIS_URL is not set: rate limits are kept in this process, so each replica allows the full budget',
    );
  }
  const limiters = {
    user: limiterFor('user', env.RATE_LIMIT_USER_POINTS),
    token: limiterFor('token', env.RATE_LIMIT_TOKEN_POINTS),
  };
  const reports = new WeakMap<object, CostReport>();

  const plugin: ApolloServerPlugin<RequestContext> = {
    async requestDidStart() {
      return {
        async didResolveOperation(requestContext) {
          const { document, operation, schema, request, contextValue } = requestContext;
          if (!operation) return;
          const cost = operationCost(schema, document, operation, request.variables);
          const report: CostReport = {
            requestedQueryCost: cost,
            limit: null,
            remaining: null,
            resetAt: null,
          };
          reports.set(requestContext.request, report);
          const viewer = contextValue.viewer;
          // Anonymous requests are refused by the permission layer (introspection costs 0).
          if (!enabled || !viewer) return;
          const budget = budgetOf(viewer);
          const limiter = limiters[budget.kind];
          report.limit = limiter.points;
          let result: RateLimiterRes;
          let refused = false;
          try {
            result = await limiter.consume(budget.key, Math.max(1, cost));
          } catch (error) {
            if (!(error instanceof RateLimiterRes)) throw error;
            result = error;
            refused = true;
          }
          report.remaining = Math.max(0, result.remainingPoints);
          report.resetAt = new Date(Date.now() + result.msBeforeNext).toISOString();
          if (refused) {
            metrics.rateLimitRejections.inc({ principal: budget.kind });
            throw rateLimited(Math.max(1, Math.ceil(result.msBeforeNext / 1000)), cost);
          }
        },
        async willSendResponse(requestContext) {
          const report = reports.get(requestContext.request);
          if (!report) return;
          const { body, http } = requestContext.response;
          if (body.kind === 'single') {
            body.singleResult.extensions = { ...body.singleResult.extensions, cost: report };
          }
          if (report.limit !== null) {
            http.headers.set('x-ratelimit-limit', String(report.limit));
            http.headers.set('x-ratelimit-remaining', String(report.remaining));
            http.headers.set('x-ratelimit-reset', report.resetAt ?? '');
          }
        },
      };
    },
  };

  return {
    enabled,
    shared: !!redis,
    plugin,
    async close() {
      if (redis) await redis.quit().catch(() => redis?.disconnect());
    },
  };
}
