/**
 * Model-based random test of authority (issue 9; domain.md A1–A3, R1–R27; docs/authority.md).
 *
 * A seeded generator (./generator.ts) runs random operations through the GraphQL API by random
 * principals, and a pure in-memory model (./authority-model.ts, which imports nothing from the
 * implementation) says what each one must answer and change. Checked:
 * - every operation's answer code (OK, FORBIDDEN, NOT_FOUND, UNAUTHENTICATED or a userErrors code);
 * - what principals read: the ids of `reports` (active and archived) and `accounts` (active and
 *   archived);
 * - what principals may do, by read-only probes: auditEvents, apiTokens, disconnectClientPreview
 *   and disconnectAgencyPreview.
 *
 * Which principals are checked after which step (every request costs 5–25 ms on a loaded
 * 2-core machine, so "everyone after every step" would be ~600 requests per step):
 * - after every step: the operation's answer;
 * - after every step while the run keeps to its time budget (MODEL_BUDGET_MS, default 60 s per
 *   2,000 operations): the acting principal's reads when the world changed, else one probe of a
 *   random principal; when ahead of it, also the reads of one random other principal and one
 *   random probe by the acting principal (the log line says how many steps got which);
 * - every MODEL_SWEEP steps (default 250) and at the end: the reads of every principal;
 * - at the end: 12 random probes of every principal.
 * The sequence of operations depends on the seed only (checks never change state), so a run is
 * reproduced with MODEL_SEED whatever the machine's speed.
 *
 * On a mismatch the operations so far are shrunk by delta debugging, each candidate replayed on
 * an emptied database, to the shortest sequence that still gives a mismatch, which is printed.
 *
 * MODEL_OPS (default 2000) and MODEL_SEED (default 20261128; `random` picks one, printed) set the run;
 * `npm run test:model -- --ops 20000 --seed 42` runs a long one (test/model/run-model.sh).
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  ModelAcceptConnectionDocument,
  ModelAccessReviewDocument,
  ModelAddMemberDocument,
  ModelCancelConnectionDocument,
  ModelCreateAgencyDocument,
  ModelCreateApiTokenDocument,
  ModelCreateClientAccountDocument,
  ModelCreatePremiumClientDocument,
  ModelCreateReportDocument,
  ModelDeclineConnectionDocument,
  ModelDisconnectAgencyDocument,
  ModelDisconnectClientDocument,
  ModelProbeApiTokensDocument,
  ModelProbeAuditEventsDocument,
  ModelProbeDisconnectAgencyPreviewDocument,
  ModelProbeDisconnectClientPreviewDocument,
  ModelReadDocument,
  ModelRequestConnectionDocument,
  ModelRevokeApiTokenDocument,
  ModelSetClientAccessDocument,
  ModelSetConnectionAccessDocument,
} from '../generated/graphql';
import { factories } from '../helpers/factories';
import {
  startTestServer,
  type As,
  type GraphQLResponse,
  type TestServer,
} from '../helpers/test-server';
import {
  AuthorityModel,
  opLabel,
  principalLabel,
  probeLabel,
  type Code,
  type Expected,
  type Op,
  type Principal,
  type Probe,
  type Role,
} from './authority-model';
import { OpGenerator, Random } from './generator';
import { VERSIONED_TABLES } from '../../src/database/access-history';

jest.setTimeout(1_800_000);

const OPS = Number(process.env.MODEL_OPS ?? 2000);
// A fixed default seed: CI must be reproducible; `--seed` (or MODEL_SEED=random) explores.
const SEED =
  process.env.MODEL_SEED === 'random'
    ? Math.floor(Math.random() * 2 ** 31)
    : Number(process.env.MODEL_SEED ?? 20261128);
const BUDGET_MS = Number(process.env.MODEL_BUDGET_MS ?? 60_000) * Math.max(1, OPS / 2000);
const SWEEP = Number(process.env.MODEL_SWEEP ?? 250);
const SHRINK_MS = Number(process.env.MODEL_SHRINK_MS ?? 300_000);

// ---------------------------------------------------------------------------------------------
// GraphQL documents
// ---------------------------------------------------------------------------------------------

/** The tables run any kind with the variables World.variables builds for it. */
type AnyDocument = TypedDocumentNode<Record<string, any>, any>;
const DOCS: Record<Op['kind'], AnyDocument> = {
  createAgency: ModelCreateAgencyDocument,
  createPremiumClient: ModelCreatePremiumClientDocument,
  requestConnection: ModelRequestConnectionDocument,
  acceptConnection: ModelAcceptConnectionDocument,
  declineConnection: ModelDeclineConnectionDocument,
  cancelConnection: ModelCancelConnectionDocument,
  disconnectAgency: ModelDisconnectAgencyDocument,
  disconnectClient: ModelDisconnectClientDocument,
  createClientAccount: ModelCreateClientAccountDocument,
  addMember: ModelAddMemberDocument,
  setClientAccess: ModelSetClientAccessDocument,
  setConnectionAccess: ModelSetConnectionAccessDocument,
  createReport: ModelCreateReportDocument,
  createApiToken: ModelCreateApiTokenDocument,
  revokeApiToken: ModelRevokeApiTokenDocument,
};
const PROBE_DOCS: Record<Probe['kind'], AnyDocument> = {
  auditEvents: ModelProbeAuditEventsDocument,
  apiTokens: ModelProbeApiTokensDocument,
  disconnectClientPreview: ModelProbeDisconnectClientPreviewDocument,
  disconnectAgencyPreview: ModelProbeDisconnectAgencyPreviewDocument,
};
const READ = ModelReadDocument;
const READ_FIELDS = [
  'activeReports',
  'archivedReports',
  'activeAccounts',
  'archivedAccounts',
] as const;

