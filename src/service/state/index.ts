/**
 * The migration service's state: the records it keeps, the store they live in (SQLite by default,
 * PostgreSQL for several replicas) and the secret box that seals the secrets inside them. The public
 * face of `service/state/`.
 */
export { openStateStore, SQLITE_FILE } from './open-state-store.js';
export type { OpenStateStoreOptions } from './open-state-store.js';
export { StateConflictError } from './state-store.js';
export type { MigrationFilter, StateStore, StateTransaction } from './state-store.js';
export { isStateError, StateError } from './errors.js';
export type { StateErrorCode } from './errors.js';
export { loadSecretKey, SECRET_KEY_FILE } from './secret-key.js';
export type { LoadSecretKeyOptions, SecretKey } from './secret-key.js';
export { createSecretBox } from './secret-box.js';
export type { SecretBox } from './secret-box.js';
export type {
  EventRecord,
  FileRecord,
  FileStatus,
  MigrationRecord,
  MigrationSessionRecord,
  MigrationSessionStatus,
  MigrationStatus,
  NodeRecord,
  SealedSecret,
  ServiceRecord,
} from './records.js';
