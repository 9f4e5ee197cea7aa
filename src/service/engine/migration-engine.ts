/**
 * The migration engine: drives each migration from Creating to Succeeded (or Failed, or Canceled)
 * through the state machine of `transitions.ts`. Each `tick` reads the migration from the state store,
 * takes the next steps (list and classify new files, start uploads, start or poll the restore, apply a
 * cutover or a cancel) and writes every change back, with an event, before the next step. Nothing is
 * kept only in memory that a restarted process could not rebuild: a process killed at any point
 * resumes where the store says it was, uploads resume from their staged blocks, and the target is
 * resumed rather than started twice.
 *
 * Ticks come when something happens, not on a clock: a migration is woken (`wake`) when its folder
 * changes (the source's watcher), when an upload ends, and when the target reports progress; the
 * service's periodic `tickAll` is the safety net for what gives no notice (network shares, a target
 * that is only polled). Several wake-ups before a tick runs make one tick, and each tick costs what
 * changed since the last: the files are held in memory (`file-book.ts`), the folder is listed only
 * when it may have changed, the target's report is applied only when it differs.
 *
 * The steps live beside this file: `intake-step.ts`, `upload-step.ts`, `target-step.ts`; the writes
 * they make go through `migration-records.ts`.
 */
import { randomUUID } from 'node:crypto';

import type { BlobStore } from '../../storage/index.js';
import type { RestoreTarget } from '../../targets/index.js';
import type { FileRecord, MigrationRecord, StateStore } from '../state/index.js';

import type { BackupSource } from './backup-source.js';
import { blobNameOf } from './blob-names.js';
import { cancelStep } from './cancel-step.js';
import { beginMigration, expireIfOld } from './lifecycle-steps.js';
import { systemClock, type Clock } from './clock.js';
import { asDocument, migrationDocument } from './documents.js';
import type { EngineContext } from './engine-context.js';
import { EngineError } from './errors.js';
import { intakeStep } from './intake-step.js';
import { MigrationRecords, retryOnConflict } from './migration-records.js';
import { MigrationRun } from './migration-run.js';
import {
  activeStatuses,
  insertMigration,
  newMigrationRecord,
  type CreateMigration,
} from './new-migration.js';
import { statusDetails } from './status-details.js';
import { clearStepError, runStep } from './step-errors.js';
import { targetStep } from './target-step.js';
import { isTerminal } from './transitions.js';
import { uploadStep } from './upload-step.js';

export interface EngineOptions {
  readonly store: StateStore;
  readonly target: RestoreTarget;
  readonly blobStore: BlobStore;
  /** The backup source (integration runtime side) of a migration. */
  readonly sourceFor: (migration: MigrationRecord) => BackupSource;
  readonly clock?: Clock;
  /** Log Replay Service cancels a job after 30 days; so does sqlmig. */
  readonly maxJobAgeMs?: number;
  /** Files uploaded at once per migration. */
  readonly uploadsPerMigration?: number;
  /** A tick started by a wake-up failed (the failure is on the migration too). Default: a warning. */
  readonly onError?: (error: unknown) => void;
}

const thirtyDaysMs = 30 * 24 * 60 * 60 * 1000;
/**
 * A watched folder is listed at every fifth periodic tick (every 5 s by default): the safety net for
 * an event the watcher missed. A folder whose source cannot watch is listed at every one.
 */
const watchedListingEvery = 5;

export class MigrationEngine {
  readonly #ctx: EngineContext;
  readonly #records: MigrationRecords;
  readonly #sourceFor: EngineOptions['sourceFor'];
  readonly #maxAgeMs: number;
  readonly #runs = new Map<string, MigrationRun>();
  readonly #ticking = new Map<string, Promise<unknown>>();
  /** Migrations with a tick asked for and not begun yet (further wake-ups join it). */
  readonly #wanted = new Set<string>();
  readonly #onError: (error: unknown) => void;
  readonly #unsubscribe: (() => void) | undefined;
  #stopping = false;

