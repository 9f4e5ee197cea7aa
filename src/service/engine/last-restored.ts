/**
 * The last file the target restored, as the engine's records say: the restored file with the highest
 * LastLSN (a restore chain only moves forward in LSN order; stripes of one set share their LSNs and
 * the first stripe stands for the set). Not the latest `restoredOn`: files restored in one poll share
 * that time, and a restart must take up the restore exactly where it was.
 */
import type { FileRecord } from '../state/index.js';

import { fileDocument } from './documents.js';

export function lastRestoredFile(files: readonly FileRecord[]): FileRecord | undefined {
  let best: { record: FileRecord; lsn: bigint; family: number } | undefined;
  for (const record of files) {
    if (record.status !== 'Restored') continue;
    const doc = fileDocument(record);
    const lsn = BigInt(doc.lastLSN ?? '0');
    const family = doc.familySequenceNumber ?? 1;
    if (!best || lsn > best.lsn || (lsn === best.lsn && family < best.family))
      best = { record, lsn, family };
  }
  return best?.record;
}
