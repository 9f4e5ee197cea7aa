/**
 * A committed blob of the local folder store read by ranges. It holds the file open, so a commit that
 * replaces the blob meanwhile does not change what it reads: the rename gives the name to the new
 * file, and this handle keeps the old one until closed.
 */
import type { ByteSource } from '../backup/index.js';
import { BlobStoreError } from './errors.js';
import { storeFailure, type LocalFileHandle } from './local-fs.js';

export class LocalBlobSource implements ByteSource {
  readonly name: string;
  readonly size: number;
  readonly #handle: LocalFileHandle;
  readonly #blobName: string;
  readonly #folder: string;
  #closed = false;

  constructor(
    path: string,
    size: number,
    handle: LocalFileHandle,
    blob: { readonly name: string; readonly folder: string },
  ) {
    this.name = path;
    this.size = size;
    this.#handle = handle;
    this.#blobName = blob.name;
    this.#folder = blob.folder;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (
      !Number.isSafeInteger(offset) ||
      offset < 0 ||
      !Number.isSafeInteger(length) ||
      length < 0
    ) {
      throw new BlobStoreError(
        'InvalidArgument',
        `Cannot read ${length} bytes at offset ${offset} of blob "${this.#blobName}": offset and ` +
          `length must be whole numbers, zero or more.`,
        { blobName: this.#blobName },
      );
    }
    const wanted = Math.max(0, Math.min(length, this.size - offset));
    const buffer = new Uint8Array(wanted);
    let filled = 0;
    try {
      while (filled < wanted) {
        const { bytesRead } = await this.#handle.read(
          buffer,
          filled,
          wanted - filled,
          offset + filled,
        );
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
    } catch (error) {
      throw storeFailure(error, {
        folder: this.#folder,
        blobName: this.#blobName,
        action: `Reading blob "${this.#blobName}" at byte ${offset}`,
        kept: 'reading changes nothing.',
      });
    }
    return filled === wanted ? buffer : buffer.subarray(0, filled);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#handle.close();
  }
}
