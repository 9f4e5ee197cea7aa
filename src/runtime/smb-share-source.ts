/**
 * The integration runtime's view of a backup folder on an SMB share, `\\host\share\folder`, reached
 * with a user name and password the way Azure DMS asks for them. Samba's `smbclient` does the SMB
 * work, one short run per listing, look or read (smb/smbclient.ts says how the password reaches it).
 *
 * A file is read whole into a private spool folder before its headers are read or it is uploaded,
 * and every read is checked: the share's listing of the file gives its size and time; the bytes that
 * come must be exactly that many; by default a second, simultaneous read of the share must hash the
 * same (a client that returned zero-filled gaps would differ); the file must still show the same size
 * and time afterwards (a file still being written is refused with `FileChanged`). The spooled copy
 * is then read and uploaded by a `LocalFolderSource` over the spool folder, so uploads keep its
 * resume from staged blocks and its checks of the committed blob; the MD5 it uploaded must equal the
 * share's. A copy is read from the share once, kept until it is uploaded (and deleted then), until
 * the share no longer lists it or shows it changed, until the spool is over its limit and it is the
 * least recently used copy, or until `close()`.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, open, rename, rm, rmdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import type { FileResult } from '../backup/index.js';
import type { BlobStore } from '../storage/index.js';
import {
  LocalFolderSource,
  type FileInfo,
  type UploadOptions,
  type UploadProgress,
} from './local-folder-source.js';
import { SmbShareError } from './smb/errors.js';
import { listRemoteFolder, readRemoteFile, statRemoteFile } from './smb/remote-files.js';
import { describe, type SmbConnection } from './smb/smbclient.js';
import { formatUncPath, isValidSmbName, parseUncPath } from './smb/unc-path.js';
import type { UploadThreads } from './upload-threads.js';

export interface SmbShareSourceOptions {
  /** The account: `user`, `DOMAIN\user` or `user@domain`. */
  readonly userName: string;
  /** Never shown: not in messages, descriptions, logs, nor on smbclient's command line. */
  readonly password: string;
  /** TCP port of the SMB server. Default: smbclient's (445). */
  readonly port?: number;
  /** Where the private spool folder is made (it needs room for the files being moved). Default: the system's temporary folder. */
  readonly spoolFolder?: string;
  /**
   * Most bytes the spooled copies may hold together. Past it, the copies least recently used that no
   * call is using are deleted (and read again from the share when asked for). A single file larger
   * than this is still spooled. Default 8 GiB.
   */
  readonly spoolLimitBytes?: number;
  /**
   * Read every file twice at once and require both reads to hash the same. Default true: it doubles
   * what is read from the share, and catches a read that came back damaged.
   */
  readonly readTwice?: boolean;
  /**
   * Longest listing or look at a file, and longest time a read may go without a byte, before
   * smbclient is stopped (`TimedOut`). Default 60 s.
   */
  readonly timeoutMs?: number;
  /** Where smbclient is. Default `smbclient`, found on the PATH. */
  readonly smbclientPath?: string;
  /** As for `LocalFolderSource`: the block size of uploads. */
  readonly blockSizeBytes?: number;
  /** As for `LocalFolderSource`: uploads into a local folder store run on this worker thread. */
  readonly uploadThreads?: UploadThreads;
}

/** A file read from the share into the spool, with what the share showed of it. */
interface Spooled {
  readonly size: number;
  readonly modifiedAt: string;
  /** MD5 of the bytes read, base64. */
  readonly md5: string;
}

/** A read under way; it stops when every caller that waits for it has given up (aborted). */
interface Reading {
  readonly name: string;
  readonly done: Promise<Spooled>;
  readonly controller: AbortController;
  /** Callers still waiting; one without a signal never gives up. */
  waiting: number;
  readonly onBytes: Set<(bytes: number) => void>;
}

export class SmbShareSource {
  /** `SMB share \\host\share\folder (port N) as USER`: never the password. */
  readonly description: string;
  readonly #connection: SmbConnection;
  readonly #timeoutMs: number;
  readonly #readTwice: boolean;
  readonly #spoolLimit: number;
  /** Calls using a name's spooled copy (reading headers, uploading): it is not evicted meanwhile. */
  readonly #using = new Map<string, number>();
  readonly #spoolParent: string;
  readonly #localOptions: { blockSizeBytes?: number; uploadThreads?: UploadThreads };
  #spool: Promise<{ folder: string; files: LocalFolderSource }> | null = null;
  readonly #spooled = new Map<string, Spooled>();
  readonly #reading = new Map<string, Reading>();
  #closed = false;

