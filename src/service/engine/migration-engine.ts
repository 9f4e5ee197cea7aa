/**
 * The migration engine: drives each migration from Creating to Succeeded (or Failed, or Canceled)
 * through the state machine of `transitions.ts`. Each `tick` reads the migration from the state store,
 * takes the next steps (list and classify new files, start uploads, start or poll the restore, apply a
 * cutover or a cancel) and writes every change back, with an event, before the next step. Nothing is
 * kept only in memory that a restarted process could not rebuild: a process killed at any point
 * resumes where the store says it was, uploads resume from their staged blocks, and the target is
 * resumed rather than started twice.
 */
import { randomUUID } from 'node:crypto';

import { uploadName } from '../../planning/index.js';
import type { BlobStore } from '../../storage/index.js';
import {
  isRestoreTargetError,
  type RestoreDetails,
  type RestoreTarget,
  type StartRestore,
} from '../../targets/index.js';
import type {
  FileRecord,
  FileStatus,
  MigrationRecord,
  MigrationStatus,
  StateStore,
  StateTransaction,
} from '../state/index.js';

import type { BackupSource } from './backup-source.js';
import { systemClock, type Clock } from './clock.js';
import {
  asDocument,
  fileDocument,
  migrationDocument,
  type FileDocument,
  type MigrationDocument,
  type MigrationMode,
} from './documents.js';
import { EngineError } from './errors.js';
import { classify, finalReasons, plannerFile } from './file-intake.js';
import { MigrationRun } from './migration-run.js';
import { statusDetails } from './status-details.js';
import { canMove, fileMayMove, isTerminal } from './transitions.js';

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

export interface CreateMigration {
  readonly serviceName: string;
  readonly targetDbName: string;
  readonly sourceDatabaseName: string;
  readonly kind: MigrationRecord['kind'];
  readonly scope: string;
  readonly mode: MigrationMode;
  readonly backupFolder: string;
  readonly lastBackupName?: string | null;
  readonly targetDatabaseCollation?: string | null;
  /** The API's view of the configuration (secrets sealed), kept with the migration. */
  readonly configuration?: Readonly<Record<string, unknown>>;
}

const thirtyDaysMs = 30 * 24 * 60 * 60 * 1000;

export class MigrationEngine {
  readonly #store: StateStore;
  readonly #target: RestoreTarget;
  readonly #blobs: BlobStore;
  readonly #sourceFor: EngineOptions['sourceFor'];
  readonly #clock: Clock;
  readonly #maxAgeMs: number;
  readonly #uploadsPerMigration: number;
  readonly #runs = new Map<string, MigrationRun>();
  readonly #ticking = new Map<string, Promise<void>>();

  constructor(options: EngineOptions) {
    this.#store = options.store;
    this.#target = options.target;
    this.#blobs = options.blobStore;
    this.#sourceFor = options.sourceFor;
    this.#clock = options.clock ?? systemClock;
    this.#maxAgeMs = options.maxJobAgeMs ?? thirtyDaysMs;
    this.#uploadsPerMigration = options.uploadsPerMigration ?? 2;
  }

