/**
 * The target's restore details applied to the migration's files: a file whose backup set the target
 * reports restored becomes Restored, the set it is restoring Restoring, and a file the target cannot
 * restore Ignored with the target's reason. Statuses only move forward (`fileMayMove`).
 */
import type { RestoreDetails } from '../../targets/index.js';
import type { FileRecord, MigrationRecord } from '../state/index.js';

import { fileDocument } from './documents.js';
import type { EngineContext } from './engine-context.js';
import { fileMayMove } from './transitions.js';

export async function applyRestoreDetails(
  ctx: EngineContext,
  migration: MigrationRecord,
  files: readonly FileRecord[],
  byBlob: ReadonlyMap<string | null, FileRecord>,
  details: RestoreDetails,
): Promise<FileRecord[]> {
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
  const updated = new Map<FileRecord, FileRecord>();
  // In restore order (LSN), so that the event log tells the restore in the order it happened.
  for (const record of [...files].sort(byLastLsn)) {
    const doc = fileDocument(record);
    let next: FileRecord = record;
    if (
      doc.backupSetGUID &&
      restoredGuids.has(doc.backupSetGUID) &&
      fileMayMove(record.status, 'Restored')
    ) {
      next = await ctx.records.putFile(
        migration.id,
        record.fileName,
        'Restored',
        record,
        { restoredOn: ctx.records.now() },
        `${record.fileName}: restored.`,
      );
    } else if (
      doc.backupSetGUID &&
      doc.backupSetGUID === currentGuid &&
      fileMayMove(record.status, 'Restoring')
    ) {
      next = await ctx.records.putFile(
        migration.id,
        record.fileName,
        'Restoring',
        record,
        {},
        `${record.fileName}: restoring.`,
      );
    } else if (doc.blobName && unrestorable.has(doc.blobName) && record.status === 'Uploaded') {
      const reason = unrestorable.get(doc.blobName) ?? 'Unrestorable';
      next = await ctx.records.putFile(
        migration.id,
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
    updated.set(record, next);
  }
  return files.map((record) => updated.get(record) ?? record);
}

function byLastLsn(a: FileRecord, b: FileRecord): number {
  const la = BigInt(fileDocument(a).lastLSN ?? '0');
  const lb = BigInt(fileDocument(b).lastLSN ?? '0');
  return la < lb ? -1 : la > lb ? 1 : a.fileName < b.fileName ? -1 : 1;
}
