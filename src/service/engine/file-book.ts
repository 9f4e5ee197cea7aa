/**
 * A migration's file records, kept in memory by the engine that drives it: read from the store once
 * per process, then updated by every write the engine makes (each write still goes to the store
 * first, with its version and its event, through `MigrationRecords`). A tick then costs what changed,
 * not what the folder holds: a migration with a hundred restored files reads none of them again.
 *
 * The store stays the truth. Only this engine writes a migration's files (one engine per state
 * database); a write that meets another writer's version fails, the book forgets everything, and the
 * next tick reads the store again.
 */
import type { FileRecord, FileStatus } from '../state/index.js';

import { usedBlobNames } from './blob-names.js';
import { fileDocument, type FileDocument } from './documents.js';
import type { MigrationRecords } from './migration-records.js';

export class FileBook {
  readonly #records: MigrationRecords;
  readonly #migrationId: string;
  #files: Map<string, FileRecord> | null = null;
  /** The blob names the records hold (a name is chosen once and kept, so this only grows). */
  #blobNames = new Set<string>();
  /** Files by what may still happen to them, so that a step visits those only. */
  readonly #toUpload = new Set<string>();
  readonly #movable = new Set<string>();
  #restoreRevision = 0;

  constructor(records: MigrationRecords, migrationId: string) {
    this.#records = records;
    this.#migrationId = migrationId;
  }

  /**
   * Bumped by the writes after which the same restore details may move files they did not move
   * before: a file arrived (its set may be restored already) or uploaded (the target may refuse it).
   * The target's own moves (Restoring, Restored, Ignored) and a start of upload change nothing there.
   */
  get restoreRevision(): number {
    return this.#restoreRevision;
  }

  /** The engine's clock, as records are stamped. */
  now(): string {
    return this.#records.now();
  }

  get loaded(): boolean {
    return this.#files !== null;
  }

  /** Reads the records from the store unless they are held already. */
  async load(): Promise<void> {
    if (this.#files) return;
    const files = await this.#records.files(this.#migrationId);
    this.#files = new Map(files.map((f) => [f.fileName, f]));
    this.#blobNames = usedBlobNames(files);
    this.#toUpload.clear();
    this.#movable.clear();
    for (const file of files) this.#index(file);
    this.#restoreRevision++;
  }

  /** Every record (in the order read from the store, then of first writes). */
  all(): FileRecord[] {
    return [...this.#held().values()];
  }

  /** The records, without copying them (do not write while iterating). */
  values(): IterableIterator<FileRecord> {
    return this.#held().values();
  }

  get(fileName: string): FileRecord | undefined {
    return this.#held().get(fileName);
  }

  /** The files waiting for an upload (Arrived, or Uploading), in no particular order. */
  *awaitingUpload(): Generator<FileRecord> {
    yield* this.#some(this.#toUpload);
  }

  /** The files not Restored, Ignored or Canceled yet, in no particular order. */
  *movable(): Generator<FileRecord> {
    yield* this.#some(this.#movable);
  }

  /** The blob names given to files so far. */
  blobNames(): ReadonlySet<string> {
    this.#held();
    return this.#blobNames;
  }

  /** Writes a record through `MigrationRecords.putFile` (same arguments) and keeps what was saved. */
  async put(
    fileName: string,
    status: FileStatus,
    previous: FileRecord | null,
    patch: Partial<FileDocument>,
    message: string | null,
  ): Promise<FileRecord> {
    try {
      const saved = await this.#records.putFile(
        this.#migrationId,
        fileName,
        status,
        previous,
        patch,
        message,
      );
      this.#files?.set(fileName, saved);
      const blobName = fileDocument(saved).blobName;
      if (blobName !== null) this.#blobNames.add(blobName);
      this.#index(saved);
      if (status === 'Arrived' || status === 'Uploaded') this.#restoreRevision++;
      return saved;
    } catch (error) {
      // A conflict (or a write whose outcome is unknown): read the store again at the next tick.
      this.forget();
      throw error;
    }
  }

  forget(): void {
    this.#files = null;
    this.#restoreRevision++;
  }

  #index(file: FileRecord): void {
    const name = file.fileName;
    if (file.status === 'Arrived' || file.status === 'Uploading') this.#toUpload.add(name);
    else this.#toUpload.delete(name);
    if (file.status === 'Restored' || file.status === 'Ignored' || file.status === 'Canceled')
      this.#movable.delete(name);
    else this.#movable.add(name);
  }

  /** The held records of the names in `names` (a copy of the names: the caller may write). */
  *#some(names: ReadonlySet<string>): Generator<FileRecord> {
    const files = this.#held();
    for (const name of [...names]) {
      const file = files.get(name);
      if (file) yield file;
    }
  }

  #held(): Map<string, FileRecord> {
    if (!this.#files) {
      throw new Error(
        `The file records of migration ${this.#migrationId} are not loaded (call load() first).`,
      );
    }
    return this.#files;
  }
}
