/**
 * What the rehearsal target knows of one blob folder: every blob under it, and for the backup files
 * directly in it (`.bak`, `.log`, `.diff`) their headers, read through `openRead` with ranged reads
 * (the backup reader steps over data streams, so a set costs a few dozen KiB whatever its size).
 * A blob is read again only when its size, time or MD5 changes, or when its last read failed on I/O.
 */
import {
  isBackupReadError,
  readBackupMedia,
  readWholeIfSmall,
  type BackupMedia,
} from '../../backup/index.js';
import type { PlannerFile } from '../../planning/index.js';
import type { BlobProperties, BlobStore } from '../../storage/index.js';

import { hasRestorableExtension } from './lrs-rules.js';
import type { BlobReader } from './rehearsal-options.js';

export type EntryKind =
  /** A `.bak`, `.log` or `.diff` file directly in the folder: Log Replay Service reads it. */
  | 'Backup'
  /** In a subfolder: Log Replay Service reads one flat folder. */
  | 'Nested'
  /** Directly in the folder, with another extension. */
  | 'OtherExtension';

export interface CatalogEntry {
  /** The name within the folder (`file.bak`, or `sub/file.bak` for a nested one). */
  readonly name: string;
  readonly blob: BlobProperties;
  readonly kind: EntryKind;
  /** For `Backup` entries: the file as the planner takes it (its media, or why it is unreadable). */
  readonly file: PlannerFile | null;
  /** The media when it could be read. */
  readonly media: BackupMedia | null;
  /** The last read failed on I/O (not on the bytes): read it again at the next refresh. */
  readonly retry: boolean;
}

export interface CatalogChanges {
  /** Backup entries read (again) in this refresh. */
  readonly read: readonly CatalogEntry[];
  /** Names of backup entries gone, or no longer readable as they were. */
  readonly removed: readonly string[];
}

/** `CatalogChanges` as a refresh collects them. */
interface Collected {
  readonly read: CatalogEntry[];
  readonly removed: string[];
}

export class FolderCatalog {
  readonly #store: BlobStore;
  readonly #reader: BlobReader;
  readonly #prefix: string;
  readonly #entries = new Map<string, CatalogEntry>();
  #version = 0;
  /** What `entries()` and `databases()` return, built once per version (details ask often). */
  #sorted: { readonly version: number; readonly entries: readonly CatalogEntry[] } | null = null;
  /** Per source database, how many entries hold a set of it; kept as entries come and go. */
  readonly #databaseCounts = new Map<string, number>();
  #databases: readonly string[] | null = null;

