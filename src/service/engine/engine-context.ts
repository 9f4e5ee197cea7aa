/** What each step of the engine works with: the records, the target and the blob store. */
import type { BlobStore } from '../../storage/index.js';
import type { RestoreTarget } from '../../targets/index.js';

import type { MigrationRecords } from './migration-records.js';

export interface EngineContext {
  readonly records: MigrationRecords;
  readonly target: RestoreTarget;
  readonly blobs: BlobStore;
  /** Files uploaded at once per migration. */
  readonly uploadsPerMigration: number;
}
