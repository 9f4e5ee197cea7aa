/**
 * A cap on how fast a runtime node uploads (`sqlmig runtime --max-upload-kib-per-second`), so that
 * moving backups during business hours leaves the network to the production workload. It wraps the
 * blob store: each staged block first waits until the bytes sent so far, by every upload of the node,
 * fit under the rate. The cap is shared by all uploads; nothing else about the store changes.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import type { BlobStore } from '../storage/index.js';

export class UploadRateLimit {
  readonly bytesPerSecond: number;
  /** When the bytes let through so far will have been "paid for" at the rate (ms, monotonic). */
  #paidUntil = 0;

  constructor(bytesPerSecond: number) {
    if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0)
      throw new RangeError(
        `The upload rate must be a positive number of bytes a second, not ${bytesPerSecond}.`,
      );
    this.bytesPerSecond = bytesPerSecond;
  }

  /** Waits until `bytes` more may be sent (a block is sent whole once its turn comes). */
  async take(bytes: number, signal?: AbortSignal): Promise<void> {
    const now = performance.now();
    const start = Math.max(now, this.#paidUntil);
    this.#paidUntil = start + (bytes * 1000) / this.bytesPerSecond;
    const waitMs = start - now;
    if (waitMs > 1) await sleep(waitMs, undefined, signal ? { signal } : {});
  }

  /** `store`, its block staging held to the rate. */
  wrap(store: BlobStore): BlobStore {
    return {
      description: store.description,
      list: (prefix) => store.list(prefix),
      properties: (name) => store.properties(name),
      openRead: (name) => store.openRead(name),
      stageBlock: async (name, id, data, options) => {
        await this.take(data.byteLength);
        return store.stageBlock(name, id, data, options);
      },
      stagedBlocks: (name) => store.stagedBlocks(name),
      commitBlocks: (name, ids, options) => store.commitBlocks(name, ids, options),
      delete: (name) => store.delete(name),
    };
  }
}
