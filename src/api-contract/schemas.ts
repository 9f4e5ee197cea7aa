/**
 * The API's request and response shapes, in Azure DMS's property names (`sqlMigrationServices`,
 * `databaseMigrations`). One definition validates requests, generates the OpenAPI document and (as
 * `z.infer` types, at the bottom) types the clients. No Node module is used here: the web app imports
 * the types.
 */
import { z } from '@hono/zod-openapi';

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .openapi('Error');

const name = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'letters, digits, _ . - (not starting with . or -)');

export const ServiceParams = z.object({
  serviceName: name.openapi({ param: { name: 'serviceName', in: 'path' } }),
});
export const MigrationParams = ServiceParams.extend({
  targetDbName: z
    .string()
    .min(1)
    .max(128)
    .openapi({ param: { name: 'targetDbName', in: 'path' } }),
});

export const RuntimeState = z.enum(['Online', 'Offline', 'NeedRegistration']);

export const ServiceResource = z
  .object({
    name: z.string(),
    id: z.string(),
    type: z.literal('sqlMigrationServices'),
    properties: z.object({
      provisioningState: z.literal('Succeeded'),
      integrationRuntimeState: RuntimeState,
      createdAt: z.string(),
    }),
  })
  .openapi('SqlMigrationService');

export const ServiceList = z
  .object({ value: z.array(ServiceResource) })
  .openapi('SqlMigrationServiceList');

export const AuthKeys = z
  .object({ authKey1: z.string(), authKey2: z.string() })
  .openapi('AuthKeys');
export const RegenerateAuthKeys = z
  .object({ keyName: z.enum(['authKey1', 'authKey2']) })
  .openapi('RegenerateAuthKeys');

export const NodeMonitoring = z.object({
  nodeName: z.string(),
  lastSeenAt: z.string(),
  availableMemoryInMB: z.number().nullable(),
  cpuUtilization: z.number().nullable(),
  concurrentJobsLimit: z.number().nullable(),
  concurrentJobsRunning: z.number().nullable(),
  maxConcurrentJobs: z.number().nullable(),
  sentBytes: z.number().nullable(),
  receivedBytes: z.number().nullable(),
});
export const MonitoringData = z
  .object({ name: z.string(), nodes: z.array(NodeMonitoring) })
  .openapi('IntegrationRuntimeMonitoringData');
export const DeleteNode = z
  .object({ nodeName: z.string().min(1), integrationRuntimeName: z.string().optional() })
  .openapi('DeleteNode');

const secret = z.string().min(1).max(4096);

export const SourceSqlConnection = z
  .object({
    dataSource: z.string().min(1),
    authentication: z.enum(['SqlAuthentication', 'WindowsAuthentication']),
    userName: z.string().optional(),
    password: secret.optional().openapi({ description: 'Write-only: never returned.' }),
    encryptConnection: z.boolean().optional(),
    trustServerCertificate: z.boolean().optional(),
  })
  .openapi('SqlConnectionInformation');

export const CreateMigrationBody = z
  .object({
    properties: z.object({
      kind: z
        .enum(['SqlMi', 'SqlVm', 'Rehearsal'])
        .optional()
        .openapi({ description: "The target's kind; this deployment's target when absent." }),
      scope: z.string().optional(),
      sourceDatabaseName: z.string().min(1).max(128),
      sourceSqlConnection: SourceSqlConnection.optional(),
      backupConfiguration: z.object({
        sourceLocation: z.object({
          fileShare: z
            .object({
              path: z.string().min(1).max(4096),
              username: z.string().optional(),
              password: secret.optional().openapi({ description: 'Write-only: never returned.' }),
            })
            .optional(),
          azureBlob: z
            .object({
              storageAccountResourceId: z.string().min(1),
              accountKey: secret.optional(),
              blobContainerName: z.string().min(1),
            })
            .optional(),
        }),
        targetLocation: z
          .object({
            storageAccountResourceId: z.string().optional(),
            accountKey: secret.optional(),
          })
          .optional(),
      }),
      offlineConfiguration: z
        .object({ offline: z.boolean(), lastBackupName: z.string().min(1).optional() })
        .optional(),
      targetDatabaseCollation: z.string().optional(),
    }),
  })
  .openapi('DatabaseMigrationRequest');

