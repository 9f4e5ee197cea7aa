/**
 * Blob names in the local folder store: the port's rules (blob-rules.ts) and what a disk adds, and
 * where a name lives on disk.
 */
import { join } from 'node:path';

import { validateBlobName } from './blob-rules.js';
import { BlobStoreError } from './errors.js';

/** First folder names the store keeps for itself (compared ignoring case). */
export const reservedPrefix = '.sqlmig-';
/** Most file systems' limit on one file or folder name, in bytes. */
const maxSegmentBytes = 255;

export function isReserved(segment: string): boolean {
  return segment.toLowerCase().startsWith(reservedPrefix);
}

/** Rejects a name that breaks the port's rules or cannot be a path under `folder`. */
export function checkLocalName(folder: string, name: string): void {
  validateBlobName(name);
  const segments = name.split('/');
  const problem = isReserved(segments[0] ?? '')
    ? `its first folder starts with "${reservedPrefix}", which the local folder store keeps for ` +
      'its own files'
    : segments.some((s) => Buffer.byteLength(s, 'utf8') > maxSegmentBytes)
      ? `one of its folder or file names is longer than ${maxSegmentBytes} bytes, the limit of ` +
        'file systems'
      : null;
  if (problem !== null) {
    throw new BlobStoreError(
      'InvalidBlobName',
      `The blob name "${name}" cannot be stored in ${folder}: ${problem}. Rename the file or ` +
        'folder it comes from.',
      { blobName: name },
    );
  }
}

/** Whether a file found in the folder has a name a blob can have (files put there by hand may not). */
export function isLocalName(folder: string, name: string): boolean {
  try {
    checkLocalName(folder, name);
    return true;
  } catch {
    return false;
  }
}

export function pathOf(folder: string, name: string): string {
  return join(folder, ...name.split('/'));
}
