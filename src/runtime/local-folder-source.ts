/**
 * The integration runtime's view of a backup folder on a local or mounted disk: lists the files,
 * reads their headers, and uploads them block by block into a blob store, resuming from the blocks
 * already staged when an upload was interrupted, and without writing anything when the blob already
 * holds the file's bytes (a process that died after the commit, before recording it). Every upload
 * checks that it read exactly the bytes the file held when it started (a file changed under it is
 * refused, not half-copied). Each byte is read once; the first block's bytes are hashed once, later
 * blocks' twice (their own digest and the file's: block-digests.ts). Into Azure, several blocks are
 * in flight at once (`blocksInFlight`), hashed on a worker thread while the next is read; a killed
 * upload then re-sends at most those in flight, since each block is staged under an id its bytes
 * decide.
 */
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { lstat, open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

import { readBackupFile, type FileResult } from '../backup/index.js';
import { isBlobStoreError, LocalFolderBlobStore, type BlobStore } from '../storage/index.js';
import { BlockBuffers } from './block-buffers.js';
import { blockDigests } from './block-digests.js';
import { blockCapacity, blockLength, blockSizeFor, maxBlockBytes } from './block-size.js';
import { watchFolder } from './folder-watch.js';
import type { UploadThreads } from './upload-threads.js';

export interface LocalFolderSourceOptions {
  /**
   * Size of each uploaded block, 64 KiB to 100 MiB. Default 4 MiB. A file too large for 50,000 such
   * blocks (Azure's most per blob) is uploaded in larger ones (block-size.ts).
   */
  readonly blockSizeBytes?: number;
  /**
   * Blocks of one upload staged at once into a store across the network (Azure), 1 to 64. Default
   * 8, and no more than 64 MiB of blocks (fewer when a large file needs larger blocks; at least
   * one): memory stays bounded whatever the file's size. A local folder store takes one at a time:
   * its disk gains nothing from more, and its commit knows the blob's MD5 without reading it back
   * only when the blocks came in order.
   */
  readonly blocksInFlight?: number;
  /**
   * Uploads into a local folder blob store, and header reads, run on these worker threads instead of
   * the caller's (the embedded service passes them to all its sources). Other stores are uploaded to
   * in-thread.
   */
  readonly uploadThreads?: UploadThreads;
}

const defaultBlocksInFlight = 8;
/** The most bytes of blocks one upload holds at once (but always one block, up to 100 MiB). */
const maxBytesInFlight = 64 * 1024 * 1024;
/** The smallest block size an upload may be configured with. */
const minBlockBytes = 64 * 1024;

export interface FileInfo {
  readonly name: string;
  readonly size: number;
  readonly modifiedAt: string;
}

export interface UploadOptions {
  /**
   * Nothing was ever uploaded to this blob (the caller's records say so): no staged block to resume
   * from, no committed blob to recognise, so neither is looked for.
   */
  readonly firstAttempt?: boolean;
}

export interface UploadProgress {
  readonly dataRead: number;
  readonly dataWritten: number;
}

export class LocalFolderSource {
  readonly description: string;
  readonly #folder: string;
  readonly #blockSize: number;
  readonly #threads: UploadThreads | null;
  readonly #blocksInFlight: number;

  constructor(folder: string, options: LocalFolderSourceOptions = {}) {
    this.#folder = folder;
    this.#threads = options.uploadThreads ?? null;
    this.description = `folder ${folder}`;
    this.#blockSize = options.blockSizeBytes ?? 4 * 1024 * 1024;
    this.#blocksInFlight = options.blocksInFlight ?? defaultBlocksInFlight;
    if (
      !Number.isInteger(this.#blocksInFlight) ||
      this.#blocksInFlight < 1 ||
      this.#blocksInFlight > 64
    ) {
      throw new RangeError(
        `blocksInFlight must be a whole number from 1 to 64, not ${this.#blocksInFlight}.`,
      );
    }
    if (
      !Number.isInteger(this.#blockSize) ||
      this.#blockSize < minBlockBytes ||
      this.#blockSize > maxBlockBytes
    ) {
      throw new RangeError(
        `blockSizeBytes must be a whole number from 64 KiB to 100 MiB, not ${this.#blockSize}.`,
      );
    }
  }

  /**
   * The files under the folder (subfolders included), names relative to it with `/`; files whose own
   * name starts with `.` are left out. `wanted` is asked about each name found, before anything else
   * is read of that file: only the files it accepts are stat'ed (sized and dated) and returned, so a
   * caller that already knows most files pays for the folder's listing only. Without it, every file
   * is.
   */
  async list(wanted?: (name: string) => boolean): Promise<FileInfo[]> {
    const entries = await readdir(this.#folder, { withFileTypes: true, recursive: true });
    const files: FileInfo[] = [];
    for (const entry of entries) {
      if (!entry.isFile() || entry.name.startsWith('.')) continue;
      const name = this.#entryName(entry);
      if (wanted !== undefined && !wanted(name)) continue;
      const info = await stat(join(entry.parentPath, entry.name)).catch(() => null);
      if (!info) continue; // removed since the folder was read
      files.push({ name, size: info.size, modifiedAt: info.mtime.toISOString() });
    }
    return files.sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * The files among `entries` (names of the folder's own entries, as `watch` reports them), as `list`
   * would return them: what the watcher says changed is looked at without listing the folder, which
   * would cost its whole size at every event (a month of 15-minute logs is thousands of files). A
   * name that is gone, hidden or not a plain file is left out. Null when one of them is a subfolder:
   * its files are found by `list`.
   */
  async listNamed(entries: readonly string[]): Promise<FileInfo[] | null> {
    const files: FileInfo[] = [];
    for (const name of new Set(entries)) {
      if (name.startsWith('.') || name.includes('/') || name.includes(sep)) continue;
      // Not followed: `list` leaves links out too (their directory entries are not files).
      const info = await lstat(join(this.#folder, name)).catch(() => null);
      if (info?.isDirectory()) return null;
      if (!info?.isFile()) continue; // removed since the event, or not a file
      files.push({ name, size: info.size, modifiedAt: info.mtime.toISOString() });
    }
    return files.sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * Calls `onChange` when something in the folder may have changed, until the returned function is
   * called (any number of times). A hint only: the folder itself is watched (`fs.watch`), not its
   * subfolders, whose files the periodic `list` finds; network shares (SMB, NFS) may deliver no
   * events at all; and a folder that does not exist yet, or a watch that fails (the folder removed,
   * the system's limit of watches reached), ends it quietly. Never throws. `onChange` is given the
   * name of the folder's entry that changed when the system says (for `listNamed`), else null.
   */
  watch(onChange: (entry: string | null) => void): () => void {
    return watchFolder(this.#folder, onChange);
  }

  async readHeaders(name: string): Promise<FileResult> {
    // On the upload threads when there are some: the main thread has other work.
    if (this.#threads) return this.#threads.readHeaders(this.#path(name));
    // A log backup of a few hundred KiB is read in one call rather than window by window.
    return readBackupFile(this.#path(name), { readWholeUpToBytes: 1024 * 1024 });
  }

  async upload(
    name: string,
    store: BlobStore,
    blobName: string,
    onProgress: (progress: UploadProgress) => void,
    signal?: AbortSignal,
    options: UploadOptions = {},
  ): Promise<UploadProgress & { durationMs: number; contentMd5: string }> {
    if (this.#threads && store instanceof LocalFolderBlobStore) {
      return this.#threads.upload(
        {
          folder: this.#folder,
          name: this.#checkedName(name),
          storeRoot: store.root,
          blobName,
          blockSizeBytes: this.#blockSize,
          firstAttempt: options.firstAttempt ?? false,
        },
        onProgress,
        signal,
      );
    }
    const started = Date.now();
    const path = this.#path(name);
    const handle = await open(path, 'r');
    // Every buffer this upload took: given back for another upload only when this one ended well
    // (after a failure, a store's request could conceivably still hold the bytes).
    const buffers: Buffer[] = [];
    let ended = false;
    try {
      const before = await handle.stat();
      const staged = new Map(
        options.firstAttempt
          ? []
          : (await store.stagedBlocks(blobName)).map((b) => [b.id, b.size] as const),
      );
      const blockSize = resumedBlockSize(
        before.size,
        staged,
        blockSizeFor(before.size, this.#blockSize),
      );
      const take = (): Buffer => {
        const buffer = this.#takeBuffer(before.size, blockSize);
        buffers.push(buffer);
        return buffer;
      };
      const inFlight = this.#inFlightFor(store, blockSize);
      const stages = new StagesInFlight(inFlight);
      if (staged.size === 0 && !options.firstAttempt) {
        // A process that died between the commit and recording it: the blob is there already.
        const buffer = take();
        const done = await this.#alreadyCommitted(name, handle, before, store, blobName, {
          onProgress,
          signal,
          buffer,
        });
        if (done) {
          ended = true;
          return { ...done, durationMs: Date.now() - started };
        }
        stages.free(buffer);
      }
      // Hashing on a worker thread pays when blocks are sent while others are hashed.
      const digests = blockDigests(inFlight > 1 && before.size > blockSize);
      const ids: string[] = [];
      let dataRead = 0;
      let dataWritten = 0;
      let contentMd5: string;
      try {
        for (let index = 0; dataRead < before.size; index++) {
          signal?.throwIfAborted();
          // A buffer is free again once the block read into it is staged (or needed no staging).
          const buffer = (await stages.freeBuffer()) ?? take();
          const length = blockLength(before.size - dataRead, blockSize);
          const bytesRead = await readFully(handle, buffer, length, dataRead);
          if (bytesRead === 0) break;
          const block = buffer.subarray(0, bytesRead);
          dataRead += bytesRead;
          // Hashed while the next block is read; staged once its digest (its id) is known.
          const digest = digests.block(block);
          stages.start(buffer, async () => {
            const blockMd5 = await digest;
            const id = blockId(index, blockMd5);
            ids[index] = id;
            if (staged.get(id) !== bytesRead) {
              await store.stageBlock(blobName, id, block, { contentMd5: blockMd5 });
              dataWritten += bytesRead;
            }
            onProgress({ dataRead, dataWritten });
          });
        }
        contentMd5 = await digests.file();
      } finally {
        // Nothing is left in flight, even when the upload fails or is stopped: the first failure
        // is thrown once every other request has ended.
        await stages.settled();
        await digests.close();
      }
      stages.throwIfFailed();
      const after = await handle.stat();
      if (
        dataRead !== before.size ||
        after.size !== before.size ||
        after.mtimeMs !== before.mtimeMs
      ) {
        throw new Error(
          `${name} changed while it was being uploaded (${before.size} bytes at the start, ${after.size} now, ${dataRead} read); it is uploaded again once it stops changing.`,
        );
      }
      try {
        // Blob metadata must be ASCII (Azure's rule): the file name is percent-encoded.
        await store.commitBlocks(blobName, ids, {
          contentMd5,
          metadata: { sourceFile: encodeURIComponent(name) },
        });
      } catch (error) {
        // A block staged by an earlier attempt no longer matches the file: start this blob again.
        if (isBlobStoreError(error) && error.code === 'ContentMismatch')
          await store.delete(blobName);
        throw error;
      }
      await verifyCommitted(store, blobName, name, { size: before.size, contentMd5 });
      ended = true;
      return { dataRead, dataWritten, durationMs: Date.now() - started, contentMd5 };
    } finally {
      if (ended) for (const buffer of buffers) this.#giveBuffer(buffer);
      await handle.close();
    }
  }

  /** How many blocks of an upload into `store`, of `blockSize` bytes each, are staged at once. */
  #inFlightFor(store: BlobStore, blockSize: number): number {
    if (store instanceof LocalFolderBlobStore) return 1;
    return Math.max(1, Math.min(this.#blocksInFlight, Math.floor(maxBytesInFlight / blockSize)));
  }

  /**
   * The buffer an upload reads its blocks into: a shared one that holds any of its blocks (the last
   * may be larger than the others: `blockLength`), or for a file smaller than a block one of its
   * size (a 100 KiB log in a 4 MiB buffer would be mostly waste).
   */
  #takeBuffer(fileSize: number, blockSize: number): Buffer {
    return fileSize >= blockSize
      ? wholeBlocks.take(blockCapacity(blockSize))
      : Buffer.allocUnsafe(Math.max(1, fileSize));
  }

  #giveBuffer(buffer: Buffer): void {
    if (buffer.length === blockCapacity(this.#blockSize)) wholeBlocks.give(buffer);
  }

  /**
   * When the blob holds this file's bytes already (same size, and the MD5 recorded at its commit
   * equals the file's), the upload is done without writing anything; null otherwise.
   */
  async #alreadyCommitted(
    name: string,
    handle: FileHandle,
    before: Stats,
    store: BlobStore,
    blobName: string,
    { onProgress, signal, buffer }: UploadCalls & { readonly buffer: Buffer },
  ): Promise<(UploadProgress & { contentMd5: string }) | null> {
    const existing = await store.properties(blobName);
    if (existing?.size !== before.size || existing.contentMd5 === null) return null;
    const md5 = createHash('md5');
    let dataRead = 0;
    while (dataRead < before.size) {
      signal?.throwIfAborted();
      const length = Math.min(buffer.length, before.size - dataRead);
      const { bytesRead } = await handle.read(buffer, 0, length, dataRead);
      if (bytesRead === 0) return null;
      md5.update(buffer.subarray(0, bytesRead));
      dataRead += bytesRead;
      onProgress({ dataRead, dataWritten: 0 });
    }
    const after = await handle.stat();
    if (after.size !== before.size || after.mtimeMs !== before.mtimeMs) {
      throw new Error(
        `${name} changed while it was being read (${before.size} bytes at the start, ${after.size} now); it is uploaded again once it stops changing.`,
      );
    }
    const contentMd5 = md5.digest('base64');
    return contentMd5 === existing.contentMd5 ? { dataRead, dataWritten: 0, contentMd5 } : null;
  }

  #path(name: string): string {
    return join(this.#folder, ...this.#checkedName(name).split('/'));
  }

  #checkedName(name: string): string {
    if (name.split('/').some((part) => part === '..' || part === ''))
      throw new Error(`Not a file name inside the folder: ${name}`);
    return name;
  }

  #name(path: string): string {
    return relative(this.#folder, path).split(sep).join('/');
  }

  /** An entry's name relative to the folder (most are directly in it: no path arithmetic). */
  #entryName(entry: { readonly name: string; readonly parentPath: string }): string {
    return entry.parentPath === this.#folder
      ? entry.name
      : this.#name(join(entry.parentPath, entry.name));
  }
}

interface UploadCalls {
  readonly onProgress: (progress: UploadProgress) => void;
  readonly signal: AbortSignal | undefined;
}

/**
 * After a commit, the blob as the store reports it (as List Blobs shows it, on Azure) must have the
 * file's size and MD5; otherwise it is deleted, so that the next attempt uploads it whole, and the
 * upload fails saying what was found. Azure checks each block's MD5 as it is staged but not the
 * blob's, so this is where a commit of the wrong blocks would show.
 */
async function verifyCommitted(
  store: BlobStore,
  blobName: string,
  name: string,
  expected: { readonly size: number; readonly contentMd5: string },
): Promise<void> {
  const committed = await store.properties(blobName);
  if (committed?.size === expected.size && committed.contentMd5 === expected.contentMd5) return;
  await store.delete(blobName);
  const found =
    committed === null
      ? 'no blob'
      : `${committed.size} bytes with MD5 ${committed.contentMd5 ?? 'unknown'}`;
  throw new Error(
    `${name}: after the commit, ${store.description} reports ${found} for ${blobName}, not the ${expected.size} bytes with MD5 ${expected.contentMd5} uploaded. The blob was deleted; it is uploaded again.`,
  );
}

/**
 * The blocks of one upload being staged at once, at most `limit`, each in a buffer of its own that
 * is handed out again once its block is staged. The first failure ends the upload: no block starts
 * after it, and those in flight are let finish (`settled`) before it is thrown.
 */
class StagesInFlight {
  readonly #limit: number;
  readonly #pending = new Set<Promise<void>>();
  readonly #free: Buffer[] = [];
  #failure: { readonly error: unknown } | null = null;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /**
   * Once fewer than `limit` blocks are in flight: a buffer done with, or undefined when there is
   * none yet (the caller takes a new one, so an upload holds at most `limit`). Throws the first
   * failure.
   */
  async freeBuffer(): Promise<Buffer | undefined> {
    while (this.#pending.size >= this.#limit && this.#failure === null)
      await Promise.race(this.#pending);
    this.throwIfFailed();
    return this.#free.pop();
  }

  /** A buffer whose block needed no staging (or that another step is done with). */
  free(buffer: Buffer): void {
    this.#free.push(buffer);
  }

  start(buffer: Buffer, stage: () => Promise<void>): void {
    // Never rejects: a failure is kept, and thrown by the upload's next step.
    const done: Promise<void> = stage()
      .then(
        () => {
          this.#free.push(buffer);
        },
        (error: unknown) => {
          this.#failure ??= { error };
        },
      )
      .finally(() => this.#pending.delete(done));
    this.#pending.add(done);
  }

  async settled(): Promise<void> {
    await Promise.all(this.#pending);
  }

  throwIfFailed(): void {
    if (this.#failure !== null) throw this.#failure.error;
  }
}

/** Whole-block buffers, shared by the uploads of a thread (one at a time uses each). */
const wholeBlocks = new BlockBuffers();

/**
 * Reads `length` bytes at `position` into the start of `buffer`: fewer only at the end of the file, so
 * that every block but the last is whole even where a read returns less than asked (network shares).
 */
async function readFully(
  handle: FileHandle,
  buffer: Uint8Array,
  length: number,
  position: number,
): Promise<number> {
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled;
}

/**
 * A block's id: its index and the MD5 of its bytes, fixed-width (Azure wants every id of a blob to be
 * the same length). A block staged by an earlier attempt is reused only when its id matches, so only
 * when it holds the same bytes: a file rewritten at the same size between attempts cannot leave a stale
 * block in the blob, even on a store (Azure) that does not check the whole blob's MD5 on commit.
 */
function blockId(index: number, blockMd5: string): string {
  return Buffer.from(`${String(index).padStart(8, '0')}-${blockMd5}`).toString('base64');
}

/** The index in an id made by `blockId`; NaN for an id it did not make. */
function blockIndexOf(id: string): number {
  const text = Buffer.from(id, 'base64').toString('latin1');
  return /^\d{8}-/.test(text) ? Number(text.slice(0, 8)) : Number.NaN;
}

/**
 * The block size of an upload that resumes: that of the blocks staged before, when they were staged
 * in another size (by a runtime node configured otherwise) that still fits the blob, so that they are
 * used rather than sent again; else the size planned. The first block gives the size (every block
 * but the last is whole, and the last may be larger: `blockLength`; a file of one block is its own
 * size, which lays it out as that one block again); without it, the largest staged block.
 */
function resumedBlockSize(
  fileBytes: number,
  staged: ReadonlyMap<string, number>,
  planned: number,
): number {
  if (staged.size === 0) return planned;
  const first = [...staged].find(([id]) => blockIndexOf(id) === 0);
  const size = first?.[1] ?? Math.max(...staged.values());
  const usable = size >= minBlockBytes && size <= maxBlockBytes;
  return usable && size !== planned && blockSizeFor(fileBytes, size) === size ? size : planned;
}