/** The answer code of a response: a top-level error's code, the first userError's, or OK. */
function answerCode(response: GraphQLResponse): Code {
  if (response.errors?.length) return String(response.errors[0].extensions?.code ?? 'ERROR');
  const payload = Object.values(response.data ?? {})[0] as { userErrors?: { code: string }[] };
  return payload?.userErrors?.[0]?.code ?? 'OK';
}

// ---------------------------------------------------------------------------------------------
// The fixed world every run (and every shrink candidate) starts from
// ---------------------------------------------------------------------------------------------

const STAFF = 'staff';
const user = (key: string): Principal => ({ kind: 'user', key });
const staff = user(STAFF);

function setupOps(): Op[] {
  const ops: Op[] = [];
  for (const key of ['agN', 'agE', 'agU'])
    ops.push({ kind: 'createAgency', by: staff, newKey: key });
  for (const key of ['prP', 'prQ'])
    ops.push({ kind: 'createPremiumClient', by: staff, newKey: key });
  const members: [string, string, Role][] = [
    ['agN', 'N.admin', 'ADMIN'],
    ['agN', 'N.manager', 'ACCOUNT_MANAGER'],
    ['agN', 'N.regular', 'REGULAR'],
    ['agN', 'N.viewer', 'VIEW_ONLY'],
    ['agE', 'E.admin', 'ADMIN'],
    ['agE', 'E.manager', 'ACCOUNT_MANAGER'],
    ['agE', 'E.regular', 'REGULAR'],
    ['agU', 'U.admin', 'ADMIN'],
    ['prP', 'P.admin', 'ADMIN'],
    ['prP', 'P.manager', 'ACCOUNT_MANAGER'],
    ['prP', 'P.regular', 'REGULAR'],
    ['prQ', 'Q.admin', 'ADMIN'],
  ];
  for (const [account, key, role] of members)
    ops.push({ kind: 'addMember', by: staff, account, user: key, newUser: true, role });
  ops.push(
    { kind: 'requestConnection', by: user('N.admin'), from: 'agN', to: 'prP', newKey: 'kNP' },
    { kind: 'acceptConnection', by: user('P.manager'), conn: 'kNP' },
    { kind: 'requestConnection', by: user('P.admin'), from: 'prP', to: 'agE', newKey: 'kEP' },
    { kind: 'acceptConnection', by: user('E.admin'), conn: 'kEP' },
    { kind: 'requestConnection', by: user('N.manager'), from: 'agN', to: 'prQ', newKey: 'kNQ' },
    {
      kind: 'createClientAccount',
      by: user('N.admin'),
      agency: 'agN',
      access: 'EVERYONE_IN_AGENCY',
      userIds: [],
      org: null,
      newKey: 'clN1',
    },
    {
      kind: 'createClientAccount',
      by: user('N.admin'),
      agency: 'agN',
      access: 'SELECTED_USERS',
      userIds: ['N.regular'],
      org: null,
      newKey: 'clN2',
    },
    {
      kind: 'createClientAccount',
      by: user('E.admin'),
      agency: 'agE',
      access: 'SELECTED_USERS',
      userIds: [],
      org: null,
      newKey: 'clE1',
    },
    {
      kind: 'addMember',
      by: user('N.admin'),
      account: 'clN1',
      user: 'clN1.user',
      newUser: true,
      role: 'VIEW_ONLY',
    },
  );
  const report = (
    by: string,
    account: string,
    visibility: 'ACCOUNT' | 'RESTRICTED',
    key: string,
    shares: string[] = [],
  ): Op => ({
    kind: 'createReport',
    by: user(by),
    account,
    visibility,
    shares,
    newKey: key,
  });
  ops.push(
    report('N.regular', 'clN1', 'RESTRICTED', 'rN1restricted'),
    report('N.manager', 'clN1', 'ACCOUNT', 'rN1open'),
    report('N.regular', 'clN2', 'ACCOUNT', 'rN2open'),
    report('P.regular', 'prP', 'RESTRICTED', 'rPrestricted', ['P.manager']),
    report('N.regular', 'prP', 'ACCOUNT', 'rPbyN'),
    report('E.admin', 'clE1', 'ACCOUNT', 'rE1open'),
    { kind: 'createApiToken', by: user('N.admin'), account: 'agN', newKey: 'tokN' },
    { kind: 'createApiToken', by: user('P.admin'), account: 'prP', newKey: 'tokP' },
    { kind: 'createApiToken', by: staff, account: 'agN', newKey: 'tokStaff' },
  );
  return ops;
}

