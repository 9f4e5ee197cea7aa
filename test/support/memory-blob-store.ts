/**
 * TEST STAND-IN — a blob store held in memory, for tests of code that reads uploaded backups (the
 * targets). It follows the `BlobStore` port (committed blobs listed by prefix and sorted, staged
 * blocks committed atomically, ranged reads) but is not one of sqlmig's stores: the local-folder and
 * Azure Blob stores are. It counts what readers ask of it, so tests can check that headers are read
 * by ranges and not by downloading whole blobs.
 */
import { createHash } from 'node:crypto';

import type { ByteSource } from '../../src/backup/index.js';
import type {
  BlobProperties,
  BlobStore,
  CommitOptions,
  StagedBlock,
} from '../../src/storage/index.js';

interface StoredBlob {
  readonly bytes: Uint8Array;
  readonly properties: BlobProperties;
}

export class MemoryBlobStore implements BlobStore {
  readonly description = 'an in-memory blob store (test stand-in)';
  readonly #blobs = new Map<string, StoredBlob>();
  readonly #staged = new Map<string, Map<string, Uint8Array>>();
  #clockMs: number;
  /** Bytes and calls served by `openRead` sources since the store was made. */
  bytesRead = 0;
  reads = 0;
  /** When set, `list` rejects with it (a storage outage). */
  failListing: Error | null = null;

  /** `startMs`: the time of the first write; each later write is one second later (a stable order). */
  constructor(startMs = Date.UTC(2026, 2, 1, 22, 0, 0)) {
    this.#clockMs = startMs;
  }

  /** Test helper: stages and commits `bytes` as one blob, as an upload would. */
  async put(name: string, bytes: Uint8Array): Promise<BlobProperties> {
    await this.stageBlock(name, 'b0', bytes);
    return this.commitBlocks(name, ['b0']);
  }

  list(prefix: string): Promise<BlobProperties[]> {
    if (this.failListing) return Promise.reject(this.failListing);
    const found = [...this.#blobs.values()]
      .map((blob) => blob.properties)
      .filter((p) => p.name.startsWith(prefix))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return Promise.resolve(found);
  }

  properties(name: string): Promise<BlobProperties | null> {
    return Promise.resolve(this.#blobs.get(name)?.properties ?? null);
  }

  openRead(name: string): Promise<ByteSource> {
    const blob = this.#blobs.get(name);
    if (!blob) return Promise.reject(new Error(`No blob ${name} in the in-memory store.`));
    const { bytes } = blob;
    return Promise.resolve({
      name,
      size: bytes.length,
      read: (offset: number, length: number) => {
        const start = Math.min(offset, bytes.length);
        const slice = bytes.slice(start, Math.min(offset + length, bytes.length));
        this.bytesRead += slice.length;
        this.reads += 1;
        return Promise.resolve(slice);
      },
      close: () => Promise.resolve(),
    });
  }

  stageBlock(name: string, blockId: string, data: Uint8Array): Promise<void> {
    let blocks = this.#staged.get(name);
    if (!blocks) this.#staged.set(name, (blocks = new Map<string, Uint8Array>()));
    // A copy: `data` may be a Buffer, whose `slice` is a view of memory the caller reuses.
    blocks.set(blockId, new Uint8Array(data));
    return Promise.resolve();
  }

  stagedBlocks(name: string): Promise<StagedBlock[]> {
    const blocks = this.#staged.get(name) ?? new Map<string, Uint8Array>();
    return Promise.resolve([...blocks].map(([id, data]) => ({ id, size: data.length })));
  }

  commitBlocks(
    name: string,
    blockIds: readonly string[],
    options: CommitOptions = {},
  ): Promise<BlobProperties> {
    const blocks = this.#staged.get(name) ?? new Map<string, Uint8Array>();
    const parts: Uint8Array[] = [];
    for (const id of blockIds) {
      const block = blocks.get(id);
      if (!block) return Promise.reject(new Error(`Block ${id} of ${name} was not staged.`));
      parts.push(block);
    }
    const bytes = Buffer.concat(parts);
    this.#clockMs += 1000;
    const properties: BlobProperties = {
      name,
      size: bytes.length,
      lastModified: new Date(this.#clockMs),
      contentMd5: options.contentMd5 ?? createHash('md5').update(bytes).digest('base64'),
      metadata: { ...(options.metadata ?? {}) },
    };
    this.#blobs.set(name, { bytes: new Uint8Array(bytes), properties });
    this.#staged.delete(name);
    return Promise.resolve(properties);
  }

  delete(name: string): Promise<void> {
    this.#blobs.delete(name);
    this.#staged.delete(name);
    return Promise.resolve();
  }
}
