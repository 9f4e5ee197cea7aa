/**
 * Staged blocks on disk, so that an upload interrupted by a crash resumes from them. They lie side by
 * side in one staging folder, one file per block, named for their blob, staging order and id:
 * `<sha256 of the blob name>-<sequence>-<base64url block id>.block` (names can be 1,024 characters;
 * file names cannot). The sequence number records staging order across restarts; a block is written
 * to a `.tmp` file in the store's temporary folder, flushed, then renamed, so a block file is either
 * complete or absent. Staging an id again writes a newer file and removes the older one; should both
 * survive a crash, the newer wins.
 *
 * One folder for all blobs, not one per blob: a folder made and removed for every upload costs the
 * file system an inode freed per upload, and on ext4 without a journal every new file then searches
 * past the inodes freed in the last minute or so (hundreds of microseconds a file during a burst of
 * uploads, against tens). A commit moves its blocks out of the folder, so it holds only uploads under way.
 *
 * An instance that saw a blob's staging begin (no block of it on disk when it first looked) keeps
 * its blocks in memory, and answers for them without reading the folder again. The blocks it stages
 * are also followed as a run (local-staging-run.ts), so that a commit of them in staging order knows
 * its MD5 without reading the bytes back.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';

import {
  contentIdentity,
  errnoOf,
  writeFileAtomically,
  type LocalFileStats,
  type LocalStoreFs,
} from './local-fs.js';
import type { DirectWrites } from './local-direct-io.js';
import { StagingRun, type RunPosition } from './local-staging-run.js';

export interface StagedBlockFile {
  readonly id: string;
  readonly size: number;
  /** Staging order: higher was staged later. */
  readonly sequence: number;
  readonly path: string;
  /** When listed; a commit records them with the blob, and a rename keeps them. */
  readonly stats: LocalFileStats;
}

/**
 * Per blob, what one store instance needs to stage without reading the folder each time (a large
 * backup has thousands of blocks): the next sequence number, the file of each id, whether those are
 * all the blob's files (`complete`: the instance saw its staging begin), and the run of blocks it
 * followed (null when the folder held blocks it did not stage: after a restart).
 */
interface StagingState {
  next: number;
  readonly latest: Map<string, BlockRecord>;
  readonly complete: boolean;
  readonly run: StagingRun | null;
}

interface BlockRecord {
  readonly sequence: number;
  readonly path: string;
  /** Where the block is in the run, and the identity of the file it was written to. */
  readonly inRun: (RunPosition & { readonly identity: string }) | null;
}

const blockFileName = /^([0-9a-f]{64})-(\d{10})-([A-Za-z0-9_-]*)\.block$/;

/** A stable, file-name-safe key for a blob name (staging folders, sidecar files). */
export function blobKey(name: string): string {
  return createHash('sha256').update(name, 'utf8').digest('hex');
}

export class BlockStaging {
  readonly #fs: LocalStoreFs;
  readonly #root: string;
  readonly #tempFolder: string;
  readonly #direct: DirectWrites;
  /** By blob key. */
  readonly #states = new Map<string, Promise<StagingState>>();

  /**
   * `root`: the staging folder; `tempFolder`: where block files are written before their rename (on
   * the same file system); `direct`: how they are written around the page cache (local-direct-io.ts).
   */
  constructor(fs: LocalStoreFs, root: string, tempFolder: string, direct: DirectWrites) {
    this.#fs = fs;
    this.#root = root;
    this.#tempFolder = tempFolder;
    this.#direct = direct;
  }

