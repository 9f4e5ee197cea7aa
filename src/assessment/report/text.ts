/**
 * The readable report: readiness first, then each finding with where it was seen and what to do.
 */
import { formatBytes } from '../live/limits.js';
import type { AssessmentReport, Finding, ImpactedObject, InstanceSummary } from './report.js';
import { readinessLabel } from './report.js';

const tierNames = {
  GeneralPurpose: 'General Purpose',
  NextGenGeneralPurpose: 'Next-gen General Purpose',
  BusinessCritical: 'Business Critical',
} as const;

/** At most this many impacted objects are listed per finding; the rest are counted. */
const maxObjectsShown = 20;

export function renderAssessmentText(report: AssessmentReport): string {
  const lines: string[] = [];
  const tier = tierNames[report.target.tier];
  lines.push(
    report.mode === 'live'
      ? `Assessment for Azure SQL Managed Instance (${tier}) of a live instance: ${report.sources.scripts} module(s) and T-SQL job step(s) read`
      : `Assessment for Azure SQL Managed Instance (${tier}) from scripts: ${report.sources.files} file(s), ${report.sources.scripts} script(s)`,
  );
  for (const error of report.errors) lines.push(`  error: ${error.message}`);
  for (const server of report.servers) {
    lines.push('', `Server ${server.name}: ${readinessLabel[server.readiness]}`);
    if (server.instance) lines.push(`  ${describeInstance(server.instance)}`);
    if (server.instanceFindings.length > 0) {
      lines.push('  Instance');
      for (const finding of server.instanceFindings) lines.push(...findingLines(finding, true));
    }
    for (const db of server.databases) {
      const { blocking, issues, warnings } = db.counts;
      lines.push(
        '',
        `  Database ${db.name}: ${readinessLabel[db.readiness]}${db.findings.length > 0 ? ` (${blocking} blocking, ${issues} issue(s), ${warnings} warning(s))` : ''}`,
      );
      for (const finding of db.findings) lines.push(...findingLines(finding, false));
    }
  }
  return `${lines.join('\n')}\n`;
}

function findingLines(finding: Finding, instance: boolean): string[] {
  const label = finding.blocksRestore ? `${finding.category}, blocks restore` : finding.category;
  const out = [`    [${label}] ${finding.ruleId}: ${finding.title}`];
  for (const object of finding.impactedObjects.slice(0, maxObjectsShown))
    out.push(`        ${where(object, instance)}`);
  const more = finding.impactedObjects.length - maxObjectsShown;
  if (more > 0) out.push(`        … and ${more} more`);
  out.push(`        fix: ${finding.fix}`, `        see: ${finding.docsUrl}`);
  return out;
}

function where(object: ImpactedObject, instance: boolean): string {
  const place = object.line > 0 ? `${object.file}:${object.line}` : object.file;
  const name =
    object.objectName !== null ? ` ${object.objectType ?? ''} ${object.objectName}`.trimEnd() : '';
  const db = instance && object.database !== undefined ? ` (database ${object.database})` : '';
  return `${place}${name}${db}: ${object.detail}`;
}

/** "SQL Server 2019 (15.0.4360.2), Enterprise Edition: 3 of 5 user databases assessed, 12.4 GiB". */
export function describeInstance(instance: InstanceSummary): string {
  return `${instance.release} (${instance.productVersion})${instance.edition ? `, ${instance.edition}` : ''}: ${instance.assessedDatabases} of ${instance.userDatabases} user database(s) assessed, ${formatBytes(instance.assessedBytes)}`;
}
