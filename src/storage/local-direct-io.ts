/**
 * Writing staged block files around the page cache (Linux's `O_DIRECT`), where the system allows it.
 *
 * A block file is flushed to the disk as soon as it is written (local-fs.ts), so keeping its bytes in
 * the page cache buys nothing: they are not read again before the blob is, and a migration writes
 * gigabytes of them, each new page of cache taken from free memory. Where fresh memory is costly
 * (a VM whose host hands pages out on first touch, as this project's machines), that costs the kernel
 * far more than the copy: about 10 ms of system time per 4 MiB block against 1 to 3 ms written
 * direct, fsync included (docs/migration-engine.md, "Throughput"). Backup tools write this way for
 * the same reason (SQL Server's BACKUP itself, `dd oflag=direct`).
 *
 * Direct I/O wants the memory, the file offset and the length aligned to the device's logical block
 * (512 B or 4 KiB). The block is copied into a buffer of WebAssembly memory, which starts on a page
 * boundary, and written padded to a whole 4 KiB; the file is then cut to the block's size. Where
 * direct I/O is not available (another OS, tmpfs, some network file systems) or refuses a write, the
 * write goes through the page cache as before, and later writes of the same store do too: the choice
 * changes how the bytes travel, never which bytes a file holds.
 */
import { constants } from 'node:fs';

import { errnoOf, writeAll, type LocalFileHandle, type LocalStoreFs } from './local-fs.js';

/** Every direct write is padded to a multiple of this (covers 512 B and 4 KiB logical blocks). */
const alignment = 4096;
/** WebAssembly memory grows in pages of 64 KiB. */
const wasmPage = 64 * 1024;
/** Free aligned buffers kept for the next writes, in bytes (one upload thread's few in flight). */
const keptBytes = 64 * 1024 * 1024;

/** WebAssembly's memory constructor (Node has it; the project's type libraries do not declare it). */
const { Memory } = (
  globalThis as unknown as {
    WebAssembly: { Memory: new (pages: { initial: number }) => { buffer: ArrayBuffer } };
  }
).WebAssembly;

/** `O_DIRECT` where the platform has it (Linux), else undefined. */
const directFlag: number | undefined = (constants as { O_DIRECT?: number }).O_DIRECT;

export class DirectWrites {
  /** Cleared for good on the first refusal: the store's file system does not take direct I/O. */
  #available: boolean;
  readonly #free: Uint8Array[] = [];

  constructor(enabled = true) {
    this.#available = enabled && directFlag !== undefined;
  }

  get available(): boolean {
    return this.#available;
  }

  /**
   * Writes `data` to a new file at `path` (which must not exist) with direct I/O and returns its open
   * handle, positioned nowhere in particular, for the caller to flush and close; null when direct
   * I/O is not available for this store (nothing was left at `path`): the caller writes the file
   * through the page cache instead. Other failures (a full disk) are thrown, `path` removed.
   */
  async write(fs: LocalStoreFs, path: string, data: Uint8Array): Promise<LocalFileHandle | null> {
    if (!this.#available || directFlag === undefined) return null;
    const padded = Math.ceil(data.length / alignment) * alignment;
    const buffer = this.#take(padded);
    if (buffer === null) return null; // no memory for one now: this write goes through the cache
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | directFlag;
    let handle: LocalFileHandle;
    try {
      handle = await fs.open(path, flags, 0o666);
    } catch (error) {
      this.#give(buffer);
      if (errnoOf(error) !== 'EINVAL') throw error;
      this.#available = false; // the file system refuses O_DIRECT (tmpfs, for one)
      return null;
    }
    try {
      buffer.set(data);
      buffer.fill(0, data.length, padded);
      await writeAll(handle, buffer.subarray(0, padded), 0);
      if (padded !== data.length) await handle.truncate(data.length);
      return handle;
    } catch (error) {
      await handle.close().catch(() => undefined);
      await fs.rm(path, { force: true });
      // A refused alignment (a device with larger blocks, a short write that left the rest
      // unaligned): this store writes through the page cache from now on.
      if (errnoOf(error) !== 'EINVAL') throw error;
      this.#available = false;
      return null;
    } finally {
      this.#give(buffer);
    }
  }

  /**
   * A page-aligned buffer of at least `size` bytes: the smallest free one that fits, or new
   * WebAssembly memory; null when the engine will not reserve more of that now.
   */
  #take(size: number): Uint8Array | null {
    let best: Uint8Array | undefined;
    for (const buffer of this.#free) {
      if (buffer.length >= size && (best === undefined || buffer.length < best.length))
        best = buffer;
    }
    if (best !== undefined) {
      this.#free.splice(this.#free.indexOf(best), 1);
      return best;
    }
    try {
      const memory = new Memory({ initial: Math.ceil(size / wasmPage) });
      return new Uint8Array(memory.buffer);
    } catch {
      return null;
    }
  }

  #give(buffer: Uint8Array): void {
    const kept = this.#free.reduce((sum, b) => sum + b.length, 0);
    if (kept + buffer.length <= keptBytes) this.#free.push(buffer);
  }
}