// ---------------------------------------------------------------------------------------------
// A world: the model and the database side by side
// ---------------------------------------------------------------------------------------------

type Failure =
  | { kind: 'op'; op: Op; expected: Code[]; actual: Code }
  | { kind: 'read'; principal: Principal; field: string; missing: string[]; extra: string[] }
  | { kind: 'probe'; principal: Principal; probe: Probe; expected: Code[]; actual: Code };

const REVIEW = ModelAccessReviewDocument;

/** R29/R30: every account's review as the model says it is at one moment of the run. */
interface ReviewMoment {
  step: number;
  at: string;
  expected: Map<string, string[]>;
}

class World {
  readonly model = new AuthorityModel();
  private readonly ids = new Map<string, string>();
  private readonly keys = new Map<string, string>();
  private readonly bearer = new Map<string, As>();
  private readonly orgIds = new Map<string, string>();
  private readonly knownTokenIds = new Set<string>();

  constructor(private readonly server: TestServer) {}

  /** Empties the database and creates the staff user. */
  async reset() {
    const rows: { tablename: string }[] = await this.server.db.query(
      `SELECT tablename FROM pg_tables WHERE schemaname = current_schema()
          AND tablename NOT ILIKE '%migration%'`,
    );
    await this.server.db.query(
      `TRUNCATE ${rows.map((r) => `"${r.tablename}"`).join(', ')} RESTART IDENTITY CASCADE`,
    );
    // TRUNCATE fires no row versioning (R30): the emptied world's history goes with it.
    await this.server.db.query(
      `TRUNCATE ${VERSIONED_TABLES.map((t) => `access_history.${t}`).join(', ')}`,
    );
    const staffUser = await factories(this.server.db).staff({ name: 'Staff' });
    this.model.addStaff(STAFF);
    this.name(STAFF, staffUser.id);
    this.bearer.set(STAFF, { token: await this.server.tokenFor(staffUser) });
  }

  private name(key: string, id: string) {
    this.ids.set(key, id);
    this.keys.set(id, key);
  }

  id(key: string) {
    const id = this.ids.get(key);
    if (!id) throw new Error(`no id for ${key}`);
    return id;
  }

  label(id: string) {
    return this.keys.get(id) ?? id;
  }

  as(p: Principal): As {
    return this.bearer.get(p.key)!;
  }

