/**
 * Restore targets: where the migration engine restores a database from uploaded backups. The public
 * face of `targets/`: the port, its error taxonomy, and the rehearsal target.
 */
export type {
  RestoreDetails,
  RestoredBackupSet,
  RestoreStatus,
  RestoreTarget,
  StartRestore,
  TargetCheck,
  TargetKind,
} from './restore-target.js';
export { RestoreTargetError, isRestoreTargetError } from './target-error.js';
export { checkRestoreTarget } from './target-checks.js';
export type { RestoreTargetErrorCode } from './target-error.js';
export { createRehearsalTarget } from './rehearsal/rehearsal-target.js';
export type { RehearsalTarget } from './rehearsal/rehearsal-target.js';
export type { RehearsalOptions } from './rehearsal/rehearsal-options.js';
export { createManagedInstanceTarget } from './managed-instance/managed-instance-target.js';
export type { ManagedInstanceTarget } from './managed-instance/managed-instance-target.js';
export { parseManagedInstanceId } from './managed-instance/managed-instance-options.js';
export type {
  ManagedInstanceStorage,
  ManagedInstanceTargetOptions,
} from './managed-instance/managed-instance-options.js';
export { credentialFromEnvironment } from './managed-instance/credential.js';
export type {
  CredentialFromEnvironmentOptions,
  DescribedCredential,
} from './managed-instance/credential.js';
export { createSqlServerTarget } from './sql-server/sql-server-target.js';
export type { SqlServerTarget } from './sql-server/sql-server-target.js';
export type {
  SqlServerBackupSource,
  SqlServerTargetOptions,
} from './sql-server/sql-server-options.js';
