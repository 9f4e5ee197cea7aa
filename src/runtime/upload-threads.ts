/**
 * Uploads on worker threads: reading a backup file, hashing it and writing its blocks into a local
 * folder blob store is most of what a busy embedded service does per file, and none of it needs the
 * main thread, which answers the API and drives the migrations. The threads also read backup
 * headers, of a source file (`readHeaders`) or of a blob in a local folder store (`readBlobMedia`,
 * what the rehearsal target reads): the other per-file work that needs no main thread. Worker
 * threads (two by default) share the uploads, each going to the one with the fewest under way (they
 * overlap on its event loop); a thread starts with its first upload (or `start()`), does not keep
 * the process alive, and is started again if it dies (the uploads it held fail and are tried again by
 * the engine, resuming from their staged blocks).
 *
 * The thread opens its own `LocalFolderBlobStore` on the same folder, as another process would: the
 * main thread's store sees the blobs it commits at the next look (its caches check each file's
 * stats).
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';

import {
  BackupReadError,
  type BackupErrorCode,
  type BackupMedia,
  type FileResult,
} from '../backup/index.js';
import { BlobStoreError, type BlobProperties, type BlobStoreErrorCode } from '../storage/index.js';
import { startModuleWorker } from '../threads/index.js';

export interface ThreadUpload {
  /** The folder the backup file is in, and its name within it. */
  readonly folder: string;
  readonly name: string;
  /** The local folder store's root, and the blob to write. */
  readonly storeRoot: string;
  readonly blobName: string;
  readonly blockSizeBytes: number;
  readonly firstAttempt: boolean;
}

export interface ThreadUploadOutcome {
  readonly dataRead: number;
  readonly dataWritten: number;
  readonly durationMs: number;
  readonly contentMd5: string;
}

/** Messages to the thread. */
export type ToUploadThread =
  | ({ readonly type: 'upload'; readonly id: number } & ThreadUpload)
  | { readonly type: 'abort'; readonly id: number; readonly reason: string }
  /** A source file's headers, by its path. */
  | { readonly type: 'headers'; readonly id: number; readonly path: string }
  /** A blob's properties, or its backup media, from the local folder store at `storeRoot`. */
  | ({ readonly type: 'blobProperties' } & BlobAt)
  | ({ readonly type: 'blobMedia' } & BlobAt);

interface BlobAt {
  readonly id: number;
  readonly storeRoot: string;
  readonly blobName: string;
}

/** A backup read error across the thread boundary (structured clone keeps no class). */
export interface WireBackupError {
  readonly code: BackupErrorCode;
  readonly message: string;
  readonly offset: number | null;
}

/** Messages from the thread. */
export type FromUploadThread =
  | {
      readonly type: 'progress';
      readonly id: number;
      readonly dataRead: number;
      readonly dataWritten: number;
    }
  | ({ readonly type: 'done'; readonly id: number } & ThreadUploadOutcome)
  | {
      readonly type: 'properties';
      readonly id: number;
      readonly properties: BlobProperties | null;
    }
  | {
      readonly type: 'read';
      readonly id: number;
      readonly media: BackupMedia | null;
      readonly bytesRead: number;
      readonly error: WireBackupError | null;
    }
  | {
      readonly type: 'failed';
      readonly id: number;
      readonly message: string;
      /** A `BlobStoreError`'s code and blob, kept across the thread boundary. */
      readonly code: string | null;
      readonly blobName: string | null;
    };

interface InFlight {
  readonly onProgress: (progress: { dataRead: number; dataWritten: number }) => void;
  readonly resolve: (outcome: ThreadUploadOutcome) => void;
  readonly reject: (error: Error) => void;
}

/** A read under way (headers, a blob's properties or media): the thread's answer, or why not. */
interface ReadInFlight {
  readonly resolve: (answer: FromUploadThread) => void;
  readonly reject: (error: Error) => void;
}

export interface UploadThreadsOptions {
  /**
   * Worker threads; an upload goes to the one with the fewest under way. Default 2 (1 on a machine
   * with one core): MD5 runs at ~700 MiB/s on one core, and the 200 fulls of 4 MiB that the
   * 200-migration benchmark sends in its first second were all uploaded 4.8–5.8 s after the first
   * arrived on one thread, 3.3–3.9 s on two (2 vCPUs). More would take the main thread's share.
   */
  readonly threads?: number;
  /**
   * Per thread, uploads of files larger than `smallFileBytes` under way at once; the others wait
   * their turn, first come first served. Default 4: a few overlap their waits for the disk, many
   * only share it (200 fulls side by side all finish at the end) and each holds a block in memory.
   */
  readonly largeUploadsAtOnce?: number;
  /**
   * Per thread, uploads of small files under way at once (turns of their own). Default 32: a small
   * upload mostly waits for the disk (four flushes), and 200 log backups a second at 40 ms each
   * need more than 8 at once.
   */
  readonly smallUploadsAtOnce?: number;
  /** The size up to which a file is small. Default 1 MiB. */
  readonly smallFileBytes?: number;
}

