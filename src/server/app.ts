import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import express from 'express';
import { GraphQLError } from 'graphql';
import type { DataSource } from 'typeorm';
import type { Env } from '../config/env';
import { logger } from '../config/logger';
import { createMetrics, type Metrics } from '../ops/metrics';
import { mountOpsRoutes } from '../ops/ops-routes';
import { COST_OPTIONS, MAX_QUERY_COST } from '../ops/query-cost';
import { createRateLimits, type RateLimits } from '../ops/rate-limit';
import { buildServedSchema } from '../schema/build-schema';
import { authenticate } from './auth';
import { buildContext, type RequestContext } from '../context/request-context';
import { explorerEnabled, mountExplorer } from './explorer/explorer.routes';
import { contextFailure, errorLogging, formatError } from './format-error';
import type { HttpErrorCode } from '../shared/errors';
import { httpErrorHandler, notFoundHandler, sendHttpError } from '../shared/http-errors';
import { rejectNulCharacters } from './nul-guard';
import { trustedDocuments } from './trusted-documents';
import { ReadRouter } from '../database/read-routing';
import { readRoutingPlugin } from './read-routing-plugin';
import { mountDataRoutes } from './routes/data.routes';
import { exportBaseUrl } from './routes/export.routes';

/** The largest /graphql request body; a bigger one is refused with 413 before it is parsed. */
export const GRAPHQL_BODY_LIMIT = '1mb';

export interface HttpRoutes {
  /** Extra HTTP routes mounted before /graphql (exports, pixel, explorer). */
  (app: express.Express, deps: { db: DataSource; env: Env }): void;
}

const extraRoutes: HttpRoutes[] = [];
/** Feature modules register their HTTP routes here (kept out of this file's concerns). */
export const registerHttpRoutes = (routes: HttpRoutes) => extraRoutes.push(routes);

export interface HandoverHttpServer {
  httpServer: http.Server;
  apollo: ApolloServer<RequestContext>;
  metrics: Metrics;
  rateLimits: RateLimits;
  listen(): Promise<string>;
  stop(): Promise<void>;
}

/** Node's own refusals of the parser's errors (its default answers), by error code. */
const PARSER_REFUSALS: Record<string, { status: number; code: HttpErrorCode; message: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: 'REQUEST_HEADER_FIELDS_TOO_LARGE',
    message: `Request headers exceed ${Math.round(http.maxHeaderSize / 1024)} KB`,
  },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: {
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
    message: 'The chunk extensions of the request body are too large',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    code: 'REQUEST_TIMEOUT',
    message: 'The request did not arrive in time',
  },
};
const MALFORMED = {
  status: 400,
  code: 'BAD_REQUEST' satisfies HttpErrorCode,
  message: 'Malformed HTTP request',
};

/**
 * Requests Node's HTTP parser refuses before express sees them (issue 30 #12): the status Node
 * itself would answer (431 for headers over its 16 KB limit, 408 for a request that timed out,
 * 400 for anything malformed), as JSON in the shape of every other HTTP error (shared/http-errors.ts)
 * rather than Node's bare status line. As in Node's own handler, nothing is written into a
 * response already under way on the socket (a pipelined request behind a streaming export): the
 * client would read it as part of that response.
 */