  private variables(op: Op): Record<string, unknown> {
    const ids = (keys: string[]) => keys.map((k) => this.id(k));
    switch (op.kind) {
      case 'createAgency':
      case 'createPremiumClient':
        return { input: { name: op.newKey, organizationName: `Org ${op.newKey}` } };
      case 'requestConnection':
        return { input: { fromAccountId: this.id(op.from), toAccountId: this.id(op.to) } };
      case 'acceptConnection':
      case 'declineConnection':
      case 'cancelConnection':
      case 'disconnectAgency':
        return { id: this.id(op.conn) };
      case 'disconnectClient':
        return { id: this.id(op.client) };
      case 'createClientAccount':
        return {
          input: {
            agencyId: this.id(op.agency),
            name: op.newKey,
            ...(op.org
              ? { organizationId: this.orgIds.get(op.org) }
              : { organizationName: `Org ${op.newKey}` }),
            access: op.access,
            userIds: ids(op.userIds),
          },
        };
      case 'addMember':
        return {
          input: {
            accountId: this.id(op.account),
            email: `${op.user.replace(/[^a-zA-Z0-9]/g, '-')}@model.test`,
            name: op.user,
            role: op.role,
          },
        };
      case 'setClientAccess':
        return {
          input: { accountId: this.id(op.account), access: op.access, userIds: ids(op.userIds) },
        };
      case 'setConnectionAccess':
        return {
          input: { connectionId: this.id(op.conn), access: op.access, userIds: ids(op.userIds) },
        };
      case 'createReport':
        return {
          input: {
            accountId: this.id(op.account),
            name: op.newKey,
            visibility: op.visibility,
            sharedWithUserIds: ids(op.shares),
          },
        };
      case 'createApiToken':
        return { input: { accountId: this.id(op.account), name: op.newKey } };
      case 'revokeApiToken':
        return { id: this.id(op.token) };
    }
  }

  /** Runs the operation on both sides; a Failure when the answer is not one the model allows. */
  async run(op: Op): Promise<{ expected: Code[]; actual: Code; failure: Failure | null }> {
    const expected = this.model.expect(op);
    const response = await this.server.op(DOCS[op.kind], this.variables(op), this.as(op.by));
    const actual = answerCode(response);
    if (!expected.includes(actual))
      return { expected, actual, failure: { kind: 'op', op, expected, actual } };
    if (actual !== 'OK') return { expected, actual, failure: null };
    const payload = Object.values(response.data ?? {})[0] as Record<string, any>;
    switch (op.kind) {
      case 'createAgency':
      case 'createPremiumClient':
      case 'createClientAccount':
        await this.nameAccount(op.newKey, payload.account.id);
        break;
      case 'requestConnection':
        this.name(op.newKey, payload.connection.id);
        break;
      case 'createReport':
        this.name(op.newKey, payload.report.id);
        break;
      case 'addMember':
        if (op.newUser) {
          this.name(op.user, payload.membership.user.id);
          this.bearer.set(op.user, {
            token: await this.server.tokenFor({ id: payload.membership.user.id } as never),
          });
        }
        break;
      case 'createApiToken': {
        const rows: { id: string }[] = await this.server.db.query(`SELECT id FROM api_tokens`);
        const id = rows.map((r) => r.id).find((t) => !this.knownTokenIds.has(t))!;
        this.knownTokenIds.add(id);
        this.name(op.newKey, id);
        this.bearer.set(op.newKey, { token: payload.token });
        break;
      }
    }
    this.model.apply(op);
    return { expected, actual, failure: null };
  }

  private async nameAccount(key: string, id: string) {
    this.name(key, id);
    const [row]: { organization_id: string }[] = await this.server.db.query(
      `SELECT organization_id FROM accounts WHERE id = $1`,
      [id],
    );
    // The model names a new organization `org:<account>` (a reused one keeps its first name).
    this.orgIds.set(`org:${key}`, row.organization_id);
  }

  /** Compares one principal's reads with the model. */
  async checkRead(p: Principal): Promise<Failure[]> {
    const view = this.model.read(p);
    const response = await this.server.op(READ, {}, this.as(p));
    if (view.error || response.errors?.length) {
      const actual = response.errors?.length ? answerCode(response) : 'OK';
      const expected = view.error ?? 'OK';
      return actual === expected
        ? []
        : [{ kind: 'read', principal: p, field: 'answer', missing: [expected], extra: [actual] }];
    }
    const failures: Failure[] = [];
    for (const field of READ_FIELDS) {
      const got = new Set<string>(response.data![field].nodes.map((n) => this.label(n.id)));
      const want: Expected = view[field];
      const missing = [...want.min].filter((k) => !got.has(k));
      const extra = [...got].filter((k) => !want.max.has(k));
      if (missing.length || extra.length)
        failures.push({ kind: 'read', principal: p, field, missing, extra });
    }
    return failures;
  }