  async create(input: CreateMigration): Promise<MigrationRecord> {
    if (input.mode === 'online' && input.lastBackupName) {
      throw new EngineError(
        'InvalidConfiguration',
        'The last backup file is given only for an offline migration; an online migration waits for your cutover.',
      );
    }
    const now = this.#now();
    const id = randomUUID();
    const document: MigrationDocument = {
      mode: input.mode,
      configuration: input.configuration ?? {},
      backupFolder: input.backupFolder,
      lastBackupName: input.lastBackupName ?? null,
      inferredLastBackupName: null,
      targetDatabaseCollation: input.targetDatabaseCollation ?? null,
      targetPhase: 'NotStarted',
      pinnedBaseGUID: null,
      cutoverLastBackupName: null,
      restoreDetails: null,
      cutoverSent: false,
    };
    return this.#store.transaction(async (tx) => {
      const existing = await tx.findMigration(input.serviceName, input.targetDbName);
      if (existing) {
        throw new EngineError(
          'MigrationExists',
          `Service ${input.serviceName} already has a migration to database ${input.targetDbName} (${existing.migrationStatus}). Delete it first when it has ended, or choose another target database name.`,
        );
      }
      const record = await tx.putMigration(
        {
          id,
          serviceName: input.serviceName,
          targetDbName: input.targetDbName,
          kind: input.kind,
          scope: input.scope,
          sourceDatabaseName: input.sourceDatabaseName,
          migrationOperationId: randomUUID(),
          migrationStatus: 'Creating',
          createdAt: now,
          startedOn: null,
          endedOn: null,
          migrationFailureError: null,
          document: asDocument(document),
        },
        0,
      );
      await tx.appendEvent({
        migrationId: id,
        at: now,
        kind: 'Created',
        message: `${input.mode} migration of ${input.sourceDatabaseName} to ${input.targetDbName} created.`,
        data: {},
      });
      return record;
    });
  }

  /** Takes the next steps of one migration. Ticks of the same migration never overlap. */
  async tick(id: string): Promise<void> {
    const previous = this.#ticking.get(id) ?? Promise.resolve();
    const next = previous.then(() => this.#step(id));
    const settled = next.catch(() => undefined);
    this.#ticking.set(id, settled);
    try {
      await next;
    } finally {
      if (this.#ticking.get(id) === settled) this.#ticking.delete(id);
    }
  }

  /** Ticks every migration that has not ended. */
  async tickAll(): Promise<void> {
    const active = await this.#store.transaction((tx) =>
      tx.listMigrations({ statuses: ['Creating', 'InProgress', 'Completing', 'Canceling'] }),
    );
    await Promise.all(active.map((m) => this.tick(m.id)));
  }

  async cutover(id: string, operationId: string): Promise<MigrationRecord> {
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
    return this.#move(
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

  async cancel(id: string, operationId: string): Promise<MigrationRecord> {
    const [migration] = await this.#load(id);
    this.#checkOperation(migration, operationId);
    if (isTerminal(migration.migrationStatus)) {
      throw new EngineError(
        'MigrationFinished',
        `The migration has already ended (${migration.migrationStatus}).`,
      );
    }
    if (migration.migrationStatus === 'Canceling') return migration;
    return this.#move(migration, 'Canceling', 'Cancel requested.', {});
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

  /** Waits for uploads in flight (tests and shutdown). */
  async drain(): Promise<void> {
    for (const run of this.#runs.values()) await Promise.allSettled([...run.uploads.values()]);
  }

  async #step(id: string): Promise<void> {
    let [migration] = await this.#load(id);
    if (isTerminal(migration.migrationStatus)) {
      this.#runs.delete(id);
      return;
    }
    const age = Date.parse(this.#now()) - Date.parse(migration.createdAt);
    if (migration.migrationStatus !== 'Canceling' && age > this.#maxAgeMs) {
      migration = await this.#move(
        migration,
        'Canceling',
        'The migration reached the 30-day limit of a restore job and is canceled.',
        {
          migrationFailureError: {
            code: 'MigrationExpired',
            message:
              'A migration may run for 30 days at most (the Log Replay Service limit); it was canceled and its target database dropped. Start a new one from a recent full backup.',
          },
        },
      );
    }
    if (migration.migrationStatus === 'Canceling') {
      await this.#finishCancel(migration);
      return;
    }
    if (migration.migrationStatus === 'Creating') {
      if (await this.#target.databaseExists(migration.targetDbName)) {
        await this.#move(
          migration,
          'Failed',
          `Database ${migration.targetDbName} already exists on the target.`,
          {
            endedOn: this.#now(),
            migrationFailureError: {
              code: 'TargetDatabaseExists',
              message: `Database ${migration.targetDbName} already exists on the target (${this.#target.description}); sqlmig never overwrites a database. Drop it, or migrate to another database name.`,
            },
          },
        );
        return;
      }
      migration = await this.#move(migration, 'InProgress', 'Migration started.', {
        startedOn: this.#now(),
      });
    }
    const run = this.#run(migration);
    await this.#intake(migration, run);
    await this.#startUploads(migration, run);
    await this.#syncTarget(migration, run);
  }

  #run(migration: MigrationRecord): MigrationRun {
    let run = this.#runs.get(migration.id);
    if (!run) {
      run = new MigrationRun(this.#sourceFor(migration), migration.kind === 'SqlVm');
      this.#runs.set(migration.id, run);
    }
    return run;
  }

  async #intake(migration: MigrationRecord, run: MigrationRun): Promise<void> {
    const db = migration.sourceDatabaseName;
    const files = new Map((await this.#files(migration.id)).map((f) => [f.fileName, f]));
    if (!run.plannerLoaded) {
      for (const record of files.values()) {
        const entry = plannerFile(record.fileName, fileDocument(record), db);
        if (entry && record.status !== 'Ignored') run.planner.addFile(entry);
      }
      run.planner.pinBase(db, migrationDocument(migration).pinnedBaseGUID);
      run.plannerLoaded = true;
    }
    const listed = await run.source.list();
    for (const info of listed) {
      const existing = files.get(info.name);
      if (!existing) {
        const record = await this.#putFile(
          migration.id,
          info.name,
          'Arrived',
          null,
          { size: info.size, modifiedAt: info.modifiedAt },
          `${info.name} arrived (${info.size} bytes).`,
        );
        files.set(info.name, record);
      } else if (existing.status === 'Arrived') {
        const doc = fileDocument(existing);
        if (doc.size !== info.size || doc.modifiedAt !== info.modifiedAt) {
          // Still being written: read its headers again once it stops changing.
          files.set(
            info.name,
            await this.#putFile(
              migration.id,
              info.name,
              'Arrived',
              existing,
              {
                size: info.size,
                modifiedAt: info.modifiedAt,
                backupType: null,
                waitingReason: 'IncompleteBackupFile',
              },
              null,
            ),
          );
        }
      }
    }
    for (const record of files.values()) {
      const doc = fileDocument(record);
      if (record.status !== 'Arrived' || doc.backupType !== null) continue;
      const outcome = classify(
        await run.source.readHeaders(record.fileName),
        db,
        migration.kind === 'SqlVm',
      );
      if (outcome.kind === 'ignored') {
        files.set(
          record.fileName,
          await this.#putFile(
            migration.id,
            record.fileName,
            'Ignored',
            record,
            { ignoreReason: outcome.reason, ignoreMessage: outcome.message },
            `${record.fileName} ignored: ${outcome.reason}.`,
          ),
        );
      } else if (outcome.kind === 'waiting') {
        if (doc.waitingReason !== outcome.reason)
          files.set(
            record.fileName,
            await this.#putFile(
              migration.id,
              record.fileName,
              'Arrived',
              record,
              { waitingReason: outcome.reason, ignoreMessage: outcome.message },
              null,
            ),
          );
      } else {
        // The blob name is chosen once, when the file is known to be a backup, and kept.
        const used = new Set(
          [...files.values()]
            .map((f) => fileDocument(f).blobName)
            .filter((n): n is string => n !== null),
        );
        const blobName = uniqueBlobName(
          migration.targetDbName,
          record.fileName,
          { ...doc, ...outcome.patch },
          used,
        );
        const updated = await this.#putFile(
          migration.id,
          record.fileName,
          'Arrived',
          record,
          { ...outcome.patch, blobName },
          null,
        );
        files.set(record.fileName, updated);
        const entry = plannerFile(record.fileName, fileDocument(updated), db);
        if (entry) run.planner.addFile(entry);
      }
    }
    // What the plan leaves out for good is Ignored now, with its reason, and never uploaded.
    const plan = run.planner.plan(db);
    for (const item of plan.ignored) {
      const record = files.get(item.file);
      if (!record || !finalReasons.has(item.reason) || record.status !== 'Arrived') continue;
      files.set(
        item.file,
        await this.#putFile(
          migration.id,
          item.file,
          'Ignored',
          record,
          { ignoreReason: item.reason, ignoreMessage: item.message },
          `${item.file} ignored: ${item.reason}.`,
        ),
      );
    }
  }

  async #startUploads(migration: MigrationRecord, run: MigrationRun): Promise<void> {
    if (run.canceled) return;
    const files = await this.#files(migration.id);
    const used = new Set(
      files.map((f) => fileDocument(f).blobName).filter((n): n is string => n !== null),
    );
    const rank = { Full: 0, Differential: 1, Log: 2 } as const;
    const candidates = files
      .filter(
        (f) =>
          (f.status === 'Arrived' || f.status === 'Uploading') &&
          fileDocument(f).backupType !== null &&
          !run.uploads.has(f.fileName),
      )
      .sort((a, b) => {
        const da = fileDocument(a);
        const dbb = fileDocument(b);
        const byType = rank[da.backupType ?? 'Log'] - rank[dbb.backupType ?? 'Log'];
        return byType !== 0
          ? byType
          : BigInt(da.firstLSN ?? '0') < BigInt(dbb.firstLSN ?? '0')
            ? -1
            : 1;
      });
    for (const record of candidates) {
      if (run.uploads.size >= this.#uploadsPerMigration) break;
      const doc = fileDocument(record);
      const blobName =
        doc.blobName ?? uniqueBlobName(migration.targetDbName, record.fileName, doc, used);
      used.add(blobName);
      const started = await this.#putFile(
        migration.id,
        record.fileName,
        'Uploading',
        record,
        { blobName, uploadStartedOn: doc.uploadStartedOn ?? this.#now(), lastError: null },
        record.status === 'Uploading'
          ? `${record.fileName}: upload resumed.`
          : `${record.fileName}: uploading to ${blobName}.`,
      );
      const upload = this.#upload(migration, run, started, blobName).finally(() => {
        run.uploads.delete(record.fileName);
        run.progress.delete(record.fileName);
      });
      run.uploads.set(record.fileName, upload);
    }
  }

  async #upload(
    migration: MigrationRecord,
    run: MigrationRun,
    record: FileRecord,
    blobName: string,
  ): Promise<void> {
    try {
      const outcome = await run.source.upload(record.fileName, this.#blobs, blobName, (progress) =>
        run.progress.set(record.fileName, progress),
      );
      const current = await this.#file(migration.id, record.fileName);
      if (!current || current.status !== 'Uploading') return;
      const seconds = Math.max(outcome.durationMs / 1000, 0.001);
      await this.#putFile(
        migration.id,
        record.fileName,
        'Uploaded',
        current,
        {
          dataRead: outcome.dataRead,
          dataWritten: outcome.dataWritten,
          copyDuration: Math.round(seconds * 1000) / 1000,
          copyThroughput: Math.round(outcome.dataWritten / 1024 / seconds),
        },
        `${record.fileName}: uploaded (${outcome.dataWritten} bytes in ${seconds.toFixed(1)} s).`,
      );
    } catch (error) {
      const current = await this.#file(migration.id, record.fileName);
      if (!current || current.status !== 'Uploading') return;
      const message = error instanceof Error ? error.message : String(error);
      await this.#putFile(
        migration.id,
        record.fileName,
        'Arrived',
        current,
        { lastError: message },
        `${record.fileName}: upload failed, will retry: ${message}`,
      );
    }
  }

  async #syncTarget(migration: MigrationRecord, run: MigrationRun): Promise<void> {
    let doc = migrationDocument(migration);
    const db = migration.sourceDatabaseName;
    let files = await this.#files(migration.id);
    // The target names files within the database's folder; the store keeps the whole blob name.
    const byBlob = new Map<string | null, FileRecord>();
    for (const f of files) {
      byBlob.set(fileDocument(f).blobName, f);
      const blob = blobNameOf(f);
      if (blob !== null) byBlob.set(blob.slice(blob.indexOf('/') + 1), f);
    }
    if (doc.targetPhase === 'NotStarted') {
      const plan = run.planner.plan(db);
      const base = plan.restorePlan[0];
      const baseFiles = base?.files.map((ref) => files.find((f) => f.fileName === ref.file));
      if (!base || !baseFiles || baseFiles.some((f) => !f || f.status !== 'Uploaded')) return;
      const inferred =
        doc.mode === 'offline' && !doc.lastBackupName
          ? (plan.restorePlan.at(-1)?.files[0]?.file ?? null)
          : null;
      doc = {
        ...doc,
        targetPhase: 'Starting',
        pinnedBaseGUID: base.backupSetGUID,
        inferredLastBackupName: inferred,
      };
      migration = await this.#save(
        migration,
        { document: asDocument(doc) },
        'TargetStarting',
        `Starting the restore on ${this.#target.description} from ${base.files.map((f) => f.file).join(', ')}.`,
      );
      run.planner.pinBase(db, base.backupSetGUID);
      await this.#target.start(this.#startRequest(migration, files));
      run.targetAttached = true;
      doc = { ...doc, targetPhase: 'Started' };
      migration = await this.#save(
        migration,
        { document: asDocument(doc) },
        'TargetStarted',
        'The restore has started.',
      );
    } else if (!run.targetAttached) {
      const last = files
        .filter((f) => f.status === 'Restored')
        .map((f) => fileDocument(f))
        .sort((a, b) => (a.restoredOn ?? '').localeCompare(b.restoredOn ?? ''))
        .at(-1);
      await this.#target.resume(this.#startRequest(migration, files), last?.blobName ?? null);
      run.targetAttached = true;
      if (doc.targetPhase === 'Starting') {
        doc = { ...doc, targetPhase: 'Started' };
        migration = await this.#save(
          migration,
          { document: asDocument(doc) },
          'TargetStarted',
          'The restore was taken up again after a restart.',
        );
      }
    }
    if (
      migration.migrationStatus === 'Completing' &&
      doc.cutoverLastBackupName &&
      !run.completeSent
    ) {
      // Sent once per process: after a restart the target may have forgotten it (the rehearsal
      // does), and a target that remembers answers that it is already completing.
      try {
        await this.#target.complete(migration.targetDbName, doc.cutoverLastBackupName);
      } catch (error) {
        if (!(
          isRestoreTargetError(error) && error.code === 'ExternalBackupAlreadySignaledToComplete'
        ))
          throw error;
      }
      run.completeSent = true;
      if (!doc.cutoverSent) {
        doc = { ...doc, cutoverSent: true };
        migration = await this.#save(
          migration,
          { document: asDocument(doc) },
          'CutoverSent',
          `Completing the restore at ${doc.cutoverLastBackupName}.`,
        );
      }
    }
    const details = await this.#target.details(migration.targetDbName);
    files = await this.#applyDetails(migration, files, byBlob, details);
    migration = await this.#save(
      migration,
      { document: asDocument({ ...doc, restoreDetails: details }) },
      null,
      null,
    );
    if (details.status === 'Completed') {
      await this.#move(
        migration,
        'Succeeded',
        `The database is online on ${this.#target.description}.`,
        { endedOn: this.#now() },
      );
    } else if (details.status === 'Failed') {
      await this.#move(
        migration,
        'Failed',
        `The restore failed: ${details.blockReason ?? 'no reason given'}.`,
        {
          endedOn: this.#now(),
          migrationFailureError: {
            code: 'RestoreFailed',
            message: details.blockReason ?? 'The target reported the restore as failed.',
          },
        },
      );
    }
  }

  async #applyDetails(
    migration: MigrationRecord,
    files: FileRecord[],
    byBlob: Map<string | null, FileRecord>,
    details: RestoreDetails,
  ): Promise<FileRecord[]> {
    const restoredGuids = new Set<string>();
    for (const set of [
      ...details.fullBackupSets,
      ...details.diffBackupSets,
      ...details.logBackupSets,
    ]) {
      const first = byBlob.get(set.firstStripeName);
      const guid = first ? fileDocument(first).backupSetGUID : null;
      if (guid && set.status === 'Restored') restoredGuids.add(guid);
    }
    const current = details.currentRestoringFileName
      ? byBlob.get(details.currentRestoringFileName)
      : undefined;
    const currentGuid = current ? fileDocument(current).backupSetGUID : null;
    const unrestorable = new Map(details.unrestorableFiles.map((u) => [u.name, u.reason]));
    const out: FileRecord[] = [];
    for (const record of files) {
      const doc = fileDocument(record);
      let next: FileRecord = record;
      if (
        doc.backupSetGUID &&
        restoredGuids.has(doc.backupSetGUID) &&
        fileMayMove(record.status, 'Restored')
      ) {
        next = await this.#putFile(
          migration.id,
          record.fileName,
          'Restored',
          record,
          { restoredOn: this.#now() },
          `${record.fileName}: restored.`,
        );
      } else if (
        doc.backupSetGUID &&
        doc.backupSetGUID === currentGuid &&
        fileMayMove(record.status, 'Restoring')
      ) {
        next = await this.#putFile(
          migration.id,
          record.fileName,
          'Restoring',
          record,
          {},
          `${record.fileName}: restoring.`,
        );
      } else if (doc.blobName && unrestorable.has(doc.blobName) && record.status === 'Uploaded') {
        const reason = unrestorable.get(doc.blobName) ?? 'Unrestorable';
        next = await this.#putFile(
          migration.id,
          record.fileName,
          'Ignored',
          record,
          {
            ignoreReason: reason,
            ignoreMessage: `The target cannot restore this file: ${reason}.`,
          },
          `${record.fileName} ignored by the target: ${reason}.`,
        );
      }
      out.push(next);
    }
    return out;
  }

  #startRequest(migration: MigrationRecord, files: readonly FileRecord[]): StartRestore {
    const doc = migrationDocument(migration);
    const lastName =
      doc.mode === 'offline' ? (doc.lastBackupName ?? doc.inferredLastBackupName) : null;
    const lastFile = lastName
      ? files.find(
          (f) => f.fileName === lastName || fileDocument(f).blobName?.endsWith(`/${lastName}`),
        )
      : undefined;
    const lastBlob = blobNameOf(lastFile);
    return {
      databaseName: migration.targetDbName,
      folder: migration.targetDbName,
      ...(doc.targetDatabaseCollation ? { collation: doc.targetDatabaseCollation } : {}),
      ...(lastBlob ? { lastBackupName: lastBlob } : {}),
    };
  }

  async #finishCancel(migration: MigrationRecord): Promise<void> {
    const run = this.#runs.get(migration.id);
    if (run) {
      run.canceled = true;
      await Promise.allSettled([...run.uploads.values()]);
    }
    await this.#target.stop(migration.targetDbName);
    for (const record of await this.#files(migration.id)) {
      if (fileMayMove(record.status, 'Canceled') && record.status !== 'Ignored') {
        await this.#putFile(migration.id, record.fileName, 'Canceled', record, {}, null);
      }
    }
    await this.#move(
      migration,
      'Canceled',
      'Canceled: the restore was stopped and the target database dropped.',
      { endedOn: this.#now() },
    );
    this.#runs.delete(migration.id);
  }

  #checkOperation(migration: MigrationRecord, operationId: string): void {
    if (operationId !== migration.migrationOperationId) {
      throw new EngineError(
        'OperationIdMismatch',
        `The migrationOperationId ${operationId} is not the migration's current one (${migration.migrationOperationId}); read the migration again.`,
      );
    }
  }

  async #load(id: string): Promise<[MigrationRecord, FileRecord[]]> {
    return this.#store.transaction(async (tx) => {
      const migration = await tx.getMigration(id);
      if (!migration) throw new EngineError('MigrationNotFound', `There is no migration ${id}.`);
      return [migration, await tx.listFiles(id)];
    });
  }

  #files(id: string): Promise<FileRecord[]> {
    return this.#store.transaction((tx) => tx.listFiles(id));
  }

  async #file(id: string, name: string): Promise<FileRecord | undefined> {
    return (await this.#files(id)).find((f) => f.fileName === name);
  }

  async #move(
    migration: MigrationRecord,
    to: MigrationStatus,
    message: string,
    changes: Partial<MigrationRecord>,
  ): Promise<MigrationRecord> {
    if (!canMove(migration.migrationStatus, to)) {
      throw new Error(
        `Migration ${migration.id} cannot move from ${migration.migrationStatus} to ${to}.`,
      );
    }
    return this.#save(migration, { ...changes, migrationStatus: to }, to, message);
  }

  async #save(
    migration: MigrationRecord,
    changes: Partial<MigrationRecord>,
    kind: string | null,
    message: string | null,
  ): Promise<MigrationRecord> {
    return this.#store.transaction(async (tx) => {
      const { version, ...rest } = migration;
      const saved = await tx.putMigration({ ...rest, ...changes }, version);
      if (kind && message)
        await this.#event(tx, migration.id, kind, message, { status: saved.migrationStatus });
      return saved;
    });
  }

  async #putFile(
    migrationId: string,
    fileName: string,
    status: FileStatus,
    previous: FileRecord | null,
    patch: Partial<FileDocument>,
    message: string | null,
  ): Promise<FileRecord> {
    return this.#store.transaction(async (tx) => {
      const doc = {
        ...(previous
          ? fileDocument(previous)
          : fileDocument({ migrationId, fileName, status, document: {}, version: 0 })),
        ...patch,
      };
      const saved = await tx.putFile(
        { migrationId, fileName, status, document: asDocument(doc) },
        previous?.version ?? 0,
      );
      if (message && previous?.status !== status)
        await this.#event(tx, migrationId, `File${status}`, message, {
          file: fileName,
          from: previous?.status ?? null,
          to: status,
        });
      else if (message)
        await this.#event(tx, migrationId, 'FileUpdated', message, { file: fileName });
      return saved;
    });
  }

  async #event(
    tx: StateTransaction,
    migrationId: string,
    kind: string,
    message: string,
    data: Record<string, unknown>,
  ): Promise<void> {
    await tx.appendEvent({ migrationId, at: this.#now(), kind, message, data });
  }

  #now(): string {
    return this.#clock.now().toISOString();
  }
}

/** A file's name as the target knows it: its blob name (`<folder>/<file>`, the port's convention). */
function blobNameOf(record: FileRecord | undefined): string | null {
  return record ? fileDocument(record).blobName : null;
}

function uniqueBlobName(
  folder: string,
  fileName: string,
  doc: FileDocument,
  used: ReadonlySet<string>,
): string {
  const code = doc.backupType === 'Full' ? 1 : doc.backupType === 'Differential' ? 5 : 2;
  const name = uploadName(fileName, code);
  let candidate = `${folder}/${name}`;
  for (let n = 2; used.has(candidate); n++) {
    const dot = name.lastIndexOf('.');
    candidate = `${folder}/${name.slice(0, dot)}_${n}${name.slice(dot)}`;
  }
  return candidate;
}
