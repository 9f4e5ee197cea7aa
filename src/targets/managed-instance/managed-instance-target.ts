/**
 * The Managed Instance target: restores through Azure SQL Managed Instance's Log Replay Service,
 * driven through Azure Resource Manager (`arm-requests.ts`). Start checks first (`pre-start-checks.ts`)
 * and hands Log Replay Service the database's folder with a Read + List SAS (`folder-sas.ts`) or the
 * instance's managed identity; continuous mode for online migrations, autocomplete with
 * `lastBackupName` for offline ones; `details` reads `restoreDetails` (`restore-details-map.ts`);
 * `complete` is the cutover; `stop` deletes the database, which is how Log Replay Service stops.
 *
 * Log Replay Service keeps its own state, so after a restart `resume` only checks the restore is
 * there. It is polled: no `onProgress`, and `blobCommitted` is not needed (the service watches the
 * container itself). The folder of each database is remembered from `start`/`resume` to turn names
 * within it into blob names; a database the target has not seen uses its own name as folder (the
 * engine's convention).
 */
import type {
  RestoreDetails,
  RestoreTarget,
  StartRestore,
  TargetCheck,
} from '../restore-target.js';
import { TargetChecks } from '../target-checks.js';
import { RestoreTargetError } from '../target-error.js';

import { ArmClient } from './arm-client.js';
import { prefix } from './arm-errors.js';
import { ManagedInstanceRequests, type StartRestoreBody } from './arm-requests.js';
import { folderSas, type FolderSas } from './folder-sas.js';
import {
  compileManagedInstanceOptions,
  type CompiledManagedInstanceOptions,
  type ManagedInstanceTargetOptions,
} from './managed-instance-options.js';
import { checkedRequest, checkInMemoryOltp, readyInstance } from './pre-start-checks.js';
import { mapRestoreDetails, withinFolder } from './restore-details-map.js';

export interface ManagedInstanceTarget extends RestoreTarget {
  readonly kind: 'SqlMi';
  check(request: StartRestore): Promise<TargetCheck[]>;
}

export function createManagedInstanceTarget(
  options: ManagedInstanceTargetOptions,
): ManagedInstanceTarget {
  return new ManagedInstance(compileManagedInstanceOptions(options));
}

/** What Azure's own tools send when no collation is given (Start-AzSqlInstanceDatabaseLogReplay). */
const defaultCollation = 'SQL_Latin1_General_CP1_CI_AS';

class ManagedInstance implements ManagedInstanceTarget {
  readonly kind = 'SqlMi' as const;
  readonly description: string;
  readonly #options: CompiledManagedInstanceOptions;
  readonly #requests: ManagedInstanceRequests;
  /** Folder of each database started or resumed here, by name (case-insensitive, as SQL Server). */
  readonly #folders = new Map<string, string>();
  /** The last restore details read of each database, and when (see `detailsMaxAgeMs`). */
  readonly #details = new Map<string, { readonly at: number; readonly details: RestoreDetails }>();
  /** The container's SAS given to the restores this target starts (`#containerSas`). */
  #sas: FolderSas | null = null;

  constructor(options: CompiledManagedInstanceOptions) {
    this.#options = options;
    this.#requests = new ManagedInstanceRequests(new ArmClient(options), options.instancePath);
    this.description = `Azure SQL Managed Instance ${options.managedInstanceName} (Log Replay Service)`;
  }

