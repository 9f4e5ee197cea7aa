/**
 * The shape of an assessment rule: what it detects, how bad it is, how it is fixed, where it is
 * documented, and whether sqlmig detects it from scripts or only from a live instance.
 */

/** The Managed Instance service tiers a rule can depend on. */
export type ServiceTier = 'GeneralPurpose' | 'NextGenGeneralPurpose' | 'BusinessCritical';

export const serviceTiers: readonly ServiceTier[] = [
  'GeneralPurpose',
  'NextGenGeneralPurpose',
  'BusinessCritical',
];

/**
 * Where a rule's evidence comes from: `scripts` (T-SQL code: script files, a .dacpac, and live, the
 * module definitions and T-SQL job steps of the instance), `live` (only catalog views, DMVs and msdb
 * of a running instance), or `both` (code, and catalog facts of a running instance).
 */
export type RuleDetection = 'scripts' | 'live' | 'both';

export interface AssessmentRule {
  /** Microsoft's rule id where Microsoft has one; sqlmig's own ids otherwise. */
  readonly id: string;
  readonly title: string;
  readonly scope: 'instance' | 'database';
  /** `issue`: the feature does not work on the target; `warning`: it works differently or needs work. */
  readonly category: 'issue' | 'warning';
  /** True when a backup of the database cannot be restored on the target at all. */
  readonly blocksRestore: boolean;
  /** What the rule looks for, in the source's terms. */
  readonly detects: string;
  /** What to do about it. */
  readonly fix: string;
  readonly docsUrl: string;
  /** The tiers the rule applies to; absent when it applies whatever the tier. */
  readonly tiers?: readonly ServiceTier[];
  readonly detection: RuleDetection;
  /** `microsoft`: one of Microsoft's published Managed Instance rules; `sqlmig`: a difference they do not cover. */
  readonly origin: 'microsoft' | 'sqlmig';
}
