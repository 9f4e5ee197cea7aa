/**
 * The migration engine: drives each migration from Creating to Succeeded (or Failed, or Canceled)
 * through the state machine of `transitions.ts`. Each `tick` reads the migration from the state store,
 * takes the next steps (list and classify new files, start uploads, start or poll the restore, apply a
 * cutover or a cancel) and writes every change back, with an event, before the next step. Nothing is
 * kept only in memory that a restarted process could not rebuild: a process killed at any point
 * resumes where the store says it was, uploads resume from their staged blocks, and the target is
 * resumed rather than started twice.
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
}

const thirtyDaysMs = 30 * 24 * 60 * 60 * 1000;

export class MigrationEngine {
  readonly #ctx: EngineContext;
  readonly #records: MigrationRecords;
  readonly #sourceFor: EngineOptions['sourceFor'];
  readonly #maxAgeMs: number;
  readonly #runs = new Map<string, MigrationRun>();
  readonly #ticking = new Map<string, Promise<unknown>>();
  #stopping = false;

  constructor(options: EngineOptions) {
    this.#records = new MigrationRecords(options.store, options.clock ?? systemClock);
    this.#ctx = {
      records: this.#records,
      target: options.target,
      blobs: options.blobStore,
      uploadsPerMigration: options.uploadsPerMigration ?? 2,
    };
    this.#sourceFor = options.sourceFor;
    this.#maxAgeMs = options.maxJobAgeMs ?? thirtyDaysMs;
  }

  async create(input: CreateMigration): Promise<MigrationRecord> {
    const record = newMigrationRecord(input, randomUUID(), randomUUID(), this.#records.now());
    return this.#records.store.transaction((tx) => insertMigration(tx, input, record));
  }

  /** Takes the next steps of one migration. Ticks of the same migration never overlap. */
  tick(id: string): Promise<void> {
    return this.#serial(id, () => (this.#stopping ? Promise.resolve() : this.#step(id)));
  }

  /** Ticks every migration that has not ended. */
  async tickAll(): Promise<void> {
    const active = await this.#records.store.transaction((tx) =>
      tx.listMigrations({ statuses: activeStatuses }),
    );
    await Promise.all(active.map((m) => this.tick(m.id)));
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
    const [migration, files] = await this.#records.load(id);
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
    const [migration] = await this.#records.load(id);
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
    const [migration, files] = await this.#records.load(id);
    return { migration, files, details: statusDetails(migration, files, this.#runs.get(id)) };
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
    for (const run of this.#runs.values())
      run.uploadsAborter.abort(new Error('The service is stopping.'));
    await Promise.allSettled([...this.#ticking.values()]);
    await this.drain();
  }

  async #step(id: string): Promise<void> {
    const records = this.#records;
    let [migration] = await records.load(id);
    if (isTerminal(migration.migrationStatus)) {
      this.#runs.delete(id);
      return;
    }
    migration = await expireIfOld(records, migration, this.#maxAgeMs);
    if (migration.migrationStatus === 'Canceling') {
      await cancelStep(this.#ctx, migration, this.#runs.get(migration.id));
      this.#runs.delete(migration.id);
      return;
    }
    if (migration.migrationStatus === 'Creating') {
      migration = await beginMigration(this.#ctx, migration);
      if (migration.migrationStatus !== 'InProgress') return;
    }
    const run = this.#run(migration);
    const m = migration;
    await runStep(records, m, 'intake', () => intakeStep(this.#ctx, m, run));
    await runStep(records, m, 'upload', () => uploadStep(this.#ctx, m, run));
    await runStep(records, m, 'target', () => targetStep(this.#ctx, m, run));
    if (migrationDocument(m).stepError) await clearStepError(records, id);
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
      run = new MigrationRun(this.#sourceFor(migration), migration.kind === 'SqlVm');
      this.#runs.set(migration.id, run);
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
