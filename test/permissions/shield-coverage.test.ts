/**
 * The shield trap (issue 3, item 4): the served schema wraps only fields with a declared resolver
 * (type-graphql simpleResolvers + graphql-middleware's applyMiddlewareToDeclaredResolvers), so a
 * rule on a plain field, or on a whole type, is silently never applied. This test lists every
 * field of the served schema that returns an object type (or a list or connection of them) and
 * proves each one is covered:
 *
 * - a Query/Mutation field has a role gate in permissionRules;
 * - an object-type field with its own resolver is in permissionRules (parentIsVisible or
 *   visibilityFilter), and the served schema really wraps it;
 * - a field NOT in the map has no resolver of its own (a plain property read of its parent), and
 *   its parent's rows come only from visibility-filtered sources (a connection page built by a
 *   visibility-filtered list, or a mutation payload built by a gated mutation).
 */
import {
  defaultFieldResolver,
  getNamedType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isUnionType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { applyMiddlewareToDeclaredResolvers } from 'graphql-middleware';
import { permissions } from '../../src/permissions/permission-map';
import { buildBareSchema, buildServedSchema } from '../../src/schema/build-schema';
import { isShieldRule, renderRule, ruleMap } from './permission-map-render';

const ROOTS = ['Query', 'Mutation', 'Subscription'];

const bare = buildBareSchema();
const served = buildServedSchema();
const wrappedFromBare = applyMiddlewareToDeclaredResolvers(bare, permissions);

const objectTypes = (schema: GraphQLSchema) =>
  Object.values(schema.getTypeMap()).filter(
    (t): t is GraphQLObjectType => isObjectType(t) && !isIntrospectionType(t),
  );

const returnsObjects = (field: GraphQLField<unknown, unknown>) => {
  const named = getNamedType(field.type);
  return isObjectType(named) || isInterfaceType(named) || isUnionType(named);
};

const hasOwnResolver = (field: GraphQLField<unknown, unknown>) =>
  !!field.resolve && field.resolve !== defaultFieldResolver;

const inMap = (type: string, field: string) => !!ruleMap[type]?.[field];

/** Every field of every object type of a schema, as `Type.field`. */
function fields(schema: GraphQLSchema) {
  return objectTypes(schema).flatMap((type) =>
    Object.values(type.getFields()).map((field) => ({
      type,
      field,
      key: `${type.name}.${field.name}`,
    })),
  );
}

/**
 * Object-returning plain fields: why their parent's rows are visible. A parent type not covered
 * here makes the test fail until someone decides (and writes down) why its rows are safe.
 */
function plainFieldJustification(type: GraphQLObjectType, field: string): string | null {
  if (/Connection$/.test(type.name) && ['edges', 'nodes', 'pageInfo'].includes(field)) {
    return 'a page built by a visibility-filtered list (reports, accounts, clients, items, audit events)';
  }
  if (/Edge$/.test(type.name) && field === 'node') return 'an edge of such a page';
  if (/Payload$/.test(type.name)) {
    return 'the payload of a gated mutation: what the mutation itself created or changed';
  }
  if (type.name === 'DisconnectClientResult') {
    return "one client's outcome in disconnectClients: built by the service after that client's own gate (clientManagerJudgement, R9, R32)";
  }
  if (/^(AccessExplanation|AccessReviewEntry|UserAccessEntry)$/.test(type.name)) {
    return 'an answer of explainAccess / accessReview / userAccess, gated to who may ask (R28, R29) and built by the service from ACCESS_PATHS for that asker';
  }
  const explicit: Record<string, string> = {
    'DisconnectImpact.usersLosingAccess':
      'the impact preview is gated to managers of the account being disconnected (R23)',
    'AccessReview.account': 'the account under review: its acting ADMINs asked (R29)',
    'AccessReview.pendingRequests':
      "the account's own PENDING requests, shown to its acting ADMINs (R29)",
  };
  return explicit[`${type.name}.${field}`] ?? null;
}

describe('shield coverage', () => {
  it('the permission map has field rules only: no type-level or wildcard rules (they would be silently skipped)', () => {
    for (const [type, entry] of Object.entries(ruleMap)) {
      expect([type, isShieldRule(entry)]).toEqual([type, false]);
      expect(Object.keys(entry)).not.toContain('*');
      for (const [field, rule] of Object.entries(entry)) {
        expect([`${type}.${field}`, isShieldRule(rule)]).toEqual([`${type}.${field}`, true]);
      }
    }
  });

  it('every Query and Mutation field has a rule', () => {
    const missing = fields(bare)
      .filter(({ type }) => ROOTS.includes(type.name))
      .filter(({ type, field }) => !inMap(type.name, field.name))
      .map(({ key }) => key);
    expect(missing).toEqual([]);
  });

  it('every rule in the map names a field of the schema that has its own resolver (else it is never applied)', () => {
    const problems: string[] = [];
    for (const [typeName, entry] of Object.entries(ruleMap)) {
      const type = bare.getType(typeName);
      if (!type || !isObjectType(type)) {
        problems.push(`${typeName}: no such object type`);
        continue;
      }
      for (const fieldName of Object.keys(entry)) {
        const field = type.getFields()[fieldName];
        if (!field) problems.push(`${typeName}.${fieldName}: no such field`);
        else if (!hasOwnResolver(field)) {
          problems.push(`${typeName}.${fieldName}: plain field, the rule would never run`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('every field with a declared resolver is in the map (deny-by-default would refuse it otherwise)', () => {
    const missing = fields(bare)
      .filter(({ field }) => hasOwnResolver(field))
      .filter(({ type, field }) => !inMap(type.name, field.name))
      .map(({ key }) => key);
    expect(missing).toEqual([]);
  });

  it('fields not in the map have no resolver: they are plain property reads, and shield does not wrap them', () => {
    const problems: string[] = [];
    for (const { type, field, key } of fields(bare)) {
      if (inMap(type.name, field.name)) continue;
      if (hasOwnResolver(field)) problems.push(`${key}: has a resolver but no rule`);
    }
    for (const { type, field, key } of fields(wrappedFromBare)) {
      const wrapped = hasOwnResolver(field);
      if (inMap(type.name, field.name) && !wrapped) problems.push(`${key}: rule not applied`);
      if (!inMap(type.name, field.name) && wrapped) problems.push(`${key}: wrapped without a rule`);
    }
    expect(problems).toEqual([]);
  });

  it('the served schema is the bare schema with exactly the mapped fields wrapped', () => {
    const problems: string[] = [];
    for (const { type, field, key } of fields(served)) {
      const wrapped = hasOwnResolver(field);
      if (wrapped !== inMap(type.name, field.name)) {
        problems.push(`${key}: wrapped=${wrapped}, in map=${inMap(type.name, field.name)}`);
      }
    }
    expect(problems).toEqual([]);
    expect(
      fields(served)
        .map((f) => f.key)
        .sort(),
    ).toEqual(
      fields(bare)
        .map((f) => f.key)
        .sort(),
    );
  });

  it('every field returning an object is covered by a rule or by the visibility of its parent’s rows', () => {
    const report: string[] = [];
    const uncovered: string[] = [];
    for (const { type, field, key } of fields(served)) {
      if (!returnsObjects(field)) continue;
      if (ROOTS.includes(type.name)) {
        report.push(`${key}: role gate ${renderRule(ruleMap[type.name][field.name])}`);
      } else if (inMap(type.name, field.name)) {
        report.push(`${key}: ${renderRule(ruleMap[type.name][field.name])} (own resolver)`);
      } else {
        const why = plainFieldJustification(type, field.name);
        if (why) report.push(`${key}: plain property of ${why}`);
        else uncovered.push(`${key}: plain field returning ${getNamedType(field.type).name}`);
      }
    }
    expect(uncovered).toEqual([]);
    expect(report.length).toBeGreaterThan(40);
  });

  it('relations of entity (Node) types always have their own resolver, so they are always in the map', () => {
    const problems = fields(bare)
      .filter(({ type }) => type.getInterfaces().some((i) => i.name === 'Node'))
      .filter(({ field }) => returnsObjects(field))
      .filter(({ type, field }) => !hasOwnResolver(field) || !inMap(type.name, field.name))
      .map(({ key }) => key);
    expect(problems).toEqual([]);
  });
});