  /** `reader` looks at the named blobs; by default the store itself, on this thread. */
  constructor(store: BlobStore, folder: string, reader: BlobReader | null = null) {
    this.#store = store;
    this.#prefix = folder === '' ? '' : `${folder}/`;
    this.#reader = reader ?? {
      properties: (blobName) => store.properties(blobName),
      readMedia: (blobName) => readBlobMedia(store, blobName),
    };
  }

  /** The blob name of a name within the folder. */
  blobName(name: string): string {
    return `${this.#prefix}${name}`;
  }

  /** Whether a blob of that name is one the folder's listing holds (directly or in a subfolder). */
  holds(blobName: string): boolean {
    return blobName.length > this.#prefix.length && blobName.startsWith(this.#prefix);
  }

  /** The name within the folder of a name given either way (`file.bak` or `<folder>/file.bak`). */
  nameWithin(given: string): string {
    return this.#prefix !== '' && given.startsWith(this.#prefix)
      ? given.slice(this.#prefix.length)
      : given;
  }

  /** Moves on whenever an entry is added, replaced or removed: a cheap "has anything changed". */
  get version(): number {
    return this.#version;
  }

  /** Every entry, by name. */
  entries(): readonly CatalogEntry[] {
    if (this.#sorted?.version !== this.#version) {
      const entries = [...this.#entries.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
      this.#sorted = { version: this.#version, entries };
    }
    return this.#sorted.entries;
  }

  /** The source databases with backup sets in the folder, sorted. */
  databases(): readonly string[] {
    this.#databases ??= [...this.#databaseCounts.keys()].sort((a, b) => a.localeCompare(b));
    return this.#databases;
  }

  get(name: string): CatalogEntry | undefined {
    return this.#entries.get(name);
  }

  /** Lists the folder and reads what is new or changed. Rejects when the listing itself fails. */
  async refresh(): Promise<CatalogChanges> {
    const blobs = await this.#store.list(this.#prefix);
    const seen = new Set<string>();
    const changes: Collected = { read: [], removed: [] };
    for (const blob of blobs) {
      const name = blob.name.slice(this.#prefix.length);
      if (name === '') continue;
      seen.add(name);
      await this.#update(name, blob, changes);
    }
    for (const name of [...this.#entries.keys()]) if (!seen.has(name)) this.#remove(name, changes);
    return changes;
  }

  /**
   * Looks at the named blobs only (blob names, `<folder>/<file>`; others are passed by): what a
   * notice says was committed. One look per blob named instead of one per blob in the folder, but
   * blind to what nobody named: the caller lists the folder now and then too. Rejects when the store
   * fails to answer.
   */
  async refreshNames(blobNames: Iterable<string>): Promise<CatalogChanges> {
    const changes: Collected = { read: [], removed: [] };
    for (const blobName of blobNames) {
      if (!this.holds(blobName)) continue;
      const name = blobName.slice(this.#prefix.length);
      const blob = await this.#reader.properties(blobName);
      if (blob) await this.#update(name, blob, changes);
      else this.#remove(name, changes);
    }
    return changes;
  }

  /** Takes in the blob if it is new or changed (reading a backup's headers). */
  async #update(name: string, blob: BlobProperties, changes: Collected): Promise<void> {
    const known = this.#entries.get(name);
    if (known && !known.retry && sameBlob(known.blob, blob)) return;
    const kind: EntryKind = name.includes('/')
      ? 'Nested'
      : hasRestorableExtension(name)
        ? 'Backup'
        : 'OtherExtension';
    if (kind !== 'Backup') {
      this.#put(name, { name, blob, kind, file: null, media: null, retry: false });
      return;
    }
    const entry = await this.#read(name, blob);
    // Counted after the entry is in place: a caller reading during the read above caches the old.
    this.#put(name, entry);
    changes.read.push(entry);
  }

  #remove(name: string, changes: Collected): void {
    const entry = this.#entries.get(name);
    if (!entry) return;
    this.#put(name, null);
    if (entry.kind === 'Backup') changes.removed.push(name);
  }

  /** Sets (or with null removes) an entry, keeping the database counts and the version. */
  #put(name: string, entry: CatalogEntry | null): void {
    this.#count(this.#entries.get(name), -1);
    if (entry) this.#entries.set(name, entry);
    else this.#entries.delete(name);
    this.#count(entry ?? undefined, 1);
    this.#version += 1;
  }

  #count(entry: CatalogEntry | undefined, by: 1 | -1): void {
    const names = new Set<string>();
    for (const set of entry?.media?.sets ?? [])
      if (set.header.DatabaseName !== null) names.add(set.header.DatabaseName);
    for (const db of names) {
      const before = this.#databaseCounts.get(db) ?? 0;
      const after = before + by;
      if (after > 0) this.#databaseCounts.set(db, after);
      else this.#databaseCounts.delete(db);
      // A database appears or goes: the sorted names are made again when next asked for.
      if (before === 0 || after === 0) this.#databases = null;
    }
  }

  async #read(name: string, blob: BlobProperties): Promise<CatalogEntry> {
    try {
      const media = await this.#reader.readMedia(blob.name);
      return { name, blob, kind: 'Backup', file: { path: name, media }, media, retry: false };
    } catch (error) {
      if (!isBackupReadError(error) || error.code === 'ReadFailed')
        return ioFailure(name, blob, error);
      const file: PlannerFile = { path: name, error: { code: error.code, message: error.message } };
      return { name, blob, kind: 'Backup', file, media: null, retry: false };
    }
  }
}

/** A blob's media read through the store (a log of a few hundred KiB in one read). */
async function readBlobMedia(store: BlobStore, blobName: string): Promise<BackupMedia> {
  const source = await store.openRead(blobName);
  try {
    return await readBackupMedia(readWholeIfSmall(source, 1024 * 1024));
  } finally {
    await source.close();
  }
}

function ioFailure(name: string, blob: BlobProperties, error: unknown): CatalogEntry {
  const reason = error instanceof Error ? error.message : String(error);
  const file: PlannerFile = {
    path: name,
    error: {
      code: 'ReadFailed',
      message: `Reading ${blob.name} from the blob store failed (${reason}); it is read again at the next scan.`,
    },
  };
  return { name, blob, kind: 'Backup', file, media: null, retry: true };
}

function sameBlob(a: BlobProperties, b: BlobProperties): boolean {
  return (
    a.size === b.size &&
    a.lastModified.getTime() === b.lastModified.getTime() &&
    a.contentMd5 === b.contentMd5
  );
}
