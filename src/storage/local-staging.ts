/**
 * Staged blocks on disk, so that an upload interrupted by a crash resumes from them. Each blob has a
 * folder named by the SHA-256 of its name (names can be 1,024 characters; file names cannot), holding
 * one file per block: `<sequence>-<base64url block id>.block`. The sequence number records staging
 * order across restarts; a block is written to a `.tmp` file, flushed, then renamed, so a block file
 * is either complete or absent. Staging an id again writes a newer file and removes the older one;
 * should both survive a crash, the newer wins.
 *
 * The blocks an instance stages are also followed as a run (local-staging-run.ts), so that a commit
 * of them in staging order knows its MD5 without reading the bytes back.
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
 * Per staging folder, what one store instance needs to stage without reading the folder each time
 * (a large backup has thousands of blocks): the next sequence number, the file of each id, and the
 * run of blocks it followed (null when the folder held blocks it did not stage: after a restart).
 */
interface StagingState {
  next: number;
  readonly latest: Map<string, BlockRecord>;
  readonly run: StagingRun | null;
}

interface BlockRecord {
  readonly sequence: number;
  readonly path: string;
  /** Where the block is in the run, and the identity of the file it was written to. */
  readonly inRun: (RunPosition & { readonly identity: string }) | null;
}

const blockFileName = /^(\d{10})-([A-Za-z0-9_-]*)\.block$/;

/** A stable, file-name-safe key for a blob name (staging folders, sidecar files). */
export function blobKey(name: string): string {
  return createHash('sha256').update(name, 'utf8').digest('hex');
}

export class BlockStaging {
  readonly #fs: LocalStoreFs;
  readonly #root: string;
  readonly #direct: DirectWrites;
  readonly #states = new Map<string, Promise<StagingState>>();

  /** `direct`: how block files are written around the page cache (local-direct-io.ts). */
  constructor(fs: LocalStoreFs, root: string, direct: DirectWrites) {
    this.#fs = fs;
    this.#root = root;
    this.#direct = direct;
  }

  /** `givenMd5`: the block's MD5 from the caller (see `BlobStore.stageBlock`), or null. */
  async stage(
    name: string,
    blockId: string,
    data: Uint8Array,
    givenMd5: string | null,
  ): Promise<void> {
    const folder = this.#folderOf(name);
    const state = await this.#stateOf(folder);
    // Taken synchronously after the await: concurrent stagings of one blob get distinct numbers, and
    // the run hashes them in the order of those numbers.
    const sequence = state.next;
    state.next += 1;
    const position = state.run?.add(blockId, data, givenMd5) ?? null;
    const path = join(folder, `${String(sequence).padStart(10, '0')}-${encodeId(blockId)}.block`);
    let stats;
    try {
      stats = await writeFileAtomically(this.#fs, folder, path, data, this.#direct);
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
    const state = await this.#states.get(this.#folderOf(name))?.catch(() => undefined);
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

  /** The staged blocks of a blob, in staging order; one per id, the last staged. */
  async blocks(name: string): Promise<StagedBlockFile[]> {
    const latest = new Map<string, StagedBlockFile>();
    for (const file of await this.#files(this.#folderOf(name))) latest.set(file.id, file);
    return [...latest.values()].sort((a, b) => a.sequence - b.sequence);
  }

  /**
   * Removes all of a blob's staged blocks (after a commit, or on delete). The folder is most often
   * empty by then (a commit moved its one block into place), and goes in one call.
   */
  async discard(name: string): Promise<void> {
    const folder = this.#folderOf(name);
    this.#states.delete(folder);
    try {
      await this.#fs.rmdir(folder);
      return;
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return;
    }
    await this.#fs.rm(folder, { recursive: true, force: true });
  }

  #folderOf(name: string): string {
    return join(this.#root, blobKey(name));
  }

  /** What this instance knows of a staging folder: read from the disk once, then kept here. */
  async #stateOf(folder: string): Promise<StagingState> {
    let state = this.#states.get(folder);
    if (state === undefined) {
      const started = this.#files(folder).then((files): StagingState => ({
        next: (files.at(-1)?.sequence ?? -1) + 1,
        latest: new Map(
          files.map((f) => [f.id, { sequence: f.sequence, path: f.path, inRun: null }]),
        ),
        run: files.length === 0 ? new StagingRun() : null,
      }));
      started.catch(() => {
        if (this.#states.get(folder) === started) this.#states.delete(folder);
      });
      this.#states.set(folder, started);
      state = started;
    }
    return state;
  }

  /** Every block file in a staging folder (duplicates included), in staging order. */
  async #files(folder: string): Promise<StagedBlockFile[]> {
    let entries;
    try {
      entries = await this.#fs.readdir(folder, { withFileTypes: true });
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return [];
      throw error;
    }
    const files: StagedBlockFile[] = [];
    for (const entry of entries) {
      const match = blockFileName.exec(entry.name);
      if (!entry.isFile() || match === null) continue;
      const path = join(folder, entry.name);
      let stats;
      try {
        stats = await this.#fs.stat(path);
      } catch (error) {
        if (errnoOf(error) === 'ENOENT') continue; // replaced by a newer staging meanwhile
        throw error;
      }
      const id = Buffer.from(match[2] ?? '', 'base64url').toString('utf8');
      files.push({ id, size: stats.size, sequence: Number(match[1]), path, stats });
    }
    return files.sort((a, b) => a.sequence - b.sequence);
  }
}

function encodeId(blockId: string): string {
  return Buffer.from(blockId, 'utf8').toString('base64url');
}
