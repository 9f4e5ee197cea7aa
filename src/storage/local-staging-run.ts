/**
 * The blocks one store instance stages for a blob, in staging order, so that a commit of the run's
 * first blocks in that order knows its MD5 without reading the bytes back. The integration runtime
 * stages a file's blocks in order and commits them in the same order; any other order is hashed at
 * commit.
 *
 * A run is one of two kinds, set by its first block:
 * - hashed: no block came with its digest, so the run hashes the bytes as they come, and each
 *   position holds the MD5 of the run up to it;
 * - given: every block came with its MD5 from the caller (`BlobStore.stageBlock`), so nothing is
 *   hashed: the first position holds that block's MD5 (a one-block blob's), later ones none. The
 *   blob's MD5 is then the one the caller gives at commit, computed from the same bytes it handed
 *   over block by block; the store trusts it as it trusted each block's.
 *
 * A run only grows: once a staging fails (its bytes are in the run, not on disk), an id is staged
 * twice (the order on disk is no longer the run's) or a block does not fit the run's kind, it is
 * broken and positions no more blocks.
 */
import { createHash } from 'node:crypto';

export interface RunPosition {
  /** The block's place in the run, from 0. */
  readonly index: number;
  /** Base64 MD5 of the run's blocks up to and including this one; null when not known (given). */
  readonly md5: string | null;
}

export class StagingRun {
  readonly #hash = createHash('md5');
  readonly #ids = new Set<string>();
  #broken = false;
  #kind: 'hashed' | 'given' | null = null;

  /** The block's position in the run, or null once the run is broken. */
  add(blockId: string, data: Uint8Array, givenMd5: string | null = null): RunPosition | null {
    const kind = givenMd5 === null ? 'hashed' : 'given';
    if (this.#broken || this.#ids.has(blockId) || (this.#kind !== null && this.#kind !== kind)) {
      this.break();
      return null;
    }
    this.#kind = kind;
    this.#ids.add(blockId);
    const index = this.#ids.size - 1;
    if (kind === 'given') return { index, md5: index === 0 ? givenMd5 : null };
    this.#hash.update(data);
    return { index, md5: this.#hash.copy().digest('base64') };
  }

  break(): void {
    this.#broken = true;
    this.#ids.clear();
  }
}
