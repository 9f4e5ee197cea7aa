/** The readable form of a migration: status, what it waits for, and its backup files. */
import type { MigrationResource } from '../client/index.js';

export function renderMigration(migration: MigrationResource): string {
  const p = migration.properties;
  const d = p.migrationStatusDetails;
  const lines = [
    `Migration ${migration.name} (from ${p.sourceDatabaseName}, ${p.kind}${p.kind === 'Rehearsal' ? ': nothing is restored' : ''}): ${p.migrationStatus}${d ? ` — ${d.migrationState}` : ''}`,
  ];
  if (p.migrationFailureError)
    lines.push(`  Error ${p.migrationFailureError.code}: ${p.migrationFailureError.message}`);
  if (d) {
    lines.push(
      `  Last restored: ${d.lastRestoredFilename ?? '-'}; restoring: ${d.currentRestoringFilename ?? '-'}; log backups pending: ${d.pendingLogBackupsCount}`,
    );
    if (d.restoreBlockingReason) lines.push(`  Blocked: ${d.restoreBlockingReason}`);
    for (const error of d.fileUploadBlockingErrors) lines.push(`  Upload problem: ${error}`);
    const rows: string[][] = [];
    for (const set of d.activeBackupSets) {
      for (const file of set.listOfBackupFiles) {
        rows.push([
          file.fileName,
          set.backupType ?? '?',
          file.status === 'Ignored' ? `Ignored (${file.ignoreReason ?? '?'})` : file.status,
          `${mib(file.dataWritten)}/${mib(file.totalSize)}`,
          file.copyThroughput ? `${(file.copyThroughput / 1024).toFixed(1)} MiB/s` : '',
          `${set.firstLSN ?? '?'} – ${set.lastLSN ?? '?'}`,
        ]);
      }
    }
    for (const invalid of d.invalidFiles)
      rows.push([invalid.fileName, '-', `Ignored (${invalid.reason})`, '', '', '']);
    if (rows.length > 0) {
      const header = ['File', 'Type', 'Status', 'Uploaded', 'Speed', 'LSNs'];
      const widths = header.map((h, i) =>
        Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)),
      );
      const fmt = (r: string[]) =>
        `  ${r
          .map((c, i) => c.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd()}`;
      lines.push(fmt(header), ...rows.map(fmt));
    }
  }
  return `${lines.join('\n')}\n`;
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