  async checkProbe(p: Principal, probe: Probe): Promise<Failure[]> {
    const expected = this.model.probe(p, probe);
    const target =
      probe.kind === 'disconnectClientPreview'
        ? probe.client
        : probe.kind === 'disconnectAgencyPreview'
          ? probe.conn
          : probe.account;
    const actual = answerCode(
      await this.server.op(PROBE_DOCS[probe.kind], { id: this.id(target) }, this.as(p)),
    );
    return expected.includes(actual)
      ? []
      : [{ kind: 'probe', principal: p, probe, expected, actual }];
  }

  /** The model's review of `key` in short: `user role canAct` per entry, `pending k` per request. */
  private expectedReview(key: string): string[] {
    const { entries, pending } = this.model.review(key);
    return [
      ...[...entries].map(([user, e]) => `${user} ${e.role} ${e.canAct}`),
      ...pending.map((k) => `pending ${k}`),
    ].sort();
  }

  /**
   * A moment strictly after everything done so far and before anything after (the database
   * clock rounded up to DateTime's millisecond, then a pause past it), with every account's
   * review as the model says it is then.
   */
  async reviewMoment(step: number): Promise<ReviewMoment> {
    const [{ at }]: { at: Date }[] = await this.server.db.query(
      `SELECT date_trunc('milliseconds', clock_timestamp()) + interval '1 millisecond' AS at`,
    );
    await this.server.db.query(`SELECT pg_sleep(0.003)`);
    const expected = new Map<string, string[]>();
    for (const key of this.model.accounts.keys()) expected.set(key, this.expectedReview(key));
    return { step, at: at.toISOString(), expected };
  }

  /**
   * R29 (no moment: now) and R30 (a moment of the run, asked later): staff's accessReview of
   * every account of the moment that still exists, against the model's.
   */
  async checkReviews(moment: ReviewMoment, asked: 'then' | 'later'): Promise<Failure[]> {
    const out: Failure[] = [];
    const staff: Principal = { kind: 'user', key: STAFF };
    for (const [key, want] of moment.expected) {
      if (!this.model.accounts.has(key)) continue;
      const response = await this.server.op(
        REVIEW,
        { a: this.id(key), at: asked === 'later' ? moment.at : null },
        this.as(staff),
      );
      const field = `accessReview(${key}${asked === 'later' ? `, at: step ${moment.step}` : ''})`;
      const review = response.data?.accessReview;
      if (response.errors?.length || !review || review.entries.totalCount > 100) {
        out.push({
          kind: 'read',
          principal: staff,
          field,
          missing: want,
          extra: [response.errors?.length ? answerCode(response) : 'no review or > 100 entries'],
        });
        continue;
      }
      const got = new Set<string>([
        ...review.entries.nodes.map((e) => `${this.label(e.user.id)} ${e.role} ${e.canAct}`),
        ...review.pendingRequests.map((k) => `pending ${this.label(k.id)}`),
      ]);
      const missing = want.filter((x) => !got.has(x));
      const extra = [...got].filter((x) => !want.includes(x));
      if (missing.length || extra.length)
        out.push({ kind: 'read', principal: staff, field, missing, extra });
    }
    return out;
  }

  async sweepReads(): Promise<Failure[]> {
    const out: Failure[] = [];
    for (const p of this.model.principals()) out.push(...(await this.checkRead(p)));
    return out;
  }

  /** Every principal against `perPrincipal` random probes (all of them: ~100 per principal). */
  async sweepProbes(rnd: Random, perPrincipal: number): Promise<Failure[]> {
    const out: Failure[] = [];
    for (const p of this.model.principals())
      for (const probe of rnd.sample(this.model.probes(), perPrincipal))
        out.push(...(await this.checkProbe(p, probe)));
    return out;
  }

