/**
 * Blob names: a file's name as the target knows it, `<folder>/<name Log Replay Service reads>` (the
 * port's convention), chosen once when the file is known to be a backup and kept.
 */
import { uploadName } from '../../planning/index.js';
import type { FileRecord } from '../state/index.js';

import { fileDocument, type FileDocument } from './documents.js';

export function blobNameOf(record: FileRecord | undefined): string | null {
  return record ? fileDocument(record).blobName : null;
}

/** The blob names the migration's files already hold. */
export function usedBlobNames(files: Iterable<FileRecord>): Set<string> {
  const used = new Set<string>();
  for (const f of files) {
    const name = blobNameOf(f);
    if (name !== null) used.add(name);
  }
  return used;
}

/** `<folder>/<name>` with the extension Log Replay Service reads, numbered when already taken. */
export function uniqueBlobName(
  folder: string,
  fileName: string,
  doc: FileDocument,
  used: ReadonlySet<string>,
): string {
  const code = doc.backupType === 'Full' ? 1 : doc.backupType === 'Differential' ? 5 : 2;
  const name = uploadName(fileName, code);
  let candidate = `${folder}/${name}`;
  for (let n = 2; used.has(candidate); n++) {
    const dot = name.lastIndexOf('.');
    candidate = `${folder}/${name.slice(0, dot)}_${n}${name.slice(dot)}`;
  }
  return candidate;
}
