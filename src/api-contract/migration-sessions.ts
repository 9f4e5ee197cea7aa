/**
 * The migration wizard's shapes: a session (what the user entered, step by step, kept by the service
 * so that "Save and close" can resume it), its start, and the look at the source instance (connection
 * and permission check, databases, assessment). Passwords and keys are write-only: a session's schema
 * has no field for them, so any sent are dropped before the store sees them, and the wizard asks for
 * them again at the start. No Node module is used here: the web app imports the types.
 */
import { z } from '@hono/zod-openapi';

const databaseName = z.string().min(1).max(128);
const secret = z.string().min(1).max(4096);
const serviceName = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'letters, digits, _ . - (not starting with . or -)');

/** The wizard's pages, in the reference order. */
export const WizardStep = z.enum([
  'source',
  'databases',
  'assessment',
  'sku',
  'target',
  'backup',
  'runtime',
  'summary',
]);

/** How to reach the source instance, without its password (DMS `sourceSqlConnection`). */
export const SourceConnectionSettings = z.object({
  dataSource: z
    .string()
    .min(1)
    .max(256)
    .openapi({ description: 'host, host,port or host:port (a named instance: give its port).' }),
  authentication: z.enum(['SqlAuthentication', 'WindowsAuthentication']),
  userName: z.string().max(128).optional(),
  encryptConnection: z.boolean().optional(),
  trustServerCertificate: z.boolean().optional(),
});

/** The same with the password, for the calls that connect (never stored). */
export const SourceConnectionInput = SourceConnectionSettings.extend({
  password: secret.optional().openapi({ description: 'Write-only: used for this call only.' }),
}).openapi('SourceConnectionInput');

export const DatabaseMapping = z.object({
  sourceDatabaseName: databaseName,
  targetDbName: databaseName,
  /** The folder (or `\\host\share\path`) holding this database's backups, and only its. */
  backupFolder: z.string().max(4096).optional(),
  /** Backups already in a blob container: the container (or folder in it) of this database. */
  blobFolder: z.string().max(1024).optional(),
  /** Offline: the last backup file to restore. */
  lastBackupName: z.string().max(1024).optional(),
});

/** Each page's entries. A page not reached yet is absent. */
export const SessionSteps = z
  .object({
    source: z
      .object({
        /** `backupsOnly`: no connection to the source; databases are named by hand. */
        mode: z.enum(['connection', 'backupsOnly']),
        connection: SourceConnectionSettings.optional(),
        /** The last successful check, as the service found it. */
        checked: z
          .object({
            at: z.string(),
            serverName: z.string(),
            productVersion: z.string(),
            loginName: z.string(),
            permitted: z.boolean(),
          })
          .optional(),
      })
      .optional(),
    databases: z.object({ selected: z.array(databaseName).max(100) }).optional(),
    assessment: z
      .object({
        at: z.string(),
        readiness: z.record(z.string(), z.enum(['Ready', 'ReadyWithWarnings', 'NotReady'])),
      })
      .optional(),
    sku: z
      .object({
        source: z.enum(['collect', 'import']),
        perfDataFolder: z.string().max(4096).optional(),
        /** The service's collection started from this page, if any. */
        collectionId: z.string().max(64).optional(),
        percentile: z.number().int().min(1).max(100),
        scalingFactorPercent: z.number().int().min(1).max(1000),
      })
      .optional(),
    target: z
      .object({ kind: z.enum(['SqlMi', 'SqlVm', 'Rehearsal']), scope: z.string().max(1024) })
      .optional(),
    backup: z
      .object({
        mode: z.enum(['online', 'offline']),
        location: z.enum(['fileShare', 'azureBlob']),
        fileShare: z.object({ username: z.string().max(256).optional() }).optional(),
        azureBlob: z
          .object({
            storageAccountResourceId: z.string().max(1024),
            blobContainerName: z.string().max(256),
          })
          .optional(),
        targetStorageAccountResourceId: z.string().max(1024).optional(),
        databases: z.array(DatabaseMapping).max(100),
      })
      .optional(),
    runtime: z.object({ serviceName }).optional(),
  })
  .openapi('MigrationSessionSteps');

