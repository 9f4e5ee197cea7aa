import type { ByteSource } from '../backup/index.js';

/**
 * A container of blobs: what the integration runtime uploads backups into and what targets restore
 * from. Two implementations: a local folder (embedded mode, tests, rehearsal) and Azure Blob Storage.
 * Blob names use `/` between folders (`<database folder>/<file>`). Uploads are block-based, like Azure
 * Blob's: blocks are staged under an id, then committed in order, so an upload interrupted by a crash
 * resumes from the blocks already staged instead of starting again.
 */
export interface BlobStore {
  /** Where the blobs are, for messages and logs: never a secret. */
  readonly description: string;
  /** Blobs whose name starts with `prefix` (committed blobs only), sorted by name. */
  list(prefix: string): Promise<BlobProperties[]>;
  /** A committed blob's properties, or null when there is none. */
  properties(name: string): Promise<BlobProperties | null>;
  /** Ranged reads of a committed blob (the backup reader reads headers this way). */
  openRead(name: string): Promise<ByteSource>;
  /**
   * Stages one block of a blob being uploaded. Staging the same id again replaces it.
   *
   * `contentMd5`: the block's MD5 (base64), when the caller has it already. Azure sends it with the
   * block and the service refuses bytes that do not match it (damaged on the way); the local folder
   * store, handed the bytes in memory by its own process, takes it as the block's digest instead of
   * hashing them again. Without it, each store hashes the block itself.
   */
  stageBlock(
    name: string,
    blockId: string,
    data: Uint8Array,
    options?: { readonly contentMd5?: string },
  ): Promise<void>;
  /** Blocks staged and not yet committed, in staging order: where an interrupted upload resumes. */
  stagedBlocks(name: string): Promise<StagedBlock[]>;
  /**
   * Makes the blob the concatenation of the given staged blocks, atomically: readers see the old
   * blob (or none) or the new one, never a part. Unused staged blocks are discarded.
   *
   * `contentMd5` is stored with the blob, but only the local folder store checks it against the
   * bytes (`ContentMismatch`), and not when the blocks are the ones that same store instance was
   * handed, in this order, each with its digest (it takes the whole's as given, as it took theirs:
   * the bytes never left the process). Azure Blob stores it unchecked: Put Block List does not verify a
   * whole-blob MD5, because each block's MD5 was verified by the service when it was staged (the
   * Azure store always sends it). So a commit does not catch a stale block, one staged by an earlier
   * attempt from data that has changed since: a caller that resumes must reuse only blocks whose id
   * proves their content (for example an id that holds the block's own MD5), and check the whole
   * MD5 itself from the source it read.
   */
  commitBlocks(
    name: string,
    blockIds: readonly string[],
    options?: CommitOptions,
  ): Promise<BlobProperties>;
  /** Deletes a blob and its staged blocks; no error when there is none. */
  delete(name: string): Promise<void>;
}

export interface BlobProperties {
  readonly name: string;
  readonly size: number;
  readonly lastModified: Date;
  /** Base64 MD5 of the whole content when known (sqlmig sets it on commit). */
  readonly contentMd5: string | null;
  readonly metadata: Readonly<Record<string, string>>;
}

export interface StagedBlock {
  readonly id: string;
  readonly size: number;
}

export interface CommitOptions {
  /** Base64 MD5 of the whole content, stored with the blob. */
  readonly contentMd5?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}
