import type { ByteSource } from './byte-source.js';

/**
 * Serves small reads from a few aligned windows of the source, so that walking the descriptor blocks
 * of a backup costs a handful of reads (and, over a blob, a handful of ranged requests). Larger reads
 * go straight to the source. Deterministic: the same walk always reads the same bytes.
 */
export class WindowedReader {
  readonly #source: ByteSource;
  readonly #windowBytes: number;
  readonly #cache = new Map<number, Uint8Array>();
  readonly #maxWindows: number;

  constructor(source: ByteSource, options: { windowBytes?: number; maxWindows?: number } = {}) {
    this.#source = source;
    this.#windowBytes = options.windowBytes ?? 4096;
    this.#maxWindows = options.maxWindows ?? 4;
  }

  get size(): number {
    return this.#source.size;
  }

  get name(): string {
    return this.#source.name;
  }

  /** Returns `length` bytes at `offset`, or fewer when the source ends first. */
  async read(offset: number, length: number): Promise<Uint8Array> {
    const end = Math.min(offset + length, this.#source.size);
    if (end <= offset) return new Uint8Array(0);
    if (end - offset > this.#windowBytes) return this.#source.read(offset, end - offset);
    const first = Math.floor(offset / this.#windowBytes);
    const last = Math.floor((end - 1) / this.#windowBytes);
    if (first === last) {
      const window = await this.#window(first);
      const start = offset - first * this.#windowBytes;
      return window.subarray(start, start + (end - offset));
    }
    const out = new Uint8Array(end - offset);
    let filled = 0;
    for (let index = first; index <= last; index++) {
      const window = await this.#window(index);
      const windowStart = index * this.#windowBytes;
      const from = Math.max(offset, windowStart) - windowStart;
      const to = Math.min(end, windowStart + window.length) - windowStart;
      if (to <= from) break;
      out.set(window.subarray(from, to), filled);
      filled += to - from;
    }
    return filled === out.length ? out : out.subarray(0, filled);
  }

  async #window(index: number): Promise<Uint8Array> {
    const cached = this.#cache.get(index);
    if (cached) return cached;
    const start = index * this.#windowBytes;
    const bytes = await this.#source.read(
      start,
      Math.min(this.#windowBytes, this.#source.size - start),
    );
    if (this.#cache.size >= this.#maxWindows) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
    this.#cache.set(index, bytes);
    return bytes;
  }
}
