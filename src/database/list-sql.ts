/** SQL fragments for keyset list pages (issue 10). */

/** A row of a keyset page with its ordering timestamp as Postgres text (the cursor keeps it). */
export interface PageRow<T> {
  node: T;
  cursorTime: string;
}

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
