/**
 * The logic rules the permission map is built from, pinned on whatever Node runs the tests (CI
 * runs them on Node 20, 22 and 24): a runtime or library change that alters them fails here
 * before it silently changes who may call what.
 *
 * - `chain` (ours, src/permissions/combinators.ts): the rules in order; the first that does not
 *   pass stops the chain, and its error (or a plain refusal) is the answer. graphql-shield's own
 *   `chain` calls `util.isUndefined`, which Node 23 removed: on Node 24 it rejects and every
 *   gated mutation answered INTERNAL_SERVER_ERROR.
 * - `or` (graphql-shield's): passes when any rule passes; otherwise the first error, or a refusal.
 */
import { buildSchema, graphql, GraphQLError } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { deny, or, rule, shield } from 'graphql-shield';
import { chain, RuleChain } from '../../src/permissions/combinators';
import { permissionRules } from '../../src/permissions/permission-map';

type Result = boolean | Error;
type Resolvable = {
  resolve: (...args: any[]) => Promise<unknown>;
  constructor: { name: string };
  getRules?: () => Resolvable[];
};

/** What shield passes to a rule; the stubs below use none of it. */
const options = {
  debug: false,
  allowExternalErrors: false,
  fallbackRule: deny,
  fallbackError: new Error('not allowed'),
  hashFunction: () => 'hash',
};
const resolve = (r: Resolvable, ctx: object = { _shield: { cache: {} } }) =>
  r.resolve({}, {}, ctx, {}, options);

/** A stub rule answering `result` and recording its name in `calls`, so order can be checked. */
let counter = 0;
function stub(result: Result | (() => never), calls: string[], label: string) {
  counter += 1;
  return rule(`${label}-${counter}`, { cache: 'no_cache' })(() => {
    calls.push(label);
    return typeof result === 'function' ? result() : result;
  });
}

describe('chain (src/permissions/combinators.ts)', () => {
  it('passes when every rule passes, evaluating them in order', async () => {
    const calls: string[] = [];
    const r = chain(stub(true, calls, 'a'), stub(true, calls, 'b'), stub(true, calls, 'c'));
    await expect(resolve(r)).resolves.toBe(true);
    expect(calls).toEqual(['a', 'b', 'c']);
  });

  it('a refusal stops the chain: later rules never run and the answer is a refusal', async () => {
    const calls: string[] = [];
    const r = chain(stub(true, calls, 'a'), stub(false, calls, 'b'), stub(true, calls, 'c'));
    await expect(resolve(r)).resolves.toBe(false);
    expect(calls).toEqual(['a', 'b']);
  });

  it('an error result stops the chain and is the answer, the same error object', async () => {
    const calls: string[] = [];
    const error = new GraphQLError('Authentication required', {
      extensions: { code: 'UNAUTHENTICATED' },
    });
    const r = chain(stub(error, calls, 'a'), stub(true, calls, 'b'));
    await expect(resolve(r)).resolves.toBe(error);
    expect(calls).toEqual(['a']);
  });

  it('a rule that throws counts as a refusal and stops the chain', async () => {
    const calls: string[] = [];
    const boom = () => {
      throw new Error('database down');
    };
    const r = chain(stub(true, calls, 'a'), stub(boom, calls, 'b'), stub(true, calls, 'c'));
    await expect(resolve(r)).resolves.toBe(false);
    expect(calls).toEqual(['a', 'b']);
  });

  it('a nested or decides the end of a chain, as in recordCampaignData', async () => {
    const calls: string[] = [];
    const gate = (staff: boolean, admin: boolean) =>
      chain(
        stub(true, calls, 'auth'),
        stub(true, calls, 'user'),
        or(stub(staff, calls, 'staff'), stub(admin, calls, 'admin')),
      );
    await expect(resolve(gate(true, false))).resolves.toBe(true);
    await expect(resolve(gate(false, true))).resolves.toBe(true);
    await expect(resolve(gate(false, false))).resolves.toBe(false);
  });

  it('renders and walks like a graphql-shield logic rule (snapshot, docs and shield rely on it)', () => {
    const a = rule('a-render', { cache: 'no_cache' })(() => true);
    const b = rule('b-render', { cache: 'no_cache', fragment: 'fragment F on Query { id }' })(
      () => true,
    );
    const r = chain(a, b);
    expect(r).toBeInstanceOf(RuleChain);
    expect(r.constructor.name).toBe('RuleChain');
    expect(r.getRules()).toEqual([a, b]);
    expect(r.rules).toEqual([a, b]);
    expect(r.extractFragments()).toEqual(['fragment F on Query { id }']);
  });
});

