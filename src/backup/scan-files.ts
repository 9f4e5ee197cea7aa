/**
 * Reads the headers of many backup files: the paths a user named, folders expanded (recursively on
 * request), read a few at a time. Every file yields a result, readable or not, in a stable order.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { countingSource, openFileSource, readWholeIfSmall } from './byte-source.js';
import { BackupReadError } from './errors.js';
import { readBackupMedia } from './media-reader.js';
import type { BackupMedia } from './types.js';

export type FileResult =
  | { readonly file: string; readonly media: BackupMedia; readonly bytesRead: number }
  | { readonly file: string; readonly error: BackupReadError };

export interface ScanOptions {
  /** Descend into sub-folders of a named folder. */
  readonly recursive?: boolean;
  /** Files read at once. Default 8. */
  readonly concurrency?: number;
}

/** Expands folders into the files they hold, sorted by path; a missing path is an error result. */
export async function listBackupFiles(
  paths: readonly string[],
  options: ScanOptions = {},
): Promise<{ files: string[]; missing: FileResult[] }> {
  const files: string[] = [];
  const missing: FileResult[] = [];
  const visit = async (path: string, named: boolean): Promise<void> => {
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      missing.push({
        file: path,
        error: new BackupReadError(
          'ReadFailed',
          `Cannot read ${path}: it does not exist or is not accessible.`,
          { cause: error },
        ),
      });
      return;
    }
    if (info.isFile()) {
      files.push(path);
    } else if (info.isDirectory() && (named || options.recursive)) {
      const entries = (await readdir(path)).sort();
      for (const entry of entries) await visit(join(path, entry), false);
    }
  };
  for (const path of paths) await visit(path, true);
  return { files, missing };
}

/**
 * Reads one file's media, turning every failure into a coded error result. With `readWholeUpToBytes`,
 * a file no larger than that is read in one call (`readWholeIfSmall`).
 */
export async function readBackupFile(
  file: string,
  options: { readWholeUpToBytes?: number } = {},
): Promise<FileResult> {
  let source;
  try {
    source = await openFileSource(file);
  } catch (error) {
    return { file, error: asBackupError(file, error) };
  }
  // Counted below the whole-file read: `bytesRead` is what came from the disk.
  const counted = countingSource(source);
  const reading =
    options.readWholeUpToBytes === undefined
      ? counted
      : readWholeIfSmall(counted, options.readWholeUpToBytes);
  try {
    const media = await readBackupMedia(reading);
    return { file, media, bytesRead: counted.bytesRead };
  } catch (error) {
    return { file, error: asBackupError(file, error) };
  } finally {
    await source.close();
  }
}

/** Reads every named file (folders expanded), in path order. */
export async function readBackupFiles(
  paths: readonly string[],
  options: ScanOptions = {},
): Promise<FileResult[]> {
  const { files, missing } = await listBackupFiles(paths, options);
  const results: FileResult[] = new Array<FileResult>(files.length);
  const concurrency = Math.max(1, options.concurrency ?? 8);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const index = next++;
      const file = files[index] as string;
      results[index] = await readBackupFile(file);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
  return [...missing, ...results];
}

function asBackupError(file: string, error: unknown): BackupReadError {
  if (error instanceof BackupReadError) return error;
  // Anything else is a bug in the reader, not a property of the file: say so plainly.
  return new BackupReadError(
    'UnsupportedFormat',
    `sqlmig could not read ${file}: ${error instanceof Error ? error.message : String(error)}. This is a defect in sqlmig; please report it with the file's first bytes.`,
    { cause: error },
  );
}