/** What each thread is started with. */
export interface UploadThreadSettings {
  readonly largeUploadsAtOnce: number;
  readonly smallUploadsAtOnce: number;
  readonly smallFileBytes: number;
}

/** One worker thread and the uploads it holds. */
interface Lane {
  worker: Worker | null;
  readonly uploads: Set<number>;
  /** Header reads under way (they fail with the thread as uploads do). */
  readonly reads: Set<number>;
}

export class UploadThreads {
  readonly #lanes: Lane[];
  #nextId = 1;
  readonly #inFlight = new Map<number, InFlight>();
  readonly #readsInFlight = new Map<number, ReadInFlight>();
  #closed = false;
  readonly #settings: UploadThreadSettings;

  constructor(options: UploadThreadsOptions = {}) {
    const threads = wholeNumber('threads', options.threads ?? defaultThreads(), 1, 16);
    this.#settings = {
      largeUploadsAtOnce: wholeNumber('largeUploadsAtOnce', options.largeUploadsAtOnce ?? 4, 1, 64),
      smallUploadsAtOnce: wholeNumber(
        'smallUploadsAtOnce',
        options.smallUploadsAtOnce ?? 32,
        1,
        64,
      ),
      smallFileBytes: wholeNumber(
        'smallFileBytes',
        options.smallFileBytes ?? 1024 * 1024,
        0,
        2 ** 40,
      ),
    };
    this.#lanes = Array.from({ length: threads }, () => ({
      worker: null,
      uploads: new Set(),
      reads: new Set(),
    }));
  }

  upload(
    request: ThreadUpload,
    onProgress: (progress: { dataRead: number; dataWritten: number }) => void,
    signal?: AbortSignal,
  ): Promise<ThreadUploadOutcome> {
    if (this.#closed) return Promise.reject(new Error('The upload thread was closed.'));
    signal?.throwIfAborted();
    const lane = this.#leastBusy();
    const worker = this.#started(lane);
    const id = this.#nextId++;
    lane.uploads.add(id);
    return new Promise<ThreadUploadOutcome>((resolve, reject) => {
      const onAbort = () => {
        worker.postMessage({
          type: 'abort',
          id,
          reason: String(signal?.reason ?? 'aborted'),
        } satisfies ToUploadThread);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = () => {
        lane.uploads.delete(id);
        signal?.removeEventListener('abort', onAbort);
      };
      this.#inFlight.set(id, {
        onProgress,
        resolve: (outcome) => {
          settle();
          resolve(outcome);
        },
        reject: (error) => {
          settle();
          // An upload stopped on purpose rejects with the signal's reason, as in-thread uploads do.
          reject(signal?.aborted ? asError(signal.reason) : error);
        },
      });
      worker.postMessage({ type: 'upload', id, ...request } satisfies ToUploadThread);
    });
  }

  /**
   * Reads a backup file's headers on a thread, as `readBackupFile` does (a file of up to 1 MiB in
   * one read): an unreadable backup is a result with its error, a file that cannot be opened too.
   */
  async readHeaders(path: string): Promise<FileResult> {
    try {
      const { media, bytesRead } = mediaOf(
        await this.#read((id) => ({ type: 'headers', id, path })),
      );
      return { file: path, media, bytesRead };
    } catch (error) {
      if (error instanceof BackupReadError) return { file: path, error };
      throw error;
    }
  }

  /**
   * Reads the backup media of a blob of the local folder store at `storeRoot` on a thread. Rejects
   * with a `BackupReadError` when the bytes are not a readable backup, with a `BlobStoreError` (or
   * another error) when the blob cannot be read.
   */
  async readBlobMedia(storeRoot: string, blobName: string): Promise<BackupMedia> {
    const answer = await this.#read((id) => ({ type: 'blobMedia', id, storeRoot, blobName }));
    return mediaOf(answer).media;
  }

  /** A blob's properties in the local folder store at `storeRoot`, read on a thread; null if none. */
  async blobProperties(storeRoot: string, blobName: string): Promise<BlobProperties | null> {
    const answer = await this.#read((id) => ({ type: 'blobProperties', id, storeRoot, blobName }));
    if (answer.type !== 'properties')
      throw new Error(`The upload thread answered a blob's properties with "${answer.type}".`);
    return answer.properties;
  }

  #read(message: (id: number) => ToUploadThread): Promise<FromUploadThread> {
    if (this.#closed) return Promise.reject(new Error('The upload thread was closed.'));
    // Reads are short: the thread with the fewest uploads, where they wait least.
    const lane = this.#leastBusy();
    const worker = this.#started(lane);
    const id = this.#nextId++;
    lane.reads.add(id);
    return new Promise((resolve, reject) => {
      this.#readsInFlight.set(id, {
        resolve: (answer) => {
          lane.reads.delete(id);
          resolve(answer);
        },
        reject: (error) => {
          lane.reads.delete(id);
          reject(error);
        },
      });
      worker.postMessage(message(id));
    });
  }

  /**
   * Starts the threads now rather than at the first upload: a thread loads its modules before it
   * can take work, and the first uploads of a busy start (every migration's full backup at once)
   * should not wait for that.
   */
  start(): void {
    if (this.#closed) return;
    for (const lane of this.#lanes) this.#started(lane);
  }

  /** How many threads are running now. */
  get running(): number {
    return this.#lanes.filter((lane) => lane.worker !== null).length;
  }

  /** Stops the threads; uploads under way fail (their staged blocks stay, for the next attempt). */
  async close(): Promise<void> {
    this.#closed = true;
    const workers = this.#lanes.flatMap((lane) => (lane.worker ? [lane.worker] : []));
    for (const lane of this.#lanes) {
      lane.worker = null;
      this.#fail(lane, new Error('The upload thread was closed.'));
    }
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  /** The thread with the fewest uploads under way. */
  #leastBusy(): Lane {
    return this.#lanes.reduce((a, b) => (b.uploads.size < a.uploads.size ? b : a));
  }

  #started(lane: Lane): Worker {
    if (lane.worker) return lane.worker;
    const worker = startModuleWorker(import.meta.url, 'upload-thread-main', this.#settings);
    worker.unref();
    worker.on('message', (message: FromUploadThread) => {
      this.#receive(message);
    });
    const died = (error: Error) => {
      if (lane.worker !== worker) return;
      lane.worker = null;
      this.#fail(lane, error);
    };
    worker.on('error', (error) => {
      died(new Error(`The upload thread failed: ${error.message}`));
    });
    worker.on('exit', (code) => {
      died(new Error(`The upload thread stopped (exit code ${code}).`));
    });
    lane.worker = worker;
    return worker;
  }

  #receive(message: FromUploadThread): void {
    const read = this.#readsInFlight.get(message.id);
    if (read) {
      this.#readsInFlight.delete(message.id);
      if (message.type === 'failed') read.reject(threadFailure(message));
      else read.resolve(message);
      return;
    }
    const call = this.#inFlight.get(message.id);
    if (!call) return;
    if (message.type === 'progress') {
      call.onProgress({ dataRead: message.dataRead, dataWritten: message.dataWritten });
      return;
    }
    this.#inFlight.delete(message.id);
    if (message.type === 'done') {
      call.resolve({
        dataRead: message.dataRead,
        dataWritten: message.dataWritten,
        durationMs: message.durationMs,
        contentMd5: message.contentMd5,
      });
    } else if (message.type === 'failed') {
      call.reject(threadFailure(message));
    }
  }

  /** Fails the uploads a lane holds (its thread died or was stopped). */
  #fail(lane: Lane, error: Error): void {
    for (const id of [...lane.uploads]) {
      const call = this.#inFlight.get(id);
      this.#inFlight.delete(id);
      call?.reject(error);
    }
    lane.uploads.clear();
    for (const id of [...lane.reads]) {
      const read = this.#readsInFlight.get(id);
      this.#readsInFlight.delete(id);
      read?.reject(error);
    }
    lane.reads.clear();
  }
}

/** The media a read answered with; its error, as a `BackupReadError` again, when it had none. */
function mediaOf(answer: FromUploadThread): { media: BackupMedia; bytesRead: number } {
  if (answer.type !== 'read')
    throw new Error(`The upload thread answered a header read with "${answer.type}".`);
  if (answer.media) return { media: answer.media, bytesRead: answer.bytesRead };
  throw new BackupReadError(
    answer.error?.code ?? 'ReadFailed',
    answer.error?.message ?? 'The upload thread read no media and gave no reason.',
    { offset: answer.error?.offset ?? null },
  );
}

/** A failure the thread reported: a `BlobStoreError` again when it was one. */
function threadFailure(message: Extract<FromUploadThread, { type: 'failed' }>): Error {
  return message.code === null
    ? new Error(message.message)
    : new BlobStoreError(message.code as BlobStoreErrorCode, message.message, {
        ...(message.blobName === null ? {} : { blobName: message.blobName }),
      });
}

/** Two threads, or one on a machine with a single core. */
function defaultThreads(): number {
  return Math.min(2, availableParallelism());
}

function wholeNumber(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new RangeError(`${name} must be a whole number from ${min} to ${max}, not ${value}.`);
  return value;
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
