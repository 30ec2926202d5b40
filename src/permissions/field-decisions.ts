import type { AgencyConnection, Membership } from '../entities';
import { forbidden } from '../shared/errors';
import type { Principal } from './principal';
import type { Visibility } from './visibility';
import type { GateContext } from './gate-context';
import { AccountType, MappingStatus } from '../entities/enums';

/**
 * Issue 29 #1: the decisions relation fields make about who asks. Shield gates root fields only;
 * a relation field (`parentIsVisible` in the map) shows its parent's own data, but some show
 * another account's internals or people, and each of those decides here, once, by a named
 * decision that carries its rule numbers and what it answers to whom. Resolvers call the decision
 * and nothing else decides; docs/permissions.md prints the table of these decisions
 * (FIELD_DECISIONS), so the documented answer is the enforced one.
 */

/** What a field answers to the viewers its decision leaves out. */
const FALLBACKS = {
  FORBIDDEN: (): never => {
    throw forbidden('This field of an account you do not reach is not shown (A3)');
  },
  null: () => null,
  'empty list': (): never[] => [],
  'empty string': () => '' as const,
};
type Fallback = keyof typeof FALLBACKS;

/** One field's decision as docs/permissions.md prints it. */
export interface FieldDecisionDoc {
  /** `Type.field` of the schema. */
  field: string;
  /** The domain.md rules it applies. */
  rules: string;
  /** Who gets the field's value. */
  shownTo: string;
  /** What everyone else gets. */
  otherwise: string;
}

/** Every field decision, in the order they are declared: what docs/permissions.md prints. */
export const FIELD_DECISIONS: FieldDecisionDoc[] = [];

/**
 * A field that is shown whole or not at all: `holds` judges the viewer on `subject` (an account
 * id, say); `answer` loads the value only when it holds, else gives the declared fallback.
 */
function fieldGate<Subject, F extends Fallback>(
  doc: Omit<FieldDecisionDoc, 'otherwise'> & { otherwise: F },
  holds: (ctx: GateContext, subject: Subject) => Promise<boolean> | boolean,
) {
  FIELD_DECISIONS.push(doc);
  return {
    holds,
    async answer<T>(
      ctx: GateContext,
      subject: Subject,
      load: () => T | Promise<T>,
    ): Promise<T | ReturnType<(typeof FALLBACKS)[F]>> {
      if (await holds(ctx, subject)) return load();
      return FALLBACKS[doc.otherwise]() as ReturnType<(typeof FALLBACKS)[F]>;
    },
  };
}

/** A list field shown row by row: `shown` keeps the rows the viewer may see. */
function rowFilter<Root, Row>(
  doc: FieldDecisionDoc,
  shown: (ctx: GateContext, root: Root, rows: Row[]) => Promise<Row[]>,
) {
  FIELD_DECISIONS.push(doc);
  return { shown };
}

/** A list field whose rows are kept by an SQL predicate in the statement that loads them. */
function sqlRowFilter<Args extends unknown[]>(
  doc: FieldDecisionDoc,
  where: (visibility: Visibility, ...aliases: Args) => string,
) {
  FIELD_DECISIONS.push(doc);
  return { where };
}

/**
 * A3, R6, R18: the viewer may see the account's internals — its organization, people,
 * connections and integrations: whoever reaches it (staff: every account), never an API token
 * (Visibility.accountInternals, one batched statement per request). An account met through a
 * relation (a client's agency, the other side of a connection) shows its id, name and type only.
 */
export const seesAccountInternals = async (ctx: GateContext, accountId: string) =>
  !!(await ctx.loaders.accountInternals.load(accountId));

/**
 * A3, R18: a person by id (`node(id)` of a User): the viewer themself and staff; anyone else only
 * through an account of theirs whose internals the viewer sees — so an API token sees no one.
 */
export async function seesUser(ctx: GateContext, userId: string): Promise<boolean> {
  const { viewer } = ctx;
  if (viewer?.kind === 'user' && (viewer.user.id === userId || viewer.isStaff)) return true;
  const memberships = await ctx.loaders.membershipsByUser.load(userId);
  const seen = await Promise.all(memberships.map((m) => seesAccountInternals(ctx, m.accountId)));
  return seen.some(Boolean);
}

/** R18: a principal that reads people (creators, members): users; an API token reads none. */
export const readsPeople = (principal: Principal | null | undefined) =>
  !!principal && principal.kind !== 'token';

const INTERNALS_SHOWN_TO =
  'viewers who reach the account (staff: all); not an API token, not a viewer who meets the account through a relation only';

/** A3, R18: `Account.organization`. */
export const accountOrganization = fieldGate(
  {
    field: 'Account.organization',
    rules: 'A3, R18',
    shownTo: INTERNALS_SHOWN_TO,
    otherwise: 'FORBIDDEN',
  },
  seesAccountInternals,
);

/** A3, R6, R18: `Account.members`. */
export const accountMembers = fieldGate(
  {
    field: 'Account.members',
    rules: 'A3, R6, R18',
    shownTo: INTERNALS_SHOWN_TO,
    otherwise: 'empty list',
  },
  seesAccountInternals,
);

