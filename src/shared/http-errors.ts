import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { logger } from '../config/logger';
import type { HttpErrorCode } from './errors';

/**
 * Every non-GraphQL HTTP error leaves the server as `{"error": {"code", "message"}}` with its
 * status — never Express's HTML page or a stack trace, in any NODE_ENV. Hand-written on purpose:
 * Express's own handler (finalhandler) and `errorhandler` render HTML with stacks outside
 * production, and the JSON error packages bring their own envelope; what is needed is a
 * status-to-code table and one log line, which is shorter than adapting either.
 */
export function sendHttpError(res: Response, status: number, code: HttpErrorCode, message: string) {
  res.status(status).json({ error: { code, message } });
}

/** Client errors of the body parsers (express.json) and the router, by status. */
const CLIENT_ERRORS: Record<number, { code: HttpErrorCode; message: string }> = {
  400: { code: 'BAD_REQUEST', message: 'Bad request' },
  413: { code: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large' },
  415: {
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'The request body’s content type, charset or encoding is not supported',
  },
};

/** Unknown route: 404 JSON (mounted after every route). */
export const notFoundHandler: RequestHandler = (_req, res) => {
  sendHttpError(res, 404, 'NOT_FOUND', 'No such route');
};

/**
 * The last middleware. Client errors of the body parsers and the router (a URL that does not
 * decode) carry a 4xx `status`; their own text can quote the body (`Unexpected token 'n',
 * "{nope"…`), so each status gets a fixed message. Anything else is unexpected: logged with the
 * request id, answered with a generic 500.
 */
export const httpErrorHandler: ErrorRequestHandler = (error: unknown, req, res, next) => {
  // A response already streaming (an export) cannot change status: Express closes the socket.
  if (res.headersSent) {
    next(error);
    return;
  }
  const { status, type } = (error ?? {}) as { status?: unknown; type?: unknown };
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const known = CLIENT_ERRORS[status] ?? CLIENT_ERRORS[400];
    const message =
      type === 'entity.parse.failed' ? 'The request body is not valid JSON' : known.message;
    sendHttpError(res, status in CLIENT_ERRORS ? status : 400, known.code, message);
    return;
  }
  // The request-id middleware set the header first; the async context may be gone by now.
  const requestId = res.getHeader('x-request-id');
  logger.error({ err: error, requestId, method: req.method, path: req.path }, 'unexpected error');
  sendHttpError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
};