export const OperationBody = z
  .object({ migrationOperationId: z.string().min(1) })
  .openapi('MigrationOperationInput');

export const BackupFileInfo = z.object({
  fileName: z.string(),
  status: z.enum([
    'Arrived',
    'Uploading',
    'Uploaded',
    'Restoring',
    'Restored',
    'Canceled',
    'Ignored',
  ]),
  totalSize: z.number(),
  dataRead: z.number(),
  dataWritten: z.number(),
  copyThroughput: z.number(),
  copyDuration: z.number(),
  familySequenceNumber: z.number().nullable(),
  ignoreReason: z.string().nullable(),
  message: z.string().nullable(),
});

export const BackupSetInfo = z
  .object({
    backupSetId: z.string(),
    firstLSN: z.string().nullable(),
    lastLSN: z.string().nullable(),
    backupType: z.enum(['Full', 'Differential', 'Log']).nullable(),
    listOfBackupFiles: z.array(BackupFileInfo),
    backupStartDate: z.string().nullable(),
    backupFinishDate: z.string().nullable(),
    isBackupRestored: z.boolean(),
    hasBackupChecksums: z.boolean().nullable(),
    familyCount: z.number().nullable(),
    ignoreReasons: z.array(z.string()),
  })
  .openapi('BackupSetInfo');

export const MigrationStatusDetails = z
  .object({
    migrationState: z.string(),
    fullBackupSetInfo: BackupSetInfo.nullable(),
    lastRestoredBackupSetInfo: BackupSetInfo.nullable(),
    activeBackupSets: z.array(BackupSetInfo),
    invalidFiles: z.array(
      z.object({ fileName: z.string(), reason: z.string(), message: z.string().nullable() }),
    ),
    blobContainerName: z.string(),
    isFullBackupRestored: z.boolean(),
    restoreBlockingReason: z.string().nullable(),
    completeRestoreErrorMessage: z.string().nullable(),
    fileUploadBlockingErrors: z.array(z.string()),
    currentRestoringFilename: z.string().nullable(),
    lastRestoredFilename: z.string().nullable(),
    pendingLogBackupsCount: z.number(),
  })
  .openapi('MigrationStatusDetails');

export const MigrationResource = z
  .object({
    name: z.string(),
    id: z.string(),
    type: z.literal('databaseMigrations'),
    properties: z.object({
      kind: z.string(),
      scope: z.string(),
      provisioningState: z.literal('Succeeded'),
      migrationStatus: z.string(),
      startedOn: z.string().nullable(),
      endedOn: z.string().nullable(),
      sourceDatabaseName: z.string(),
      migrationOperationId: z.string(),
      migrationFailureError: z.object({ code: z.string(), message: z.string() }).nullable(),
      configuration: z
        .record(z.string(), z.unknown())
        .openapi({ description: 'The configuration as given, without its secrets.' }),
      migrationStatusDetails: MigrationStatusDetails.optional(),
    }),
  })
  .openapi('DatabaseMigration');

/** Which migrations a list shows: `active` is every one that has not ended. */
export const MigrationState = z.enum(['active', 'succeeded', 'failed', 'canceled']);

export const MigrationListQuery = z.object({
  state: MigrationState.optional().openapi({
    param: { name: 'state', in: 'query' },
    description:
      'Only migrations in this state: active (not ended), succeeded, failed or canceled (Canceling counts as active).',
  }),
  search: z
    .string()
    .max(128)
    .optional()
    .openapi({
      param: { name: 'search', in: 'query' },
      description: 'Only migrations whose target or source database name contains this (any case).',
    }),
  top: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .optional()
    .openapi({
      param: { name: 'top', in: 'query' },
      description: 'At most this many migrations (all when absent).',
    }),
  skip: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .openapi({
      param: { name: 'skip', in: 'query' },
      description:
        'Leave out the first this many matches (in the order the migrations were created).',
    }),
});

