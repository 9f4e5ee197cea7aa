/**
 * The offline assessment: read every source, run the code rules on its tokens (and the model rules
 * on a .dacpac's properties), keep the rules that apply to the target tier, and build the report.
 */
import { assessScriptText } from './detect/scan-script.js';
import type { SqlObjectRef } from './detect/scan-state.js';
import { FindingCollector, type AssessmentReport } from './report/report.js';
import { ruleAppliesTo, ruleById } from './rules/catalog.js';
import type { ServiceTier } from './rules/rule.js';
import { scriptSources } from './sources/script-sources.js';

export interface AssessScriptsOptions {
  /** Every finding goes to this database; otherwise each path (and USE statements) names its own. */
  readonly database?: string;
  /** Default GeneralPurpose, the tier most migrations start with. */
  readonly tier?: ServiceTier;
  /** The name the report gives the server; default `scripts`. */
  readonly serverName?: string;
  readonly now?: () => Date;
  /** Called after each source, for a progress display. */
  readonly onSource?: (file: string, done: number) => void;
}

export async function assessScripts(
  paths: readonly string[],
  options: AssessScriptsOptions = {},
): Promise<AssessmentReport> {
  const tier = options.tier ?? 'GeneralPurpose';
  const collector = new FindingCollector();
  const linkedServers = new Map<string, string>();
  const errors: AssessmentReport['errors'][number][] = [];
  const files = new Set<string>();
  let scripts = 0;
  let bytes = 0;
  const fixed = options.database;

  const record = (ruleId: string, database: string, file: string, at: Location): void => {
    const rule = ruleById(ruleId);
    if (!ruleAppliesTo(rule, tier)) return;
    collector.add(rule, database, {
      file,
      line: at.line,
      column: at.column,
      objectType: at.object?.type ?? null,
      objectName: at.object?.name ?? null,
      detail: at.detail,
    });
  };

  const sourceOptions = fixed !== undefined ? { database: fixed } : {};
  for await (const item of scriptSources(paths, sourceOptions)) {
    if (item.kind === 'error') {
      errors.push({ file: item.error.file, code: item.error.code, message: item.error.message });
      continue;
    }
    files.add(item.file);
    collector.addDatabase(item.database);
    if (item.kind === 'model') {
      record(item.hit.ruleId, item.database, item.file, {
        line: 0,
        column: 0,
        object: item.hit.object,
        detail: item.hit.detail,
      });
      continue;
    }
    scripts++;
    bytes += item.text.length;
    const hits = assessScriptText(item.text, {
      object: item.object,
      nonSqlLinkedServers: linkedServers,
    });
    for (const hit of hits)
      record(hit.ruleId, fixed ?? hit.database ?? item.database, item.file, hit);
    options.onSource?.(item.file, scripts);
  }
  return {
    schemaVersion: 1,
    mode: 'scripts',
    target: { platform: 'AzureSqlManagedInstance', tier },
    assessedAt: (options.now?.() ?? new Date()).toISOString(),
    sources: { files: files.size, scripts, bytes },
    servers: [collector.server(options.serverName ?? 'scripts')],
    errors,
  };
}

interface Location {
  readonly line: number;
  readonly column: number;
  readonly object: SqlObjectRef | null;
  readonly detail: string;
}
