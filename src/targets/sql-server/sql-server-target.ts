/**
 * The SQL Server target (`kind: 'SqlVm'`, SQL Server on a VM or on-premises): restores the uploaded
 * backups with T-SQL (`statements.ts`) over one connection from `sql/`. Start refuses an existing
 * database, makes the container's SAS credential (`FROM URL`), and checks that the certificate of a
 * TDE-protected or encrypted backup is on the instance; passes then restore the full with MOVE of
 * every file, each log WITH NORECOVERY in LSN order (a log the database already holds is skipped:
 * `redo_start_lsn`, error 4326; a missing one blocks: the planner's gap, error 4305), and RECOVERY
 * at the cutover's last backup. SQL Server keeps the state: `resume` reads it back (RESTORING and
 * `redo_start_lsn`) and sends nothing again. `stop` drops the restoring database.
 */
import type { DatabaseFile } from '../../backup/index.js';
import type { RestoreStep } from '../../planning/index.js';
import { isSqlError, type SqlConnection, type SqlRow } from '../../sql/index.js';
import { folderSas } from '../managed-instance/folder-sas.js';
import { FolderCatalog } from '../rehearsal/folder-catalog.js';
import type {
  RestoreDetails,
  RestoreTarget,
  StartRestore,
  TargetCheck,
} from '../restore-target.js';
import { TargetChecks } from '../target-checks.js';
import { RestoreTargetError } from '../target-error.js';

import { DeviceResolver } from './backup-devices.js';
import { moves, type InstancePaths } from './move-paths.js';
import { restoreOutcome } from './restore-outcome.js';
import { RestoreJob, holds } from './restore-job.js';
import { sqlServerDetails } from './sql-server-details.js';
import {
  compileSqlServerOptions,
  type CompiledSqlServerOptions,
  type SqlServerTargetOptions,
} from './sql-server-options.js';
import * as sql from './statements.js';
import type { Statement } from './statements.js';

export interface SqlServerTarget extends RestoreTarget {
  readonly kind: 'SqlVm';
  /** Runs a restore pass of that database now (after any running one); resolves when it ends. */
  advance(databaseName: string): Promise<void>;
  /** Closes the connection to the instance. */
  close(): Promise<void>;
  check(request: StartRestore): Promise<TargetCheck[]>;
}

export function createSqlServerTarget(options: SqlServerTargetOptions): SqlServerTarget {
  return new SqlServer(compileSqlServerOptions(options));
}

const prefix = 'SQL Server target:';

class SqlServer implements SqlServerTarget {
  readonly kind = 'SqlVm' as const;
  readonly description: string;
  readonly #options: CompiledSqlServerOptions;
  readonly #devices: DeviceResolver;
  readonly #jobs = new Map<string, RestoreJob>();
  readonly #listeners = new Set<(databaseName: string) => void>();
  #connection: Promise<SqlConnection> | null = null;

  constructor(options: CompiledSqlServerOptions) {
    this.#options = options;
    this.#devices = new DeviceResolver(options);
    const how = options.source.kind === 'Url' ? 'RESTORE FROM URL' : 'RESTORE FROM DISK';
    this.description = `${options.instanceDescription} (${how})`;
  }

  async databaseExists(databaseName: string): Promise<boolean> {
    const rows = await this.#query(sql.databaseId(databaseName.trim()));
    return rows[0]?.databaseId !== null && rows[0]?.databaseId !== undefined;
  }

