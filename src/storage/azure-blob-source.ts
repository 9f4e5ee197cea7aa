/**
 * A committed Azure blob read by ranges: each `read` downloads only the bytes asked for (clipped to
 * the blob), in requests of at most `requestBytes`, one at a time, into one buffer of the result's
 * size, so memory is bounded by what the caller asks for. Every request is conditional on the ETag
 * the blob had when opened: a blob replaced or deleted meanwhile fails the read, instead of mixing
 * bytes of two versions (the local folder store can keep reading the old file; Azure cannot).
 */
import type { BlockBlobClient } from '@azure/storage-blob';

import type { ByteSource } from '../backup/index.js';
import { failureOf } from './azure-errors.js';
import { BlobStoreError } from './errors.js';

/** The largest range asked for in one request; the SDK resumes a request cut short. */
const requestBytes = 4 * 1024 * 1024;
/** How often the SDK resumes one range whose download broke off. */
const resumesPerRequest = 3;

export interface AzureBlobSourceOptions {
  readonly blobName: string;
  readonly size: number;
  readonly etag: string;
  readonly client: BlockBlobClient;
  /** Turns a failure into the store's error (names the account, scrubs secrets). */
  readonly fail: (error: unknown, action: string, kept: string) => BlobStoreError;
}

export class AzureBlobSource implements ByteSource {
  readonly name: string;
  readonly size: number;
  readonly #options: AzureBlobSourceOptions;
  #closed = false;

  constructor(options: AzureBlobSourceOptions) {
    const url = new URL(options.client.url);
    this.name = `${url.origin}${url.pathname}`; // without the query, which may hold a SAS token
    this.size = options.size;
    this.#options = options;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const { blobName, client, etag } = this.#options;
    if (![offset, length].every((n) => Number.isSafeInteger(n) && n >= 0)) {
      throw new BlobStoreError(
        'InvalidArgument',
        `Cannot read ${length} bytes at offset ${offset} of blob "${blobName}": offset and ` +
          'length must be whole numbers, zero or more.',
        { blobName },
      );
    }
    if (this.#closed) {
      throw new BlobStoreError(
        'InvalidArgument',
        `Cannot read blob "${blobName}": its reader was closed. Open the blob again.`,
        { blobName },
      );
    }
    const wanted = Math.max(0, Math.min(length, this.size - offset));
    if (wanted === 0) return new Uint8Array(0);
    const buffer = Buffer.alloc(wanted);
    try {
      await client.downloadToBuffer(buffer, offset, wanted, {
        blockSize: requestBytes,
        concurrency: 1,
        maxRetryRequestsPerBlock: resumesPerRequest,
        conditions: { ifMatch: etag },
      });
    } catch (error) {
      throw await this.#readFailure(error, offset, wanted);
    }
    return new Uint8Array(buffer.buffer, buffer.byteOffset, wanted);
  }

  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }

  async #readFailure(error: unknown, offset: number, wanted: number): Promise<BlobStoreError> {
    const { blobName, client, fail } = this.#options;
    const action = `Reading ${wanted} bytes of blob "${blobName}" at byte ${offset}`;
    const { status, code } = failureOf(error);
    if (status !== 412 && !(status === 404 && code === 'BlobNotFound')) {
      return fail(error, action, 'Reading changes nothing; retry the read.');
    }
    // The ETag no longer matches: the blob was replaced, or deleted (Azurite answers 412 for both).
    const deleted = status === 404 || !(await client.exists().catch(() => true));
    return new BlobStoreError(
      deleted ? 'BlobNotFound' : 'StorageFailed',
      `${action} failed: the blob was ${deleted ? 'deleted' : 'replaced by a new commit'} since ` +
        'it was opened, and the bytes read before would not match the ones after. Open the blob ' +
        'again and read it from the start.',
      { blobName, cause: fail(error, action, '').cause },
    );
  }
}
