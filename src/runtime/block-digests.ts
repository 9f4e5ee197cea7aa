/**
 * The MD5s of an upload: each block's own (in its id, and sent with it as Content-MD5) and the whole
 * file's (stored with the blob and checked after the commit). MD5 reads its input in order, so the
 * two are separate passes over every byte but the first block's (whose digest is the file's hash
 * stopped where it ends): about 3 ms of CPU per MiB, more than all the rest of an upload's work.
 *
 * An upload with several blocks in flight (into Azure) hashes on two worker threads of its own, one
 * per pass, so that its thread is free to read the file and send the blocks meanwhile and the two
 * passes run side by side; the blocks reach the workers without a copy when their buffers are shared
 * (`BlockBuffers` makes them so). Others hash in their own thread.
 */
import { createHash, type Hash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

export interface BlockDigests {
  /**
   * Adds the file's next block; resolves to the block's own MD5 (base64). The bytes must not change
   * until it resolves.
   */
  block(block: Uint8Array): Promise<string>;
  /** The file's MD5 (base64), once every block was added. */
  file(): Promise<string>;
  /** Frees the worker thread, if any; the digests are not used after. */
  close(): Promise<void>;
}

export function blockDigests(onWorkerThread: boolean): BlockDigests {
  return onWorkerThread ? new WorkerDigests() : new InThreadDigests();
}

class InThreadDigests implements BlockDigests {
  readonly #state = new FileState();

  block(block: Uint8Array): Promise<string> {
    return Promise.resolve(this.#state.block(block));
  }

  file(): Promise<string> {
    return Promise.resolve(this.#state.file());
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** The file's running hash, and how many blocks it has seen. */
class FileState {
  readonly #md5: Hash = createHash('md5');
  #blocks = 0;

  block(block: Uint8Array): string {
    this.#md5.update(block);
    const own = this.#blocks++ === 0 ? this.#md5.copy() : createHash('md5').update(block);
    return own.digest('base64');
  }

  file(): string {
    return this.#md5.digest('base64');
  }
}

/**
 * A worker thread hashing what it is sent, answering each message in order: in `file` mode the running
 * MD5 of everything sent (answered with `null` per block, and the digest when sent `null`), in
 * `blocks` mode each block's own MD5. Plain JavaScript evaluated in the worker (no file of its own to
 * find, from sources or the build).
 */
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const md5 = createHash('md5');
parentPort.on('message', (block) => {
  if (workerData === 'blocks') return parentPort.postMessage(createHash('md5').update(block).digest('base64'));
  if (block === null) return parentPort.postMessage(md5.digest('base64'));
  md5.update(block);
  parentPort.postMessage(null);
});
`;

/**
 * The two passes on two worker threads, so that on a machine of two cores or more they run side by
 * side: a block's promise resolves once both threads are done with its bytes.
 */
class WorkerDigests implements BlockDigests {
  readonly #file = new HashWorker('file');
  readonly #blocks = new HashWorker('blocks');

  async block(block: Uint8Array): Promise<string> {
    const [own] = await Promise.all([this.#blocks.ask(block), this.#file.ask(block)]);
    return own ?? '';
  }

  async file(): Promise<string> {
    return (await this.#file.ask(null)) ?? '';
  }

  async close(): Promise<void> {
    await Promise.all([this.#file.close(), this.#blocks.close()]);
  }
}

class HashWorker {
  readonly #worker: Worker;
  readonly #waiting: { resolve(digest: string | null): void; reject(error: Error): void }[] = [];
  #failure: Error | null = null;

  constructor(mode: 'file' | 'blocks') {
    this.#worker = new Worker(workerSource, { eval: true, workerData: mode });
    this.#worker.on('message', (digest: string | null) => {
      this.#waiting.shift()?.resolve(digest);
    });
    const fail = (error: Error): void => {
      const failure = (this.#failure ??= error);
      for (const waiting of this.#waiting.splice(0)) waiting.reject(failure);
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', (code) => {
      fail(new Error(`An MD5 worker thread of an upload ended (exit code ${code}).`));
    });
  }

  ask(block: Uint8Array | null): Promise<string | null> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      // A view of a shared buffer reaches the worker as the same memory; any other is copied.
      this.#worker.postMessage(block);
    });
  }

  async close(): Promise<void> {
    this.#failure ??= new Error('An MD5 worker thread of an upload was closed.');
    await this.#worker.terminate();
  }
}
