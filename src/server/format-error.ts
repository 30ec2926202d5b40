import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { RequestContext } from '../context/request-context';
import { logger } from '../config/logger';
import { isTopLevelCode } from '../shared/errors';

const INTERNAL = 'INTERNAL_SERVER_ERROR';

/**
 * The one place errors leave the server. Coded errors pass unchanged (without stack traces);
 * anything else is answered as INTERNAL_SERVER_ERROR with no message text, SQL or stack — only
 * the request id, which `errorLogging` stamps on and under which it logged the cause. Apollo
 * calls this without the request's context, so it neither logs nor knows the request.
 */
export function formatError(formatted: GraphQLFormattedError): GraphQLFormattedError {
  if (isTopLevelCode(formatted.extensions?.code)) {
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  const requestId = formatted.extensions?.requestId;
  return {
    message: 'Internal server error',
    path: formatted.path,
    locations: formatted.locations,
    extensions: { code: INTERNAL, ...(typeof requestId === 'string' ? { requestId } : {}) },
  };
}

/**
 * Logs every unexpected error of an operation with its request id, and puts that id on the
 * INTERNAL_SERVER_ERROR answers, so a client's report finds the log line. The id comes from the
 * request's context: an AsyncLocalStorage would carry it too, but on Node 20 it turns on
 * promise hooks for the whole process, and every promise of every request paid for them (the
 * `{ viewer { id } }` floor ran ~15 % slower under load; bench/README.md).
 */
export const errorLogging: ApolloServerPlugin<RequestContext> = {
  async requestDidStart({ contextValue }) {
    return {
      async didEncounterErrors({ errors }) {
        for (const error of errors) {
          if (isTopLevelCode(error.extensions?.code)) continue;
          logger.error(
            {
              err: error.originalError ?? error,
              requestId: contextValue.requestId,
              path: error.path,
            },
            'unexpected error',
          );
        }
      },
      async willSendResponse({ response }) {
        if (response.body.kind !== 'single') return;
        for (const error of response.body.singleResult.errors ?? []) {
          if (error.extensions?.code !== INTERNAL || error.extensions.requestId) continue;
          (error as { extensions: Record<string, unknown> }).extensions = {
            ...error.extensions,
            requestId: contextValue.requestId,
          };
        }
      },
    };
  },
};

/**
 * A failure while the context is built (authentication's statement, say) happens before any
 * operation, where `errorLogging` never sees it: it is logged here and answered 500 with the
 * request id and nothing of the cause. Coded errors (UNAUTHENTICATED) pass as they are.
 */
export function contextFailure(error: unknown, requestId: string): GraphQLError {
  if (error instanceof GraphQLError && isTopLevelCode(error.extensions?.code)) return error;
  logger.error({ err: error, requestId }, 'unexpected error');
  return new GraphQLError('Internal server error', {
    extensions: { code: INTERNAL, requestId, http: { status: 500 } },
  });
}
