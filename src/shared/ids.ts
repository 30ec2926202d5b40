import { DomainError } from './errors';

/**
 * Ids served by the API are the rows' UUIDs. Anything else can never name a row: callers treat
 * a malformed id like an unknown one (null or NOT_FOUND), so no malformed id reaches SQL.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isId = (value: unknown): value is string =>
  typeof value === 'string' && UUID.test(value);

/** Distinct ids from a client list; a malformed one is the caller's mistake on `field`. */
export function distinctIds(
  values: readonly string[] | null | undefined,
  field: string[],
): string[] {
  const list = values ?? [];
  if (!list.every(isId)) {
    throw new DomainError(
      'INVALID_INPUT',
      `${field[field.length - 1]} contains an unknown id`,
      field,
    );
  }
  return [...new Set(list.map((id) => id.toLowerCase()))];
}
