/**
 * The assessment report: servers → databases → findings (one per rule, with its impacted objects),
 * readiness per database and per server. Plain data: it is also the `--json` document
 * (docs/assessment.md describes it).
 */
import type { AssessmentRule, ServiceTier } from '../rules/rule.js';

export type Readiness = 'Ready' | 'ReadyWithWarnings' | 'NotReady';

export interface ImpactedObject {
  /** The script file; live, the catalog view, DMV or msdb table the fact was read from. */
  readonly file: string;
  /** 1-based line in the file (live: in the module's definition); 0 for a catalog fact. */
  readonly line: number;
  readonly column: number;
  /** PROCEDURE, FUNCTION, VIEW, TRIGGER, TABLE, … or null for code outside any module. */
  readonly objectType: string | null;
  readonly objectName: string | null;
  readonly detail: string;
  /** For instance findings: the database whose scripts (live: whose catalog) held it. */
  readonly database?: string;
}

export interface Finding {
  readonly ruleId: string;
  readonly title: string;
  readonly scope: 'instance' | 'database';
  readonly category: 'issue' | 'warning';
  readonly blocksRestore: boolean;
  readonly fix: string;
  readonly docsUrl: string;
  readonly impactedObjects: readonly ImpactedObject[];
}

export interface DatabaseAssessment {
  readonly name: string;
  readonly readiness: Readiness;
  readonly counts: {
    readonly blocking: number;
    readonly issues: number;
    readonly warnings: number;
  };
  readonly findings: readonly Finding[];
}

export interface ServerAssessment {
  readonly name: string;
  readonly readiness: Readiness;
  /** Live only: what the instance is. */
  readonly instance?: InstanceSummary;
  readonly instanceFindings: readonly Finding[];
  readonly databases: readonly DatabaseAssessment[];
}

/** The assessed instance (live): release, edition, how many databases, their size. */
export interface InstanceSummary {
  /** SERVERPROPERTY('ProductVersion'), e.g. 15.0.4360.2. */
  readonly productVersion: string;
  /** SQL Server 2008, 2008 R2, 2012 … 2022. */
  readonly release: string;
  readonly edition: string;
  /** User databases on the instance. */
  readonly userDatabases: number;
  /** Databases assessed (selected and online). */
  readonly assessedDatabases: number;
  /** Data and log files of the assessed databases, in bytes. */
  readonly assessedBytes: number;
}

export interface AssessmentReport {
  readonly schemaVersion: 1;
  /** `scripts`: T-SQL files and .dacpac files; `live`: a running instance's catalog. */
  readonly mode: 'scripts' | 'live';
  readonly target: { readonly platform: 'AzureSqlManagedInstance'; readonly tier: ServiceTier };
  readonly assessedAt: string;
  readonly sources: { readonly files: number; readonly scripts: number; readonly bytes: number };
  readonly servers: readonly ServerAssessment[];
  readonly errors: readonly {
    readonly file: string;
    readonly code: string;
    readonly message: string;
  }[];
}

/** Collects impacted objects per database and rule while sources are read. */
export class FindingCollector {
  readonly #instance = new Map<string, ImpactedObject[]>();
  readonly #databases = new Map<string, Map<string, ImpactedObject[]>>();
  readonly #rules = new Map<string, AssessmentRule>();

  addDatabase(name: string): void {
    if (!this.#databases.has(name)) this.#databases.set(name, new Map());
  }

  /** `database` null: an instance fact that belongs to no database (instance rules only). */
  add(rule: AssessmentRule, database: string | null, object: ImpactedObject): void {
    if (database === null && rule.scope !== 'instance')
      throw new Error(`rule ${rule.id} is a database rule: its findings need a database`);
    this.#rules.set(rule.id, rule);
    if (database !== null) this.addDatabase(database);
    const perRule =
      database === null || rule.scope === 'instance'
        ? this.#instance
        : (this.#databases.get(database) as Map<string, ImpactedObject[]>);
    const list = perRule.get(rule.id);
    const entry = rule.scope === 'instance' && database !== null ? { ...object, database } : object;
    if (list) list.push(entry);
    else perRule.set(rule.id, [entry]);
  }

  server(name: string): ServerAssessment {
    const databases = [...this.#databases.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([dbName, perRule]): DatabaseAssessment => {
        const findings = this.#findings(perRule);
        return {
          name: dbName,
          readiness: readinessOf(findings),
          counts: countsOf(findings),
          findings,
        };
      });
    const instanceFindings = this.#findings(this.#instance);
    const readiness = worst([readinessOf(instanceFindings), ...databases.map((d) => d.readiness)]);
    return { name, readiness, instanceFindings, databases };
  }

  #findings(perRule: Map<string, ImpactedObject[]>): Finding[] {
    return [...perRule.entries()]
      .map(([id, impactedObjects]): Finding => {
        const rule = this.#rules.get(id) as AssessmentRule;
        return {
          ruleId: id,
          title: rule.title,
          scope: rule.scope,
          category: rule.category,
          blocksRestore: rule.blocksRestore,
          fix: rule.fix,
          docsUrl: rule.docsUrl,
          impactedObjects,
        };
      })
      .sort((a, b) => severity(b) - severity(a) || a.ruleId.localeCompare(b.ruleId));
  }
}

function severity(f: Finding): number {
  return f.blocksRestore ? 2 : f.category === 'issue' ? 1 : 0;
}

/** Not ready when a finding blocks the restore; ready with warnings when anything else was found. */
export function readinessOf(findings: readonly Finding[]): Readiness {
  if (findings.some((f) => f.blocksRestore)) return 'NotReady';
  return findings.length > 0 ? 'ReadyWithWarnings' : 'Ready';
}

function worst(all: readonly Readiness[]): Readiness {
  if (all.includes('NotReady')) return 'NotReady';
  return all.includes('ReadyWithWarnings') ? 'ReadyWithWarnings' : 'Ready';
}

function countsOf(findings: readonly Finding[]): DatabaseAssessment['counts'] {
  return {
    blocking: findings.filter((f) => f.blocksRestore).length,
    issues: findings.filter((f) => f.category === 'issue').length,
    warnings: findings.filter((f) => f.category === 'warning').length,
  };
}

export const readinessLabel: Record<Readiness, string> = {
  Ready: 'Ready',
  ReadyWithWarnings: 'Ready with warnings',
  NotReady: 'Not ready',
};
