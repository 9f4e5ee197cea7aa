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
  #revision = 0;

  constructor(records: MigrationRecords, migrationId: string) {
    this.#records = records;
    this.#migrationId = migrationId;
  }

  /** Bumped by every write: a step can tell whether anything changed since it last looked. */
  get revision(): number {
    return this.#revision;
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
    this.#revision++;
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
      this.#revision++;
      return saved;
    } catch (error) {
      // A conflict (or a write whose outcome is unknown): read the store again at the next tick.
      this.forget();
      throw error;
    }
  }

  forget(): void {
    this.#files = null;
    this.#revision++;
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
