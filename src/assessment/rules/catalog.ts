/**
 * The catalog of every rule sqlmig knows, and the look-ups over it.
 */
import { microsoftRules } from './microsoft-rules.js';
import type { AssessmentRule, ServiceTier } from './rule.js';
import { sqlmigRules } from './sqlmig-rules.js';

export const assessmentRules: readonly AssessmentRule[] = Object.freeze([
  ...microsoftRules,
  ...sqlmigRules,
]);

const byId = new Map(assessmentRules.map((r) => [r.id, r]));

/** The rule of that id; throws for an unknown id (a programming error, not a user's). */
export function ruleById(id: string): AssessmentRule {
  const rule = byId.get(id);
  if (!rule) throw new Error(`no assessment rule has the id ${id}`);
  return rule;
}

/** Whether the rule applies to a target of that tier. */
export function ruleAppliesTo(rule: AssessmentRule, tier: ServiceTier): boolean {
  return rule.tiers === undefined || rule.tiers.includes(tier);
}
