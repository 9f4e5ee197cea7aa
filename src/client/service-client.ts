/**
 * A typed client of the migration service's API, for the CLI (and later the integration runtime and
 * the web pages). It speaks the same DMS-shaped resources the service serves; errors come back as
 * `ServiceRequestError` with the service's code and message.
 */
export interface ServiceResource {
  readonly name: string;
  readonly properties: {
    readonly provisioningState: string;
    readonly integrationRuntimeState: string;
    readonly createdAt: string;
  };
}

export interface MigrationResource {
  readonly name: string;
  readonly properties: {
    readonly kind: string;
    readonly scope: string;
    readonly migrationStatus: string;
    readonly startedOn: string | null;
    readonly endedOn: string | null;
    readonly sourceDatabaseName: string;
    readonly migrationOperationId: string;
    readonly migrationFailureError: { readonly code: string; readonly message: string } | null;
    readonly configuration: Readonly<Record<string, unknown>>;
    readonly migrationStatusDetails?: MigrationStatusDetails;
  };
}

export interface BackupFileInfo {
  readonly fileName: string;
  readonly status: string;
  readonly totalSize: number;
  readonly dataRead: number;
  readonly dataWritten: number;
  readonly copyThroughput: number;
  readonly copyDuration: number;
  readonly familySequenceNumber: number | null;
  readonly ignoreReason: string | null;
  readonly message: string | null;
}

export interface BackupSetInfo {
  readonly backupSetId: string;
  readonly firstLSN: string | null;
  readonly lastLSN: string | null;
  readonly backupType: string | null;
  readonly listOfBackupFiles: readonly BackupFileInfo[];
  readonly isBackupRestored: boolean;
  readonly ignoreReasons: readonly string[];
}

export interface MigrationStatusDetails {
  readonly migrationState: string;
  readonly activeBackupSets: readonly BackupSetInfo[];
  readonly invalidFiles: readonly {
    readonly fileName: string;
    readonly reason: string;
    readonly message: string | null;
  }[];
  readonly isFullBackupRestored: boolean;
  readonly restoreBlockingReason: string | null;
  readonly fileUploadBlockingErrors: readonly string[];
  readonly currentRestoringFilename: string | null;
  readonly lastRestoredFilename: string | null;
  readonly pendingLogBackupsCount: number;
}

export interface StartMigration {
  readonly sourceDatabaseName: string;
  /** A folder, or an SMB share `\\host\share\path` (read by the service's runtime nodes). */
  readonly backupFolder: string;
  /** The share's account and password (write-only: the service never returns it). */
  readonly shareUserName?: string;
  readonly sharePassword?: string;
  readonly offline: boolean;
  readonly lastBackupName?: string;
}

/** `checkTarget`: the deployment's target and each check made. */
export interface TargetCheckResult {
  readonly target: { readonly kind: string; readonly scope: string };
  readonly checks: readonly {
    readonly check: string;
    readonly status: 'Succeeded' | 'Failed';
    readonly message: string;
  }[];
}

/** A connection test: which node ran it, and each hop it checked. */
export interface ConnectionTest {
  readonly nodeName: string;
  readonly checks: readonly {
    readonly hop: string;
    readonly status: 'Succeeded' | 'Failed' | 'Skipped';
    readonly message: string;
    readonly durationMs: number;
  }[];
}

/** One integration runtime node as `listMonitoringData` reports it. */
export interface NodeMonitoringData {
  readonly nodeName: string;
  readonly lastSeenAt: string;
  readonly availableMemoryInMB: number | null;
  readonly cpuUtilization: number | null;
  readonly concurrentJobsLimit: number | null;
  readonly concurrentJobsRunning: number | null;
  readonly maxConcurrentJobs: number | null;
  readonly sentBytes: number | null;
  readonly receivedBytes: number | null;
}

export class ServiceRequestError extends Error {
  override readonly name = 'ServiceRequestError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class ServiceClient {
  readonly #url: string;
  readonly #token: string;

  constructor(url: string, token: string) {
    this.#url = url.replace(/\/+$/, '');
    this.#token = token;
  }

  get url(): string {
    return this.#url;
  }

