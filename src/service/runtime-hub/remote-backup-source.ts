/**
 * The engine's `BackupSource` for a migration whose backups an integration runtime node reads: each
 * call becomes a job in the `WorkQueue` of the migration's service, done by whichever of its nodes
 * leases it, and the node's answer is checked before the engine sees it. Nothing here touches the
 * files: the node lists, reads headers and uploads into the upload storage it is told of, which is
 * the same storage the service's restore target reads.
 */
import { fileResultFromWire, type FileResult } from '../../backup/index.js';
import {
  checkHeadersResult,
  checkListResult,
  checkProgress,
  checkUploadResult,
  type BackupLocation,
  type UploadStorage,
} from '../../runtime-protocol/index.js';
import type { BlobStore } from '../../storage/index.js';
import type {
  BackupSource,
  SourceFileInfo,
  UploadOutcome,
  UploadProgress,
} from '../engine/index.js';
import type { WorkQueue } from './work-queue.js';

export interface RemoteBackupSourceOptions {
  readonly queue: WorkQueue;
  readonly serviceName: string;
  /** Which migration, for the jobs' descriptions. */
  readonly migrationName: string;
  readonly location: BackupLocation;
  /**
   * Where nodes upload, asked for each upload (a SAS is renewed before it expires): the store the
   * engine and the target use (`upload`'s `store`).
   */
  readonly storage: () => UploadStorage;
  /**
   * A listing is reused for this long: the engine lists a folder it cannot watch at every tick (each
   * second), and each listing of a share is a job and an smbclient run. Default 5 s.
   */
  readonly listReuseMs?: number;
  /** Default: the system clock (ms). */
  readonly now?: () => number;
}

export class RemoteBackupSource implements BackupSource {
  readonly description: string;
  readonly #options: RemoteBackupSourceOptions;
  #listing: { readonly at: number; readonly files: Promise<SourceFileInfo[]> } | null = null;

  constructor(options: RemoteBackupSourceOptions) {
    this.#options = options;
    const user = options.location.username ? ` as ${options.location.username}` : '';
    this.description = `${options.location.path}${user} (through the integration runtime of service ${options.serviceName})`;
  }

  async list(wanted?: (name: string) => boolean): Promise<SourceFileInfo[]> {
    const now = (this.#options.now ?? Date.now)();
    if (!this.#listing || now - this.#listing.at >= (this.#options.listReuseMs ?? 5_000)) {
      const files = this.#submit('list', `list ${this.#options.location.path}`, {}).then(
        (result) => [...checkListResult(result).files],
      );
      this.#listing = { at: now, files };
      // A failed listing is not reused: the next call asks again.
      files.catch(() => {
        if (this.#listing?.files === files) this.#listing = null;
      });
    }
    // The node lists names and sizes in one pass; the engine's filter is applied here.
    const files = await this.#listing.files;
    return files.filter((f) => !wanted || wanted(f.name));
  }

  async readHeaders(name: string): Promise<FileResult> {
    const result = checkHeadersResult(
      await this.#submit('headers', `read the headers of ${name}`, { name }),
    );
    return fileResultFromWire(result.wire);
  }

  async upload(
    name: string,
    _store: BlobStore,
    blobName: string,
    onProgress: (progress: UploadProgress) => void,
    signal?: AbortSignal,
    options: { readonly firstAttempt?: boolean } = {},
  ): Promise<UploadOutcome> {
    const result = await this.#submit(
      'upload',
      `upload ${name} as ${blobName}`,
      {
        name,
        blobName,
        storage: this.#options.storage(),
        firstAttempt: options.firstAttempt ?? false,
      },
      {
        ...(signal ? { signal } : {}),
        onProgress: (report) => {
          onProgress(checkProgress(report));
        },
      },
    );
    return checkUploadResult(result);
  }

  #submit(
    kind: 'list' | 'headers' | 'upload',
    what: string,
    input: Record<string, unknown>,
    options: Parameters<WorkQueue['submit']>[2] = {},
  ): Promise<unknown> {
    const { queue, serviceName, migrationName, location } = this.#options;
    return queue.submit(
      serviceName,
      {
        kind,
        description: `${what}, for migration ${migrationName}`,
        input: { ...input, location },
      },
      options,
    );
  }
}
