import { permissionRules } from '../../src/permissions/permission-map';

/** Shield rule objects, as far as rendering them needs. */
interface ShieldRule {
  name?: string;
  rules?: ShieldRule[];
  constructor: { name: string };
}

const LOGIC: Record<string, string> = {
  RuleAnd: 'and',
  RuleOr: 'or',
  RuleChain: 'chain',
  RuleRace: 'race',
  RuleNot: 'not',
};

/** A rule as text: its name, or the logic combinator over its children. */
export function renderRule(rule: ShieldRule): string {
  const kind = rule.constructor.name;
  if (kind === 'RuleTrue') return 'allow';
  if (kind === 'RuleFalse') return 'deny';
  if (LOGIC[kind]) return `${LOGIC[kind]}(${(rule.rules ?? []).map(renderRule).join(', ')})`;
  if (rule.name) return rule.name;
  throw new Error(`Cannot render a shield rule of kind ${kind}`);
}

/** Whether `value` is a shield rule (as opposed to a map of field rules). */
export const isShieldRule = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  Object.getPrototypeOf(value) !== Object.prototype &&
  ('func' in value || 'rules' in value || /^Rule/.test(value.constructor.name));

export type RuleMap = Record<string, Record<string, ShieldRule>>;
export const ruleMap = permissionRules as unknown as RuleMap;

/** The permission map as text, one `Type.field: rule` line per field, in map order. */
export function renderPermissionMap(map: RuleMap = ruleMap): string {
  const lines: string[] = [];
  for (const [type, fields] of Object.entries(map)) {
    for (const [field, rule] of Object.entries(fields)) {
      lines.push(`${type}.${field}: ${renderRule(rule)}`);
    }
  }
  return lines.join('\n');
}