  constructor(location: string, options: SmbShareSourceOptions) {
    const path = parseUncPath(location);
    const { port, userName, timeoutMs = 60_000 } = options;
    if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65_535)) {
      throw new SmbShareError(
        'InvalidLocation',
        `port must be a whole number from 1 to 65535, not ${port}.`,
      );
    }
    if (userName.trim() === '' || /[%\p{Cc}]/u.test(userName)) {
      throw new SmbShareError(
        'InvalidLocation',
        `The user name ${JSON.stringify(userName)} cannot be used: give a non-empty name without % or control characters (DOMAIN\\user for a domain account).`,
      );
    }
    if (/[\r\n\0]/.test(options.password)) {
      throw new SmbShareError(
        'InvalidLocation',
        'The password holds a line break or NUL character, which smbclient cannot be given.',
      );
    }
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
      throw new RangeError(`timeoutMs must be a positive whole number, not ${timeoutMs}.`);
    }
    this.#connection = {
      path,
      port: port ?? null,
      user: userName,
      password: options.password,
      smbclientPath: options.smbclientPath ?? 'smbclient',
    };
    this.#timeoutMs = timeoutMs;
    this.#readTwice = options.readTwice ?? true;
    this.#spoolLimit = options.spoolLimitBytes ?? 8 * 1024 ** 3;
    if (!Number.isSafeInteger(this.#spoolLimit) || this.#spoolLimit < 0) {
      throw new RangeError(
        `spoolLimitBytes must be a whole number of bytes, not ${options.spoolLimitBytes}.`,
      );
    }
    this.#spoolParent = options.spoolFolder ?? tmpdir();
    this.#localOptions = {
      ...(options.blockSizeBytes === undefined ? {} : { blockSizeBytes: options.blockSizeBytes }),
      ...(options.uploadThreads === undefined ? {} : { uploadThreads: options.uploadThreads }),
    };
    // Checks the block size now, as LocalFolderSource would.
    new LocalFolderSource(this.#spoolParent, this.#localOptions);
    this.description = `SMB share ${describe(this.#connection)}`;
  }

  /**
   * The files under the folder (subfolders included), names relative to it with `/`; files whose own
   * name starts with `.` are left out. The whole folder is listed in one smbclient run, so `wanted`
   * only filters. Spooled copies of files the share no longer shows, or shows changed, are dropped.
   */
  async list(wanted?: (name: string) => boolean): Promise<FileInfo[]> {
    this.#checkOpen();
    const listed = await listRemoteFolder(this.#connection, { timeoutMs: this.#timeoutMs });
    const seen = new Map(listed.map((file) => [file.name, file]));
    for (const [name, spooled] of this.#spooled) {
      if (this.#using.has(name)) continue; // checked against the share when next asked for
      const now = seen.get(name);
      if (now?.size !== spooled.size || now.modifiedAt !== spooled.modifiedAt)
        await this.#drop(name);
    }
    return listed
      .filter((file) => !ownName(file.name).startsWith('.'))
      .filter((file) => wanted === undefined || wanted(file.name))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The file's backup headers, read from its spooled copy (which stays for the upload). */
  async readHeaders(name: string): Promise<FileResult> {
    return this.#usingCopy(name, async () => {
      await this.#spooledCopy(name);
      const { files } = await this.#spoolFolder();
      const result = await files.readHeaders(name);
      return { ...result, file: this.#uncOf(name) };
    });
  }

  /**
   * Reads the file into the spool (unless a copy the share still matches is there), then uploads
   * the copy as `LocalFolderSource.upload` does, and deletes it once uploaded. `dataRead` counts the
   * bytes read from the share. The signal also stops a read from the share (unless another caller
   * still waits for the same read).
   */
  async upload(
    name: string,
    store: BlobStore,
    blobName: string,
    onProgress: (progress: UploadProgress) => void,
    signal?: AbortSignal,
    options: UploadOptions = {},
  ): Promise<UploadProgress & { durationMs: number; contentMd5: string }> {
    return this.#usingCopy(name, () =>
      this.#upload(name, store, blobName, onProgress, signal, options),
    );
  }

  async #upload(
    name: string,
    store: BlobStore,
    blobName: string,
    onProgress: (progress: UploadProgress) => void,
    signal: AbortSignal | undefined,
    options: UploadOptions,
  ): Promise<UploadProgress & { durationMs: number; contentMd5: string }> {
    const started = Date.now();
    const spooled = await this.#spooledCopy(name, signal, (bytes) => {
      onProgress({ dataRead: bytes, dataWritten: 0 });
    });
    const { files } = await this.#spoolFolder();
    const outcome = await files.upload(
      name,
      store,
      blobName,
      (progress) => {
        onProgress({ dataRead: spooled.size, dataWritten: progress.dataWritten });
      },
      signal,
      options,
    );
    await this.#drop(name);
    if (outcome.contentMd5 !== spooled.md5) {
      await store.delete(blobName);
      throw new SmbShareError(
        'ContentMismatch',
        `${name}: the copy uploaded from the spool has MD5 ${outcome.contentMd5}, but the share's bytes had ${spooled.md5}; the local spool copy was damaged. The blob ${blobName} was deleted; the file is read again.`,
      );
    }
    return { ...outcome, dataRead: spooled.size, durationMs: Date.now() - started };
  }

  /** Stops the reads under way and deletes the spool folder. Later calls fail with `Closed`. */
  async close(): Promise<void> {
    this.#closed = true;
    const reads = [...this.#reading.values()];
    for (const reading of reads) reading.controller.abort(this.#closedError());
    await Promise.allSettled(reads.map((reading) => reading.done));
    this.#spooled.clear();
    const spool = this.#spool;
    this.#spool = null;
    if (spool) await rm((await spool).folder, { recursive: true, force: true });
  }

  async #usingCopy<T>(name: string, use: () => Promise<T>): Promise<T> {
    this.#using.set(name, (this.#using.get(name) ?? 0) + 1);
    try {
      return await use();
    } finally {
      const left = (this.#using.get(name) ?? 1) - 1;
      if (left === 0) this.#using.delete(name);
      else this.#using.set(name, left);
    }
  }

  /** Deletes the least recently used copies no call is using, while the spool is over its limit. */
  async #evict(): Promise<void> {
    let total = 0;
    for (const spooled of this.#spooled.values()) total += spooled.size;
    for (const [name, spooled] of [...this.#spooled]) {
      if (total <= this.#spoolLimit) return;
      if (this.#using.has(name)) continue;
      total -= spooled.size;
      await this.#drop(name);
    }
  }

  /** A spooled copy the share still matches, reading the file when there is none. */
  async #spooledCopy(
    name: string,
    signal?: AbortSignal,
    onBytes?: (bytes: number) => void,
  ): Promise<Spooled> {
    this.#checkOpen();
    this.#checkName(name);
    signal?.throwIfAborted();
    const spooled = this.#spooled.get(name);
    if (spooled) {
      const call = { timeoutMs: this.#timeoutMs, signal };
      const now = await statRemoteFile(this.#connection, name, call);
      const local = await stat(await this.#spoolPath(name)).catch(() => null);
      if (
        now.size === spooled.size &&
        now.modifiedAt === spooled.modifiedAt &&
        local?.size === spooled.size
      ) {
        // Most recently used last, for eviction.
        this.#spooled.delete(name);
        this.#spooled.set(name, spooled);
        return spooled;
      }
      await this.#drop(name);
    }
    const reading = this.#reading.get(name) ?? this.#startReading(name);
    return this.#wait(reading, signal, onBytes);
  }

  #startReading(name: string): Reading {
    const controller = new AbortController();
    const onBytes = new Set<(bytes: number) => void>();
    let reported = 0;
    const report = (bytes: number): void => {
      // Every MiB, not every chunk.
      if (bytes - reported < 1024 * 1024) return;
      reported = bytes;
      for (const see of onBytes) see(bytes);
    };
    const done = this.#read(name, controller.signal, report).finally(() => {
      if (this.#reading.get(name) === reading) this.#reading.delete(name);
    });
    const reading: Reading = { name, done, controller, waiting: 0, onBytes };
    this.#reading.set(name, reading);
    return reading;
  }

  /** Waits for a read; the read stops when the last waiter's signal aborts. */
  async #wait(
    reading: Reading,
    signal: AbortSignal | undefined,
    onBytes: ((bytes: number) => void) | undefined,
  ): Promise<Spooled> {
    reading.waiting += 1;
    if (onBytes) reading.onBytes.add(onBytes);
    if (!signal) return reading.done.finally(() => onBytes && reading.onBytes.delete(onBytes));
    let onAbort = (): void => undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        reading.waiting -= 1;
        if (reading.waiting === 0) {
          // Given up by all: a later caller starts a read of its own.
          if (this.#reading.get(reading.name) === reading) this.#reading.delete(reading.name);
          reading.controller.abort(signal.reason);
        }
        reject(signal.reason as Error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([reading.done, aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort);
      if (onBytes) reading.onBytes.delete(onBytes);
    }
  }

  /**
   * Reads the file into a new spool file: looks at it, reads it (twice at once, by default), checks
   * the bytes and hashes, looks at it again, and only then moves the copy where uploads find it.
   */
  async #read(
    name: string,
    signal: AbortSignal,
    onBytes: (bytes: number) => void,
  ): Promise<Spooled> {
    const call = { timeoutMs: this.#timeoutMs, signal };
    const before = await statRemoteFile(this.#connection, name, call);
    const { folder } = await this.#spoolFolder();
    const incoming = join(folder, 'incoming', randomUUID());
    await mkdir(dirname(incoming), { recursive: true, mode: 0o700 });
    const handle = await open(incoming, 'wx', 0o600);
    let kept = false;
    try {
      // Either read failing stops the other.
      const both = new AbortController();
      const bothSignal = AbortSignal.any([signal, both.signal]);
      const stopOther = (error: unknown): never => {
        both.abort(error);
        throw error;
      };
      const reads = [
        readRemoteFile(this.#connection, name, before.size, {
          timeoutMs: this.#timeoutMs,
          signal: bothSignal,
          into: handle,
          onBytes,
        }).catch(stopOther),
      ];
      if (this.#readTwice) {
        const second = { timeoutMs: this.#timeoutMs, signal: bothSignal };
        reads.push(readRemoteFile(this.#connection, name, before.size, second).catch(stopOther));
      }
      const settled = await Promise.allSettled(reads);
      signal.throwIfAborted();
      const failed = settled.find((s) => s.status === 'rejected');
      if (failed) throw failed.reason;
      const [first, second] = settled.map((s) => (s.status === 'fulfilled' ? s.value : null));
      if (first && second && first.md5 !== second.md5) {
        throw new SmbShareError(
          'ContentMismatch',
          `Reading ${name} on ${this.description}: two reads of the same ${before.size} bytes hashed differently (MD5 ${first.md5} and ${second.md5}); the network, the server or the client damaged one. Nothing was kept; the file is read again.`,
        );
      }
      await handle.sync();
      await handle.close();
      const after = await statRemoteFile(this.#connection, name, call);
      if (after.size !== before.size || after.modifiedAt !== before.modifiedAt) {
        throw new SmbShareError(
          'FileChanged',
          `Reading ${name} on ${this.description}: the file changed while it was read (${before.size} bytes modified ${before.modifiedAt} before, ${after.size} bytes modified ${after.modifiedAt} after). It is still being written; it is read again once it stops changing.`,
        );
      }
      const target = await this.#spoolPath(name);
      for (let attempt = 1; ; attempt++) {
        await mkdir(dirname(target), { recursive: true, mode: 0o700 });
        // A drop of the folder's last copy may remove the folder in between: then again.
        const moved = await rename(incoming, target).then(
          () => true,
          (error: unknown) => {
            if (attempt < 3 && (error as NodeJS.ErrnoException).code === 'ENOENT') return false;
            throw error;
          },
        );
        if (moved) break;
      }
      kept = true;
      const spooled = { size: before.size, modifiedAt: before.modifiedAt, md5: first?.md5 ?? '' };
      this.#spooled.set(name, spooled);
      await this.#evict();
      return spooled;
    } finally {
      await handle.close().catch(() => undefined);
      if (!kept) await rm(incoming, { force: true });
    }
  }

  /** Deletes a spooled copy, and the spool's folders it leaves empty. */
  async #drop(name: string): Promise<void> {
    if (!this.#spooled.delete(name)) return;
    await rm(await this.#spoolPath(name), { force: true });
    const parts = name.split('/').slice(0, -1);
    for (; parts.length > 0; parts.pop()) {
      const emptied = await rmdir(await this.#spoolPath(parts.join('/'))).then(
        () => true,
        () => false, // not empty (another copy), or gone
      );
      if (!emptied) break;
    }
  }

  /** The private spool folder (mode 0700), made at the first read. */
  #spoolFolder(): Promise<{ folder: string; files: LocalFolderSource }> {
    this.#spool ??= (async () => {
      await mkdir(this.#spoolParent, { recursive: true });
      const folder = await mkdtemp(join(this.#spoolParent, 'sqlmig-smb-spool-'));
      const files = join(folder, 'files');
      await mkdir(files, { mode: 0o700 });
      return { folder, files: new LocalFolderSource(files, this.#localOptions) };
    })();
    return this.#spool;
  }

  async #spoolPath(name: string): Promise<string> {
    const { folder } = await this.#spoolFolder();
    return join(folder, 'files', ...name.split('/'));
  }

  #uncOf(name: string): string {
    return `${formatUncPath(this.#connection.path)}\\${name.split('/').join('\\')}`;
  }

  #checkName(name: string): void {
    if (!name.split('/').every(isValidSmbName)) {
      throw new SmbShareError(
        'InvalidLocation',
        `${JSON.stringify(name)} is not a file name inside ${formatUncPath(this.#connection.path)}: parts joined with /, none empty, . or .., none holding "*?<>|: or control characters.`,
      );
    }
  }

  #checkOpen(): void {
    if (this.#closed) throw this.#closedError();
  }

  #closedError(): SmbShareError {
    return new SmbShareError(
      'Closed',
      `${this.description} was closed; its spooled copies are gone.`,
    );
  }
}

function ownName(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}
