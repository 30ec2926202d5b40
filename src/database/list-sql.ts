/** SQL fragments for keyset list pages (issue 10). */
/** `(alias.time, alias.id) < (cursor)`, or TRUE without a cursor. Parameters `afterTime`, `afterId`. */
export const keysetBefore = (alias: string, hasCursor: boolean, timeColumn = 'created_at') =>
  hasCursor
    ? `(${alias}.${timeColumn}, ${alias}.id) < (CAST(:afterTime AS timestamptz), CAST(:afterId AS uuid))`
    : 'TRUE';

/** An ILIKE pattern matching `search` literally (`\` escapes), or null for no search. */
export function likePattern(search: string | null | undefined): string | null {
  const trimmed = search?.trim();
  return trimmed ? `%${trimmed.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
}