/** What the service did for each database at the start. */
export const SessionStartOutcome = z.object({
  sourceDatabaseName: z.string(),
  targetDbName: z.string(),
  serviceName: z.string(),
  outcome: z.enum(['Started', 'AlreadyStarted', 'Failed']),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

/**
 * The write-only values the start will ask for, given the entries. (The source's password is not
 * one: sqlmig reads the backups themselves, so a migration does not connect to the source.)
 */
export const SecretName = z.enum(['sharePassword', 'storageAccountKey']);

export const MigrationSession = z
  .object({
    id: z.string(),
    status: z.enum(['Open', 'Started']),
    step: WizardStep,
    createdAt: z.string(),
    updatedAt: z.string(),
    version: z.number(),
    steps: SessionSteps,
    started: z.array(SessionStartOutcome),
    secretsNeeded: z.array(SecretName),
    /** What this deployment restores to (the only target it can start migrations on). */
    deploymentTarget: z.object({ kind: z.string(), scope: z.string() }),
  })
  .openapi('MigrationSession');

export const MigrationSessionList = z
  .object({ value: z.array(MigrationSession) })
  .openapi('MigrationSessionList');

export const SessionParams = z.object({
  sessionId: z.uuid().openapi({ param: { name: 'sessionId', in: 'path' } }),
});

export const CreateSessionBody = z
  .object({ steps: SessionSteps.optional() })
  .openapi('CreateMigrationSession');

export const UpdateSessionBody = z
  .object({
    /** The version last read; a session changed since (another tab) is refused. */
    expectedVersion: z.number().int().min(1),
    step: WizardStep.optional(),
    /** The pages given replace their stored entries; others are kept. */
    steps: SessionSteps,
  })
  .openapi('UpdateMigrationSession');

export const StartSessionBody = z
  .object({
    expectedVersion: z.number().int().min(1),
    secrets: z
      .object({
        sharePassword: secret.optional(),
        storageAccountKey: secret.optional(),
      })
      .openapi({ description: 'Write-only: sealed into the migrations, never into the session.' }),
  })
  .openapi('StartMigrationSession');

export const StartSessionResponse = z
  .object({ session: MigrationSession, migrations: z.array(SessionStartOutcome) })
  .openapi('MigrationSessionStarted');

export const SourceCheckRequest = z
  .object({ connection: SourceConnectionInput })
  .openapi('SourceCheckRequest');

export const SourceCheckResponse = z
  .object({
    checks: z.array(
      z.object({
        check: z.enum(['connection', 'version', 'permissions']),
        status: z.enum(['Succeeded', 'Failed', 'Skipped']),
        message: z.string(),
      }),
    ),
    server: z
      .object({ serverName: z.string(), productVersion: z.string(), edition: z.string() })
      .nullable(),
    login: z
      .object({ loginName: z.string(), isSysadmin: z.boolean(), hasControlServer: z.boolean() })
      .nullable(),
  })
  .openapi('SourceCheckResponse');

export const SourceDatabase = z.object({
  name: z.string(),
  state: z.string(),
  recoveryModel: z.string(),
  compatibilityLevel: z.number(),
  sizeBytes: z.number(),
  isEncrypted: z.boolean(),
});

export const SourceDatabaseList = z
  .object({ value: z.array(SourceDatabase) })
  .openapi('SourceDatabaseList');

export const SourceAssessRequest = z
  .object({ connection: SourceConnectionInput, databases: z.array(databaseName).min(1).max(100) })
  .openapi('SourceAssessRequest');

export const CheckAuthKeyRequest = z
  .object({ authKey: z.string().min(1).max(4096) })
  .openapi('CheckAuthKeyRequest');

export const CheckAuthKeyResponse = z
  .object({
    valid: z.boolean(),
    keyName: z.enum(['authKey1', 'authKey2']).nullable(),
    message: z.string(),
  })
  .openapi('CheckAuthKeyResponse');

export type WizardStep = z.infer<typeof WizardStep>;
export type SourceConnectionSettings = z.infer<typeof SourceConnectionSettings>;
export type SourceConnectionInput = z.input<typeof SourceConnectionInput>;
export type DatabaseMapping = z.infer<typeof DatabaseMapping>;
export type SessionSteps = z.infer<typeof SessionSteps>;
export type SessionStartOutcome = z.infer<typeof SessionStartOutcome>;
export type SecretName = z.infer<typeof SecretName>;
export type MigrationSession = z.infer<typeof MigrationSession>;
export type MigrationSessionList = z.infer<typeof MigrationSessionList>;
export type CreateSessionBody = z.input<typeof CreateSessionBody>;
export type UpdateSessionBody = z.input<typeof UpdateSessionBody>;
export type StartSessionBody = z.input<typeof StartSessionBody>;
export type StartSessionResponse = z.infer<typeof StartSessionResponse>;
export type SourceCheckRequest = z.input<typeof SourceCheckRequest>;
export type SourceCheckResponse = z.infer<typeof SourceCheckResponse>;
export type SourceDatabase = z.infer<typeof SourceDatabase>;
export type SourceDatabaseList = z.infer<typeof SourceDatabaseList>;
export type SourceAssessRequest = z.input<typeof SourceAssessRequest>;
export type CheckAuthKeyRequest = z.input<typeof CheckAuthKeyRequest>;
export type CheckAuthKeyResponse = z.infer<typeof CheckAuthKeyResponse>;
