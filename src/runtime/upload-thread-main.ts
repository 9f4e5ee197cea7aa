/**
 * The upload thread (see `upload-threads.ts`): runs `LocalFolderSource.upload` into a local folder
 * store for each request from the main thread, and reports progress and the outcome back.
 */
import { parentPort } from 'node:worker_threads';

import { isBlobStoreError, LocalFolderBlobStore } from '../storage/index.js';

import { LocalFolderSource } from './local-folder-source.js';
import type { FromUploadThread, ToUploadThread } from './upload-threads.js';

const port = parentPort;
if (!port) throw new Error('upload-thread-main runs as a worker thread only.');

const stores = new Map<string, LocalFolderBlobStore>();
const aborters = new Map<number, AbortController>();

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

port.on('message', (message: ToUploadThread) => {
  if (message.type === 'abort') {
    aborters.get(message.id)?.abort(new Error(message.reason));
    return;
  }
  const { id } = message;
  const aborter = new AbortController();
  aborters.set(id, aborter);
  const source = new LocalFolderSource(message.folder, { blockSizeBytes: message.blockSizeBytes });
  void source
    .upload(
      message.name,
      storeAt(message.storeRoot),
      message.blobName,
      (progress) => {
        send({ type: 'progress', id, ...progress });
      },
      aborter.signal,
      { firstAttempt: message.firstAttempt },
    )
    .then(
      (outcome) => {
        send({ type: 'done', id, ...outcome });
      },
      (error: unknown) => {
        send({
          type: 'failed',
          id,
          message: error instanceof Error ? error.message : String(error),
          code: isBlobStoreError(error) ? error.code : null,
          blobName: isBlobStoreError(error) ? error.blobName : null,
        });
      },
    )
    .finally(() => aborters.delete(id));
});
