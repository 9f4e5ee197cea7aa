/** What each step of the engine works with: the records, the target, the blob store, the scheduler. */
import type { BlobStore } from '../../storage/index.js';
import type { RestoreTarget } from '../../targets/index.js';

import type { MigrationRecords } from './migration-records.js';

export interface EngineContext {
  readonly records: MigrationRecords;
  readonly target: RestoreTarget;
  readonly blobs: BlobStore;
  /** Files uploaded at once per migration. */
  readonly uploadsPerMigration: number;
  /** Asks for a tick of the migration soon (several asks before it runs make one tick). */
  readonly wake: (migrationId: string) => void;
  /** Runs `work` between the migration's ticks, never during one (an upload records its outcome so). */
  readonly exclusive: <T>(migrationId: string, work: () => Promise<T>) => Promise<T>;
}
