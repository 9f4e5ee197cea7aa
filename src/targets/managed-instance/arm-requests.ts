/**
 * The Resource Manager requests the Managed Instance target sends, each traced to the specification
 * it follows: azure-rest-api-specs, `specification/sql/resource-manager/Microsoft.Sql/stable/
 * 2023-08-01/` (`ManagedInstances.json`, `ManagedDatabases.json`, `ManagedDatabaseRestoreDetails.json`)
 * and the REST reference pages built from them (learn.microsoft.com/rest/api/sql/…). The api-version
 * is the newest stable one that has everything used here (decision 0004).
 */
import type { ArmClient, ArmResponse } from './arm-client.js';

export const apiVersion = '2023-08-01';

/** The parts of `ManagedInstance` read here (`ManagedInstances.json`, `ManagedInstances_Get`). */
export interface ManagedInstanceResource {
  readonly location?: string;
  readonly sku?: { readonly name?: string; readonly tier?: string };
  readonly properties?: { readonly state?: string };
}

/** The body of `ManagedDatabases_CreateOrUpdate` for Log Replay Service (`ManagedDatabaseProperties`). */
export interface StartRestoreBody {
  readonly location: string;
  readonly properties: {
    readonly createMode: 'RestoreExternalBackup';
    readonly collation?: string;
    readonly storageContainerUri: string;
    readonly storageContainerIdentity: 'SharedAccessSignature' | 'ManagedIdentity';
    readonly storageContainerSasToken?: string;
    readonly autoCompleteRestore: boolean;
    readonly lastBackupName?: string;
  };
}

export class ManagedInstanceRequests {
  readonly #arm: ArmClient;
  readonly #instancePath: string;

  constructor(arm: ArmClient, instancePath: string) {
    this.#arm = arm;
    this.#instancePath = instancePath;
  }

  /**
   * `ManagedInstances_Get`: GET …/managedInstances/{managedInstanceName} — 200 with `location`,
   * `sku.tier` (`GeneralPurpose` | `BusinessCritical`) and `properties.state` (`Ready` when usable);
   * 404 when there is none.
   */
  async instance(): Promise<ManagedInstanceResource | null> {
    const response = await this.#arm.send({
      method: 'GET',
      path: this.#instancePath,
      apiVersion,
      accept: [404],
      context: {
        doing: 'reading the managed instance',
        action: 'Microsoft.Sql/managedInstances/read',
      },
    });
    return response.status === 404 ? null : (response.body as ManagedInstanceResource);
  }

  /** `ManagedDatabases_Get`: GET …/databases/{databaseName} — 200 with the database, 404 when none. */
  async database(databaseName: string): Promise<ArmResponse | null> {
    const response = await this.#arm.send({
      method: 'GET',
      path: this.#databasePath(databaseName),
      apiVersion,
      accept: [404],
      context: {
        doing: `looking for database ${databaseName}`,
        action: 'Microsoft.Sql/managedInstances/databases/read',
      },
    });
    return response.status === 404 ? null : response;
  }

  /**
   * `ManagedDatabases_CreateOrUpdate` with `createMode: RestoreExternalBackup`: PUT
   * …/databases/{databaseName}, a long-running operation (200, 201, or 202 with a Location header,
   * as the 2023-08-01 specification declares; Azure-AsyncOperation is followed too when sent).
   * Log Replay Service's start (learn.microsoft.com/azure/azure-sql/managed-instance/
   * log-replay-service-migrate, "Start LRS": `autoCompleteRestore` with `lastBackupName` for
   * autocomplete, neither for continuous mode).
   */
  async startRestore(databaseName: string, body: StartRestoreBody): Promise<void> {
    await this.#arm.send({
      method: 'PUT',
      path: this.#databasePath(databaseName),
      apiVersion,
      body,
      context: {
        doing: `starting Log Replay Service for database ${databaseName}`,
        action: 'Microsoft.Sql/managedInstances/databases/write',
      },
    });
  }

  /**
   * `ManagedDatabaseRestoreDetails_Get`: GET …/databases/{databaseName}/restoreDetails/Default
   * (`restoreDetailsName` has the one value `Default`).
   */
  async restoreDetails(databaseName: string): Promise<unknown> {
    const response = await this.#arm.send({
      method: 'GET',
      path: `${this.#databasePath(databaseName)}/restoreDetails/Default`,
      apiVersion,
      context: {
        doing: `reading the restore details of database ${databaseName}`,
        action: 'Microsoft.Sql/managedInstances/databases/restoreDetails/read',
      },
    });
    return response.body;
  }

  /**
   * `ManagedDatabases_CompleteRestore`: POST …/databases/{databaseName}/completeRestore with
   * `CompleteDatabaseRestoreDefinition` `{lastBackupName}` (required), long-running (200 or 202).
   */
  async completeRestore(databaseName: string, lastBackupName: string): Promise<void> {
    await this.#arm.send({
      method: 'POST',
      path: `${this.#databasePath(databaseName)}/completeRestore`,
      apiVersion,
      body: { lastBackupName },
      context: {
        doing: `completing the restore of database ${databaseName} at ${lastBackupName}`,
        action: 'Microsoft.Sql/managedInstances/databases/completeRestore/action',
      },
    });
  }

  /**
   * `ManagedDatabases_Delete`: DELETE …/databases/{databaseName}, long-running (200, 202 or 204;
   * 204 when there is no such database). Log Replay Service's stop is this delete.
   */
  async deleteDatabase(databaseName: string): Promise<void> {
    await this.#arm.send({
      method: 'DELETE',
      path: this.#databasePath(databaseName),
      apiVersion,
      accept: [404],
      context: {
        doing: `deleting database ${databaseName}`,
        action: 'Microsoft.Sql/managedInstances/databases/delete',
      },
    });
  }

  #databasePath(databaseName: string): string {
    return `${this.#instancePath}/databases/${encodeURIComponent(databaseName)}`;
  }
}
