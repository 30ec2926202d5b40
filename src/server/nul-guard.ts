import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, visit, type DocumentNode } from 'graphql';

const NUL = '\u0000';

/** The first path (in variables) to a string holding a NUL character, or null. */
function nulIn(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes(NUL) ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const found = nulIn(value[i], `${path}[${i}]`);
      if (found) return found;
    }
  } else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      const found = nulIn(inner, `${path}.${key}`);
      if (found) return found;
    }
  }
  return null;
}

function nulInDocument(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    [Kind.STRING]: (node) => {
      if (node.value.includes(NUL)) found = true;
    },
  });
  return found;
}

/**
 * Issue 30 #12: PostgreSQL stores no NUL character in text, so a name or a search holding one
 * reached the database as an internal error. Every string a client sends — variables and the
 * document's own literals — is checked once per operation, before any resolver runs, and a NUL
 * answers BAD_USER_INPUT (HTTP 400) naming where it was.
 */
export const rejectNulCharacters: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didResolveOperation({ request, document }) {
        const where =
          nulIn(request.variables ?? {}, 'variables') ??
          (nulInDocument(document) ? 'a string in the document' : null);
        if (where) {
          throw new GraphQLError(`${where} contains a NUL character, which no text may hold`, {
            extensions: { code: 'BAD_USER_INPUT', field: where, http: { status: 400 } },
          });
        }
      },
    };
  },
};
