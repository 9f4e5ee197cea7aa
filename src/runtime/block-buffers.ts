/**
 * Buffers of whole blocks, handed from one upload to the next instead of allocated for each: a busy
 * runtime reads hundreds of 4 MiB blocks a second, and as many fresh buffers keep the garbage
 * collector at work for memory that is free again a few milliseconds later. A buffer comes back
 * once its upload is over (the stores keep no reference to a staged block's bytes); a few of each
 * size are kept, the rest left to the collector. Their memory is shared (a `SharedArrayBuffer`), so
 * that a worker thread hashing a block reads it where it is, without a copy (block-digests.ts).
 */
const keptPerSize = 8;

export class BlockBuffers {
  readonly #spare = new Map<number, Buffer[]>();

  /** A buffer of `size` bytes, its content undefined. */
  take(size: number): Buffer {
    return this.#spare.get(size)?.pop() ?? Buffer.from(new SharedArrayBuffer(size));
  }

  /** Gives a buffer back once nothing reads it any more. */
  give(buffer: Buffer): void {
    let spare = this.#spare.get(buffer.length);
    if (spare === undefined) {
      spare = [];
      this.#spare.set(buffer.length, spare);
    }
    if (spare.length < keptPerSize) spare.push(buffer);
  }
}
