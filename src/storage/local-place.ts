/**
 * The last step of a commit: renaming the finished file to the blob's path. A rename within one file
 * system is atomic: readers see the old file or the new one. On disk a blob's folders are real
 * folders, so a local store cannot hold both `a` and `a/b` as Azure Blob can: that is a conflict.
 */
import { dirname, join } from 'node:path';

import { BlobStoreError } from './errors.js';
import { errnoOf, inFolder, type LocalStoreFs } from './local-fs.js';

export async function placeFile(
  fs: LocalStoreFs,
  from: string,
  to: string,
  blob: { readonly folder: string; readonly name: string },
): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await inFolder(fs, dirname(to), () => fs.rename(from, to));
      return;
    } catch (error) {
      const code = errnoOf(error);
      // A delete of the folder's last other blob removed the folder meanwhile: create it again.
      if (code === 'ENOENT' && attempt < 3) continue;
      if (code === 'ENOTDIR' || code === 'EEXIST') throw await fileAbove(fs, blob, error);
      const target = await fs.stat(to).catch(() => null);
      if (target?.isDirectory() !== true) throw error;
      // A folder is in the way: an empty one (left by a crash) goes; one holding blobs is a conflict.
      const removed = await fs.rmdir(to).then(
        () => true,
        () => false,
      );
      if (!removed || attempt >= 3) {
        throw new BlobStoreError(
          'NameConflict',
          `Cannot commit blob "${blob.name}" in ${blob.folder}: a folder of blobs has that name ` +
            `("${blob.name}/…"), and a local folder cannot hold a file and a folder of one name. ` +
            `Name the blob differently, or delete the blobs under "${blob.name}/" first.`,
          { blobName: blob.name, cause: error },
        );
      }
    }
  }
}

/** The conflict when part of the blob's path is a file: names the blob that is in the way. */
async function fileAbove(
  fs: LocalStoreFs,
  blob: { readonly folder: string; readonly name: string },
  cause: unknown,
): Promise<BlobStoreError> {
  const segments = blob.name.split('/');
  for (let count = 1; count < segments.length; count += 1) {
    const above = segments.slice(0, count).join('/');
    const stats = await fs.stat(join(blob.folder, ...segments.slice(0, count))).catch(() => null);
    if (stats?.isFile() === true) {
      return new BlobStoreError(
        'NameConflict',
        `Cannot commit blob "${blob.name}" in ${blob.folder}: the blob "${above}" exists, and a ` +
          `local folder cannot hold a file and a folder of one name. Name the blob differently, ` +
          `or delete "${above}" first.`,
        { blobName: blob.name, cause },
      );
    }
  }
  return new BlobStoreError(
    'StorageFailed',
    `Cannot create the folders of blob "${blob.name}" in ${blob.folder}: ${String(cause)}.`,
    { blobName: blob.name, cause },
  );
}
