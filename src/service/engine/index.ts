/** The migration engine: the public face of `service/engine/`. */
export { MigrationEngine } from './migration-engine.js';
export type { EngineOptions } from './migration-engine.js';
export type { CreateMigration } from './new-migration.js';
export { EngineError } from './errors.js';
export type { EngineErrorCode } from './errors.js';
export type {
  BackupSource,
  SourceFileInfo,
  UploadOutcome,
  UploadProgress,
} from './backup-source.js';
export { systemClock } from './clock.js';
export type { Clock } from './clock.js';
export { statusDetails } from './status-details.js';
export type {
  BackupFileInfo,
  BackupSetInfo,
  MigrationState,
  MigrationStatusDetails,
} from './status-details.js';
export type { FileDocument, MigrationDocument, MigrationMode } from './documents.js';
export { isTerminal, terminalStatuses } from './transitions.js';
