/**
 * The part of `node:fs/promises` the local folder store uses, as a port: tests pass a file system that
 * fails (a full disk) without needing one. Also the durable-write helper and the mapping of file
 * system errors to `BlobStoreError`.
 */
import * as nodeFs from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { randomUUID } from 'node:crypto';

import { BlobStoreError } from './errors.js';
import type { DirectWrites } from './local-direct-io.js';

export interface LocalFileStats {
  readonly size: number;
  readonly ino: number;
  readonly mtimeMs: number;
  readonly mtime: Date;
  isFile(): boolean;
  isDirectory(): boolean;
}

export interface LocalFileHandle {
  read(
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesRead: number }>;
  write(
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesWritten: number }>;
  stat(): Promise<LocalFileStats>;
  truncate(length: number): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface LocalDirectoryEntry {
  readonly name: string;
  isFile(): boolean;
  isDirectory(): boolean;
}

/** The subset of `node:fs/promises` used; `node:fs/promises` itself is one. */
export interface LocalStoreFs {
  /** `flags` as letters (`'r'`, `'wx'`), or as `fs.constants` bits (the direct writes' `O_DIRECT`). */
  open(path: string, flags: string | number, mode?: number): Promise<LocalFileHandle>;
  stat(path: string): Promise<LocalFileStats>;
  readdir(path: string, options: { withFileTypes: true }): Promise<LocalDirectoryEntry[]>;
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  mkdir(path: string, options: { recursive: true }): Promise<string | undefined>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string, options: { recursive?: boolean; force?: boolean }): Promise<void>;
  rmdir(path: string): Promise<void>;
}

export const nodeStoreFs: LocalStoreFs = nodeFs;

/**
 * Which content a file holds, as far as its stats tell: inode, size and modification time. A rename
 * keeps all three, so the identity of a file written under a temporary name is that of the blob it
 * becomes; a rewrite changes at least one (local-sidecar.ts relies on this).
 */
export function contentIdentity(stats: LocalFileStats): string {
  return `${stats.ino}:${stats.size}:${stats.mtimeMs}`;
}

export function errnoOf(error: unknown): string | undefined {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}

/** Writes all of `data` at `position`: one `write` call may write less. */
export async function writeAll(
  handle: LocalFileHandle,
  data: Uint8Array,
  position: number,
): Promise<void> {
  let written = 0;
  while (written < data.length) {
    const { bytesWritten } = await handle.write(
      data,
      written,
      data.length - written,
      position + written,
    );
    written += bytesWritten;
  }
}

/**
 * Writes a whole file so that `path` holds either its old content or all of the new: the bytes go to
 * a temporary file in `tempFolder` (same file system), are flushed to the disk, then renamed. Returns
 * the file's stats as written (a rename keeps its `contentIdentity`). With `direct`, the bytes go
 * around the page cache when the file system allows it (local-direct-io.ts).
 */
export async function writeFileAtomically(
  fs: LocalStoreFs,
  tempFolder: string,
  path: string,
  data: Uint8Array,
  direct?: DirectWrites,
): Promise<LocalFileStats> {
  const temp = join(tempFolder, `${randomUUID()}.tmp`);
  try {
    let stats;
    const written =
      direct?.available === true
        ? await inFolder(fs, tempFolder, () => direct.write(fs, temp, data))
        : null;
    const handle = written ?? (await inFolder(fs, tempFolder, () => fs.open(temp, 'wx')));
    try {
      if (written === null) await writeAll(handle, data, 0);
      await handle.sync();
      stats = await handle.stat();
    } finally {
      await handle.close();
    }
    await inFolder(fs, dirname(path), () => fs.rename(temp, path));
    return stats;
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

/**
 * Runs `create` (an open or a rename into `folder`), creating the folder first only when it is
 * missing: the folders of a busy store exist almost always, and a `mkdir` per write is a system call
 * for nothing.
 */
export async function inFolder<T>(
  fs: LocalStoreFs,
  folder: string,
  create: () => Promise<T>,
): Promise<T> {
  try {
    return await create();
  } catch (error) {
    if (errnoOf(error) !== 'ENOENT') throw error;
    await fs.mkdir(folder, { recursive: true });
    return create();
  }
}

/**
 * Flushes a folder's entries (a rename into it) to the disk. Windows cannot open a folder, and some
 * network file systems refuse to flush one; the rename itself has happened either way, so a failure
 * here only weakens durability against a power cut and is not reported.
 */
export async function syncFolder(fs: LocalStoreFs, folder: string): Promise<void> {
  if (process.platform === 'win32') return;
  try {
    const handle = await fs.open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Best effort, see above.
  }
}

export interface FailureContext {
  /** The store's folder, named in every message. */
  readonly folder: string;
  readonly blobName: string | null;
  /** What failed, as the start of a sentence: `Staging block "7" of blob "Sales/full.bak"`. */
  readonly action: string;
  /** What was kept when the disk is full, after "Nothing was lost: " (`the blocks … are kept.`). */
  readonly kept: string;
}

/** A file system error as a `BlobStoreError`; a `BlobStoreError` passes through unchanged. */
export function storeFailure(error: unknown, context: FailureContext): BlobStoreError {
  if (error instanceof BlobStoreError) return error;
  const code = errnoOf(error);
  const { folder, blobName, action } = context;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    const why = code === 'ENOSPC' ? 'is full' : 'is over its quota';
    return new BlobStoreError(
      'StorageFull',
      `${action} failed: the disk holding ${folder} ${why} (${code}). Nothing was lost: ` +
        `${context.kept} Free space on that disk, then retry.`,
      { blobName, cause: error },
    );
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new BlobStoreError(
    'StorageFailed',
    `${action} failed in ${folder}: ${detail}. Check that the folder is reachable and writable ` +
      `by sqlmig, then retry.`,
    { blobName, cause: error },
  );
}
