import type { ApolloServerPlugin } from '@apollo/server';
import {
  BREAK,
  GraphQLError,
  visit,
  type ASTNode,
  type ASTVisitor,
  type DocumentNode,
} from 'graphql';

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

/**
 * The first string literal of the document holding a NUL character, named the way a client wrote
 * it — the field's response key, then the argument and its input fields (`createReport.input.name`,
 * `reports.filter.search`, a variable's default as `variables.s`) — or null.
 */
function nulInDocument(document: DocumentNode): { where: string; node: ASTNode } | null {
  const steps: string[] = [];
  let found: { where: string; node: ASTNode } | null = null;
  const step = <N>(name: (node: N, key: string | number | undefined) => string) => ({
    enter(node: N, key: string | number | undefined) {
      steps.push(name(node, key));
    },
    leave() {
      steps.pop();
    },
  });
  // A value inside a list is named by its position, as in `variables.ids[2]`.
  const position = (key: string | number | undefined) =>
    typeof key === 'number' ? `[${key}]` : '';
  const visitor: ASTVisitor = {
    VariableDefinition: step((node) => `variables.${node.variable.name.value}`),
    Field: step((node) => (node.alias ?? node.name).value),
    Directive: step((node) => `@${node.name.value}`),
    Argument: step((node) => node.name.value),
    ObjectField: step((node) => node.name.value),
    ListValue: step((_node, key) => position(key)),
    ObjectValue: step((_node, key) => position(key)),
    StringValue: (node, key) => {
      if (!node.value.includes(NUL)) return undefined;
      const where = [...steps, position(key)].filter(Boolean).join('.').replace(/\.\[/g, '[');
      found = { where, node };
      return BREAK;
    },
  };
  visit(document, visitor);
  return found;
}

/**
 * Issue 30 #12: PostgreSQL stores no NUL character in text, so a name or a search holding one
 * reached the database as an internal error. Every string a client sends — variables and the
 * document's own literals — is checked once per operation, before shield's gates, loaders or any
 * resolver see it (a payload's userError would come only after the gates had used the arguments),
 * and a NUL answers BAD_USER_INPUT (HTTP 400) naming the variable or argument that held it.
 */
export const rejectNulCharacters: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didResolveOperation({ request, document }) {
        const inVariables = nulIn(request.variables ?? {}, 'variables');
        const inDocument = inVariables ? null : nulInDocument(document);
        const where = inVariables ?? inDocument?.where;
        if (where) {
          throw new GraphQLError(`${where} contains a NUL character, which no text may hold`, {
            nodes: inDocument?.node,
            extensions: { code: 'BAD_USER_INPUT', field: where, http: { status: 400 } },
          });
        }
      },
    };
  },
};
