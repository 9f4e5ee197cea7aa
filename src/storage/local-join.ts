/**
 * Joins staged block files into one new file for a commit: copied in chunks (a block can be
 * gigabytes), hashed on the way (MD5, as Azure Blob's Content-MD5) unless the staging already knows
 * the MD5, flushed to the disk. The result is a temporary file in the store's own folder, so that
 * renaming it over the blob is atomic. A commit of one block renames the block's file instead, and
 * only hashes it when its MD5 is not known (`hashFile`).
 */
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';

import { inFolder, writeAll, type LocalFileStats, type LocalStoreFs } from './local-fs.js';

export interface JoinedFile {
  readonly path: string;
  /** Base64 MD5 of the content. */
  readonly contentMd5: string;
  /** Of the finished file; a rename keeps them (see `contentIdentity`). */
  readonly stats: LocalFileStats;
}

const chunkBytes = 1024 * 1024;

/** `knownMd5`: the MD5 of the joined content when known already; the bytes are hashed when null. */
export async function joinFiles(
  fs: LocalStoreFs,
  tempFolder: string,
  parts: readonly string[],
  knownMd5: string | null,
): Promise<JoinedFile> {
  const path = join(tempFolder, `${randomUUID()}.tmp`);
  const hash = createHash('md5');
  const hashing = knownMd5 === null;
  try {
    const output = await inFolder(fs, tempFolder, () => fs.open(path, 'wx'));
    try {
      const buffer = new Uint8Array(chunkBytes);
      let position = 0;
      for (const part of parts) {
        const input = await fs.open(part, 'r');
        try {
          for (let offset = 0; ;) {
            const { bytesRead } = await input.read(buffer, 0, buffer.length, offset);
            if (bytesRead === 0) break;
            const chunk = buffer.subarray(0, bytesRead);
            if (hashing) hash.update(chunk);
            await writeAll(output, chunk, position);
            position += bytesRead;
            offset += bytesRead;
          }
        } finally {
          await input.close();
        }
      }
      await output.sync();
      const stats = await output.stat();
      return { path, contentMd5: knownMd5 ?? hash.digest('base64'), stats };
    } finally {
      await output.close();
    }
  } catch (error) {
    await fs.rm(path, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** The MD5 of a file's bytes, and its stats once read (what the hash describes). */
export async function hashFile(
  fs: LocalStoreFs,
  path: string,
): Promise<{ readonly contentMd5: string; readonly stats: LocalFileStats }> {
  const hash = createHash('md5');
  const input = await fs.open(path, 'r');
  try {
    const buffer = new Uint8Array(chunkBytes);
    for (let offset = 0; ;) {
      const { bytesRead } = await input.read(buffer, 0, buffer.length, offset);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      offset += bytesRead;
    }
    return { contentMd5: hash.digest('base64'), stats: await input.stat() };
  } finally {
    await input.close();
  }
}
