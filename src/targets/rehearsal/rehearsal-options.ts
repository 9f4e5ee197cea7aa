import type { BackupMedia } from '../../backup/index.js';
import type { BlobProperties, BlobStore } from '../../storage/index.js';
import { RestoreTargetError } from '../target-error.js';

/** What the rehearsal target reads of a blob. */
export interface BlobReader {
  /** The blob's properties; null when there is no such blob. */
  properties(blobName: string): Promise<BlobProperties | null>;
  /** Its backup media; rejects with a `BackupReadError` when the bytes are not a readable backup. */
  readMedia(blobName: string): Promise<BackupMedia>;
}

export interface RehearsalOptions {
  /** Where the uploaded backups are (the same store the integration runtime uploads into). */
  readonly store: BlobStore;
  /**
   * Where to keep the names of the databases completed rehearsals left "online" (a JSON file), so
   * that sqlmig's never-overwrite check remembers them across restarts until `stop` drops them.
   * Default: kept in memory only.
   */
  readonly databasesFile?: string;
  /**
   * How the blobs of `store` are looked at (their properties, and a backup's media). Default:
   * through `store` itself, on the caller's thread; the embedded service reads on its upload
   * thread instead, as a real target reads on its own machine.
   */
  readonly reader?: BlobReader;
  /** Simulated restore speed. Default 200 MiB/s, a General Purpose instance's order of magnitude. */
  readonly restoreBytesPerSecond?: number;
  /** Shortest simulated restore of one backup set. Default 0. */
  readonly minSetDurationMs?: number;
  /**
   * Real-timer mode (`startPolling`): how often the safety-net poll lists the restores' folders, for
   * what no `blobCommitted` notice tells (blobs written or deleted by another process). Notices and
   * each set's finishing time move restores on in between. Default 5 s.
   */
  readonly pollIntervalMs?: number;
  /**
   * The clock read when no time is given (`tick()`, `start()`, scans after notices, wake-ups).
   * Default: the system clock.
   */
  readonly clock?: { now(): Date };
  /**
   * Called when work nobody awaits fails unexpectedly (a scan after a notice or a poll, a wake-up),
   * and when an `onProgress` listener throws. Folder and blob failures are reported in
   * `blockReason`, not here. Default: a process warning.
   */
  readonly onError?: (error: unknown) => void;
}

export interface CompiledRehearsalOptions {
  readonly store: BlobStore;
  readonly reader: BlobReader | null;
  readonly databasesFile: string | null;
  readonly restoreBytesPerSecond: number;
  readonly minSetDurationMs: number;
  readonly pollIntervalMs: number;
  readonly clock: { now(): Date };
  readonly onError: (error: unknown) => void;
}

export function compileRehearsalOptions(options: RehearsalOptions): CompiledRehearsalOptions {
  const compiled: CompiledRehearsalOptions = {
    store: options.store,
    reader: options.reader ?? null,
    databasesFile: options.databasesFile ?? null,
    restoreBytesPerSecond: options.restoreBytesPerSecond ?? 200 * 1024 * 1024,
    minSetDurationMs: options.minSetDurationMs ?? 0,
    pollIntervalMs: options.pollIntervalMs ?? 5_000,
    clock: options.clock ?? { now: () => new Date() },
    onError: options.onError ?? warn,
  };
  positive('restoreBytesPerSecond', compiled.restoreBytesPerSecond, false);
  positive('minSetDurationMs', compiled.minSetDurationMs, true);
  positive('pollIntervalMs', compiled.pollIntervalMs, false);
  return Object.freeze(compiled);
}

function positive(name: string, value: number, zeroAllowed: boolean): void {
  if (!Number.isFinite(value) || value < 0 || (!zeroAllowed && value === 0)) {
    throw new RestoreTargetError(
      'InvalidRequest',
      `Rehearsal target: option ${name} must be a ${zeroAllowed ? 'non-negative' : 'positive'} number, not ${value}.`,
    );
  }
}

function warn(error: unknown): void {
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.emitWarning(`Rehearsal target: scheduled work failed: ${text}`, 'SqlmigRehearsal');
}