describe("or (graphql-shield's)", () => {
  it('passes when any rule passes, wherever it stands', async () => {
    const calls: string[] = [];
    await expect(resolve(or(stub(true, calls, 'a'), stub(false, calls, 'b')))).resolves.toBe(true);
    await expect(resolve(or(stub(false, calls, 'a'), stub(true, calls, 'b')))).resolves.toBe(true);
    const error = new Error('no');
    await expect(resolve(or(stub(error, calls, 'a'), stub(true, calls, 'b')))).resolves.toBe(true);
  });

  it('refuses when none passes: the first error, or a plain refusal', async () => {
    const calls: string[] = [];
    const error = new Error('not an admin');
    await expect(resolve(or(stub(false, calls, 'a'), stub(false, calls, 'b')))).resolves.toBe(
      false,
    );
    await expect(resolve(or(stub(false, calls, 'a'), stub(error, calls, 'b')))).resolves.toBe(
      error,
    );
  });
});

describe('through shield, as the server runs them', () => {
  const typeDefs = 'type Query { chained: String, either: String, refused: String }';
  const rootValue = { chained: 'ok', either: 'ok', refused: 'ok' };
  const forbidden = () =>
    new GraphQLError('You are not allowed to do this', { extensions: { code: 'FORBIDDEN' } });

  async function run(rules: Record<string, unknown>) {
    const schema = applyMiddleware(
      buildSchema(typeDefs),
      shield({ Query: rules } as never, {
        fallbackRule: deny,
        fallbackError: forbidden,
        allowExternalErrors: true,
      }),
    );
    const result = await graphql({
      schema,
      source: '{ chained either refused }',
      rootValue,
      contextValue: {},
    });
    const errors = Object.fromEntries(
      (result.errors ?? []).map((e) => [e.path?.[0], [e.message, e.extensions?.code]]),
    );
    return { data: result.data, errors };
  }

  it('a passing chain and or resolve the field; a refusal is FORBIDDEN; an error is itself', async () => {
    const calls: string[] = [];
    const unauth = new GraphQLError('Authentication required', {
      extensions: { code: 'UNAUTHENTICATED' },
    });
    const { data, errors } = await run({
      chained: chain(stub(true, calls, 'a'), stub(true, calls, 'b')),
      either: or(stub(false, calls, 'c'), stub(true, calls, 'd')),
      refused: chain(stub(true, calls, 'e'), stub(false, calls, 'f'), stub(unauth, calls, 'g')),
    });
    expect(data).toEqual({ chained: 'ok', either: 'ok', refused: null });
    expect(errors).toEqual({ refused: ['You are not allowed to do this', 'FORBIDDEN'] });
    expect(calls).not.toContain('g');

    const second = await run({
      chained: chain(stub(unauth, calls, 'h'), stub(true, calls, 'i')),
      either: or(stub(false, calls, 'j'), stub(false, calls, 'k')),
      refused: deny,
    });
    expect(second.data).toEqual({ chained: null, either: null, refused: null });
    expect(second.errors).toEqual({
      chained: ['Authentication required', 'UNAUTHENTICATED'],
      either: ['You are not allowed to do this', 'FORBIDDEN'],
      refused: ['You are not allowed to do this', 'FORBIDDEN'],
    });
  });
});

describe('the permission map', () => {
  const walk = (r: Resolvable): Resolvable[] => [r, ...(r.getRules?.() ?? []).flatMap(walk)];
  const allRules = Object.values(permissionRules as Record<string, Record<string, Resolvable>>)
    .flatMap((fields) => Object.values(fields))
    .flatMap(walk);

  it("uses our chain only: graphql-shield's chain and race break on Node >= 23", () => {
    const chains = allRules.filter((r) => r.constructor.name === 'RuleChain');
    expect(chains.length).toBeGreaterThan(10);
    for (const r of chains) expect(r).toBeInstanceOf(RuleChain);
    expect(allRules.filter((r) => r.constructor.name === 'RuleRace')).toEqual([]);
  });

  it('its staff-only gate (createAgency) answers for every kind of viewer on this runtime', async () => {
    const gate = (permissionRules.Mutation as Record<string, Resolvable>).createAgency;
    const as = (viewer: unknown) => resolve(gate, { viewer, _shield: { cache: {} } });
    const user = (isStaff: boolean) => ({ kind: 'user', isStaff, user: { id: 'u1', isStaff } });

    await expect(as(user(true))).resolves.toBe(true);
    await expect(as(user(false))).resolves.toBe(false);
    // A token is never staff, even when a staff member made it (R18).
    await expect(
      as({ kind: 'token', isStaff: false, user: { id: 'u1', isStaff: true } }),
    ).resolves.toBe(false);
    const anonymous = await as(null);
    expect(anonymous).toBeInstanceOf(GraphQLError);
    expect((anonymous as GraphQLError).extensions.code).toBe('UNAUTHENTICATED');
  });
});
