/**
 * Where SQL Server reads a backup set from: the blobs' URLs (`FROM URL`), or local copies sqlmig
 * downloads through the blob store's ranged reads into a folder the instance can read (`FROM DISK`),
 * removed once the set is restored.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

import type { RestoreStep } from '../../planning/index.js';
import type { BlobStore } from '../../storage/index.js';

import { RestoreTargetError } from '../target-error.js';

import type { CompiledSqlServerOptions } from './sql-server-options.js';
import type { BackupDevices } from './statements.js';

const chunkBytes = 4 * 1024 * 1024;
const maxUrlDeviceLength = 259;

export class DeviceResolver {
  readonly #options: CompiledSqlServerOptions;

  constructor(options: CompiledSqlServerOptions) {
    this.#options = options;
  }

  /** The devices of a plan step; `blobName` turns a name within the folder into the blob name. */
  async devices(
    databaseName: string,
    step: RestoreStep,
    blobName: (name: string) => string,
  ): Promise<BackupDevices> {
    const position = step.files[0]?.position ?? 1;
    const source = this.#options.source;
    if (source.kind === 'Url') {
      const base = this.#options.containerUrl ?? '';
      const paths = step.files.map(
        (f) => `${base}/${blobName(f.file).split('/').map(encodeURIComponent).join('/')}`,
      );
      // Backup to URL's limitations: a backup device name is at most 259 characters.
      const tooLong = paths.find((path) => path.length > maxUrlDeviceLength);
      if (tooLong !== undefined)
        throw new RestoreTargetError(
          'InvalidRequest',
          `SQL Server target: the backup's URL ${tooLong} is ${tooLong.length} characters; SQL Server reads a backup device name of at most ${maxUrlDeviceLength}. Rename the backup file (or use a shorter container URL) and start the migration again.`,
        );
      return { kind: 'URL', paths, position };
    }
    const local = join(source.downloadFolder, databaseName);
    await mkdir(local, { recursive: true });
    const instanceFolder = source.instanceFolder ?? source.downloadFolder;
    const separator = instanceFolder.includes('\\') ? '\\' : '/';
    const paths: string[] = [];
    for (const { file } of step.files) {
      await download(this.#options.store, blobName(file), join(local, file));
      paths.push([instanceFolder.replace(/[\\/]+$/, ''), databaseName, file].join(separator));
    }
    return { kind: 'DISK', paths, position };
  }

  /** Removes a step's downloaded copies (FROM DISK only). */
  async release(databaseName: string, step: RestoreStep): Promise<void> {
    const source = this.#options.source;
    if (source.kind !== 'Disk') return;
    for (const { file } of step.files)
      await rm(join(source.downloadFolder, databaseName, file), { force: true });
  }

  /** Removes a database's download folder (stop). */
  async releaseAll(databaseName: string): Promise<void> {
    const source = this.#options.source;
    if (source.kind === 'Disk')
      await rm(join(source.downloadFolder, databaseName), { recursive: true, force: true });
  }
}

async function download(store: BlobStore, blobName: string, path: string): Promise<void> {
  const source = await store.openRead(blobName);
  const out = createWriteStream(path);
  try {
    let offset = 0;
    while (offset < source.size) {
      const bytes = await source.read(offset, Math.min(chunkBytes, source.size - offset));
      if (bytes.length === 0)
        throw new Error(`${blobName} ended at ${offset} of ${source.size} bytes`);
      offset += bytes.length;
      if (!out.write(bytes))
        await new Promise<void>((resolve) =>
          out.once('drain', () => {
            resolve();
          }),
        );
    }
  } finally {
    await source.close();
    await new Promise<void>((resolve, reject) => {
      out.once('error', reject);
      out.end(() => {
        resolve();
      });
    });
  }
}