  constructor(options: EngineOptions) {
    this.#records = new MigrationRecords(options.store, options.clock ?? systemClock);
    this.#ctx = {
      records: this.#records,
      target: options.target,
      blobs: options.blobStore,
      uploadsPerMigration: options.uploadsPerMigration ?? 2,
      wake: (id) => {
        this.wake(id);
      },
      exclusive: (id, work) => this.#serial(id, work),
    };
    this.#sourceFor = options.sourceFor;
    this.#maxAgeMs = options.maxJobAgeMs ?? thirtyDaysMs;
    this.#onError = options.onError ?? warn;
    this.#unsubscribe = options.target.onProgress?.((databaseName) => {
      this.#wakeTargetDatabase(databaseName);
    });
  }

  async create(input: CreateMigration): Promise<MigrationRecord> {
    const record = newMigrationRecord(input, randomUUID(), randomUUID(), this.#records.now());
    return this.#records.store.transaction((tx) => insertMigration(tx, input, record));
  }

  /**
   * Takes the next steps of one migration, its folder listed again whatever its watcher said. Ticks
   * of the same migration never overlap.
   */
  tick(id: string): Promise<void> {
    return this.#listingTick(id, () => true);
  }

  /**
   * Asks for a tick of the migration soon; returns at once. Wake-ups that come before the tick begins
   * make one tick; one that comes during a tick makes one more after it. A failing tick is recorded
   * on the migration and reported to `onError`.
   */
  wake(id: string): void {
    if (this.#stopping || this.#wanted.has(id)) return;
    this.#wanted.add(id);
    this.#serial(id, () => {
      this.#wanted.delete(id);
      return this.#stopping ? Promise.resolve() : this.#step(id);
    }).catch(this.#onError);
  }

  /**
   * Ticks every migration that has not ended: the safety net for changes no watcher reported, and for
   * a target that is only polled. Resolves when those ticks are done.
   */
  async tickAll(): Promise<void> {
    const active = await this.#records.store.transaction((tx) =>
      tx.listMigrations({ statuses: activeStatuses }),
    );
    await Promise.all(active.map((m) => this.#periodicTick(m.id)));
  }

  /**
   * The periodic tick: a folder whose source watches it is listed every `watchedListingEvery`-th
   * time only (its watcher wakes the migration at once anyway); other folders every time.
   */
  #periodicTick(id: string): Promise<void> {
    return this.#listingTick(
      id,
      (run) => !run.watching || ++run.periodicTicks % watchedListingEvery === 0,
    );
  }

  /** A tick that lists the folder first when `listing` says so. */
  #listingTick(id: string, listing: (run: MigrationRun) => boolean): Promise<void> {
    return this.#serial(id, () => {
      const run = this.#runs.get(id);
      if (run && listing(run)) run.listingDue = true;
      return this.#stopping ? Promise.resolve() : this.#step(id);
    });
  }

  /**
   * Online cutover: refused unless the full is restored, no log is pending and nothing blocks the
   * restore. Runs between ticks of the migration (a tick writes the migration too).
   */
  cutover(id: string, operationId: string): Promise<MigrationRecord> {
    return this.#serial(id, () => retryOnConflict(() => this.#cutover(id, operationId)));
  }

  /** Cancel: the next tick stops the restore and drops the target database. Runs between ticks. */
  cancel(id: string, operationId: string): Promise<MigrationRecord> {
    return this.#serial(id, () => retryOnConflict(() => this.#cancel(id, operationId)));
  }

  async #cutover(id: string, operationId: string): Promise<MigrationRecord> {
    const [migration, files] = await this.#load(id);
    this.#checkOperation(migration, operationId);
    const doc = migrationDocument(migration);
    if (doc.mode !== 'online') {
      throw new EngineError(
        'CutoverNotAllowed',
        'An offline migration cuts over by itself once the last backup is restored.',
      );
    }
    if (migration.migrationStatus !== 'InProgress') {
      throw new EngineError(
        'CutoverNotAllowed',
        `The migration is ${migration.migrationStatus}; cutover is possible only while it is InProgress.`,
      );
    }
    const details = statusDetails(migration, files, this.#runs.get(id));
    const refusal = !details.isFullBackupRestored
      ? 'the full backup is not restored yet'
      : details.pendingLogBackupsCount > 0
        ? `${details.pendingLogBackupsCount} log backup(s) are not restored yet`
        : details.restoreBlockingReason
          ? `the restore is blocked: ${details.restoreBlockingReason}`
          : details.lastRestoredFilename === null
            ? 'nothing has been restored yet'
            : null;
    if (refusal)
      throw new EngineError('CutoverNotAllowed', `Cutover is not possible yet: ${refusal}.`);
    return this.#records.move(
      migration,
      'Completing',
      `Cutover requested at ${details.lastRestoredFilename ?? ''}.`,
      {
        document: asDocument({
          ...doc,
          cutoverLastBackupName: blobNameOf(
            files.find((f) => f.fileName === details.lastRestoredFilename),
          ),
        }),
      },
    );
  }

  async #cancel(id: string, operationId: string): Promise<MigrationRecord> {
    const migration = await this.#records.migration(id);
    this.#checkOperation(migration, operationId);
    if (isTerminal(migration.migrationStatus)) {
      throw new EngineError(
        'MigrationFinished',
        `The migration has already ended (${migration.migrationStatus}).`,
      );
    }
    if (migration.migrationStatus === 'Canceling') return migration;
    return this.#records.move(migration, 'Canceling', 'Cancel requested.', {});
  }

  /** The DMS-shaped `migrationStatusDetails`, live upload progress included. */
  async details(id: string): Promise<{
    migration: MigrationRecord;
    files: FileRecord[];
    details: ReturnType<typeof statusDetails>;
  }> {
    const [migration, files] = await this.#load(id);
    return { migration, files, details: statusDetails(migration, files, this.#runs.get(id)) };
  }

  /** The migration from the store; its files from memory when this engine drives it. */
  async #load(id: string): Promise<[MigrationRecord, FileRecord[]]> {
    const book = this.#runs.get(id)?.book;
    if (!book?.loaded) return this.#records.load(id);
    const migration = await this.#records.migration(id);
    return [migration, book.all()];
  }

  /** Waits for uploads in flight (tests). */
  async drain(): Promise<void> {
    for (const run of this.#runs.values()) await Promise.allSettled([...run.uploads.values()]);
  }

  /**
   * Shutdown: ticks do nothing from now on, uploads stop at their next block (left Uploading, they
   * resume from their staged blocks when the service starts again), and what is under way ends.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#unsubscribe?.();
    for (const run of this.#runs.values()) {
      run.close();
      run.uploadsAborter.abort(new Error('The service is stopping.'));
    }
    await Promise.allSettled([...this.#ticking.values()]);
    await this.drain();
  }

  async #step(id: string): Promise<void> {
    const records = this.#records;
    let migration = await records.migration(id);
    if (isTerminal(migration.migrationStatus)) {
      this.#endRun(id);
      return;
    }
    migration = await expireIfOld(records, migration, this.#maxAgeMs);
    if (migration.migrationStatus === 'Canceling') {
      await cancelStep(this.#ctx, migration, this.#run(migration));
      this.#endRun(migration.id);
      return;
    }
    if (migration.migrationStatus === 'Creating') {
      // A target that cannot be reached shows on the migration, not only in the service's log.
      const creating = migration;
      let begun = creating;
      await runStep(records, creating, 'start', async () => {
        begun = await beginMigration(this.#ctx, creating);
      });
      migration = begun;
      if (migration.migrationStatus !== 'InProgress') return;
    }
    const run = this.#run(migration);
    await run.book.load();
    const m = migration;
    await runStep(records, m, 'intake', () => intakeStep(m, run));
    await runStep(records, m, 'upload', () => uploadStep(this.#ctx, m, run));
    await runStep(records, m, 'target', () => targetStep(this.#ctx, m, run));
    if (migrationDocument(m).stepError) await clearStepError(records, id);
  }

  #wakeTargetDatabase(databaseName: string): void {
    const wanted = databaseName.toLowerCase();
    for (const run of this.#runs.values())
      if (run.targetDbName.toLowerCase() === wanted) this.wake(run.migrationId);
  }

  #endRun(id: string): void {
    this.#runs.get(id)?.close();
    this.#runs.delete(id);
    this.#records.release(id);
  }

  /** Runs `work` after the ticks and actions of migration `id` queued before it. */
  async #serial<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#ticking.get(id) ?? Promise.resolve();
    const next = previous.then(work);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.#ticking.set(id, settled);
    try {
      return await next;
    } finally {
      if (this.#ticking.get(id) === settled) this.#ticking.delete(id);
    }
  }

  #run(migration: MigrationRecord): MigrationRun {
    let run = this.#runs.get(migration.id);
    if (!run) {
      run = new MigrationRun(
        this.#sourceFor(migration),
        this.#records,
        migration.id,
        migration.targetDbName,
        migration.kind === 'SqlVm',
      );
      this.#runs.set(migration.id, run);
      this.#records.hold(migration.id);
      if (!this.#stopping) {
        const id = migration.id;
        run.watch(() => {
          this.wake(id);
        });
      }
    }
    return run;
  }

  #checkOperation(migration: MigrationRecord, operationId: string): void {
    if (operationId !== migration.migrationOperationId) {
      throw new EngineError(
        'OperationIdMismatch',
        `The migrationOperationId ${operationId} is not the migration's current one (${migration.migrationOperationId}); read the migration again.`,
      );
    }
  }
}

function warn(error: unknown): void {
  const text = error instanceof Error ? error.message : String(error);
  process.emitWarning(`sqlmig engine: a tick failed: ${text}`, 'SqlmigEngine');
}