function answerClientError(error: Error & { code?: string }, socket: Duplex) {
  const inFlight = (socket as Duplex & { _httpMessage?: http.ServerResponse | null })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const { status, code, message } = PARSER_REFUSALS[error.code ?? ''] ?? MALFORMED;
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/** The most lexical tokens one document may have (a 3,000-token query is refused). */
export const MAX_QUERY_TOKENS = 2000;

/**
 * Express + Apollo Server: /graphql, /health and the feature routes. Limits come from
 * graphql-armor (depth, aliases, tokens, cost, directives); batched requests are off and
 * Apollo's CSRF prevention is on.
 */
export async function createHttpServer(deps: {
  env: Env;
  db: DataSource;
  isReady: () => Promise<boolean>;
  /** True once shutdown began: /health/ready answers 503 while requests drain. */
  isShuttingDown?: () => boolean;
}): Promise<HandoverHttpServer> {
  const { env, db } = deps;
  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  httpServer.on('clientError', answerClientError);
  const production = env.NODE_ENV === 'production';
  const armor = new ApolloArmor({
    maxDepth: { n: 12, exposeLimits: !production },
    maxAliases: { n: 15, exposeLimits: !production },
    // The token limit is graphql-js' own (parseOptions below): armor's runs its parser inside a
    // plugin hook, where a syntax error or the limit became HTTP 500 (issue 30 #12, issue 26 #1).
    maxTokens: { enabled: false },
    maxDirectives: { n: 20, exposeLimits: !production },
    // The same cost model the rate limiter charges (src/ops/query-cost.ts).
    costLimit: { ...COST_OPTIONS, maxCost: MAX_QUERY_COST, exposeLimits: !production },
    blockFieldSuggestion: { enabled: production },
  });
  const protection = armor.protect();
  const metrics = createMetrics(db);
  const rateLimits = createRateLimits(env, metrics);
  // Issue 27: reads on hot standbys, only when DATABASE_REPLICA_URLS names some.
  const router =
    env.DATABASE_REPLICA_URLS.length > 0
      ? ReadRouter.create(db, env.DATABASE_REPLICA_URLS, env.DB_POOL_SIZE, logger)
      : null;
  const apollo = new ApolloServer<RequestContext>({
    schema: buildServedSchema(),
    ...protection,
    // graphql-js stops parsing past this many tokens: a syntax error, 400 GRAPHQL_PARSE_FAILED.
    parseOptions: { maxTokens: MAX_QUERY_TOKENS },
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    // main.ts owns signals: it drains HTTP, then closes the pool and the embedded database.
    stopOnTerminationSignals: false,
    // Introspection follows the explorer (which needs it): off by default in production.
    introspection: explorerEnabled(env),
    includeStacktraceInErrorResponses: false,
    formatError,
    // Compact JSON: Apollo's default indents every response, which a client never needs.
    stringifyResult: (result) => JSON.stringify(result),
    plugins: [
      ...protection.plugins,
      errorLogging,
      rejectNulCharacters,
      metrics.plugin,
      rateLimits.plugin,
      ...(router ? [readRoutingPlugin(router, metrics)] : []),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      // No cache hints are served (no @cacheControl, no CDN in front); the default plugin would
      // wrap every field's resolver to compute them, a cost each node of a page paid.
      ApolloServerPluginCacheControlDisabled(),
    ],
  });
  await apollo.start();

  // The request id travels on the response (header and res.locals), not in an async context.
  app.use((req, res, next) => {
    const requestId = (req.header('x-request-id') ?? '').slice(0, 100) || randomUUID();
    res.setHeader('x-request-id', requestId);
    res.locals.requestId = requestId;
    next();
  });
  app.use(metrics.httpResponses);

  app.get('/health', async (_req, res) => {
    const ready = await deps.isReady().catch(() => false);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'unavailable' });
  });
  // /health/live, /health/ready and /metrics (Prometheus).
  mountOpsRoutes(app, {
    db,
    env,
    metrics,
    isShuttingDown: deps.isShuttingDown ?? (() => false),
  });

  // The browser explorer answers GET /graphql for text/html; everything else goes on to Apollo.
  mountExplorer(app, { env, db });
  mountDataRoutes(app, { db, env });
  for (const routes of extraRoutes) routes(app, { db, env });

  app.use(
    '/graphql',
    // A POST body is JSON or nothing: otherwise 415 here, not Apollo's 400 for a missing body.
    (req, res, next) => {
      if (req.method === 'POST' && req.is('application/json') === false) {
        sendHttpError(
          res,
          415,
          'UNSUPPORTED_MEDIA_TYPE',
          'POST /graphql takes a body of type application/json',
        );
        return;
      }
      next();
    },
    // Authentication starts once the headers are in, so its statement runs while the body is read
    // and parsed and Apollo prepares the operation; the context awaits it, so no resolver runs
    // before it has answered (issue 10: its round trip was ~15 % of a small tenant's page).
    (req, res, next) => {
      const viewer = authenticate(
        db,
        env.JWT_SECRET,
        req.header('authorization'),
        env.JWT_MAX_TTL_SECONDS,
      );
      // Awaited by the context; a request refused before that (bad body) leaves it unread.
      viewer.catch(() => undefined);
      res.locals.viewer = viewer;
      next();
    },
    express.json({ limit: GRAPHQL_BODY_LIMIT }),
    trustedDocuments(env.TRUSTED_DOCUMENTS, explorerEnabled(env)),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const requestId = String(res.locals.requestId);
        let viewer;
        try {
          viewer = await (res.locals.viewer as ReturnType<typeof authenticate>);
        } catch (error) {
          if (error instanceof GraphQLError && error.extensions.code === 'UNAUTHENTICATED') {
            throw new GraphQLError(error.message, {
              extensions: { ...error.extensions, http: { status: 401 } },
            });
          }
          throw contextFailure(error, requestId);
        }
        return buildContext({
          requestId,
          viewer,
          db,
          env,
          log: logger.child({ requestId }),
          baseUrl: exportBaseUrl(env, req),
        });
      },
    }),
  );

  // Last: unknown routes and every error a route or body parser raised answer JSON.
  app.use(notFoundHandler);
  app.use(httpErrorHandler);

  return {
    httpServer,
    apollo,
    metrics,
    rateLimits,
    listen: () =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(env.PORT, env.HOST, () => {
          const address = httpServer.address();
          const port = typeof address === 'object' && address ? address.port : env.PORT;
          resolve(`http://${env.HOST}:${port}`);
        });
      }),
    // Stops accepting, waits for requests in flight (ApolloServerPluginDrainHttpServer).
    stop: async () => {
      await apollo.stop();
      await rateLimits.close();
      await router?.close();
    },
  };
}