  async check(request: StartRestore): Promise<TargetCheck[]> {
    const checks = new TargetChecks();
    let name = request.databaseName.trim();
    await checks.run('request', () => {
      name = checked(request).databaseName;
      return `Database ${name}: a name SQL Server takes.`;
    });
    let row: SqlRow | undefined;
    const connected = await checks.run('connection', async () => {
      row = (await this.#query(sql.instanceAndPermissions()))[0];
      return `Connected to ${this.#options.instanceDescription}: SQL Server ${text(row?.version)} ${text(row?.edition)}.`;
    });
    if (!connected) return checks.all;
    await checks.run('permissions', () => {
      const missing = [
        ...(row?.createAnyDatabase === 1
          ? []
          : ['CREATE ANY DATABASE (to restore a new database)']),
        ...(this.#options.source.kind === 'Url' && row?.alterAnyCredential !== 1
          ? ["ALTER ANY CREDENTIAL (for the credential holding the container's SAS)"]
          : []),
      ];
      if (missing.length > 0)
        throw new RestoreTargetError(
          'InvalidRequest',
          `${prefix} the login lacks ${missing.join(' and ')}. Grant it (or make the login a member of dbcreator, and grant ALTER ANY CREDENTIAL), then check again.`,
        );
      return "The login may restore a new database and keep the container's credential.";
    });
    await checks.run('databaseName', async () => {
      if (await this.databaseExists(name))
        throw new RestoreTargetError(
          'DatabaseExists',
          `${prefix} database ${name} exists on ${this.#options.instanceDescription}; sqlmig never overwrites a database. Choose another target name, or drop that database first.`,
        );
      return `No database ${name} on the instance: the restore may create it.`;
    });
    await checks.run('paths', async () => {
      const paths = (await this.#query(sql.defaultPaths()))[0];
      const data = text(paths?.dataPath) || text(paths?.masterDataFile);
      const log = text(paths?.logPath) || text(paths?.masterLogFile);
      return `Database files go to ${data || "the instance's data folder"}, logs to ${log || 'its log folder'}.`;
    });
    return checks.all;
  }

  async start(request: StartRestore): Promise<void> {
    const { databaseName: name, folder } = checked(request);
    const running = this.#jobs.get(key(name));
    if (running && running.status !== 'Stopped' && running.status !== 'Failed')
      throw new RestoreTargetError(
        'RestoreAlreadyRunning',
        `${prefix} database ${name} is already being restored on ${this.#options.instanceDescription}.`,
      );
    if (await this.databaseExists(name))
      throw new RestoreTargetError(
        'DatabaseExists',
        `${prefix} database ${name} exists on ${this.#options.instanceDescription}; sqlmig never overwrites a database. Choose another target name, or drop that database first.`,
      );
    const job = this.#newJob(name, folder, request);
    if (this.#options.source.kind === 'Url' && this.#options.containerUrl !== null) {
      const sas = folderSas(
        this.#options.containerUrl,
        this.#options.source.accountKey,
        this.#options.source.accountName,
        this.#options.clock.now(),
        this.#options.sasValidityDays,
      );
      await this.#execute(sql.upsertSasCredential(this.#options.containerUrl, sas.token));
    }
    await this.#refresh(job);
    const base = job.plan()?.restorePlan[0];
    // The certificates are checked before anything is restored when the full is there already.
    if (base) await this.#prepareFull(job, base);
    this.#jobs.set(key(name), job);
    this.#kick(job);
  }

  async resume(request: StartRestore, lastRestoredFileName: string | null): Promise<void> {
    const { databaseName: name, folder } = checked(request);
    const kept = this.#jobs.get(key(name));
    if (kept && kept.status !== 'Stopped') return;
    const state = (await this.#query(sql.databaseState(name)))[0]?.state;
    if (state === undefined || state === null) {
      if (lastRestoredFileName === null) return this.start(request);
      throw new RestoreTargetError(
        'ResumeStateMismatch',
        `${prefix} database ${name} is not on ${this.#options.instanceDescription}, though its restore had reached ${lastRestoredFileName}: it was dropped outside sqlmig. Cancel this migration and start a new one.`,
      );
    }
    const job = this.#newJob(name, folder, request);
    await this.#refresh(job);
    if (state === 'ONLINE') {
      job.status = 'Completed';
    } else if (state === 'RESTORING') {
      const redo = await this.#redoStartLsn(name);
      if (redo !== null) this.#takeUp(job, redo);
    } else {
      throw new RestoreTargetError(
        'ResumeStateMismatch',
        `${prefix} database ${name} on ${this.#options.instanceDescription} is ${text(state)}, not RESTORING: its restore cannot be taken up. Look at the instance's error log, then cancel this migration.`,
      );
    }
    this.#jobs.set(key(name), job);
    this.#kick(job);
  }

  details(databaseName: string): Promise<RestoreDetails> {
    const job = this.#job(databaseName);
    const now = this.#options.clock.now().getTime();
    if (now - job.lastListedMs >= this.#options.pollIntervalMs) this.#kick(job);
    return Promise.resolve(sqlServerDetails(job));
  }

  async complete(databaseName: string, lastBackupName: string): Promise<void> {
    const job = this.#job(databaseName);
    if (job.status !== 'Restoring' && job.status !== 'Completing')
      throw new RestoreTargetError(
        'ManagedDatabaseNotInRestoringState',
        `${prefix} the restore of ${job.databaseName} is ${job.status}.`,
      );
    if (job.cutoverSignalled)
      throw new RestoreTargetError(
        'ExternalBackupAlreadySignaledToComplete',
        `${prefix} the cutover of ${job.databaseName} was already asked for.`,
      );
    if (job.baseGuid === null)
      throw new RestoreTargetError(
        'ExternalBackupRestoreHasNotBeenStarted',
        `${prefix} the full backup of ${job.databaseName} is not restored yet.`,
      );
    const name = job.catalog.nameWithin(lastBackupName);
    const applied = job.appliedInOrder();
    const at = applied.findIndex((s) => holds(s.step, name));
    if (at >= 0 && at < applied.length - 1)
      throw new RestoreTargetError(
        'RequiredBackupIsNotLastRestored',
        `${prefix} ${lastBackupName} is not the last backup restored to ${job.databaseName}: ${applied.at(-1)?.step.files[0]?.file ?? ''} came after it.`,
      );
    const plan = job.plan();
    if (at < 0 && !plan?.restorePlan.some((step) => holds(step, name)))
      throw new RestoreTargetError(
        'BackupNotInRestoreChain',
        `${prefix} ${lastBackupName} is not in the restore chain of ${job.databaseName} (not uploaded, left out, or behind a missing log).`,
      );
    job.stopAt = name;
    job.cutoverSignalled = true;
    job.status = 'Completing';
    this.#notify(job);
    await this.advance(job.databaseName);
  }

  async stop(databaseName: string): Promise<void> {
    const name = databaseName.trim();
    const job = this.#jobs.get(key(name));
    if (job?.running) await job.running;
    if (await this.databaseExists(name)) await this.#execute(sql.dropDatabase(name));
    await this.#devices.releaseAll(name);
    if (job) {
      job.status = 'Stopped';
      job.block = null;
      this.#notify(job);
    }
  }

  blobCommitted(blobName: string): void {
    for (const job of this.#jobs.values()) if (job.catalog.holds(blobName)) this.#kick(job);
  }

  onProgress(listener: (databaseName: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  advance(databaseName: string): Promise<void> {
    const job = this.#job(databaseName);
    const previous = job.running ?? Promise.resolve();
    const run = previous.then(() => this.#pass(job));
    const tracked = run.finally(() => {
      if (job.running === tracked) job.running = null;
    });
    job.running = tracked;
    return tracked;
  }

  async close(): Promise<void> {
    const connection = this.#connection;
    this.#connection = null;
    if (connection) await (await connection.catch(() => null))?.close();
  }

  // --- passes -------------------------------------------------------------------------------

  #kick(job: RestoreJob): void {
    if (!this.#options.autoAdvance || job.running) return;
    // Errors are kept in the job (block or failure) by the pass itself; none escapes.
    void this.advance(job.databaseName).catch(() => undefined);
  }

  async #pass(job: RestoreJob): Promise<void> {
    if (job.status !== 'Restoring' && job.status !== 'Completing') return;
    const before = `${job.status}|${job.block ?? ''}|${job.applied.size}`;
    try {
      await this.#steps(job);
    } catch (error) {
      const outcome = restoreOutcome(error);
      if (outcome.kind === 'Fatal') {
        job.status = 'Failed';
        job.failure = outcome.message;
        job.block = outcome.message;
      } else {
        job.block = `${outcome.message} sqlmig tries again at its next look.`;
      }
      if (isSqlError(error) && error.code !== 'RequestFailed') this.#dropConnection();
    } finally {
      job.current = null;
      if (`${job.status}|${job.block ?? ''}|${job.applied.size}` !== before) this.#notify(job);
    }
  }

  async #steps(job: RestoreJob): Promise<void> {
    try {
      await this.#refresh(job);
    } catch (error) {
      job.block = `Listing ${job.folder}/ in ${this.#options.store.description} failed (${error instanceof Error ? error.message : String(error)}); sqlmig lists it again at its next look.`;
      return;
    }
    const plan = job.plan();
    if (plan === null) {
      const names = job.planner.databaseNames();
      job.block =
        names.length === 0
          ? 'No backup of any database is in the folder yet.'
          : `The folder holds backups of ${names.length} databases (${names.join(', ')}); one folder restores one database.`;
      return;
    }
    const base = plan.restorePlan[0];
    if (!base) {
      job.block = plan.waitingFor.message;
      return;
    }
    job.block = null;
    if (job.baseGuid === null) {
      await this.#restoreFull(job, base);
      if (job.stopReached()) return this.#recover(job);
    }
    const pending = job.pending(job.plan() ?? plan);
    if (pending.length > 0) {
      // What SQL Server says it holds, once per pass: a log already in is not sent again.
      const redo = await this.#redoStartLsn(job.databaseName);
      if (redo !== null && (job.redoLsn === null || redo > job.redoLsn)) job.redoLsn = redo;
    }
    for (const step of pending) {
      if (job.redoLsn !== null && step.lastLSN <= job.redoLsn) {
        job.markApplied({ status: 'Skipped', step, startedMs: null, finishedMs: null });
        continue;
      }
      if (job.gapAtVersion !== null) {
        if (job.gapAtVersion === job.catalog.version) return;
        job.gapAtVersion = null;
      }
      if (!(await this.#restoreStep(job, step))) return;
    }
    if (job.stopReached()) return this.#recover(job);
    const waiting = plan.waitingFor;
    if (waiting.backupType === 'Log' && waiting.gapEndsAt !== null) job.block = waiting.message;
  }

  /** Applies a differential or a log; false when the restore must wait (4305). */
  async #restoreStep(job: RestoreJob, step: RestoreStep): Promise<boolean> {
    const header = this.#header(job, step);
    const checksum = header?.HasBackupChecksums === 1;
    const startedMs = this.#now();
    job.current = { step, startedMs };
    const devices = await this.#devices.devices(job.databaseName, step, (n) =>
      job.catalog.blobName(n),
    );
    const statement =
      step.backupType === 'Log'
        ? sql.restoreLog(job.databaseName, devices, checksum)
        : sql.restoreDatabase(job.databaseName, devices, checksum, []);
    try {
      await this.#execute(statement);
    } catch (error) {
      const outcome = restoreOutcome(error);
      if (outcome.kind === 'TooEarly') {
        job.markApplied({ status: 'Skipped', step, startedMs, finishedMs: this.#now() });
        await this.#devices.release(job.databaseName, step);
        return true;
      }
      if (outcome.kind === 'TooRecent') {
        job.gapAtVersion = job.catalog.version;
        job.block = `SQL Server cannot apply ${job.catalog.blobName(step.files[0]?.file ?? '')} yet: a log backup before it is missing (${outcome.message}). The restore goes on when the missing log backup is uploaded.`;
        await this.#devices.release(job.databaseName, step);
        return false;
      }
      throw error;
    } finally {
      job.current = null;
    }
    job.markApplied({ status: 'Restored', step, startedMs, finishedMs: this.#now() });
    await this.#devices.release(job.databaseName, step);
    this.#notify(job);
    return true;
  }

  async #restoreFull(job: RestoreJob, base: RestoreStep): Promise<void> {
    const files = await this.#prepareFull(job, base);
    const paths = (await this.#query(sql.defaultPaths()))[0] as InstancePaths | undefined;
    const fileMoves = moves(job.databaseName, files, {
      dataPath: paths?.dataPath ?? null,
      logPath: paths?.logPath ?? null,
      masterDataFile: paths?.masterDataFile ?? null,
      masterLogFile: paths?.masterLogFile ?? null,
    });
    const startedMs = this.#now();
    job.current = { step: base, startedMs };
    this.#notify(job);
    const devices = await this.#devices.devices(job.databaseName, base, (n) =>
      job.catalog.blobName(n),
    );
    const checksum = this.#header(job, base)?.HasBackupChecksums === 1;
    await this.#execute(sql.restoreDatabase(job.databaseName, devices, checksum, fileMoves));
    job.current = null;
    job.baseGuid = base.backupSetGUID;
    const source = job.sourceDatabase();
    if (source !== null) job.planner.pinBase(source, base.backupSetGUID);
    job.markApplied({ status: 'Restored', step: base, startedMs, finishedMs: this.#now() });
    await this.#devices.release(job.databaseName, base);
    this.#notify(job);
  }

  /**
   * The full's file list and the certificates it needs: RESTORE HEADERONLY (`EncryptorThumbprint`,
   * which sqlmig's reader does not decode) and RESTORE FILELISTONLY (`TDEThumbprint`; also the files
   * to MOVE, unless start gave them), then `sys.certificates` for each thumbprint. Once per job.
   */
  async #prepareFull(job: RestoreJob, base: RestoreStep): Promise<readonly DatabaseFile[]> {
    if (job.databaseFiles !== null && job.certificatesChecked) return job.databaseFiles;
    const devices = await this.#devices.devices(job.databaseName, base, (n) =>
      job.catalog.blobName(n),
    );
    const headers = await this.#query(sql.headerOnly(devices));
    const position = devices.position;
    const header = headers[position - 1] ?? headers[0];
    const list = await this.#query(sql.fileListOnly(devices));
    const needed: Encryptor[] = [];
    const encryptor = bytes(header?.EncryptorThumbprint);
    if (encryptor)
      needed.push({
        thumbprint: encryptor,
        kind: header?.EncryptorType === 'ASYMMETRIC KEY' ? 'ASYMMETRIC KEY' : 'CERTIFICATE',
        what: 'the backup is encrypted with it (BACKUP … WITH ENCRYPTION)',
      });
    for (const row of list) {
      const tde = bytes(row.TDEThumbprint);
      if (tde && !needed.some((n) => Buffer.compare(n.thumbprint, tde) === 0))
        needed.push({
          thumbprint: tde,
          kind: 'CERTIFICATE',
          what: 'the database is protected by Transparent Data Encryption with it',
        });
    }
    if (needed.length > 0) {
      const found = await this.#query(sql.encryptorsByThumbprint(needed.map((n) => n.thumbprint)));
      const missing = needed.filter(
        (n) =>
          !found.some((row) => {
            const t = bytes(row.thumbprint);
            return t !== null && Buffer.compare(t, n.thumbprint) === 0 && row.kind === n.kind;
          }),
      );
      if (missing.length > 0) {
        await this.#devices.release(job.databaseName, base);
        throw new RestoreTargetError(
          'CertificateMissing',
          missingEncryptors(this.#options.instanceDescription, missing),
        );
      }
    }
    await this.#devices.release(job.databaseName, base);
    job.databaseFiles ??= list.map(fileRow);
    job.certificatesChecked = true;
    return job.databaseFiles;
  }

  async #recover(job: RestoreJob): Promise<void> {
    await this.#execute(sql.recoverDatabase(job.databaseName));
    job.status = 'Completed';
    job.block = null;
    await this.#devices.releaseAll(job.databaseName);
    this.#notify(job);
  }

  /** Takes up a restore SQL Server holds in RESTORING: every set its redo point covers is in. */
  #takeUp(job: RestoreJob, redo: bigint): void {
    const source = job.sourceDatabase();
    if (source === null) return;
    let base: { guid: string; lastLsn: bigint } | null = null;
    for (const entry of job.catalog.entries())
      for (const set of entry.media?.sets ?? []) {
        const h = set.header;
        if (
          h.BackupType !== 1 ||
          h.DatabaseName !== source ||
          !h.BackupSetGUID ||
          h.LastLSN === null
        )
          continue;
        if (h.LastLSN <= redo && (base === null || h.LastLSN > base.lastLsn))
          base = { guid: h.BackupSetGUID, lastLsn: h.LastLSN };
      }
    if (base === null) return;
    job.planner.pinBase(source, base.guid);
    job.baseGuid = base.guid;
    job.certificatesChecked = true;
    for (const step of job.plan()?.restorePlan ?? [])
      if (step.lastLSN <= redo)
        job.markApplied({ status: 'Restored', step, startedMs: null, finishedMs: null });
    job.redoLsn = redo;
  }

  // --- helpers ------------------------------------------------------------------------------

  #newJob(name: string, folder: string, request: StartRestore): RestoreJob {
    const job = new RestoreJob(
      name,
      folder,
      new FolderCatalog(this.#options.store, folder),
      request.databaseFiles ?? null,
    );
    if (request.lastBackupName !== undefined)
      job.stopAt = job.catalog.nameWithin(request.lastBackupName);
    return job;
  }

  async #refresh(job: RestoreJob): Promise<void> {
    await job.refresh(this.#now());
  }

  #header(job: RestoreJob, step: RestoreStep) {
    const ref = step.files[0];
    if (!ref) return null;
    return (
      job.catalog.get(ref.file)?.media?.sets.find((s) => s.header.Position === ref.position)
        ?.header ?? null
    );
  }

  async #redoStartLsn(name: string): Promise<bigint | null> {
    const value = (await this.#query(sql.redoStartLsn(name)))[0]?.redoStartLsn;
    return typeof value === 'string' && /^\d+$/.test(value) ? BigInt(value) : null;
  }

  #job(databaseName: string): RestoreJob {
    const job = this.#jobs.get(key(databaseName));
    if (!job)
      throw new RestoreTargetError(
        'RestoreDetailsNotAvailableOrExpired',
        `${prefix} no restore of ${databaseName.trim()} is known to this target; start or resume it first.`,
      );
    return job;
  }

  #notify(job: RestoreJob): void {
    for (const listener of this.#listeners)
      queueMicrotask(() => {
        listener(job.databaseName);
      });
  }

  #now(): number {
    return this.#options.clock.now().getTime();
  }

  async #query(statement: Statement): Promise<SqlRow[]> {
    const connection = await this.#connect();
    try {
      return await connection.query(statement.sql, statement.params);
    } catch (error) {
      if (isSqlError(error) && error.code !== 'RequestFailed') this.#dropConnection();
      throw error;
    }
  }

  async #execute(statement: Statement): Promise<void> {
    await this.#query(statement);
  }

  #connect(): Promise<SqlConnection> {
    if (!this.#connection) {
      const opening = this.#options.connect();
      this.#connection = opening;
      opening.catch(() => {
        if (this.#connection === opening) this.#connection = null;
      });
    }
    return this.#connection;
  }

  #dropConnection(): void {
    const connection = this.#connection;
    this.#connection = null;
    void connection?.then((c) => c.close()).catch(() => undefined);
  }
}

function checked(request: StartRestore): { databaseName: string; folder: string } {
  const databaseName = request.databaseName.trim();
  if (databaseName === '' || databaseName.length > 128)
    throw new RestoreTargetError(
      'InvalidRequest',
      `${prefix} "${request.databaseName}" is not a database name (1 to 128 characters).`,
    );
  const folder = request.folder.replace(/\/+$/, '');
  if (folder === '')
    throw new RestoreTargetError('InvalidRequest', `${prefix} the backup folder is empty.`);
  return { databaseName, folder };
}

function key(databaseName: string): string {
  return databaseName.trim().toLowerCase();
}

function bytes(value: unknown): Uint8Array | null {
  return value instanceof Uint8Array && value.length > 0 ? value : null;
}

/** A `RESTORE FILELISTONLY` row as the backup reader's `DatabaseFile`. */
function fileRow(row: SqlRow): DatabaseFile {
  const type = text(row.Type);
  return {
    FileId: Number(row.FileId ?? 0),
    Type: type === 'D' || type === 'L' || type === 'S' || type === 'F' ? type : null,
    FileGroupName: typeof row.FileGroupName === 'string' ? row.FileGroupName : null,
    FileGroupId: Number(row.FileGroupId ?? 0),
    LogicalName: text(row.LogicalName),
    PhysicalName: text(row.PhysicalName),
    Size: BigInt(text(row.Size).replace(/\..*$/, '') || '0'),
    UniqueId: typeof row.UniqueId === 'string' ? row.UniqueId : null,
  };
}

/** A column's value as text ('' for NULL or a value that is not a string or number). */
function text(value: unknown): string {
  return typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'bigint'
      ? value.toString()
      : '';
}

/** A certificate or asymmetric key a backup needs in master on the target. */
interface Encryptor {
  readonly thumbprint: Uint8Array;
  readonly kind: 'CERTIFICATE' | 'ASYMMETRIC KEY';
  readonly what: string;
}

/** What is missing in master, and how to bring each kind over. */
function missingEncryptors(instance: string, missing: readonly Encryptor[]): string {
  const named = (m: Encryptor) =>
    `${m.kind === 'CERTIFICATE' ? 'certificate' : 'asymmetric key'} with thumbprint 0x${Buffer.from(m.thumbprint).toString('hex').toUpperCase()} (${m.what})`;
  const steps: string[] = [];
  if (missing.some((m) => m.kind === 'CERTIFICATE'))
    steps.push(
      'back up each certificate and its private key on the source (BACKUP CERTIFICATE … WITH PRIVATE KEY) and create it in master on the target (CREATE CERTIFICATE … FROM FILE)',
    );
  if (missing.some((m) => m.kind === 'ASYMMETRIC KEY'))
    steps.push(
      'make each asymmetric key available in master on the target from the same Extensible Key Management provider (CREATE ASYMMETRIC KEY … FROM PROVIDER … CREATION_DISPOSITION = OPEN_EXISTING)',
    );
  return `${prefix} ${instance} has no ${missing.map(named).join(', no ')} in master. To restore, ${steps.join('; and ')}, then start again.`;
}