/** R3, A3, R18: `Account.integrations` (the integrations set up on it). */
export const accountIntegrations = fieldGate(
  {
    field: 'Account.integrations',
    rules: 'R3, A3, R18',
    shownTo: INTERNALS_SHOWN_TO,
    otherwise: 'empty list',
  },
  seesAccountInternals,
);

/**
 * A3, R6, R18: `Account.connections` — to those who see the account's internals, and of its
 * connections only those the viewer acts for a side of (Visibility.connection): a premium
 * client's manager sees every agency it is connected to, an agency user not another agency's.
 */
export const accountConnections = rowFilter<{ id: string }, AgencyConnection>(
  {
    field: 'Account.connections',
    rules: 'A3, R6, R18',
    shownTo: `${INTERNALS_SHOWN_TO}; only the connections the viewer acts for a side of (A1)`,
    otherwise: 'empty list',
  },
  async (ctx, account, connections) => {
    if (!(await seesAccountInternals(ctx, account.id))) return [];
    const visible = await ctx.loaders.visibleConnection.loadMany(connections.map((k) => k.id));
    return connections.filter((_k, i) => !!visible[i] && !(visible[i] instanceof Error));
  },
);

/**
 * A3: `User.memberships` — the user's own all of them; another user's only those in accounts
 * whose internals the viewer sees (a user met through a shared account must not reveal their
 * other accounts).
 */
export const userMemberships = rowFilter<{ id: string }, Membership>(
  {
    field: 'User.memberships',
    rules: 'A3, R18',
    shownTo:
      'the user: all; others: the memberships in accounts whose internals they see (as Account.members)',
    otherwise: 'the other memberships left out',
  },
  async (ctx, user, memberships) => {
    const viewer = ctx.viewer;
    if (viewer?.kind === 'user' && viewer.user.id === user.id) return memberships;
    const visible = await Promise.all(
      memberships.map((m) => seesAccountInternals(ctx, m.accountId)),
    );
    return memberships.filter((_m, i) => visible[i]);
  },
);

/**
 * A3, R18, R28: `User.email` — to whom may know it (Visibility.userEmail): the user, staff, and
 * whoever acts for an account the user is a member of. A premium's ADMIN sees the names of the
 * agency users who reach the brand, never their emails; an API token not even its creator's. The
 * field stays non-null as the contract has it.
 */
export const userEmail = fieldGate(
  {
    field: 'User.email',
    rules: 'A3, R18, R28',
    shownTo:
      'the user, staff, and whoever acts for (A1) an account the user is a member of; not an API token',
    otherwise: 'empty string',
  },
  async (ctx: GateContext, userId: string) => !!(await ctx.loaders.emailKnown.load(userId)),
);

/** R18: `Report.createdBy` — a token reads no people or emails. */
export const reportCreatedBy = fieldGate(
  {
    field: 'Report.createdBy',
    rules: 'R18',
    shownTo: 'users who see the report',
    otherwise: 'null',
  },
  (ctx: GateContext) => readsPeople(ctx.viewer),
);

/**
 * A3, R18: `ReportingItem.integration` — the integration that fed the item, to viewers who see
 * its owner's internals; it is the owner's configuration (another agency reaching the same
 * premium, the premium about an agency's integration, and API tokens get null).
 */
export const itemIntegration = fieldGate(
  {
    field: 'ReportingItem.integration',
    rules: 'A3, R18',
    shownTo: "viewers who see the integration's owner account's internals",
    otherwise: 'null',
  },
  seesAccountInternals,
);

/**
 * R3, R7, A3, R18: `Integration.mappings` name the owner's advertisers and clients: listed only
 * to viewers who see the owner account's internals (an integration reached through a client's
 * item is shown, its mappings are not), and only mappings of clients the viewer reaches (an
 * agency manager not selected on a client does not learn it exists) — and, R7, the PAUSED
 * mappings of a premium client the owner was connected to: the agency's own configuration,
 * showing why an advertiser stopped syncing; the premium shows id, name and type (A3's
 * exception). `m` is the mapping, `owner` the integration's owner account, `client` its client.
 */
export const integrationMappings = sqlRowFilter(
  {
    field: 'Integration.mappings',
    rules: 'R3, R7, A3, R18',
    shownTo:
      "viewers who see the owner account's internals: the mappings of clients they reach, and the PAUSED mappings of a premium client the owner was connected to (R7)",
    otherwise: 'the other mappings left out (all of them for an API token)',
  },
  (v, m: string, owner: string, client: string) => `(${v.accountInternals(owner)}
      AND (${v.account(client)}
           OR (${m}.status = '${MappingStatus.PAUSED}'
               AND ${client}.type = '${AccountType.PREMIUM_CLIENT}'
               AND EXISTS (SELECT 1 FROM agency_connections mk
                            WHERE mk.agency_id = ${owner}.id AND mk.premium_client_id = ${client}.id))))`,
);
