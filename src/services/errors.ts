import { GraphQLError } from 'graphql';

/**
 * Expected business-rule failures (contract: payload `userErrors`). Thrown inside a service
 * transaction, so the transaction rolls back and nothing changes; the resolver middleware
 * `ReturnUserErrors` (src/resolvers/middleware) turns them into `{ userErrors: [...] }`.
 */
export type UserErrorCode =
  | 'NOT_FOUND'
  | 'ALREADY_DISCONNECTED'
  | 'ACCOUNT_ARCHIVED'
  | 'REPORT_ARCHIVED'
  | 'ITEM_FROZEN'
  | 'MAPPING_PAUSED'
  | 'CONNECTION_EXISTS'
  | 'INVALID_STATE'
  | 'INVALID_INPUT'
  | 'LAST_ADMIN'
  | 'EXPIRED';

export class DomainError extends Error {
  constructor(
    readonly code: UserErrorCode,
    message: string,
    readonly field: string[] | null = null,
  ) {
    super(message);
  }
}

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