  /** Re-runs the check that failed, if everything it names still exists. */
  async recheck(failure: Failure): Promise<Failure[]> {
    if (failure.kind === 'op') return [];
    const p = failure.principal;
    const known = p.kind === 'user' ? this.model.users.has(p.key) : this.model.tokens.has(p.key);
    if (!known) return [];
    if (failure.kind === 'read') return this.checkRead(p);
    const probe = failure.probe;
    const exists =
      probe.kind === 'disconnectAgencyPreview'
        ? this.model.connections.has(probe.conn)
        : this.model.accounts.has(
            probe.kind === 'disconnectClientPreview' ? probe.client : probe.account,
          );
    return exists ? this.checkProbe(p, probe) : [];
  }
}

const describeFailure = (f: Failure): string => {
  switch (f.kind) {
    case 'op':
      return `${opLabel(f.op)}: expected ${f.expected.join(' or ')}, got ${f.actual}`;
    case 'read':
      return (
        `${principalLabel(f.principal)} reads ${f.field}: ` +
        [
          f.missing.length ? `missing [${f.missing.join(', ')}]` : '',
          f.extra.length ? `must not see [${f.extra.join(', ')}]` : '',
        ]
          .filter(Boolean)
          .join('; ')
      );
    case 'probe':
      return `${principalLabel(f.principal)} ${probeLabel(f.probe)}: expected ${f.expected.join(' or ')}, got ${f.actual}`;
  }
};

// ---------------------------------------------------------------------------------------------
// Runs
// ---------------------------------------------------------------------------------------------

let server: TestServer;
let hasSetConnectionAccess = false;

beforeAll(async () => {
  server = await startTestServer();
  const schema = await server.gql(`{ __type(name: "Mutation") { fields { name } } }`);
  hasSetConnectionAccess = !!schema.data?.__type?.fields?.some(
    (f: { name: string }) => f.name === 'setConnectionAccess',
  );
});
afterAll(() => server?.stop());

async function freshWorld(): Promise<{ world: World; failures: Failure[] }> {
  const world = new World(server);
  await world.reset();
  for (const op of setupOps()) {
    const { failure } = await world.run(op);
    if (failure) return { world, failures: [failure] };
  }
  return { world, failures: [] };
}

/** What makes two mismatches "the same" while shrinking. */
function signature(f: Failure): string {
  switch (f.kind) {
    case 'op':
      return `op ${f.op.kind} by ${principalLabel(f.op.by)} got ${f.actual}`;
    case 'read':
      return `read ${principalLabel(f.principal)} ${f.field}`;
    case 'probe':
      return `probe ${principalLabel(f.principal)} ${probeLabel(f.probe)}`;
  }
}

/**
 * Replays `ops` on an emptied database; the mismatches it meets: an operation answered otherwise
 * than the model allows (the replay stops there), else at the end the check that failed
 * originally (and, with `sweep`, the reads of every principal). Operations naming something
 * that no longer exists (its maker was removed) are skipped.
 */
async function replay(
  ops: Op[],
  original: Failure,
  o: { log?: string[]; sweep?: boolean } = {},
): Promise<Failure[]> {
  const { world, failures } = await freshWorld();
  if (failures.length) return failures;
  const log = o.log;
  for (const [i, op] of ops.entries()) {
    const n = String(i + 1).padStart(3);
    if (!world.model.refsExist(op)) {
      log?.push(`  ${n}. (skipped: names something never made) ${opLabel(op)}`);
      continue;
    }
    const { expected, actual, failure } = await world.run(op);
    log?.push(
      `  ${n}. ${opLabel(op)}  → expected ${expected.join('|')}, got ${actual}` +
        (failure ? '   <-- MISMATCH' : ''),
    );
    if (failure) return [failure];
  }
  return [...(await world.recheck(original)), ...(o.sweep ? await world.sweepReads() : [])];
}

