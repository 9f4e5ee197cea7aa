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
  byBlob: ReadonlyMap<string | null, FileRecord>,
  details: RestoreDetails,
): Promise<void> {
  const restoredGuids = new Set<string>();
  for (const set of [
    ...details.fullBackupSets,
    ...details.diffBackupSets,
    ...details.logBackupSets,
  ]) {
    const first = byBlob.get(set.firstStripeName);
    const guid = first ? fileDocument(first).backupSetGUID : null;
    if (guid && set.status === 'Restored') restoredGuids.add(guid);
  }
  const current = details.currentRestoringFileName
    ? byBlob.get(details.currentRestoringFileName)
    : undefined;
  const currentGuid = current ? fileDocument(current).backupSetGUID : null;
  const unrestorable = new Map(details.unrestorableFiles.map((u) => [u.name, u.reason]));
  // Only files that can still move; in restore order (LSN), so that the event log tells the restore
  // in the order it happened.
  const movable = run.book
    .all()
    .filter((f) => f.status !== 'Restored' && f.status !== 'Ignored' && f.status !== 'Canceled');
  for (const record of movable.sort(byLastLsn)) {
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

function byLastLsn(a: FileRecord, b: FileRecord): number {
  const la = BigInt(fileDocument(a).lastLSN ?? '0');
  const lb = BigInt(fileDocument(b).lastLSN ?? '0');
  return la < lb ? -1 : la > lb ? 1 : a.fileName < b.fileName ? -1 : 1;
}
