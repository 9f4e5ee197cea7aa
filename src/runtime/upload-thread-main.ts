/**
 * The upload thread (see `upload-threads.ts`): runs `LocalFolderSource.upload` into a local folder
 * store for each request from the main thread, and reports progress and the outcome back; and reads
 * backup headers, of a source file or of a blob of a local folder store, when asked.
 *
 * Uploads take turns, first come first served, a few at a time (`UploadThreadsOptions`): 200 full
 * backups arriving at once, all copied side by side, would share the disk until they all finished at
 * the end; in turns, the first finish at once and the rest follow, each in a few milliseconds, and
 * memory holds a few blocks, not 200. Small files (a log backup of a few hundred KiB) have turns of
 * their own, so they do not wait behind a queue of large ones.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';

import pLimit from 'p-limit';

import {
  isBackupReadError,
  readBackupFile,
  readBackupMedia,
  readWholeIfSmall,
} from '../backup/index.js';
import { isBlobStoreError, LocalFolderBlobStore } from '../storage/index.js';

import { LocalFolderSource } from './local-folder-source.js';
import type { FromUploadThread, ToUploadThread, UploadThreadSettings } from './upload-threads.js';

const port = parentPort;
if (!port) throw new Error('upload-thread-main runs as a worker thread only.');
const settings = workerData as UploadThreadSettings;

const stores = new Map<string, LocalFolderBlobStore>();
const aborters = new Map<number, AbortController>();
const largeTurns = pLimit(settings.largeUploadsAtOnce);
const smallTurns = pLimit(settings.smallUploadsAtOnce);

function storeAt(root: string): LocalFolderBlobStore {
  let store = stores.get(root);
  if (!store) {
    store = new LocalFolderBlobStore(root);
    stores.set(root, store);
  }
  return store;
}

function send(message: FromUploadThread): void {
  port?.postMessage(message);
}

/** The turns a file waits for: by its size now (a file that is gone fails in its upload). */
async function turnsFor(folder: string, name: string): Promise<typeof largeTurns> {
  const size = await stat(join(folder, ...name.split('/'))).then(
    (info) => info.size,
    () => 0,
  );
  return size <= settings.smallFileBytes ? smallTurns : largeTurns;
}

/**
 * `work`, or its signal's reason as soon as the signal aborts while `queued()` (a cancel waits for
 * its uploads: one stopped while it waits for its turn ends at once, and when its turn comes it ends
 * at once too). An upload under way is left to stop at its next block, so that it has ended before
 * anyone learns it has: nothing else writes its blob meanwhile.
 */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal, queued: () => boolean): Promise<T> {
  work.catch(() => undefined); // when the race is lost, it settles unheard
  return new Promise<T>((resolve, reject) => {
    const stop = () => {
      if (queued()) reject(signal.reason as Error);
    };
    if (signal.aborted) stop();
    signal.addEventListener('abort', stop, { once: true });
    work.then(resolve, reject).finally(() => {
      signal.removeEventListener('abort', stop);
    });
  });
}

/** A source file's headers, as `LocalFolderSource.readHeaders` reads them. */
async function readHeaders(id: number, path: string): Promise<void> {
  const result = await readBackupFile(path, { readWholeUpToBytes: 1024 * 1024 });
  if ('error' in result) {
    const { code, message, offset } = result.error;
    send({ type: 'read', id, media: null, bytesRead: 0, error: { code, message, offset } });
  } else {
    send({ type: 'read', id, media: result.media, bytesRead: result.bytesRead, error: null });
  }
}

/** A blob's media, as the rehearsal target reads it (a log of a few hundred KiB in one read). */
async function readBlobMedia(id: number, storeRoot: string, blobName: string): Promise<void> {
  const source = await storeAt(storeRoot).openRead(blobName);
  try {
    const media = await readBackupMedia(readWholeIfSmall(source, 1024 * 1024));
    send({ type: 'read', id, media, bytesRead: 0, error: null });
  } catch (error) {
    if (!isBackupReadError(error)) throw error;
    const { code, message, offset } = error;
    send({ type: 'read', id, media: null, bytesRead: 0, error: { code, message, offset } });
  } finally {
    await source.close();
  }
}

function failed(id: number, error: unknown): void {
  send({
    type: 'failed',
    id,
    message: error instanceof Error ? error.message : String(error),
    code: isBlobStoreError(error) ? error.code : null,
    blobName: isBlobStoreError(error) ? error.blobName : null,
  });
}

port.on('message', (message: ToUploadThread) => {
  if (message.type === 'abort') {
    aborters.get(message.id)?.abort(new Error(message.reason));
    return;
  }
  if (message.type === 'headers') {
    readHeaders(message.id, message.path).catch((error: unknown) => {
      failed(message.id, error);
    });
    return;
  }
  if (message.type === 'blobProperties') {
    storeAt(message.storeRoot)
      .properties(message.blobName)
      .then(
        (properties) => {
          send({ type: 'properties', id: message.id, properties });
        },
        (error: unknown) => {
          failed(message.id, error);
        },
      );
    return;
  }
  if (message.type === 'blobMedia') {
    readBlobMedia(message.id, message.storeRoot, message.blobName).catch((error: unknown) => {
      failed(message.id, error);
    });
    return;
  }
  const { id } = message;
  const aborter = new AbortController();
  aborters.set(id, aborter);
  const source = new LocalFolderSource(message.folder, { blockSizeBytes: message.blockSizeBytes });
  let started = false;
  const upload = () => {
    started = true;
    // Stopped while it waited for its turn: it ends without opening the file.
    aborter.signal.throwIfAborted();
    return source.upload(
      message.name,
      storeAt(message.storeRoot),
      message.blobName,
      (progress) => {
        send({ type: 'progress', id, ...progress });
      },
      aborter.signal,
      { firstAttempt: message.firstAttempt },
    );
  };
  void turnsFor(message.folder, message.name)
    .then((turns) => untilAborted(turns(upload), aborter.signal, () => !started))
    .then(
      (outcome) => {
        send({ type: 'done', id, ...outcome });
      },
      (error: unknown) => {
        failed(id, error);
      },
    )
    .finally(() => aborters.delete(id));
});
