import type { IRule, chain as shieldChain } from 'graphql-shield';

/**
 * Logic rules of our own for the shield map, in place of graphql-shield's where its code breaks.
 *
 * graphql-shield 7.6.5 (unmaintained) walks the rules of `chain` and `race` with
 * `util.isUndefined`, which Node 23 removed: on Node 24 LTS every `chain` rejects with
 * "isUndefined is not a function" and every gated mutation answers INTERNAL_SERVER_ERROR.
 * `or`, `and` and `not` do not use it and stay graphql-shield's.
 *
 * The class is named `RuleChain`, keeps its children in `rules` and answers `getRules()` and
 * `extractFragments()` like graphql-shield's logic rules: shield recognises it as a logic rule by
 * that name, and the permission-map snapshot and docs/permissions.md render it as `chain(...)`.
 * test/permissions/shield-combinators.test.ts pins the semantics.
 */

type ShieldRule = Parameters<typeof shieldChain>[number];
type ResolveArgs = Parameters<IRule['resolve']>;
type RuleResult = Awaited<ReturnType<IRule['resolve']>>;
type Fragment = NonNullable<ReturnType<IRule['extractFragment']>>;

const isLogic = (rule: ShieldRule): rule is Extract<ShieldRule, { getRules(): ShieldRule[] }> =>
  'getRules' in rule;

export class RuleChain {
  constructor(readonly rules: ShieldRule[]) {}

  getRules(): ShieldRule[] {
    return this.rules;
  }

  extractFragments(): Fragment[] {
    return this.rules.flatMap((rule) => {
      if (isLogic(rule)) return rule.extractFragments();
      const fragment = rule.extractFragment();
      return fragment ? [fragment] : [];
    });
  }

  /** The results of the rules in order, up to and including the first that is not `true`. */
  async evaluate(...args: ResolveArgs): Promise<RuleResult[]> {
    const results: RuleResult[] = [];
    for (const rule of this.rules) {
      const result = await rule.resolve(...args);
      results.push(result);
      if (result !== true) break;
    }
    return results;
  }

  /** `true` when every rule passes; otherwise the first refusal: its error, or `false`. */
  async resolve(...args: ResolveArgs): Promise<RuleResult> {
    const results = await this.evaluate(...args);
    const refusal = results.find((result) => result !== true);
    if (refusal === undefined) return true;
    return refusal instanceof Error ? refusal : false;
  }
}

/** All rules, one after another; the first that does not pass stops the chain and decides. */
export const chain = (...rules: ShieldRule[]): RuleChain => new RuleChain(rules);
