import 'reflect-metadata';
import { permissionRules } from '../src/permissions/permission-map';
import { ACCOUNT_GATES } from '../src/permissions/rules';
import { FIELD_DECISIONS } from '../src/permissions/field-decisions';

/**
 * Prints docs/permissions.md from the shield map (`npm run docs:permissions`). Generic: it walks
 * whatever the map holds, so operations added to the map show up on the next run;
 * test/permissions/docs-up-to-date.test.ts fails when the committed file differs.
 */

/** What the generator knows of a graphql-shield rule: a named rule, or a logic rule over rules. */
interface ShieldRule {
  name?: string;
  constructor: { name: string };
  getRules?: () => ShieldRule[];
}

const COLUMNS = ['ADMIN', 'ACCOUNT_MANAGER', 'REGULAR', 'VIEW_ONLY', 'staff', 'API token'] as const;
type Column = (typeof COLUMNS)[number];
const ALL = new Set<Column>(COLUMNS);
const USERS = new Set<Column>(COLUMNS.filter((c) => c !== 'API token'));

type Relation = 'acts for' | 'reaches';

/**
 * Known gates (src/permissions/rules.ts, connection-rules.ts): who passes them, and which relation
 * of domain.md A1–A3 they judge (docs/authority.md). Staff act for and reach every account. A gate
 * missing here is printed as "?" so the table never lies.
 */
const GATES: Record<string, { who: Set<Column>; reads: string; relation?: Relation }> = {
  isAuthenticated: { who: ALL, reads: 'a valid user JWT or API token' },
  isUser: { who: USERS, reads: 'a user, not an API token (tokens are read-only, R18)' },
  isStaff: { who: new Set(['staff']), reads: 'platform staff' },
  // Account gates: roles and relation as src/permissions/rules.ts builds them.
  ...Object.fromEntries(
    Object.entries(ACCOUNT_GATES).map(([name, gate]) => [
      name,
      {
        who: new Set<Column>([...gate.roles, 'staff']),
        reads: gate.reads,
        relation: gate.relation,
      },
    ]),
  ),
};