  listServices(): Promise<{ value: ServiceResource[] }> {
    return this.#call('GET', '/api/sqlMigrationServices');
  }
  getService(name: string): Promise<ServiceResource> {
    return this.#call('GET', `/api/sqlMigrationServices/${enc(name)}`);
  }
  createService(name: string): Promise<ServiceResource> {
    return this.#call('PUT', `/api/sqlMigrationServices/${enc(name)}`);
  }
  deleteService(name: string): Promise<ServiceResource> {
    return this.#call('DELETE', `/api/sqlMigrationServices/${enc(name)}`);
  }
  listAuthKeys(name: string): Promise<{ authKey1: string; authKey2: string }> {
    return this.#call('POST', `/api/sqlMigrationServices/${enc(name)}/listAuthKeys`);
  }
  regenerateAuthKey(
    name: string,
    keyName: 'authKey1' | 'authKey2',
  ): Promise<{ authKey1: string; authKey2: string }> {
    return this.#call('POST', `/api/sqlMigrationServices/${enc(name)}/regenerateAuthKeys`, {
      keyName,
    });
  }
  listMonitoringData(name: string): Promise<{ name: string; nodes: NodeMonitoringData[] }> {
    return this.#call('POST', `/api/sqlMigrationServices/${enc(name)}/listMonitoringData`);
  }
  /** The restore target checked for a database as a migration's start would, nothing changed. */
  checkTarget(targetDbName: string): Promise<TargetCheckResult> {
    return this.#call('POST', '/api/checkTarget', { targetDbName });
  }
  /** Each hop a migration needs, checked through one of the service's runtime nodes. */
  testConnection(
    name: string,
    backupLocation: { path: string; username?: string; password?: string },
  ): Promise<ConnectionTest> {
    return this.#call('POST', `/api/sqlMigrationServices/${enc(name)}/testConnection`, {
      backupLocation,
    });
  }
  deleteNode(
    name: string,
    nodeName: string,
  ): Promise<{ name: string; nodes: NodeMonitoringData[] }> {
    return this.#call('POST', `/api/sqlMigrationServices/${enc(name)}/deleteNode`, { nodeName });
  }

  startMigration(
    service: string,
    targetDbName: string,
    input: StartMigration,
  ): Promise<MigrationResource> {
    return this.#call('PUT', `${migrations(service)}/${enc(targetDbName)}`, {
      properties: {
        sourceDatabaseName: input.sourceDatabaseName,
        backupConfiguration: {
          sourceLocation: {
            fileShare: {
              path: input.backupFolder,
              ...(input.shareUserName ? { username: input.shareUserName } : {}),
              ...(input.sharePassword !== undefined ? { password: input.sharePassword } : {}),
            },
          },
        },
        offlineConfiguration: {
          offline: input.offline,
          ...(input.lastBackupName ? { lastBackupName: input.lastBackupName } : {}),
        },
      },
    });
  }
  getMigration(service: string, targetDbName: string, details = true): Promise<MigrationResource> {
    return this.#call(
      'GET',
      `${migrations(service)}/${enc(targetDbName)}${details ? '?expand=MigrationStatusDetails' : ''}`,
    );
  }
  listMigrations(service: string): Promise<{ value: MigrationResource[] }> {
    return this.#call('GET', migrations(service));
  }
  async cutover(service: string, targetDbName: string): Promise<MigrationResource> {
    const current = await this.getMigration(service, targetDbName, false);
    return this.#call('POST', `${migrations(service)}/${enc(targetDbName)}/cutover`, {
      migrationOperationId: current.properties.migrationOperationId,
    });
  }
  async cancel(service: string, targetDbName: string): Promise<MigrationResource> {
    const current = await this.getMigration(service, targetDbName, false);
    return this.#call('POST', `${migrations(service)}/${enc(targetDbName)}/cancel`, {
      migrationOperationId: current.properties.migrationOperationId,
    });
  }
  deleteMigration(service: string, targetDbName: string): Promise<MigrationResource> {
    return this.#call('DELETE', `${migrations(service)}/${enc(targetDbName)}`);
  }
  events(
    service: string,
    targetDbName: string,
    after = 0,
  ): Promise<{ value: { sequence: number; at: string; kind: string; message: string }[] }> {
    return this.#call('GET', `${migrations(service)}/${enc(targetDbName)}/events?after=${after}`);
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.#url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.#token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new ServiceRequestError(
        0,
        'ServiceUnreachable',
        `The migration service at ${this.#url} does not answer (${error instanceof Error ? error.message : String(error)}). Start it with "sqlmig up", or check --service.`,
      );
    }
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as unknown) : {};
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string } }).error;
      throw new ServiceRequestError(
        response.status,
        error?.code ?? `Http${response.status}`,
        error?.message ?? `${method} ${path} failed with HTTP ${response.status}.`,
      );
    }
    return parsed as T;
  }
}

const enc = encodeURIComponent;
const migrations = (service: string): string =>
  `/api/sqlMigrationServices/${enc(service)}/databaseMigrations`;
