/**
 * The embedded mode, wired in one process: the state store (SQLite in the data folder, or PostgreSQL
 * from SQLMIG_DATABASE_URL), the secret box, a local-folder blob store, the rehearsal target, the
 * in-process integration runtime, the engine's loop and the HTTP API on 127.0.0.1.
 */
import { randomBytes } from 'node:crypto';
import { freemem } from 'node:os';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { serve } from '@hono/node-server';

import { LocalFolderSource, testConnection, UploadThreads } from '../runtime/index.js';
import { createApi, newAuthKey } from '../service/api/index.js';
import { MigrationEngine, type MigrationDocument } from '../service/engine/index.js';
import { RemoteBackupSource, WorkQueue } from '../service/runtime-hub/index.js';
import {
  createSecretBox,
  loadSecretKey,
  openStateStore,
  type MigrationRecord,
  type SealedSecret,
} from '../service/state/index.js';
import {
  AzureBlobStore,
  LocalFolderBlobStore,
  uploadSasFor,
  type AzureBlobStoreOptions,
  type BlobStore,
  type UploadSas,
} from '../storage/index.js';
import type { UploadStorage } from '../runtime-protocol/index.js';
import { openSqlConnection } from '../sql/index.js';
import {
  checkRestoreTarget,
  createManagedInstanceTarget,
  createRehearsalTarget,
  createSqlServerTarget,
  type SqlServerBackupSource,
  credentialFromEnvironment,
  parseManagedInstanceId,
  type RehearsalTarget,
  type RestoreTarget,
} from '../targets/index.js';

export interface EmbeddedServiceOptions {
  readonly dataDir: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly databaseUrl?: string | undefined;
  /**
   * How often the engine looks at every migration even without a notice (a folder change, a finished
   * upload, restore progress each wake it at once). Default 1000 ms.
   */
  readonly pollIntervalMs?: number;
  /** Simulated restore speed of the rehearsal target. Default 200 MiB/s. */
  readonly restoreBytesPerSecond?: number;
  /** Block size of the in-process integration runtime's uploads. Default 4 MiB. */
  readonly uploadBlockBytes?: number;
  /**
   * How long a runtime node's lease on a job lasts without a progress report (then the job goes to
   * another node). Default 30 s.
   */
  readonly leaseMs?: number;
  /** How long a job waits for a runtime node before the migration says none is online. Default 60 s. */
  readonly leaseWithinMs?: number;
  /**
   * An Azure Blob container to upload the backups into (and restore from), instead of the data
   * folder's `blobs/`. Runtime nodes get a SAS for it, never the account key.
   */
  readonly uploadStorage?: AzureBlobStoreOptions;
  /**
   * Restore to this Azure SQL Managed Instance (its resource id) through Log Replay Service, instead
   * of the rehearsal target. Needs `uploadStorage` with the account key (Log Replay Service gets a
   * read-only SAS made from it). Signs in with `AZURE_CLIENT_ID`/`AZURE_TENANT_ID`/
   * `AZURE_CLIENT_SECRET`, else `DefaultAzureCredential`.
   */
  readonly managedInstance?: string;
  /** The web app's built bundle, served at `/`. Default: `dist/web` of this installation. */
  readonly webRoot?: string;
  /** Azure Resource Manager's endpoint (a sovereign cloud's). Default https://management.azure.com. */
  readonly armEndpoint?: string;
  /**
   * Restore to this SQL Server (on a VM or on-premises) with `RESTORE … FROM URL` from the Azure
   * container of `uploadStorage` (account key needed, for the credential's read-only SAS), or with
   * `RESTORE … FROM DISK` from copies downloaded into `restoreFromDisk`.
   */
  readonly sqlServer?: {
    readonly server: string;
    readonly port?: number;
    readonly user: string;
    readonly password: string;
    readonly trustServerCertificate?: boolean;
    /** Download the backups here and restore FROM DISK (the instance cannot reach the storage). */
    readonly restoreFromDisk?: {
      readonly downloadFolder: string;
      readonly instanceFolder?: string;
    };
  };
}

export interface EmbeddedService {
  readonly url: string;
  /** What the migrations restore to (no secret). */
  readonly targetDescription: string;
  /** Where the backups are uploaded (no secret). */
  readonly uploadsTo: string;
  readonly token: string;
  readonly tokenFile: string;
  close(): Promise<void>;
}

export const DEFAULT_SERVICE = 'default';
const EMBEDDED_NODE = 'embedded-runtime';

export async function startEmbeddedService(
  options: EmbeddedServiceOptions,
): Promise<EmbeddedService> {
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const lock = await lockDataDir(options.dataDir);
  try {
    return await startLocked(options, lock);
  } catch (error) {
    await lock.release();
    throw error;
  }
}

