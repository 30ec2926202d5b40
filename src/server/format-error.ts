import { AsyncLocalStorage } from 'node:async_hooks';
import type { GraphQLFormattedError } from 'graphql';
import { logger } from '../config/logger';

export const requestStore = new AsyncLocalStorage<{ requestId: string }>();

/** Codes a client may see as they are; anything else is an unexpected failure. */
const CLIENT_CODES = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
  'CONFLICT',
  'RATE_LIMITED',
]);

/**
 * The one place errors leave the server. Coded errors pass unchanged (without stack traces);
 * anything else is logged with the request id and answered as INTERNAL_SERVER_ERROR with no
 * message text, SQL or stack.
 */
export function formatError(
  formatted: GraphQLFormattedError,
  error: unknown,
): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  const requestId = requestStore.getStore()?.requestId;
  if (typeof code === 'string' && CLIENT_CODES.has(code)) {
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  logger.error(
    {
      err: (error as { originalError?: unknown })?.originalError ?? error,
      requestId,
      path: formatted.path,
    },
    'unexpected error',
  );
  return {
    message: 'Internal server error',
    path: formatted.path,
    locations: formatted.locations,
    extensions: { code: 'INTERNAL_SERVER_ERROR', requestId },
  };
}