  /** `givenMd5`: the block's MD5 from the caller (see `BlobStore.stageBlock`), or null. */
  async stage(
    name: string,
    blockId: string,
    data: Uint8Array,
    givenMd5: string | null,
  ): Promise<void> {
    const key = blobKey(name);
    const state = await this.#stateOf(key);
    // Taken synchronously after the await: concurrent stagings of one blob get distinct numbers, and
    // the run hashes them in the order of those numbers.
    const sequence = state.next;
    state.next += 1;
    const position = state.run?.add(blockId, data, givenMd5) ?? null;
    const fileName = `${key}-${String(sequence).padStart(10, '0')}-${encodeId(blockId)}.block`;
    const path = join(this.#root, fileName);
    let stats;
    try {
      stats = await writeFileAtomically(this.#fs, this.#tempFolder, path, data, this.#direct);
    } catch (error) {
      state.run?.break(); // the run holds bytes that are not on disk
      throw error;
    }
    const older = state.latest.get(blockId);
    if (older !== undefined && older.sequence > sequence) {
      await this.#fs.rm(path, { force: true }); // a later staging of the same id finished first
    } else {
      const inRun = position && { ...position, identity: contentIdentity(stats) };
      state.latest.set(blockId, { sequence, path, inRun });
      if (older !== undefined) await this.#fs.rm(older.path, { force: true });
    }
  }

  /**
   * Whether `parts` (files of `blocks`) are the first blocks this instance staged for the blob, in
   * that order, their files unchanged since (same `contentIdentity`: a file rewritten in place gets a
   * new modification time); and if so, the MD5 of their bytes joined when the run knows it (null for
   * several blocks of a run whose digests the caller gave: see local-staging-run.ts). Null when they
   * are not: the commit reads the bytes to hash them.
   */
  async runOf(
    name: string,
    parts: readonly StagedBlockFile[],
  ): Promise<{ readonly md5: string | null } | null> {
    const state = await this.#states.get(blobKey(name))?.catch(() => undefined);
    let md5: string | null = null;
    for (const [index, part] of parts.entries()) {
      const record = state?.latest.get(part.id);
      const inRun = record?.inRun;
      if (
        record?.path !== part.path ||
        inRun?.index !== index ||
        inRun.identity !== contentIdentity(part.stats)
      ) {
        return null;
      }
      md5 = inRun.md5;
    }
    return parts.length === 0 ? null : { md5 };
  }

  /**
   * The staged blocks of a blob, in staging order; one per id, the last staged. When this instance
   * saw the blob's staging begin, its files are known and only stat'ed (their stats now, not as
   * written: a file changed since shows in its `contentIdentity`); else the folder is read.
   */
  async blocks(name: string): Promise<StagedBlockFile[]> {
    const key = blobKey(name);
    const state = await this.#states.get(key)?.catch(() => undefined);
    const latest = new Map<string, StagedBlockFile>();
    if (state?.complete === true) {
      for (const [id, { sequence, path }] of state.latest) {
        const stats = await this.#statIfThere(path);
        if (stats !== null) latest.set(id, { id, size: stats.size, sequence, path, stats });
      }
    } else {
      for (const file of await this.#files(key)) latest.set(file.id, file);
    }
    return [...latest.values()].sort((a, b) => a.sequence - b.sequence);
  }

  /**
   * Removes all of a blob's staged blocks (after a commit, or on delete). Most often none is left by
   * then (a commit moved its one block into place), and when this instance knows the blob's blocks
   * the folder is not read.
   */
  async discard(name: string): Promise<void> {
    const key = blobKey(name);
    const state = await this.#states.get(key)?.catch(() => undefined);
    this.#states.delete(key);
    const paths =
      state?.complete === true
        ? [...state.latest.values()].map((r) => r.path)
        : (await this.#files(key)).map((f) => f.path);
    for (const path of paths) await this.#fs.rm(path, { force: true });
  }

  /** What this instance knows of a blob's staging: read from the disk once, then kept here. */
  async #stateOf(key: string): Promise<StagingState> {
    let state = this.#states.get(key);
    if (state === undefined) {
      const started = this.#files(key).then((files): StagingState => ({
        next: (files.at(-1)?.sequence ?? -1) + 1,
        latest: new Map(
          files.map((f) => [f.id, { sequence: f.sequence, path: f.path, inRun: null }]),
        ),
        complete: files.length === 0,
        run: files.length === 0 ? new StagingRun() : null,
      }));
      started.catch(() => {
        if (this.#states.get(key) === started) this.#states.delete(key);
      });
      this.#states.set(key, started);
      state = started;
    }
    return state;
  }

  /** Every block file of a blob in the staging folder (duplicates included), in staging order. */
  async #files(key: string): Promise<StagedBlockFile[]> {
    let entries;
    try {
      entries = await this.#fs.readdir(this.#root, { withFileTypes: true });
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return [];
      throw error;
    }
    const files: StagedBlockFile[] = [];
    for (const entry of entries) {
      if (!entry.name.startsWith(key)) continue;
      const match = blockFileName.exec(entry.name);
      if (!entry.isFile() || match === null || match[1] !== key) continue;
      const path = join(this.#root, entry.name);
      const stats = await this.#statIfThere(path); // null: replaced by a newer staging meanwhile
      if (stats === null) continue;
      const id = Buffer.from(match[3] ?? '', 'base64url').toString('utf8');
      files.push({ id, size: stats.size, sequence: Number(match[2]), path, stats });
    }
    return files.sort((a, b) => a.sequence - b.sequence);
  }

  async #statIfThere(path: string): Promise<LocalFileStats | null> {
    try {
      return await this.#fs.stat(path);
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return null;
      throw error;
    }
  }
}

function encodeId(blockId: string): string {
  return Buffer.from(blockId, 'utf8').toString('base64url');
}