const gateName = (name: string) => name.replace(/\(.*$/, '');
const gateTarget = (name: string) => /\((.*)\)$/.exec(name)?.[1] ?? null;

const LOGIC: Record<string, string> = {
  RuleChain: 'chain',
  RuleAnd: 'and',
  RuleOr: 'or',
  RuleRace: 'race',
  RuleNot: 'not',
};

/** The rule as an expression of rule names: `chain(isAuthenticated, isUser, isStaff)`. */
export function ruleExpression(rule: ShieldRule): string {
  const kind = rule.constructor.name;
  if (kind === 'RuleTrue') return 'allow';
  if (kind === 'RuleFalse') return 'deny';
  if (LOGIC[kind] && rule.getRules) {
    return `${LOGIC[kind]}(${rule.getRules().map(ruleExpression).join(', ')})`;
  }
  return rule.name ?? kind;
}

interface Evaluated {
  who: Set<Column>;
  unknown: string[];
  targets: string[];
  relations: Relation[];
}

function evaluate(rule: ShieldRule): Evaluated {
  const kind = rule.constructor.name;
  if (kind === 'RuleTrue') return { who: new Set(ALL), unknown: [], targets: [], relations: [] };
  if (kind === 'RuleFalse') return { who: new Set(), unknown: [], targets: [], relations: [] };
  if (LOGIC[kind] && rule.getRules) {
    const parts = rule.getRules().map(evaluate);
    const unknown = parts.flatMap((p) => p.unknown);
    const targets = parts.flatMap((p) => p.targets);
    const relations = parts.flatMap((p) => p.relations);
    if (kind === 'RuleNot') {
      const who = new Set(COLUMNS.filter((c) => !parts[0].who.has(c)));
      return { who, unknown, targets, relations };
    }
    const union = kind === 'RuleOr' || kind === 'RuleRace';
    const who = parts.reduce<Set<Column> | null>(
      (acc, p) =>
        acc === null
          ? new Set(p.who)
          : new Set(
              COLUMNS.filter((c) =>
                union ? acc.has(c) || p.who.has(c) : acc.has(c) && p.who.has(c),
              ),
            ),
      null,
    );
    return { who: who ?? new Set(), unknown, targets, relations };
  }
  const name = rule.name ?? kind;
  const gate = GATES[gateName(name)];
  const target = gateTarget(name);
  const targets = target ? [target] : [];
  if (!gate) return { who: new Set(ALL), unknown: [name], targets, relations: [] };
  return {
    who: new Set(gate.who),
    unknown: [],
    targets,
    relations: gate.relation ? [gate.relation] : [],
  };
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

function operationTable(fields: Record<string, ShieldRule>): string[] {
  const lines = [
    `| Operation | ${COLUMNS.join(' | ')} | Needs | On | Rule expression |`,
    `| --- | ${COLUMNS.map(() => ':---:').join(' | ')} | --- | --- | --- |`,
  ];
  for (const [field, rule] of Object.entries(fields)) {
    const { who, unknown, targets, relations } = evaluate(rule);
    const needs = relations.length > 0 ? [...new Set(relations)].join(', ') : '';
    const marks = COLUMNS.map((c) => (unknown.length > 0 ? '?' : who.has(c) ? '✓' : '—'));
    const on =
      targets.length > 0 ? [...new Set(targets)].map((t) => `\`${cell(t)}\``).join(', ') : '';
    lines.push(
      `| \`${field}\` | ${marks.join(' | ')} | ${needs} | ${on} | \`${cell(ruleExpression(rule))}\` |`,
    );
  }
  return lines;
}

export function renderPermissionMatrix(
  rules: Record<string, Record<string, unknown>> = permissionRules,
): string {
  const root = ['Query', 'Mutation'].filter((type) => rules[type]);
  const others = Object.keys(rules).filter((type) => !root.includes(type));
  const out: string[] = [
    '# Permissions',
    '',
    '<!-- Generated from src/permissions/permission-map.ts by `npm run docs:permissions`. Do not edit:',
    '     test/permissions/docs-up-to-date.test.ts fails when this file is stale. -->',
    '',
    'Who may call each operation: the gates of the graphql-shield map',
    '(`src/permissions/permission-map.ts`). Anything not listed is denied (`fallbackRule: deny`,',
    'answered with a top-level `FORBIDDEN` error); no token or a bad one is `UNAUTHENTICATED`.',
    '',
    'How to read the tables:',
    '',
    '- "Needs" is the relation of domain.md A1–A3 the operation requires ([authority](authority.md)):',
    "  **acts for** — the viewer's own role in the account (on a CLIENT also the owning agency's",
    '  ADMINs and ACCOUNT_MANAGERs who reach it); a connection never gives a role in the premium',
    '  client — or **reaches** — data access (own membership, client access, connection access).',
    '- Columns are the viewer\'s role in that relation **on the account named in "On"** (an argument,',
    '  or the account it leads to, e.g. `accountOf(input.reportId)` is the account of that report),',
    '  plus platform staff and partner API tokens. ✓ passes the gate, — is refused with `FORBIDDEN`.',
    '- Platform staff pass every gate.',
    '- The gates decide whether the relation allows the operation; which objects a viewer sees is decided',
    '  by the SQL visibility filter (`src/permissions/visibility.ts`). When the target is invisible to',
    '  the viewer the gate lets the request through and the operation answers `NOT_FOUND` (null for a',
    '  query), so a refusal never reveals that an object exists. `actsForAsAdminOrForbidden` is the',
    '  exception: it answers `FORBIDDEN` either way.',
    '- Query fields gated only by `isAuthenticated` return what the visibility filter lets the viewer',
    '  see; an API token sees the archived reports of its own account only (R18).',
    '',
    '## Gates',
    '',
    '| Gate | Passes for |',
    '| --- | --- |',
    ...Object.entries(GATES).map(([name, gate]) => `| \`${name}\` | ${gate.reads} |`),
    '| `parentIsVisible` | everyone: an object field whose parent already passed the visibility filter |',
    '| `visibilityFilter` | everyone: an object field that lists rows through the visibility filter itself |',
    '| `deny` | nobody |',
    '',
  ];
  for (const type of root) {
    out.push(`## ${type}`, '', ...operationTable(rules[type] as Record<string, ShieldRule>), '');
  }
  if (others.length > 0) {
    out.push(
      '## Fields of object types',
      '',
      'Relations with a resolver of their own: `parentIsVisible` — the parent object already passed',
      'the visibility filter; `visibilityFilter` — the field lists rows through the filter itself.',
      '',
      '| Field | Rule expression |',
      '| --- | --- |',
    );
    for (const type of others) {
      for (const [field, rule] of Object.entries(rules[type])) {
        out.push(`| \`${type}.${field}\` | \`${cell(ruleExpression(rule as ShieldRule))}\` |`);
      }
    }
    out.push('');
  }
  out.push(
    '## Field-level decisions',
    '',
    "Relation fields that show another account's internals or people decide per viewer, each by one",
    'named decision in `src/permissions/field-decisions.ts` that its resolver calls. The field is',
    'not refused by a gate: the viewers a decision leaves out get the answer in the last column.',
    '',
    '| Field | Rules | Shown to | Everyone else gets |',
    '| --- | --- | --- | --- |',
    ...FIELD_DECISIONS.map(
      (d) =>
        `| \`${d.field}\` | ${d.rules} | ${cell(d.shownTo)} | ${d.otherwise === 'FORBIDDEN' ? 'a `FORBIDDEN` error' : cell(d.otherwise)} |`,
    ),
    '',
  );
  return out.join('\n');
}

if (require.main === module) {
  process.stdout.write(renderPermissionMatrix());
}