  async databaseExists(databaseName: string): Promise<boolean> {
    return (await this.#requests.database(databaseName.trim())) !== null;
  }

  async start(request: StartRestore): Promise<void> {
    const checked = checkedRequest(request);
    const name = checked.databaseName;
    const instance = this.#options.managedInstanceName;
    const { location, tier } = readyInstance(await this.#requests.instance(), instance);
    if ((await this.#requests.database(name)) !== null) {
      throw new RestoreTargetError(
        'DatabaseExists',
        `${prefix} database ${name} exists on managed instance ${instance}; sqlmig never overwrites a database. Choose another target name, or drop that database first.`,
      );
    }
    checkInMemoryOltp(checked.databaseFiles, tier, name, instance);
    await this.#requests.startRestore(name, this.#startBody(checked, location));
    this.#folders.set(key(name), checked.folder);
    this.#details.delete(key(name));
  }

  async check(request: StartRestore): Promise<TargetCheck[]> {
    const checks = new TargetChecks();
    const instance = this.#options.managedInstanceName;
    let name = request.databaseName.trim();
    await checks.run('request', () => {
      const checked = checkedRequest(request);
      name = checked.databaseName;
      return `Database ${name} from folder ${checked.folder}: names Log Replay Service takes.`;
    });
    let tier: string | null = null;
    const ready = await checks.run('instance', async () => {
      const found = readyInstance(await this.#requests.instance(), instance);
      tier = found.tier;
      return `Managed instance ${instance} is Ready (${found.tier ?? 'tier unknown'}, ${found.location}), as ${this.#options.credentialDescription} sees it.`;
    });
    if (!ready) return checks.all;
    await checks.run('databaseName', async () => {
      if ((await this.#requests.database(name)) !== null)
        throw new RestoreTargetError(
          'DatabaseExists',
          `${prefix} database ${name} exists on managed instance ${instance}; sqlmig never overwrites a database. Choose another target name, or drop that database first.`,
        );
      return `No database ${name} on ${instance}: the restore may create it.`;
    });
    if (request.databaseFiles)
      await checks.run('inMemoryOltp', () =>
        checkInMemoryOltp(request.databaseFiles, tier, name, instance),
      );
    return checks.all;
  }

  async resume(request: StartRestore, lastRestoredFileName: string | null): Promise<void> {
    const checked = checkedRequest(request);
    const name = checked.databaseName;
    if ((await this.#requests.database(name)) === null) {
      if (lastRestoredFileName === null) {
        // The start may never have reached Azure (the process stopped during it): start now.
        await this.start(checked);
        return;
      }
      throw new RestoreTargetError(
        'ResumeStateMismatch',
        `${prefix} database ${name} is not on managed instance ${this.#options.managedInstanceName}, though its restore had reached ${lastRestoredFileName}: it was deleted outside sqlmig. Cancel this migration and start a new one.`,
      );
    }
    this.#folders.set(key(name), checked.folder);
    this.#details.delete(key(name));
    // Throws RestoreDetailsNotAvailableOrExpired when the database is not one Log Replay Service made.
    await this.#requests.restoreDetails(name);
  }

  async details(databaseName: string): Promise<RestoreDetails> {
    const name = databaseName.trim();
    const now = this.#options.clock.now().getTime();
    const kept = this.#details.get(key(name));
    // The same object again while it is fresh: the engine applies details only when they change.
    if (kept && now - kept.at < this.#options.detailsMaxAgeMs) return kept.details;
    const details = mapRestoreDetails(
      await this.#requests.restoreDetails(name),
      this.#folder(name),
    );
    this.#details.set(key(name), { at: now, details });
    return details;
  }

  async complete(databaseName: string, lastBackupName: string): Promise<void> {
    const name = databaseName.trim();
    await this.#requests.completeRestore(name, withinFolder(this.#folder(name), lastBackupName));
    this.#details.delete(key(name));
  }

  async stop(databaseName: string): Promise<void> {
    const name = databaseName.trim();
    await this.#requests.deleteDatabase(name);
    this.#folders.delete(key(name));
    this.#details.delete(key(name));
  }

  #folder(databaseName: string): string {
    return this.#folders.get(key(databaseName)) ?? databaseName;
  }

  /**
   * The container's read-only SAS, the same for every restore started while it has more than 30 days
   * of validity left (a Log Replay Service job runs up to 30 days on the token it starts with, and
   * restores started in parallel from one container should carry the same token); then a new one.
   */
  #containerSas(accountKey: string, accountName: string | undefined): string {
    const now = this.#options.clock.now();
    if (!this.#sas || this.#sas.expiresOn.getTime() - now.getTime() <= 30 * 24 * 3600_000)
      this.#sas = folderSas(
        this.#options.containerUrl,
        accountKey,
        accountName,
        now,
        this.#options.sasValidityDays,
      );
    return this.#sas.token;
  }

  #startBody(request: StartRestore, location: string): StartRestoreBody {
    const storage = this.#options.storage;
    const uri = `${this.#options.containerUrl}/${encodeURIComponent(request.folder)}`;
    const last =
      request.lastBackupName === undefined
        ? undefined
        : withinFolder(request.folder, request.lastBackupName);
    const access =
      storage.kind === 'AccountKey'
        ? {
            storageContainerIdentity: 'SharedAccessSignature' as const,
            storageContainerSasToken: this.#containerSas(storage.accountKey, storage.accountName),
          }
        : { storageContainerIdentity: 'ManagedIdentity' as const };
    return {
      location,
      properties: {
        createMode: 'RestoreExternalBackup',
        collation: request.collation ?? defaultCollation,
        storageContainerUri: uri,
        ...access,
        autoCompleteRestore: last !== undefined,
        ...(last === undefined ? {} : { lastBackupName: last }),
      },
    };
  }
}

function key(databaseName: string): string {
  return databaseName.trim().toLowerCase();
}
