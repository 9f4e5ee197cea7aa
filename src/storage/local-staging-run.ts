/**
 * The blocks one store instance stages for a blob, hashed in staging order as they come: the MD5 of
 * the run up to each block is what a commit of the run's first blocks, in that order, holds. The
 * integration runtime stages a file's blocks in order and commits them in the same order, so its
 * commits check their MD5 without reading the bytes back; any other order is hashed at commit.
 *
 * A run only grows: once a staging fails (its bytes are hashed, not on disk) or an id is staged twice
 * (the order on disk is no longer the run's), it is broken and positions no more blocks.
 */
import { createHash } from 'node:crypto';

export interface RunPosition {
  /** The block's place in the run, from 0. */
  readonly index: number;
  /** Base64 MD5 of the run's blocks up to and including this one. */
  readonly md5: string;
}

export class StagingRun {
  readonly #hash = createHash('md5');
  readonly #ids = new Set<string>();
  #broken = false;
  /** The first block's digest was given, not computed: the run's hash lacks its bytes. */
  #unhashed = false;

  /**
   * Hashes a block as it is staged: its position, or null once the run is broken. A first block
   * whose MD5 the caller gives (`givenMd5`) is not hashed: its digest is the run's. A run that
   * starts so cannot go on (its hash lacks the first block's bytes): a second block breaks it, and
   * a commit of several blocks is hashed from the disk.
   */
  add(blockId: string, data: Uint8Array, givenMd5: string | null = null): RunPosition | null {
    if (this.#broken || this.#unhashed || this.#ids.has(blockId)) {
      this.break();
      return null;
    }
    this.#ids.add(blockId);
    if (this.#ids.size === 1 && givenMd5 !== null) {
      this.#unhashed = true;
      return { index: 0, md5: givenMd5 };
    }
    this.#hash.update(data);
    return { index: this.#ids.size - 1, md5: this.#hash.copy().digest('base64') };
  }

  break(): void {
    this.#broken = true;
    this.#ids.clear();
  }
}
