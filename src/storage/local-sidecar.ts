/**
 * A committed blob's MD5 and metadata, kept beside the store in `.sqlmig-meta/<key>.json` because a
 * plain file has nowhere to hold them. The blob and this file cannot be replaced in one step, so the
 * file names the content each entry belongs to (inode, size, modification time; a rename keeps all
 * three) and holds the entry of the blob being replaced as well as the new one:
 *
 *   1. the new content is in a file of its own, flushed:      (readers: old blob, old entry)
 *      the blocks joined in a temporary file, or the one block's staged file;
 *   2. the sidecar is rewritten with [new entry, old entry];  (readers: old blob, old entry)
 *   3. that file is renamed over the blob.                    (readers: new blob, new entry)
 *
 * A reader matches the entry to the content it found, so properties never mix two commits.
 */
import { join } from 'node:path';

import { BlobStoreError } from './errors.js';
import { errnoOf, writeFileAtomically, type LocalStoreFs } from './local-fs.js';
import { blobKey } from './local-staging.js';

export interface SidecarEntry {
  /** The content this entry describes: see `contentIdentity` (local-fs.ts). */
  readonly identity: string;
  readonly contentMd5: string;
  readonly metadata: Readonly<Record<string, string>>;
}

interface Sidecar {
  /** The blob's name, for people looking at the folder. */
  readonly name: string;
  readonly entries: readonly SidecarEntry[];
}

export class SidecarFiles {
  readonly #fs: LocalStoreFs;
  readonly #folder: string;
  readonly #tempFolder: string;

  constructor(fs: LocalStoreFs, folder: string, tempFolder: string) {
    this.#fs = fs;
    this.#folder = folder;
    this.#tempFolder = tempFolder;
  }

  get folder(): string {
    return this.#folder;
  }

  /** The entries of a blob's sidecar file, or null when it has none (a file put there by hand). */
  async entries(name: string): Promise<readonly SidecarEntry[] | null> {
    return (await this.#read(name))?.entries ?? null;
  }

  /** Step 2 above: records `entry`, keeping the entry of the content now in place (if any). */
  async record(name: string, entry: SidecarEntry, currentIdentity: string | null): Promise<void> {
    // A new blob has no entry to keep: its sidecar, if any, is a delete's leftover.
    const previous =
      currentIdentity === null
        ? undefined
        : (await this.#read(name))?.entries.find((e) => e.identity === currentIdentity);
    const sidecar: Sidecar = { name, entries: previous ? [entry, previous] : [entry] };
    const bytes = Buffer.from(`${JSON.stringify(sidecar, null, 2)}\n`, 'utf8');
    await writeFileAtomically(this.#fs, this.#tempFolder, this.#pathOf(name), bytes);
  }

  async remove(name: string): Promise<void> {
    await this.#fs.rm(this.#pathOf(name), { force: true });
  }

  #pathOf(name: string): string {
    return join(this.#folder, `${blobKey(name)}.json`);
  }

  async #read(name: string): Promise<Sidecar | null> {
    const path = this.#pathOf(name);
    let text;
    try {
      text = await this.#fs.readFile(path, 'utf8');
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return null;
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
    if (!isSidecar(parsed)) {
      throw new BlobStoreError(
        'StorageFailed',
        `The properties file of blob "${name}" (${path}) is damaged: sqlmig writes it whole, so ` +
          `something else changed it. Delete that file: the blob stays, without its MD5 and metadata.`,
        { blobName: name },
      );
    }
    return parsed;
  }
}

function isSidecar(value: unknown): value is Sidecar {
  if (!isRecord(value) || typeof value.name !== 'string' || !Array.isArray(value.entries)) {
    return false;
  }
  return value.entries.every(
    (entry) =>
      isRecord(entry) &&
      typeof entry.identity === 'string' &&
      typeof entry.contentMd5 === 'string' &&
      isRecord(entry.metadata) &&
      Object.values(entry.metadata).every((v) => typeof v === 'string'),
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
