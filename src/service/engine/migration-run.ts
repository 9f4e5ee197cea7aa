/**
 * What the engine keeps in memory for a migration it is driving: the incremental restore planner, the
 * uploads in flight and their live progress. All of it can be rebuilt from the state store, which is
 * what happens after a restart.
 */
import { RestorePlanner } from '../../planning/index.js';

import type { BackupSource, UploadProgress } from './backup-source.js';

export class MigrationRun {
  readonly planner: RestorePlanner;
  readonly uploads = new Map<string, Promise<void>>();
  readonly progress = new Map<string, UploadProgress>();
  /** The target was resumed (or started) by this process. */
  targetAttached = false;
  /** The cutover (`complete`) was sent to the target by this process. */
  completeSent = false;
  /** The planner holds every classified file of the store (rebuilt once per process). */
  plannerLoaded = false;
  /** Aborted on cancel and on shutdown: uploads stop at their next block (staged blocks stay). */
  readonly uploadsAborter = new AbortController();
  canceled = false;

  constructor(
    readonly source: BackupSource,
    allowAppendedSets: boolean,
  ) {
    this.planner = new RestorePlanner({ allowAppendedSets });
  }
}
