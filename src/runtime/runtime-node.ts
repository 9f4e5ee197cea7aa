/**
 * An integration runtime node as its own process (`sqlmig runtime`): registers with one of its
 * service's auth keys, sends a heartbeat with its monitoring data, and runs jobs it leases from the
 * service — a few at once — reaching the service outbound only.
 *
 * Each leased job is renewed by a progress report every third of the lease; the report's answer can
 * say the job was canceled (the upload stops between two blocks, and the node acknowledges), and a
 * refused report (`LeaseLost`: the lease expired, the job went elsewhere) stops the job without any
 * further write. A service that does not answer is tried again, with a growing pause, for as long as
 * the node runs; a node the service no longer knows (`deleteNode`) stops, saying so.
 */
import { cpus, freemem } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  RuntimeClient,
  ServiceRequestError,
  type JobOutcomeMessage,
  type LeasedJobMessage,
  type NodeMonitoring,
  type NodeRegistration,
} from '../client/index.js';
import { fileResultToWire } from '../backup/index.js';
import {
  checkHeadersInput,
  checkListInput,
  checkTestConnectionInput,
  checkUploadInput,
  type BackupLocation,
  type TestConnectionInput,
  type TestConnectionResult,
  type UploadStorage,
} from '../runtime-protocol/index.js';
import { AzureBlobStore, LocalFolderBlobStore, type BlobStore } from '../storage/index.js';
import { testConnection } from './connection-test.js';
import { LocalFolderSource } from './local-folder-source.js';
import { SmbShareSource } from './smb-share-source.js';
import { UploadRateLimit } from './upload-rate-limit.js';

/** What a node reads backups through: a local or mounted folder, or an SMB share. */
export interface NodeBackupSource {
  list(): Promise<{ name: string; size: number; modifiedAt: string }[]>;
  readHeaders: LocalFolderSource['readHeaders'];
  upload(
    name: string,
    store: BlobStore,
    blobName: string,
    onProgress: (progress: { dataRead: number; dataWritten: number }) => void,
    signal?: AbortSignal,
    options?: { firstAttempt?: boolean },
  ): Promise<{ dataRead: number; dataWritten: number; durationMs: number; contentMd5: string }>;
  /** Frees what the source holds (an SMB source's spool folder). */
  close?(): Promise<void>;
}

export interface RuntimeNodeOptions {
  readonly serviceUrl: string;
  readonly authKey: string;
  readonly nodeName: string;
  /** Jobs run at once. Default 4. */
  readonly concurrentJobs?: number;
  /** Block size of uploads (as `LocalFolderSource`'s). Default 4 MiB. */
  readonly blockSizeBytes?: number;
  /** A cap on the node's upload rate, all uploads together. Default: none. */
  readonly maxUploadBytesPerSecond?: number;
  /** The TCP port of the SMB servers this node reads shares from. Default 445. */
  readonly smbPort?: number;
  /** Reach a service on another host over plain HTTP (a trusted network only). Default: refused. */
  readonly allowPlainHttp?: boolean;
  /**
   * The source for a backup location. Default: a `LocalFolderSource` for folders, an
   * `SmbShareSource` (Samba's smbclient) for `\\host\share\path`.
   */
  readonly sourceFor?: (location: BackupLocation) => NodeBackupSource;
  /** One line per thing worth telling (registration, a job failed, the service unreachable). */
  readonly log?: (line: string) => void;
}

export class RuntimeNode {
  readonly #options: RuntimeNodeOptions;
  readonly #client: RuntimeClient;
  readonly #limit: number;
  readonly #stopper = new AbortController();
  readonly #sources = new Map<string, NodeBackupSource>();
  readonly #stores = new Map<string, BlobStore>();
  readonly #rateLimit: UploadRateLimit | null;
  #registration: NodeRegistration | null = null;
  #running = 0;
  #sentBytes = 0;
  #receivedBytes = 0;
  #cpuBefore = cpuTimes();
  #fatal: Error | null = null;

