/**
 * Joins staged block files into one file for a commit: copied in chunks (a block can be gigabytes),
 * hashed on the way (MD5, as Azure Blob's Content-MD5) unless the MD5 is known already, flushed to
 * the disk. The result is a temporary file in the store's own folder, so that renaming it over the
 * blob is atomic. A commit of one block renames the block's file instead, and only hashes it when
 * its MD5 is not known (`hashFile`).
 *
 * The first block's file becomes the joined file when the commit may take it (`takeFirst`: it is
 * the blob's own staged block, used once): renamed to the temporary name, the other blocks appended,
 * so its bytes are neither read back nor written again (a backup of one whole block and a few KiB
 * more costs the few KiB). Should the join or the rest of the commit fail, `abandon` gives it back,
 * cut to its size, under its staged name. Should the process die in between, the block is missing
 * from the staging folder and the upload stages it again when it resumes; the temporary file is
 * left over until the store's `removeLeftovers` (run when the service starts).
 */
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';

import {
  inFolder,
  writeAll,
  type LocalFileHandle,
  type LocalFileStats,
  type LocalStoreFs,
} from './local-fs.js';

export interface JoinedFile {
  readonly path: string;
  /** Base64 MD5 of the content. */
  readonly contentMd5: string;
  /** Of the finished file; a rename keeps them (see `contentIdentity`). */
  readonly stats: LocalFileStats;
  /** Undoes the join when the commit fails: the taken block goes back, a new file is removed. */
  abandon(): Promise<void>;
}

const chunkBytes = 1024 * 1024;

/** `knownMd5`: the MD5 of the joined content when known already; the bytes are hashed when null. */
export async function joinFiles(
  fs: LocalStoreFs,
  tempFolder: string,
  parts: readonly string[],
  knownMd5: string | null,
  { takeFirst }: { readonly takeFirst: boolean },
): Promise<JoinedFile> {
  const path = join(tempFolder, `${randomUUID()}.tmp`);
  const [first, ...rest] = parts;
  const taken = takeFirst && first !== undefined && !rest.includes(first) ? first : null;
  const hash = knownMd5 === null ? createHash('md5') : null;
  let abandon = () => fs.rm(path, { force: true });
  try {
    let output: LocalFileHandle;
    let position = 0;
    if (taken === null) {
      output = await inFolder(fs, tempFolder, () => fs.open(path, 'wx'));
    } else {
      await inFolder(fs, tempFolder, () => fs.rename(taken, path));
      output = await fs.open(path, 'r+');
      position = (await output.stat()).size;
      const takenSize = position;
      abandon = () => giveBack(fs, path, taken, takenSize);
      if (hash) await copyFrom(output, 0, position, hash, null);
    }
    try {
      for (const part of taken === null ? parts : rest) {
        const input = await fs.open(part, 'r');
        try {
          position = await copyFrom(input, position, Infinity, hash, output);
        } finally {
          await input.close();
        }
      }
      await output.sync();
      const stats = await output.stat();
      return { path, contentMd5: knownMd5 ?? hash?.digest('base64') ?? '', stats, abandon };
    } finally {
      await output.close();
    }
  } catch (error) {
    await abandon().catch(() => undefined);
    throw error;
  }
}

/**
 * Reads `input` from its start (up to `limit` bytes), hashing into `hash` and appending to `output`
 * at `position` when given; returns the position after the bytes appended.
 */
async function copyFrom(
  input: LocalFileHandle,
  position: number,
  limit: number,
  hash: ReturnType<typeof createHash> | null,
  output: LocalFileHandle | null,
): Promise<number> {
  // A block of a few KiB gets a buffer of its size, not of a chunk.
  const size = Math.min(limit, (await input.stat()).size);
  const buffer = new Uint8Array(Math.max(1, Math.min(chunkBytes, size)));
  let at = position;
  for (let offset = 0; offset < limit;) {
    const length = Math.min(buffer.length, limit - offset);
    const { bytesRead } = await input.read(buffer, 0, length, offset);
    if (bytesRead === 0) break;
    const chunk = buffer.subarray(0, bytesRead);
    hash?.update(chunk);
    if (output) await writeAll(output, chunk, at);
    at += bytesRead;
    offset += bytesRead;
  }
  return at;
}

/** A taken block's file back under its staged name, cut to the size it had. */
async function giveBack(fs: LocalStoreFs, path: string, staged: string, size: number) {
  const handle = await fs.open(path, 'r+');
  try {
    await handle.truncate(size);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(path, staged);
}

/** The MD5 of a file's bytes, and its stats once read (what the hash describes). */
export async function hashFile(
  fs: LocalStoreFs,
  path: string,
): Promise<{ readonly contentMd5: string; readonly stats: LocalFileStats }> {
  const hash = createHash('md5');
  const input = await fs.open(path, 'r');
  try {
    await copyFrom(input, 0, Infinity, hash, null);
    return { contentMd5: hash.digest('base64'), stats: await input.stat() };
  } finally {
    await input.close();
  }
}
