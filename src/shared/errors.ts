import { GraphQLError } from 'graphql';

/**
 * Every top-level `extensions.code` a client may be answered with, once, with its meaning.
 * formatError (src/server/format-error.ts) passes exactly these as they are and answers anything
 * else as INTERNAL_SERVER_ERROR; a user error answered at the top level takes one of them
 * (`USER_ERRORS[code].graphql`). The last five are Apollo Server's own.
 */
export const TOP_LEVEL_ERRORS = {
  UNAUTHENTICATED: 'no token, or one that is not valid (any more)',
  FORBIDDEN: 'a gate of the permission map refused the operation (docs/permissions.md)',
  BAD_USER_INPUT:
    'a business rule or an argument refused the operation; `userErrorCode` says which',
  NOT_FOUND: 'the object does not exist for you (A3)',
  CONFLICT: 'concurrent changes kept the operation from applying; nothing changed, retry it',
  DATABASE_UNAVAILABLE: 'the database connection was lost before commit; nothing changed, retry it',
  RATE_LIMITED: 'the request budget is spent; retry after `retryAfterSeconds`',
  BAD_REQUEST: 'the HTTP request itself is malformed',
  GRAPHQL_PARSE_FAILED: 'the document does not parse',
  GRAPHQL_VALIDATION_FAILED: 'the document does not validate against the schema',
  PERSISTED_QUERY_NOT_FOUND: 'the persisted query hash is unknown',
  PERSISTED_QUERY_NOT_SUPPORTED: 'persisted queries are not supported here',
  OPERATION_RESOLUTION_FAILURE: 'the operation to run cannot be determined',
} as const satisfies Record<string, string>;

export type TopLevelCode = keyof typeof TOP_LEVEL_ERRORS;

export const isTopLevelCode = (code: unknown): code is TopLevelCode =>
  typeof code === 'string' && Object.hasOwn(TOP_LEVEL_ERRORS, code);

/**
 * Codes only the HTTP layer answers with, outside GraphQL (`{"error": {"code", "message"}}`,
 * src/shared/http-errors.ts): what Node's parser, the body parsers or a route refuses before an
 * operation exists. With the top-level codes above and the user error codes (the pixel route
 * answers with those), every code an HTTP answer may carry.
 */
export const HTTP_ONLY_ERRORS = {
  PAYLOAD_TOO_LARGE: 'the request body (or its chunk extensions) is too large',
  UNSUPPORTED_MEDIA_TYPE: 'the request body’s content type, charset or encoding is not accepted',
  REQUEST_HEADER_FIELDS_TOO_LARGE: 'the request headers are too large',
  REQUEST_TIMEOUT: 'the request did not arrive in time',
  INTERNAL_SERVER_ERROR: 'an unexpected failure, logged with the request id',
} as const satisfies Record<string, string>;

export type HttpErrorCode = TopLevelCode | UserErrorCode | keyof typeof HTTP_ONLY_ERRORS;

/**
 * R32: the top-level codes one item of a bulk operation answers as its own user error while the
 * rest of the batch goes on — a refusal of that item, or a retryable failure of its own
 * transaction. Any other failure of an item is unexpected (INTERNAL_SERVER_ERROR).
 */
export const BULK_ITEM_CODES = [
  'FORBIDDEN',
  'CONFLICT',
  'DATABASE_UNAVAILABLE',
] as const satisfies readonly TopLevelCode[];

export const isBulkItemCode = (code: unknown): code is (typeof BULK_ITEM_CODES)[number] =>
  (BULK_ITEM_CODES as readonly unknown[]).includes(code);

/**
 * Every user-error code, once, with its meaning and how it leaves the server (contract:
 * payload `userErrors`). A DomainError is thrown inside a service transaction, so the
 * transaction rolls back and nothing changes. `ReturnUserErrors` (src/resolvers/middleware)
 * turns it into `{ userErrors: [...] }`; where an operation has no payload (queries such as the
 * previews) it is a top-level error with `graphql` as its code; plain HTTP routes (the pixel)
 * answer `http`. The schema's description of `UserError.code` is made from this table.
 */
