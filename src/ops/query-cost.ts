import { costLimitRule, type CostLimitOptions } from '@escape.tech/graphql-armor-cost-limit';
import {
  Kind,
  validate,
  visit,
  type ArgumentNode,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type VariableNode,
} from 'graphql';

/**
 * The one cost model: graphql-armor's cost analysis (objects 2, scalars 1, x1.5 per level, a
 * list's `first`/`last` multiplies its subtree). app.ts gives these options to graphql-armor's
 * validation limit, and the rate limiter charges the cost of each operation computed by the
 * very same rule, so "what a query may cost" and "what it is charged" cannot drift apart.
 */
export const COST_OPTIONS = {
  objectCost: 2,
  scalarCost: 1,
  depthCostFactor: 1.5,
  ignoreIntrospection: true,
} as const satisfies CostLimitOptions;

/** The largest cost one operation may have (graphql-armor refuses more at validation). */
export const MAX_QUERY_COST = 20000;

/** `first: $n` or `last: $n`: a page size the client passes as a variable. */
const isPageSizeVariable = (node: ArgumentNode): node is ArgumentNode & { value: VariableNode } =>
  (node.name.value === 'first' || node.name.value === 'last') && node.value.kind === Kind.VARIABLE;

/**
 * armor's rule multiplies only literal `first: 20`; a client writing `first: $n` would be charged
 * for one row. For charging, the variables' values (or their defaults) are put in place of
 * `$first`/`$last` first.
 */
function withPageSizesInlined(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  given: Record<string, unknown> = {},
): DocumentNode {
  const variables: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const fallback = definition.defaultValue;
    if (fallback?.kind === Kind.INT)
      variables[definition.variable.name.value] = Number(fallback.value);
  }
  Object.assign(variables, given);
  return visit(document, {
    Argument(node) {
      if (isPageSizeVariable(node)) {
        const value = variables[node.value.name.value];
        if (typeof value === 'number' && Number.isInteger(value) && value >= 0) {
          return { ...node, value: { kind: Kind.INT, value: String(value) } };
        }
      }
      return undefined;
    },
  });
}

/** The variables an operation passes as `first`/`last`: the only ones its cost depends on. */
function pageSizeVariables(operation: OperationDefinitionNode): string[] {
  const names = new Set<string>();
  visit(operation, {
    Argument(node) {
      if (isPageSizeVariable(node)) names.add(node.value.name.value);
    },
  });
  return [...names];
}

/**
 * Costs already computed, per schema and parsed document (Apollo keeps one parsed document per
 * query text), keyed by operation and page-size variables: the frontend sends the same few
 * documents all day, and the analysis is a full validation pass. A cost is a function of these
 * inputs alone — no viewer, no data — so nothing here is a permission decision.
 */
const computed = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, number>>>();
const pageSizeVariablesOf = new WeakMap<OperationDefinitionNode, string[]>();
/** Distinct page sizes kept per document; past it the document's entries start again. */
const MAX_COSTS_PER_DOCUMENT = 100;

/**
 * The cost of the operation that runs: the selected operation and the fragments of the
 * document, page sizes from the variables included. Introspection costs 0 (as in armor).
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables?: Record<string, unknown>,
): number {
  let sizes = pageSizeVariablesOf.get(operation);
  if (!sizes) pageSizeVariablesOf.set(operation, (sizes = pageSizeVariables(operation)));
  const key = JSON.stringify([
    operation.name?.value ?? null,
    ...sizes.map((name) => variables?.[name] ?? null),
  ]);
  let bySchema = computed.get(schema);
  if (!bySchema) computed.set(schema, (bySchema = new WeakMap()));
  let costs = bySchema.get(document);
  if (!costs) bySchema.set(document, (costs = new Map()));
  const known = costs.get(key);
  if (known !== undefined) return known;
  const cost = analyseCost(schema, document, operation, variables);
  if (costs.size >= MAX_COSTS_PER_DOCUMENT) costs.clear();
  costs.set(key, cost);
  return cost;
}

function analyseCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables?: Record<string, unknown>,
): number {
  const only: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [
      operation,
      ...document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION),
    ],
  };
  let cost = 0;
  validate(schema, withPageSizesInlined(only, operation, variables), [
    costLimitRule({
      ...COST_OPTIONS,
      maxCost: Number.MAX_SAFE_INTEGER,
      propagateOnRejection: false,
      onAccept: [(_context, { n }) => (cost = n)],
    }),
  ]);
  return Math.ceil(cost);
}
