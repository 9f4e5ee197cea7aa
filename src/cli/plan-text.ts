/**
 * The readable form of `sqlmig backup plan`: per database the plan as a numbered list, how far it
 * reaches and what it waits for, the files it leaves out with their reasons; then the files that are
 * not backups, then the layout problems.
 */
import { formatLsn } from '../backup/index.js';
import type { PlanReport, RestoreTarget } from '../planning/index.js';

export function renderPlanReport(report: PlanReport, target: RestoreTarget | undefined): string {
  const lines: string[] = [];
  for (const db of report.databases) {
    lines.push(
      `Database ${db.databaseName}: ${db.status === 'Ready' ? 'ready to restore' : 'no full backup'}`,
    );
    if (db.restorePlan.length > 0) {
      lines.push('  Restore, in this order:');
      const width = String(db.restorePlan.length).length;
      db.restorePlan.forEach((step, index) => {
        const files = step.files
          .map((f) => (f.position > 1 ? `${f.file} (set ${f.position})` : f.file))
          .join(' + ');
        lines.push(
          `  ${String(index + 1).padStart(width)}. ${step.backupType.padEnd(12)} ${formatLsn(step.firstLSN)} – ${formatLsn(step.lastLSN)}  ${files}`,
        );
      });
    }
    if (db.lastRestorableLSN !== null)
      lines.push(`  Reaches LSN ${formatLsn(db.lastRestorableLSN)}.`);
    lines.push(`  Waiting for: ${db.waitingFor.message}`);
    if (db.ignored.length > 0) {
      lines.push('  Left out:');
      for (const item of db.ignored)
        lines.push(`    ${item.file}: ${item.reason} — ${item.message}`);
    }
    lines.push('');
  }
  if (report.databases.length === 0) lines.push('No backup sets found.', '');
  if (report.invalidFiles.length > 0) {
    lines.push('Files that are not usable backups:');
    for (const item of report.invalidFiles)
      lines.push(`  ${item.file}: ${item.reason} — ${item.message}`);
    lines.push('');
  }
  if (target === 'mi') {
    if (report.layoutProblems.length === 0) {
      lines.push('Layout: nothing Log Replay Service would refuse.');
    } else {
      lines.push('Layout problems for Azure SQL Managed Instance (Log Replay Service):');
      for (const problem of report.layoutProblems) {
        lines.push(`  [${problem.severity}] ${problem.code}: ${problem.message}`);
        for (const file of problem.files) lines.push(`      ${file}`);
      }
    }
    lines.push('');
  }
  return lines.join('\n');
}