async function startLocked(
  options: EmbeddedServiceOptions,
  lock: DataDirLock,
): Promise<EmbeddedService> {
  const store = await openStateStore({
    dataDir: options.dataDir,
    databaseUrl: options.databaseUrl,
    // The engine's transactions are checked for nesting by the test suites; here the check's cost
    // (a hook on every promise, on Node 20) is not paid.
    checkNesting: false,
  });
  await store.migrate();
  const secrets = createSecretBox(
    await loadSecretKey({ dataDir: options.dataDir, env: process.env }),
  );
  const { token, tokenFile } = await serviceToken(options.dataDir);
  const blobFolder = join(options.dataDir, 'blobs');
  let blobs: BlobStore;
  if (options.uploadStorage) {
    blobs = new AzureBlobStore(options.uploadStorage);
  } else {
    const local = new LocalFolderBlobStore(blobFolder);
    // A process killed in the middle of a write leaves a temporary file; its upload starts again.
    await local.removeLeftovers();
    blobs = local;
  }
  const uploadStorage = options.uploadStorage;
  let sas: UploadSas | null = null;
  /** What runtime nodes upload into: the same store, through a SAS renewed when half spent. */
  const storageForNodes = (): UploadStorage => {
    if (!uploadStorage) return { kind: 'localFolder', path: blobFolder };
    const validForMs = 24 * 3600_000;
    if (!sas || (sas.expiresOn && Date.parse(sas.expiresOn) - Date.now() < validForMs / 2))
      sas = uploadSasFor(uploadStorage, validForMs);
    return {
      kind: 'azureBlob',
      accountUrl: sas.accountUrl,
      containerName: sas.containerName,
      sasToken: sas.sasToken,
    };
  };
  // Reading, hashing and writing the backups runs on a thread of its own, off the API's; so does
  // reading their headers, the source's and the rehearsal target's.
  const uploadThreads = new UploadThreads();
  uploadThreads.start();
  const {
    target,
    rehearsal,
    shownTarget,
    close: closeTarget,
  } = await restoreTargetOf(options, blobs, uploadThreads).catch(async (error: unknown) => {
    await uploadThreads.close();
    throw error;
  });
  // The work of registered runtime nodes (`sqlmig runtime`): network shares, and every migration of
  // a service other than the default one, whose in-process runtime reads local folders.
  const runtimeWork = new WorkQueue({
    ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
    ...(options.leaseWithinMs ? { leaseWithinMs: options.leaseWithinMs } : {}),
  });
  const sourceFor = (migration: MigrationRecord) => {
    const doc = migration.document as unknown as MigrationDocument;
    if (migration.serviceName === DEFAULT_SERVICE && !isNetworkShare(doc.backupFolder)) {
      return new LocalFolderSource(doc.backupFolder, {
        uploadThreads,
        ...(options.uploadBlockBytes ? { blockSizeBytes: options.uploadBlockBytes } : {}),
      });
    }
    const login = shareLogin(migration.document);
    return new RemoteBackupSource({
      queue: runtimeWork,
      serviceName: migration.serviceName,
      migrationName: migration.targetDbName,
      location: {
        path: doc.backupFolder,
        ...(login.username ? { username: login.username } : {}),
        ...(login.password ? { password: secrets.open(login.password) } : {}),
      },
      storage: storageForNodes,
    });
  };
  const engine = new MigrationEngine({
    store,
    target,
    blobStore: blobs,
    sourceFor,
    onError: (error) => {
      console.error(
        `sqlmig: a migration step failed (it is tried again): ${error instanceof Error ? error.message : String(error)}`,
      );
    },
  });
  const now = () => new Date();
  await store.transaction(async (tx) => {
    if (!(await tx.getService(DEFAULT_SERVICE))) {
      await tx.putService(
        {
          name: DEFAULT_SERVICE,
          createdAt: now().toISOString(),
          authKey1: secrets.seal(newAuthKey()),
          authKey2: secrets.seal(newAuthKey()),
        },
        0,
      );
    }
  });
  const heartbeat = async () => {
    await store.transaction(async (tx) => {
      const existing = (await tx.listNodes(DEFAULT_SERVICE)).find(
        (n) => n.nodeName === EMBEDDED_NODE,
      );
      const stamp = now().toISOString();
      await tx.putNode(
        {
          serviceName: DEFAULT_SERVICE,
          nodeName: EMBEDDED_NODE,
          registeredAt: existing?.registeredAt ?? stamp,
          lastSeenAt: stamp,
          monitoring: {
            availableMemoryInMB: Math.round(freemem() / 2 ** 20),
            cpuUtilization: null,
            concurrentJobsLimit: null,
            concurrentJobsRunning: null,
            maxConcurrentJobs: null,
            sentBytes: null,
            receivedBytes: null,
          },
          credentialHash: null,
        },
        existing?.version ?? 0,
      );
    });
  };
  await heartbeat();

  const app = createApi({
    store,
    engine,
    secrets,
    token,
    target: shownTarget,
    now,
    nodeOfflineAfterMs: 120_000,
    nodeHeartbeatIntervalMs: 30_000,
    runtimeWork,
    storageForNodes,
    // The default service's own runtime reads local folders in this process and takes no jobs: its
    // connection test runs here. Network shares, and other services, are tested by their nodes.
    testInProcess: (serviceName, location) =>
      serviceName === DEFAULT_SERVICE && !isNetworkShare(location.path)
        ? testConnection({
            nodeName: EMBEDDED_NODE,
            source: new LocalFolderSource(location.path),
            location,
            store: blobs,
          })
        : null,
    checkTarget: (databaseName) =>
      checkRestoreTarget(target, { databaseName, folder: databaseName }),
    webRoot: options.webRoot ?? defaultWebRoot(),
    connectSource: openSqlConnection,
  });
  const server = serve({ fetch: app.fetch, port: options.port, hostname: '127.0.0.1' });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('listening', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : options.port);
    });
    server.once('error', reject);
  });
  const url = `http://127.0.0.1:${port}`;
  await writeAtomically(
    join(options.dataDir, 'service.json'),
    JSON.stringify({ url, pid: process.pid, startedAt: now().toISOString() }, null, 2),
    0o644,
  );

  rehearsal?.startPolling();
  let ticking = false;
  const loop = setInterval(() => {
    if (ticking) return;
    ticking = true;
    engine
      .tickAll()
      .catch((error: unknown) => {
        console.error(
          `sqlmig: the engine loop failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      })
      .finally(() => {
        ticking = false;
      });
  }, options.pollIntervalMs ?? 1000);
  const beat = setInterval(() => void heartbeat().catch(() => undefined), 30_000);

  return {
    url,
    uploadsTo: blobs.description,
    targetDescription: target.description,
    token,
    tokenFile,
    async close() {
      clearInterval(loop);
      clearInterval(beat);
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
      runtimeWork.close();
      await engine.stop();
      await uploadThreads.close();
      await closeTarget();
      await store.close();
      await rm(join(options.dataDir, 'service.json'), { force: true });
      await lock.release();
    },
  };
}

/** The restore target: the rehearsal (embedded default), or a Managed Instance. */
async function restoreTargetOf(
  options: EmbeddedServiceOptions,
  blobs: BlobStore,
  uploadThreads: UploadThreads,
): Promise<{
  target: RestoreTarget;
  rehearsal: RehearsalTarget | null;
  shownTarget: { kind: 'Rehearsal' | 'SqlMi' | 'SqlVm'; scope: string };
  close: () => Promise<void>;
}> {
  if (options.sqlServer) {
    const sql = options.sqlServer;
    const storage = options.uploadStorage;
    let source: SqlServerBackupSource;
    if (sql.restoreFromDisk) {
      source = { kind: 'Disk', ...sql.restoreFromDisk };
    } else if (storage?.credential.accountKey) {
      source = {
        kind: 'Url',
        containerUrl: `${storage.accountUrl.replace(/\/+$/, '')}/${storage.containerName}`,
        accountKey: storage.credential.accountKey,
        ...(storage.accountName ? { accountName: storage.accountName } : {}),
      };
    } else {
      throw new Error(
        'The SQL Server target restores FROM URL from an Azure Blob container (start the service with --upload-storage-url, --upload-container and the account key in SQLMIG_STORAGE_ACCOUNT_KEY), or FROM DISK from copies it downloads (--sql-restore-from-disk FOLDER).',
      );
    }
    const where = `${sql.server}:${sql.port ?? 1433}`;
    const target = createSqlServerTarget({
      connect: () =>
        openSqlConnection({
          server: sql.server,
          ...(sql.port ? { port: sql.port } : {}),
          user: sql.user,
          password: sql.password,
          ...(sql.trustServerCertificate ? { trustServerCertificate: true } : {}),
        }),
      instanceDescription: `SQL Server ${where}`,
      store: blobs,
      source,
    });
    return {
      target,
      rehearsal: null,
      shownTarget: { kind: 'SqlVm', scope: where },
      close: () => target.close(),
    };
  }
  if (options.managedInstance) {
    const storage = options.uploadStorage;
    if (!storage?.credential.accountKey)
      throw new Error(
        'The Managed Instance target restores from an Azure Blob container: start the service with --upload-storage-url and --upload-container, and the account key in SQLMIG_STORAGE_ACCOUNT_KEY (Log Replay Service is given a read-only SAS made from it).',
      );
    const { credential, description } = await credentialFromEnvironment();
    const target = createManagedInstanceTarget({
      ...parseManagedInstanceId(options.managedInstance),
      ...(options.armEndpoint ? { armEndpoint: options.armEndpoint } : {}),
      credential,
      credentialDescription: description,
      storage: {
        kind: 'AccountKey',
        containerUrl: `${storage.accountUrl.replace(/\/+$/, '')}/${storage.containerName}`,
        accountKey: storage.credential.accountKey,
        ...(storage.accountName ? { accountName: storage.accountName } : {}),
      },
    });
    return {
      target,
      rehearsal: null,
      shownTarget: { kind: 'SqlMi', scope: options.managedInstance },
      close: () => Promise.resolve(),
    };
  }
  // Uploads go through this process's engine, which tells the target of each committed blob: the
  // target's own listing of every folder is only the safety net, every 30 s (listing 200 folders of
  // a hundred backups costs a stat per blob).
  const rehearsal = createRehearsalTarget({
    store: blobs,
    ...(blobs instanceof LocalFolderBlobStore
      ? {
          reader: {
            properties: (blobName: string) => uploadThreads.blobProperties(blobs.root, blobName),
            readMedia: (blobName: string) => uploadThreads.readBlobMedia(blobs.root, blobName),
          },
        }
      : {}),
    // The databases rehearsals "restored" stay taken after a restart (never overwritten).
    databasesFile: join(options.dataDir, 'rehearsal-databases.json'),
    pollIntervalMs: 30_000,
    ...(options.restoreBytesPerSecond
      ? { restoreBytesPerSecond: options.restoreBytesPerSecond }
      : {}),
  });
  return {
    target: rehearsal,
    rehearsal,
    shownTarget: { kind: 'Rehearsal', scope: 'rehearsal (nothing is restored)' },
    close: () => rehearsal.close(),
  };
}

/**
 * `dist/web` beside the built command (`dist/cli/` → `dist/web/`); from the sources (`src/cli/`, run
 * by tsx in tests) the same `dist/web` of the project.
 */
function defaultWebRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return basename(dirname(here)) === 'dist'
    ? join(here, '..', 'web')
    : join(here, '..', '..', 'dist', 'web');
}

/** `\\host\share\…` or `//host/share/…`: read by a runtime node, never by this process. */
function isNetworkShare(path: string): boolean {
  return /^(\\\\|\/\/)/.test(path);
}

/** The share's user name and sealed password, as the migration was created with them. */
function shareLogin(document: MigrationRecord['document']): {
  username?: string;
  password?: SealedSecret;
} {
  const share = (
    document['configuration'] as
      | { backupConfiguration?: { sourceLocation?: { fileShare?: Record<string, unknown> } } }
      | undefined
  )?.backupConfiguration?.sourceLocation?.fileShare;
  return {
    ...(typeof share?.['username'] === 'string' ? { username: share['username'] } : {}),
    ...(typeof share?.['password'] === 'string'
      ? { password: share['password'] as SealedSecret }
      : {}),
  };
}

/** The bearer token of this data folder's service: made once, readable by its owner only. */
async function serviceToken(dataDir: string): Promise<{ token: string; tokenFile: string }> {
  const tokenFile = join(dataDir, 'service.token');
  const existing = await readFile(tokenFile, 'utf8').catch(() => null);
  if (existing?.trim()) return { token: existing.trim(), tokenFile };
  const token = randomBytes(32).toString('base64url');
  await writeAtomically(tokenFile, `${token}\n`, 0o600);
  return { token, tokenFile };
}

/** Written under a temporary name, then renamed: a service killed meanwhile leaves no half file. */
async function writeAtomically(path: string, content: string, mode: number): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, content, { mode });
  await chmod(temporary, mode);
  await rename(temporary, path);
}

interface DataDirLock {
  release(): Promise<void>;
}

/**
 * One service per data folder: two would upload the same files and drive the same restores twice.
 * `service.lock` holds the owner's process id; a lock whose process is gone (killed, crashed) is
 * taken over. (Two services starting at the same instant over a stale lock could both take it: the
 * window is the few microseconds between reading the lock and replacing it.)
 */
async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const path = join(dataDir, 'service.lock');
  for (let attempt = 1; ; attempt++) {
    try {
      await writeFile(path, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return { release: () => rm(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    const running = Number.isInteger(owner) && owner > 0 && owner !== process.pid;
    if ((running && isRunning(owner)) || attempt > 2) {
      throw new Error(
        `Another sqlmig service (process ${owner || 'unknown'}) is running with data folder ${dataDir}: one service per data folder. Stop it first, or start this one with another --data-dir.`,
      );
    }
    await rm(path, { force: true }); // left by a service that was killed: taken over
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