export const MigrationList = z
  .object({
    value: z.array(MigrationResource),
    count: z.number().openapi({ description: 'How many migrations match, before top and skip.' }),
    summary: z
      .object({
        total: z.number(),
        active: z.number(),
        succeeded: z.number(),
        failed: z.number(),
        canceled: z.number(),
      })
      .openapi({ description: "The service's migrations counted by state, whatever the filter." }),
  })
  .openapi('DatabaseMigrationList');

export const EventList = z
  .object({
    value: z.array(
      z.object({
        sequence: z.number(),
        at: z.string(),
        kind: z.string(),
        message: z.string(),
        data: z.record(z.string(), z.unknown()),
      }),
    ),
  })
  .openapi('MigrationEventList');

export const CheckTargetRequest = z
  .object({ targetDbName: z.string().min(1).max(128) })
  .openapi('CheckTargetRequest');

export const CheckTargetResponse = z
  .object({
    target: z.object({ kind: z.string(), scope: z.string() }),
    checks: z.array(
      z.object({
        check: z.string(),
        status: z.enum(['Succeeded', 'Failed']),
        message: z.string(),
      }),
    ),
  })
  .openapi('CheckTargetResponse');

export const TestConnectionRequest = z
  .object({
    backupLocation: z.object({
      path: z.string().min(1).max(4096),
      username: z.string().min(1).optional(),
      password: z
        .string()
        .min(1)
        .max(4096)
        .optional()
        .openapi({ description: 'Write-only: sent to the node doing the test, never stored.' }),
    }),
  })
  .openapi('TestConnectionRequest');

export const TestConnectionResponse = z
  .object({
    nodeName: z.string(),
    checks: z.array(
      z.object({
        hop: z.enum(['backupLocation', 'uploadStorage', 'sourceSqlServer']),
        status: z.enum(['Succeeded', 'Failed', 'Skipped']),
        message: z.string(),
        durationMs: z.number(),
      }),
    ),
  })
  .openapi('TestConnectionResponse');

// The same shapes as TypeScript types (a type beside each schema of the same name), for the clients:
// what the service answers (`z.infer`) and what it accepts (`z.input`).
export type ErrorBody = z.infer<typeof ErrorBody>;
export type ServiceResource = z.infer<typeof ServiceResource>;
export type ServiceList = z.infer<typeof ServiceList>;
export type AuthKeys = z.infer<typeof AuthKeys>;
export type MonitoringData = z.infer<typeof MonitoringData>;
export type NodeMonitoring = z.infer<typeof NodeMonitoring>;
export type CreateMigrationBody = z.input<typeof CreateMigrationBody>;
export type OperationBody = z.input<typeof OperationBody>;
export type BackupFileInfo = z.infer<typeof BackupFileInfo>;
export type BackupSetInfo = z.infer<typeof BackupSetInfo>;
export type MigrationStatusDetails = z.infer<typeof MigrationStatusDetails>;
export type MigrationResource = z.infer<typeof MigrationResource>;
export type MigrationState = z.infer<typeof MigrationState>;
export type MigrationListQuery = z.infer<typeof MigrationListQuery>;
export type MigrationList = z.infer<typeof MigrationList>;
export type EventList = z.infer<typeof EventList>;
export type CheckTargetRequest = z.input<typeof CheckTargetRequest>;
export type CheckTargetResponse = z.infer<typeof CheckTargetResponse>;
export type TestConnectionRequest = z.input<typeof TestConnectionRequest>;
export type TestConnectionResponse = z.infer<typeof TestConnectionResponse>;