/** Delta debugging (ddmin) over the operation list, then single-operation removal. */
async function shrink(ops: Op[], original: Failure): Promise<Op[]> {
  const deadline = Date.now() + SHRINK_MS;
  const wanted = signature(original);
  const fails = async (candidate: Op[]) =>
    Date.now() < deadline &&
    (await replay(candidate, original)).some((f) => signature(f) === wanted);
  let current = ops;
  let n = 2;
  while (current.length >= 2 && Date.now() < deadline) {
    const size = Math.ceil(current.length / n);
    let reduced = false;
    for (let start = 0; start < current.length; start += size) {
      const complement = [...current.slice(0, start), ...current.slice(start + size)];
      if (await fails(complement)) {
        current = complement;
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (n >= current.length) break;
      n = Math.min(current.length, n * 2);
    }
  }
  for (let i = current.length - 1; i >= 0 && Date.now() < deadline; i--) {
    const without = [...current.slice(0, i), ...current.slice(i + 1)];
    if (await fails(without)) current = without;
  }
  return current;
}

async function report(ops: Op[], failures: Failure[]): Promise<never> {
  const first = failures[0];
  const shrunk = ops.length === 0 ? [] : await shrink(ops, first);
  const log: string[] = [];
  const wanted = signature(first);
  const seen = new Set<string>();
  const again = (await replay(shrunk, first, { log, sweep: true }))
    .sort((a, b) => Number(signature(b) === wanted) - Number(signature(a) === wanted))
    .filter((f) => !seen.has(describeFailure(f)) && !!seen.add(describeFailure(f)));
  const lines = [
    `Model mismatch (MODEL_SEED=${SEED}, MODEL_OPS=${OPS}) after ${ops.length} operations:`,
    ...failures.slice(0, 10).map((f) => `  ${describeFailure(f)}`),
    '',
    `Shortest sequence found (${shrunk.length} operations after the fixed world of setupOps()):`,
    ...log,
    'then (the mismatch shrunk for first, then every other one at that point):',
    ...(again.length
      ? again.slice(0, 20).map((f) => `  ${describeFailure(f)}`)
      : ['  (did not reproduce on replay)']),
  ];
  throw new Error(lines.join('\n'));
}

test('the served API has setConnectionAccess (contract-next; per-connection access)', () => {
  expect(hasSetConnectionAccess).toBe(true);
});

test(`random operations agree with the authority model (seed ${SEED}, ${OPS} ops)`, async () => {
  const started = Date.now();
  const { world, failures: setupFailures } = await freshWorld();
  if (setupFailures.length) await report([], setupFailures);
  const initial = await world.sweepReads();
  if (initial.length) await report([], initial);
  const rnd = new Random(SEED);
  const generator = new OpGenerator(rnd, { setConnectionAccess: hasSetConnectionAccess });
  const checker = new Random(SEED ^ 0x5bd1e995);
  const ops: Op[] = [];
  const pace = BUDGET_MS / OPS;
  let extraChecks = 0;
  const moments: ReviewMoment[] = [];
  let skipped = 0;
  for (let i = 0; i < OPS; i++) {
    const op = generator.next(world.model, i);
    ops.push(op);
    const { actual, failure } = await world.run(op);
    if (failure) await report(ops, [failure]);

    const principals = world.model.principals();
    const probes = world.model.probes();
    const failures: Failure[] = [];
    const elapsed = Date.now() - started;
    if (elapsed < pace * (i + 1)) {
      if (actual === 'OK') failures.push(...(await world.checkRead(op.by)));
      else
        failures.push(...(await world.checkProbe(checker.pick(principals), checker.pick(probes))));
    } else skipped++;
    if (elapsed < pace * i) {
      extraChecks++;
      failures.push(...(await world.checkRead(checker.pick(principals))));
      failures.push(...(await world.checkProbe(op.by, checker.pick(probes))));
    }
    if ((i + 1) % SWEEP === 0) {
      failures.push(...(await world.sweepReads()));
      const moment = await world.reviewMoment(i + 1);
      failures.push(...(await world.checkReviews(moment, 'then')));
      moments.push(moment);
    }
    if (failures.length) await report(ops, failures);
  }
  const final = [...(await world.sweepReads()), ...(await world.sweepProbes(checker, 12))];
  if (final.length) await report(ops, final);
  // R30: every moment of the run, asked now, is the review the model had then.
  const past: Failure[] = [];
  for (const moment of moments) past.push(...(await world.checkReviews(moment, 'later')));
  if (past.length) await report(ops, past);
  const m = world.model;
  console.log(
    `model test: seed ${SEED}, ${OPS} ops in ${Math.round((Date.now() - started) / 1000)} s; ` +
      `${extraChecks} steps with extra checks, ${skipped} with the operation's answer only; world: ${m.accounts.size} accounts, ` +
      `${m.connections.size} connections, ${m.reports.size} reports, ${m.tokens.size} tokens, ` +
      `${m.users.size} users; ${moments.length} past moments reviewed again (R30)`,
  );
});