  constructor(options: RuntimeNodeOptions) {
    this.#options = options;
    this.#client = new RuntimeClient(options.serviceUrl, {
      allowPlainHttp: options.allowPlainHttp ?? false,
    });
    this.#limit = options.concurrentJobs ?? 4;
    this.#rateLimit = options.maxUploadBytesPerSecond
      ? new UploadRateLimit(options.maxUploadBytesPerSecond)
      : null;
    if (!Number.isInteger(this.#limit) || this.#limit < 1 || this.#limit > 64)
      throw new RangeError(`concurrentJobs must be 1 to 64, not ${this.#limit}.`);
  }

  /**
   * Registers the node. A service that does not answer (not started yet, restarting) is asked again,
   * with a growing pause up to 30 s, until it answers or the node is stopped; a refusal (a wrong or
   * regenerated key) throws at once, with the service's reason.
   */
  async register(): Promise<NodeRegistration> {
    for (let pauseMs = 1_000; ; pauseMs = Math.min(pauseMs * 2, 30_000)) {
      try {
        const registration = await this.#client.register(
          this.#options.authKey,
          this.#options.nodeName,
          this.#monitoring(),
        );
        this.#registration = registration;
        this.#log(
          `registered as node ${registration.nodeName} of service ${registration.serviceName} at ${this.#options.serviceUrl}`,
        );
        return registration;
      } catch (error) {
        const unreachable =
          error instanceof ServiceRequestError && error.code === 'ServiceUnreachable';
        if (!unreachable || this.#isStopped()) throw error;
        this.#log(`${error.message} Registering again in ${pauseMs / 1000} s.`);
        await sleep(pauseMs, undefined, { signal: this.#stopper.signal }).catch(() => undefined);
        if (this.#isStopped()) throw error;
      }
    }
  }

  /**
   * Heartbeats and runs jobs until `stop()` (then resolves) or until the service no longer knows the
   * node (then rejects with its reason).
   */
  async run(): Promise<void> {
    const registration = this.#registration ?? (await this.register());
    try {
      await Promise.all([
        this.#heartbeats(registration),
        ...Array.from({ length: this.#limit }, () => this.#jobs(registration)),
      ]);
    } finally {
      // Spooled copies of share files are deleted.
      for (const source of this.#sources.values()) await source.close?.().catch(() => undefined);
    }
    if (this.#fatal) throw this.#fatal;
  }

  /** Stops taking jobs and stops those under way (their leases expire; uploads resume elsewhere). */
  stop(): void {
    this.#stopper.abort(new Error('The runtime node is stopping.'));
  }

  get stopped(): boolean {
    return this.#isStopped();
  }

  /** A call, not a property: the loops read it again after each await. */
  #isStopped(): boolean {
    return this.#stopper.signal.aborted;
  }

  async #heartbeats(registration: NodeRegistration): Promise<void> {
    while (!this.stopped) {
      try {
        await this.#client.heartbeat(registration.credential, this.#monitoring());
      } catch (error) {
        this.#handle(error, 'heartbeat');
      }
      await sleep(registration.heartbeatIntervalMs, undefined, {
        signal: this.#stopper.signal,
      }).catch(() => undefined);
    }
  }

  async #jobs(registration: NodeRegistration): Promise<void> {
    let pauseMs = 0;
    while (!this.stopped) {
      if (pauseMs > 0)
        await sleep(pauseMs, undefined, { signal: this.#stopper.signal }).catch(() => undefined);
      let job: LeasedJobMessage | null;
      try {
        job = await this.#client.lease(registration.credential, 20_000, this.#stopper.signal);
        pauseMs = 0;
      } catch (error) {
        if (this.#isStopped()) return;
        this.#handle(error, 'lease');
        pauseMs = Math.min(Math.max(pauseMs * 2, 500), 10_000);
        continue;
      }
      if (job) await this.#runJob(registration, job);
    }
  }

  async #runJob(registration: NodeRegistration, job: LeasedJobMessage): Promise<void> {
    this.#running += 1;
    const aborter = new AbortController();
    const stop = () => {
      aborter.abort(this.#stopper.signal.reason);
    };
    this.#stopper.signal.addEventListener('abort', stop, { once: true });
    let latest: Record<string, unknown> | undefined;
    // Set by a refused renewal (the lease expired and the job went to another node).
    const lease = { lost: false };
    const renew = async () => {
      try {
        const outcome = await this.#client.progress(registration.credential, job.leaseId, latest);
        if (outcome === 'canceled')
          aborter.abort(new Error(`The service canceled the job (${job.description}).`));
      } catch (error) {
        if (error instanceof ServiceRequestError && error.code === 'LeaseLost') {
          if (!lease.lost)
            this.#log(
              `${job.description}: stopped, the service no longer gives this node its lease`,
            );
          lease.lost = true;
          aborter.abort(new Error(error.message));
        } else this.#handle(error, 'progress report');
      }
    };
    const renewal = setInterval(() => void renew(), Math.max(job.leaseMs / 3, 100));
    let outcome: JobOutcomeMessage;
    try {
      const result = await this.#perform(job, aborter.signal, (progress) => {
        latest = progress;
      });
      outcome = { result };
    } catch (error) {
      const code =
        typeof (error as { code?: unknown }).code === 'string'
          ? (error as { code: string }).code
          : 'JobFailed';
      const message = error instanceof Error ? error.message : String(error);
      outcome = { error: { code, message } };
      if (!lease.lost && !this.stopped) this.#log(`${job.description}: failed: ${message}`);
    } finally {
      clearInterval(renewal);
      this.#stopper.signal.removeEventListener('abort', stop);
      this.#running -= 1;
    }
    // Stopping: the lease expires and the job goes to another node. Lost: it already has.
    if (lease.lost || this.stopped) return;
    try {
      await this.#client.complete(registration.credential, job.leaseId, outcome);
    } catch (error) {
      if (!(error instanceof ServiceRequestError && error.code === 'LeaseLost'))
        this.#handle(error, 'job result');
    }
  }

  async #perform(
    job: LeasedJobMessage,
    signal: AbortSignal,
    onProgress: (progress: Record<string, unknown>) => void,
  ): Promise<Record<string, unknown>> {
    switch (job.kind) {
      case 'list': {
        const input = checkListInput(job.input);
        const files = await this.#source(input.location).list();
        const wanted = input.names ? new Set(input.names) : null;
        return { files: wanted ? files.filter((f) => wanted.has(f.name)) : files };
      }
      case 'headers': {
        const input = checkHeadersInput(job.input);
        const result = await this.#source(input.location).readHeaders(input.name);
        return { wire: fileResultToWire(result) };
      }
      case 'testConnection':
        return { ...(await this.#testConnection(checkTestConnectionInput(job.input))) };
      case 'upload': {
        const input = checkUploadInput(job.input);
        let counted = { dataRead: 0, dataWritten: 0 };
        const outcome = await this.#source(input.location).upload(
          input.name,
          this.#store(input.storage),
          input.blobName,
          (progress) => {
            this.#receivedBytes += progress.dataRead - counted.dataRead;
            this.#sentBytes += progress.dataWritten - counted.dataWritten;
            counted = progress;
            onProgress({ ...progress });
          },
          signal,
          { firstAttempt: input.firstAttempt && job.attempt === 1 },
        );
        return { ...outcome };
      }
    }
  }

  /** Each hop from this node, one after the other; a failed hop does not stop the next. */
  #testConnection(input: TestConnectionInput): Promise<TestConnectionResult> {
    return testConnection({
      nodeName: this.#options.nodeName,
      source: this.#source(input.location),
      location: input.location,
      store: this.#store(input.storage),
    });
  }

  #source(location: BackupLocation): NodeBackupSource {
    // The password is part of the key: a migration started again with another one gets a new source.
    const key = JSON.stringify([
      location.path,
      location.username ?? null,
      location.password ?? null,
    ]);
    let source = this.#sources.get(key);
    if (!source) {
      source = this.#options.sourceFor?.(location) ?? this.#defaultSource(location);
      this.#sources.set(key, source);
    }
    return source;
  }

  #store(storage: UploadStorage): BlobStore {
    const key =
      storage.kind === 'localFolder'
        ? `local:${storage.path}`
        : `azure:${storage.accountUrl}/${storage.containerName}:${storage.sasToken}`;
    let store = this.#stores.get(key);
    if (!store) {
      store =
        storage.kind === 'localFolder'
          ? new LocalFolderBlobStore(storage.path)
          : new AzureBlobStore({
              accountUrl: storage.accountUrl,
              containerName: storage.containerName,
              credential: { sasToken: storage.sasToken },
            });
      if (this.#rateLimit) store = this.#rateLimit.wrap(store);
      this.#stores.set(key, store);
    }
    return store;
  }

  #defaultSource(location: BackupLocation): NodeBackupSource {
    const { blockSizeBytes, smbPort } = this.#options;
    const blocks = blockSizeBytes ? { blockSizeBytes } : {};
    if (!isNetworkShare(location.path)) return new LocalFolderSource(location.path, blocks);
    if (!location.username || location.password === undefined)
      throw new Error(
        `${location.path} is an SMB share: the migration must give its user name and password (backupConfiguration.sourceLocation.fileShare).`,
      );
    return new SmbShareSource(location.path, {
      userName: location.username,
      password: location.password,
      ...(smbPort ? { port: smbPort } : {}),
      ...blocks,
    });
  }

  /** A refused node stops; anything else is said (once per kind of failure) and tried again. */
  #handle(error: unknown, what: string): void {
    if (error instanceof ServiceRequestError && error.code === 'NodeNotRegistered') {
      this.#fatal ??= new Error(error.message);
      this.stop();
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    this.#log(`${what} failed (tried again): ${message}`);
  }

  #monitoring(): NodeMonitoring {
    const now = cpuTimes();
    const busy = now.busy - this.#cpuBefore.busy;
    const total = now.total - this.#cpuBefore.total;
    this.#cpuBefore = now;
    return {
      availableMemoryInMB: Math.round(freemem() / 2 ** 20),
      cpuUtilization: total > 0 ? Math.round((100 * busy) / total) : 0,
      concurrentJobsLimit: this.#limit,
      concurrentJobsRunning: this.#running,
      maxConcurrentJobs: this.#limit,
      sentBytes: this.#sentBytes,
      receivedBytes: this.#receivedBytes,
    };
  }

  #log(line: string): void {
    this.#options.log?.(line);
  }
}

function isNetworkShare(path: string): boolean {
  return /^(\\\\|\/\/)/.test(path);
}

function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const cpu of cpus()) {
    const { user, nice, sys, irq, idle } = cpu.times;
    busy += user + nice + sys + irq;
    total += user + nice + sys + irq + idle;
  }
  return { busy, total };
}
