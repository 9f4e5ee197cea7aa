/**
 * The blob store over a folder on disk: the embedded mode's container, which the rehearsal target and
 * the engine read. A committed blob is a plain file at its name, so the folder is also an ordinary
 * folder of backups. The store keeps its own files in hidden folders that no blob name may start with:
 *
 *   <folder>/Sales/full.bak                           the blob "Sales/full.bak"
 *   <folder>/.sqlmig-staging/<sha256 of name>-…       its staged blocks (local-staging.ts)
 *   <folder>/.sqlmig-meta/<sha256 of name>.json       its MD5 and metadata (local-sidecar.ts)
 *   <folder>/.sqlmig-tmp/                             files being written, renamed when complete
 *                                                     (a killed process's: see removeLeftovers)
 *
 * The folder is created on the first write; until then it lists as empty. One process uploads a
 * given blob at a time (as the integration runtime does); any number may read.
 */
import { dirname, join, resolve, sep } from 'node:path';

import type { ByteSource } from '../backup/index.js';
import type { BlobProperties, BlobStore, CommitOptions, StagedBlock } from './blob-store.js';
import { validateBlobPrefix, validateBlockId, validateCommitOptions } from './blob-rules.js';
import { BlobStoreError } from './errors.js';
import { LocalBlobSource } from './local-blob-source.js';
import { isAbsent, LocalCatalog } from './local-catalog.js';
import {
  contentIdentity,
  nodeStoreFs,
  storeFailure,
  syncFolder,
  type LocalFileStats,
  type LocalStoreFs,
} from './local-fs.js';
import { DirectWrites } from './local-direct-io.js';
import { hashFile, joinFiles } from './local-join.js';
import { checkLocalName, pathOf, reservedPrefix } from './local-names.js';
import { placeFile } from './local-place.js';
import { SidecarFiles, type SidecarEntry } from './local-sidecar.js';
import { BlockStaging, type StagedBlockFile } from './local-staging.js';

export interface LocalFolderStoreOptions {
  /** The file system; `node:fs/promises` by default. Tests pass one that fails like a full disk. */
  readonly fs?: LocalStoreFs;
  /**
   * Whether staged blocks are written around the page cache where the file system allows it
   * (local-direct-io.ts). Default true; either way the files hold the same bytes.
   */
  readonly directIo?: boolean;
}

/** The file a commit renames over the blob. */
interface Content {
  readonly path: string;
  readonly contentMd5: string;
  /** Of `path`; the rename keeps its `contentIdentity`. */
  readonly stats: LocalFileStats;
  /** Undoes what making it did, when the commit fails (a block's own file stays staged). */
  abandon(): Promise<void>;
}

export class LocalFolderBlobStore implements BlobStore {
  readonly description: string;
  /** The folder the store keeps its blobs in (absolute). */
  readonly root: string;
  readonly #folder: string;
  readonly #fs: LocalStoreFs;
  readonly #tempFolder: string;
  readonly #staging: BlockStaging;
  readonly #sidecars: SidecarFiles;
  readonly #catalog: LocalCatalog;
  /** When this instance was made: temporary files older than that are not its own. */
  readonly #createdMs = Date.now();

  constructor(folder: string, options: LocalFolderStoreOptions = {}) {
    if (folder === '') throw new TypeError('LocalFolderBlobStore needs a folder path.');
    this.#folder = resolve(folder);
    this.#fs = options.fs ?? nodeStoreFs;
    this.#tempFolder = join(this.#folder, `${reservedPrefix}tmp`);
    this.#staging = new BlockStaging(
      this.#fs,
      join(this.#folder, `${reservedPrefix}staging`),
      this.#tempFolder,
      new DirectWrites(options.directIo ?? true),
    );
    this.#sidecars = new SidecarFiles(
      this.#fs,
      join(this.#folder, `${reservedPrefix}meta`),
      this.#tempFolder,
    );
    this.#catalog = new LocalCatalog(this.#fs, this.#folder, this.#sidecars);
    this.description = `local folder ${this.#folder}`;
    this.root = this.#folder;
  }

  async list(prefix: string): Promise<BlobProperties[]> {
    validateBlobPrefix(prefix);
    const action = `Listing the blobs starting with "${prefix}"`;
    return this.#guard(null, action, () => this.#catalog.list(prefix));
  }

  async properties(name: string): Promise<BlobProperties | null> {
    checkLocalName(this.#folder, name);
    return this.#guard(name, `Reading the properties of blob "${name}"`, () =>
      this.#catalog.properties(name),
    );
  }

