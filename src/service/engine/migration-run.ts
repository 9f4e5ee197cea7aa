/**
 * What the engine keeps in memory for a migration it is driving: its file records, the incremental
 * restore planner, the uploads in flight and their live progress, and what it last saw of the
 * target. All of it can be rebuilt from the state store, which is what happens after a restart.
 */
import { RestorePlanner } from '../../planning/index.js';
import type { RestoreDetails } from '../../targets/index.js';

import type { BackupSource, UploadProgress } from './backup-source.js';
import { FileBook } from './file-book.js';
import type { MigrationRecords } from './migration-records.js';

export class MigrationRun {
  readonly planner: RestorePlanner;
  readonly book: FileBook;
  readonly uploads = new Map<string, Promise<void>>();
  readonly progress = new Map<string, UploadProgress>();
  /** Files whose upload failed: not tried again before this time (ISO, the engine's clock). */
  readonly retryAfter = new Map<string, string>();
  /** The target was resumed (or started) by this process. */
  targetAttached = false;
  /** The cutover (`complete`) was sent to the target by this process. */
  completeSent = false;
  /** The planner holds every classified file of the store (rebuilt once per process). */
  plannerLoaded = false;
  /** The planner changed since the intake last looked at what it leaves out. */
  planChanged = false;
  /**
   * The folder may hold something new: list it at the next tick. Set by the periodic tick (watchers
   * miss events on network shares) and by a watcher event that names no entry (or whose source cannot
   * look at named entries); cleared when the tick lists it.
   */
  listingDue = true;
  /**
   * Entries of the folder its watcher named since the last tick: looked at alone (`listNamed`) when
   * no listing is due.
   */
  readonly namedDue = new Set<string>();
  /** The folder has a watcher: the periodic tick lists it only now and then (`migration-engine.ts`). */
  watching = false;
  periodicTicks = 0;
  /**
   * A full backup of this migration was uploaded (seen by this process): its differentials and logs
   * may upload now. Before, they wait, and the runtime's disk and bandwidth go to the full.
   */
  fullUploaded = false;
  /** The restore details last applied to the files, and the book's `restoreRevision` then. */
  lastDetails: RestoreDetails | null = null;
  appliedAtRevision = -1;
  /** Aborted on cancel and on shutdown: uploads stop at their next block (staged blocks stay). */
  readonly uploadsAborter = new AbortController();
  canceled = false;
  #unwatch: (() => void) | null = null;

  constructor(
    readonly source: BackupSource,
    records: MigrationRecords,
    readonly migrationId: string,
    readonly targetDbName: string,
    allowAppendedSets: boolean,
  ) {
    this.planner = new RestorePlanner({ allowAppendedSets });
    this.book = new FileBook(records, migrationId);
  }

  /** Watches the folder, when the source can: `onChange` on anything new in it. */
  watch(onChange: () => void): void {
    if (this.#unwatch || !this.source.watch) return;
    this.watching = true;
    const named = this.source.listNamed !== undefined;
    this.#unwatch = this.source.watch((entry) => {
      if (named && entry !== null) this.namedDue.add(entry);
      else this.listingDue = true;
      onChange();
    });
  }

  /** The run is over (the migration ended, or the service stops): the watcher closes. */
  close(): void {
    this.#unwatch?.();
    this.#unwatch = null;
    this.watching = false;
  }
}
