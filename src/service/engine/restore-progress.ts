/**
 * The target's restore details applied to the migration's files: a file whose backup set the target
 * reports restored becomes Restored, the set it is restoring Restoring, and a file the target cannot
 * restore Ignored with the target's reason. Statuses only move forward (`fileMayMove`).
 */
import type { RestoreDetails } from '../../targets/index.js';
import type { FileRecord } from '../state/index.js';

import { fileDocument } from './documents.js';
import type { MigrationRun } from './migration-run.js';
import { fileMayMove } from './transitions.js';

export async function applyRestoreDetails(
  run: MigrationRun,
  details: RestoreDetails,
): Promise<void> {
  // Only files that can still move; in restore order (LSN), so that the event log tells the restore
  // in the order it happened.
  const movable = [...run.book.movable()];
  if (movable.length === 0) return;
  const byBlob = byBlobName(movable);
  const restoredGuids = new Set<string>();
  for (const set of [
    ...details.fullBackupSets,
    ...details.diffBackupSets,
    ...details.logBackupSets,
  ]) {
    if (set.status !== 'Restored') continue;
    // By its first stripe's file; or, when that file is restored already (a striped set whose other
    // stripes were not recorded yet), by the set's GUID.
    const first = byBlob.get(set.firstStripeName);
    const guid = first ? fileDocument(first).backupSetGUID : set.backupSetGUID;
    if (guid) restoredGuids.add(guid);
  }
  const current = details.currentRestoringFileName
    ? byBlob.get(details.currentRestoringFileName)
    : undefined;
  const currentGuid = current ? fileDocument(current).backupSetGUID : null;
  const unrestorable = new Map(details.unrestorableFiles.map((u) => [u.name, u.reason]));
  for (const record of inLsnOrder(movable)) {
    const doc = fileDocument(record);
    if (
      doc.backupSetGUID &&
      restoredGuids.has(doc.backupSetGUID) &&
      fileMayMove(record.status, 'Restored')
    ) {
      await run.book.put(
        record.fileName,
        'Restored',
        record,
        { restoredOn: run.book.now() },
        `${record.fileName}: restored.`,
      );
    } else if (
      doc.backupSetGUID &&
      doc.backupSetGUID === currentGuid &&
      fileMayMove(record.status, 'Restoring')
    ) {
      await run.book.put(
        record.fileName,
        'Restoring',
        record,
        {},
        `${record.fileName}: restoring.`,
      );
    } else if (doc.blobName && unrestorable.has(doc.blobName) && record.status === 'Uploaded') {
      const reason = unrestorable.get(doc.blobName) ?? 'Unrestorable';
      await run.book.put(
        record.fileName,
        'Ignored',
        record,
        {
          ignoreReason: reason,
          ignoreMessage: `The target cannot restore this file: ${reason}.`,
        },
        `${record.fileName} ignored by the target: ${reason}.`,
      );
    }
  }
}

/** The target names files within the database's folder; the store keeps the whole blob name. */
function byBlobName(files: readonly FileRecord[]): Map<string | null, FileRecord> {
  const byBlob = new Map<string | null, FileRecord>();
  for (const f of files) {
    const blob = fileDocument(f).blobName;
    byBlob.set(blob, f);
    if (blob !== null) byBlob.set(blob.slice(blob.indexOf('/') + 1), f);
  }
  return byBlob;
}

/** By last LSN, then name; each LSN parsed once (a busy poll sorts every file not restored yet). */
function inLsnOrder(files: readonly FileRecord[]): FileRecord[] {
  return files
    .map((record) => ({ record, lsn: BigInt(fileDocument(record).lastLSN ?? '0') }))
    .sort((a, b) =>
      a.lsn < b.lsn ? -1 : a.lsn > b.lsn ? 1 : a.record.fileName < b.record.fileName ? -1 : 1,
    )
    .map(({ record }) => record);
}