export const USER_ERRORS = {
  NOT_FOUND: {
    meaning: 'the object does not exist for you (A3)',
    graphql: 'NOT_FOUND',
    http: 404,
  },
  ALREADY_DISCONNECTED: {
    meaning: 'the disconnection already happened; nothing changed, no email (I4)',
    graphql: 'BAD_USER_INPUT',
    http: 409,
  },
  ACCOUNT_ARCHIVED: {
    meaning: 'the account is archived and takes no changes (R12, R14)',
    graphql: 'BAD_USER_INPUT',
    http: 409,
  },
  REPORT_ARCHIVED: {
    meaning: 'archived reports are read-only (R11, R25)',
    graphql: 'BAD_USER_INPUT',
    http: 409,
  },
  ITEM_FROZEN: {
    meaning: 'the reporting item accepts no campaign data (R12)',
    graphql: 'BAD_USER_INPUT',
    http: 409,
  },
  MAPPING_PAUSED: {
    meaning: 'every integration mapping in scope is paused (R7, R13)',
    graphql: 'BAD_USER_INPUT',
    http: 409,
  },
  CONNECTION_EXISTS: {
    meaning: 'the pair already has a PENDING or ACTIVE connection (R1)',
    graphql: 'BAD_USER_INPUT',
    http: 409,
  },
  INVALID_STATE: {
    meaning:
      'the object is not in a state that allows this (e.g. answering a request that is not PENDING)',
    graphql: 'BAD_USER_INPUT',
    http: 409,
  },
  INVALID_INPUT: {
    meaning: 'a field fails validation; `field` names it',
    graphql: 'BAD_USER_INPUT',
    http: 400,
  },
  LAST_ADMIN: {
    meaning: 'the change would leave the account without an ADMIN (R24)',
    graphql: 'BAD_USER_INPUT',
    http: 409,
  },
  EXPIRED: {
    meaning: 'the connection request passed its expiresAt unanswered (R26)',
    graphql: 'BAD_USER_INPUT',
    http: 409,
  },
  SCHEDULE_EXISTS: {
    meaning: 'the connection or client already has a SCHEDULED disconnection (R31)',
    graphql: 'BAD_USER_INPUT',
    http: 409,
  },
  FORBIDDEN: {
    meaning:
      'one item of a bulk operation (R32) that you may not change; a single operation answers a top-level FORBIDDEN',
    graphql: 'FORBIDDEN',
    http: 403,
  },
} as const satisfies Record<string, { meaning: string; graphql: TopLevelCode; http: number }>;

export type UserErrorCode = keyof typeof USER_ERRORS;

/** The description of `UserError.code` in the schema: every code with its meaning. */
export const USER_ERROR_CODE_DESCRIPTION = [
  'Why the operation changed nothing:',
  ...Object.entries(USER_ERRORS).map(([code, { meaning }]) => `${code} — ${meaning}.`),
].join('\n');

export class DomainError extends Error {
  constructor(
    readonly code: UserErrorCode,
    message: string,
    readonly field: string[] | null = null,
  ) {
    super(message);
  }
}

/**
 * A user error where the operation has no payload to carry it (queries such as the previews): a
 * top-level error with the code the table gives it, the user-error code alongside.
 */
export const asTopLevelError = (error: DomainError) =>
  new GraphQLError(error.message, {
    extensions: {
      code: USER_ERRORS[error.code].graphql,
      userErrorCode: error.code,
      field: error.field,
    },
  });

export const notFound = (what: string, field: string[] | null = null) =>
  new DomainError('NOT_FOUND', `${what} not found`, field);

export const invalidInput = (field: string[], message: string) =>
  new DomainError('INVALID_INPUT', message, field);

/** Top-level errors with a stable `extensions.code` (contract conventions). */
export const forbidden = (message = 'You are not allowed to do this') =>
  new GraphQLError(message, { extensions: { code: 'FORBIDDEN', http: { status: 200 } } });

export const unauthenticated = (message = 'Authentication required') =>
  new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED' } });

/**
 * A transaction that kept meeting concurrent writers (deadlock or serialization failure after
 * every retry): nothing changed, and the same request may simply be sent again.
 */
export const conflict = (
  message = 'The operation met concurrent changes and was not applied; retry it',
) => new GraphQLError(message, { extensions: { code: 'CONFLICT', retryable: true } });

/**
 * Issue 26 #3: the database connection died before the transaction committed (a backend
 * terminated, a failover): PostgreSQL rolled it back, nothing changed, and the same request may
 * be sent again once the database answers.
 */
export const databaseUnavailable = (
  message = 'The database connection was lost before the change was applied; nothing changed, retry it',
) => new GraphQLError(message, { extensions: { code: 'DATABASE_UNAVAILABLE', retryable: true } });

export const badUserInput = (message: string, field?: string) =>
  new GraphQLError(message, {
    extensions: { code: 'BAD_USER_INPUT', ...(field ? { field } : {}) },
  });

/** A required free-text input: trimmed, not empty, at most `max` characters (INVALID_INPUT). */
export function requiredText(value: string, field: string[], max = 200): string {
  const text = value.trim();
  const name = field[field.length - 1];
  if (!text) throw invalidInput(field, `${name} must not be empty`);
  if (text.length > max) throw invalidInput(field, `${name} is too long`);
  return text;
}