  async openRead(name: string): Promise<ByteSource> {
    checkLocalName(this.#folder, name);
    const path = pathOf(this.#folder, name);
    return this.#guard(name, `Opening blob "${name}"`, async () => {
      const handle = await this.#fs.open(path, 'r').catch((error: unknown) => {
        throw isAbsent(error) ? this.#notFound(name) : error;
      });
      try {
        const stats = await handle.stat();
        if (!stats.isFile()) throw this.#notFound(name);
        return new LocalBlobSource(path, stats.size, handle, { name, folder: this.#folder });
      } catch (error) {
        await handle.close();
        throw error;
      }
    });
  }

  async stageBlock(
    name: string,
    blockId: string,
    data: Uint8Array,
    options: { readonly contentMd5?: string } = {},
  ): Promise<void> {
    checkLocalName(this.#folder, name);
    validateBlockId(name, blockId);
    const action = `Staging block "${blockId}" of blob "${name}"`;
    const kept = 'the blocks staged before are kept, and the upload resumes from them.';
    await this.#guard(
      name,
      action,
      () => this.#staging.stage(name, blockId, data, options.contentMd5 ?? null),
      kept,
    );
  }

  async stagedBlocks(name: string): Promise<StagedBlock[]> {
    checkLocalName(this.#folder, name);
    return this.#guard(name, `Reading the staged blocks of blob "${name}"`, async () =>
      (await this.#staging.blocks(name)).map(({ id, size }) => ({ id, size })),
    );
  }

  async commitBlocks(
    name: string,
    blockIds: readonly string[],
    options: CommitOptions = {},
  ): Promise<BlobProperties> {
    checkLocalName(this.#folder, name);
    for (const blockId of blockIds) validateBlockId(name, blockId);
    validateCommitOptions(name, options);
    const kept =
      'the staged blocks are kept and the blob is unchanged. A commit of several blocks needs ' +
      'free space for a second copy of the blob while its blocks are joined.';
    const action = `Committing blob "${name}"`;
    return this.#guard(name, action, () => this.#commit(name, blockIds, options), kept);
  }

  async delete(name: string): Promise<void> {
    checkLocalName(this.#folder, name);
    const path = pathOf(this.#folder, name);
    await this.#guard(name, `Deleting blob "${name}"`, async () => {
      this.#catalog.forget(name);
      if ((await this.#catalog.statFile(path)) !== null) await this.#fs.rm(path, { force: true });
      await this.#sidecars.remove(name);
      await this.#staging.discard(name);
      await this.#removeEmptyFolders(dirname(path));
    });
  }

  /**
   * Removes the temporary files a process killed in the middle of a write left behind (a block or
   * properties file being written, blocks being joined): those in the store's temporary folder
   * written before this instance was made, so never one that this process (or another instance made
   * after this one, as the upload thread's) is still writing. Staged blocks stay: uploads resume
   * from them. Returns how many files were removed. Run it when the service starts.
   */
  async removeLeftovers(): Promise<number> {
    const action = 'Removing the temporary files left by an earlier process';
    return this.#guard(null, action, async () => {
      let entries;
      try {
        entries = await this.#fs.readdir(this.#tempFolder, { withFileTypes: true });
      } catch (error) {
        if (isAbsent(error)) return 0;
        throw error;
      }
      let removed = 0;
      for (const entry of entries) {
        if (!entry.isFile() || !entry.name.endsWith('.tmp')) continue;
        const path = join(this.#tempFolder, entry.name);
        const stats = await this.#fs.stat(path).catch(() => null);
        if (stats === null || stats.mtimeMs >= this.#createdMs) continue;
        await this.#fs.rm(path, { force: true });
        removed += 1;
      }
      return removed;
    });
  }

  // The commit, after its arguments were checked (local-sidecar.ts explains the order of steps).
  async #commit(
    name: string,
    blockIds: readonly string[],
    options: CommitOptions,
  ): Promise<BlobProperties> {
    const staged = new Map((await this.#staging.blocks(name)).map((b) => [b.id, b]));
    const missing = [...new Set(blockIds.filter((id) => !staged.has(id)))];
    if (missing.length > 0) throw this.#blocksNotFound(name, missing);
    const parts = blockIds.flatMap((id) => staged.get(id) ?? []);
    const run = await this.#staging.runOf(name, parts);
    // A run whose blocks came with their digests has the caller's MD5 for the whole (see
    // local-staging-run.ts); without one it is hashed.
    const content = await this.#content(parts, run && (run.md5 ?? options.contentMd5 ?? null));
    const path = pathOf(this.#folder, name);
    const entry: SidecarEntry = {
      identity: contentIdentity(content.stats),
      contentMd5: content.contentMd5,
      metadata: { ...options.metadata },
    };
    try {
      if (options.contentMd5 !== undefined && options.contentMd5 !== content.contentMd5) {
        throw this.#mismatch(name, options.contentMd5, content.contentMd5);
      }
      const current = await this.#catalog.statFile(path);
      await this.#sidecars.record(name, entry, current && contentIdentity(current));
      await syncFolder(this.#fs, this.#sidecars.folder);
      await placeFile(this.#fs, content.path, path, { folder: this.#folder, name });
    } catch (error) {
      await content.abandon().catch(() => undefined);
      throw error;
    }
    await syncFolder(this.#fs, dirname(path));
    await this.#staging.discard(name).catch((error: unknown) => {
      throw storeFailure(error, {
        folder: this.#folder,
        blobName: name,
        action: `Blob "${name}" is committed, but removing its staged blocks`,
        kept: 'the blob is committed; its next commit or delete removes the blocks left over.',
      });
    });
    return this.#catalog.remember(name, content.stats, entry);
  }

  /**
   * The file that becomes the blob, and its MD5. A single block's own file is moved into place by the
   * commit's rename, not copied: it was flushed to the disk when it was staged, and the staging
   * folder is inside the store's folder (one file system), so the rename is as atomic and durable as
   * that of a joined file; the blob's last-modified time is then when its block was staged. Several
   * blocks are joined into the first one's file (local-join.ts). The bytes are hashed only when
   * their MD5 is not known already.
   */
  async #content(parts: readonly StagedBlockFile[], knownMd5: string | null): Promise<Content> {
    const [only] = parts;
    if (parts.length !== 1 || only === undefined) {
      const paths = parts.map((part) => part.path);
      return joinFiles(this.#fs, this.#tempFolder, paths, knownMd5, { takeFirst: true });
    }
    const kept = { abandon: () => Promise.resolve() };
    if (knownMd5 !== null)
      return { path: only.path, contentMd5: knownMd5, stats: only.stats, ...kept };
    return { path: only.path, ...(await hashFile(this.#fs, only.path)), ...kept };
  }

  /** After a delete: removes the blob's folders that are now empty, up to the store's folder. */
  async #removeEmptyFolders(start: string): Promise<void> {
    for (let folder = start; folder.startsWith(this.#folder + sep); folder = dirname(folder)) {
      try {
        await this.#fs.rmdir(folder);
      } catch {
        return; // not empty (other blobs), or gone: either way the tidying ends here
      }
    }
  }

  async #guard<T>(
    blobName: string | null,
    action: string,
    run: () => Promise<T>,
    kept = 'the store is as it was.',
  ): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw storeFailure(error, { folder: this.#folder, blobName, action, kept });
    }
  }

  #notFound(name: string): BlobStoreError {
    return new BlobStoreError(
      'BlobNotFound',
      `Blob "${name}" does not exist in ${this.#folder}: it was never committed, or it was ` +
        'deleted. List the blobs to see which there are.',
      { blobName: name },
    );
  }

  #blocksNotFound(name: string, missing: readonly string[]): BlobStoreError {
    const shown = missing
      .slice(0, 5)
      .map((id) => `"${id}"`)
      .join(', ');
    const more = missing.length > 5 ? ` and ${missing.length - 5} more` : '';
    const which = missing.length === 1 ? `block ${shown} is` : `blocks ${shown}${more} are`;
    return new BlobStoreError(
      'BlockNotFound',
      `Cannot commit blob "${name}": ${which} not staged in ${this.#folder}. A block is missing ` +
        'when it was never staged, or when a commit or delete of the blob discarded it. Stage ' +
        'the missing blocks, then commit again; the blob is unchanged.',
      { blobName: name },
    );
  }

  #mismatch(name: string, expected: string, actual: string): BlobStoreError {
    return new BlobStoreError(
      'ContentMismatch',
      `Cannot commit blob "${name}": its blocks join to content with MD5 ${actual}, not the ` +
        `${expected} given. A block was staged from other data or damaged on the way. The blob ` +
        'is unchanged and its blocks are kept: stage them again from the source, then commit.',
      { blobName: name },
    );
  }
}
