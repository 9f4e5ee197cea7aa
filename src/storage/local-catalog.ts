/**
 * What the local folder store holds, read from the disk: the committed blobs under a folder and their
 * properties, each matched to its sidecar entry (local-sidecar.ts) so that they never mix two commits.
 */
import { join } from 'node:path';

import type { BlobProperties } from './blob-store.js';
import { errnoOf, type LocalFileStats, type LocalStoreFs } from './local-fs.js';
import { isLocalName, isReserved, pathOf } from './local-names.js';
import { contentIdentity, type SidecarEntry, type SidecarFiles } from './local-sidecar.js';

export class LocalCatalog {
  readonly #fs: LocalStoreFs;
  readonly #folder: string;
  readonly #sidecars: SidecarFiles;

  constructor(fs: LocalStoreFs, folder: string, sidecars: SidecarFiles) {
    this.#fs = fs;
    this.#folder = folder;
    this.#sidecars = sidecars;
  }

  /** The committed blobs whose names start with `prefix` (a valid prefix), sorted by name. */
  async list(prefix: string): Promise<BlobProperties[]> {
    const folderPart = prefix.slice(0, Math.max(0, prefix.lastIndexOf('/')));
    if (isReserved(folderPart.split('/')[0] ?? '')) return [];
    const names = (await this.#fileNames(folderPart))
      .filter((name) => name.startsWith(prefix) && isLocalName(this.#folder, name))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const found: BlobProperties[] = [];
    for (const name of names) {
      const properties = await this.properties(name);
      if (properties !== null) found.push(properties); // else deleted meanwhile
    }
    return found;
  }

  async properties(name: string): Promise<BlobProperties | null> {
    const path = pathOf(this.#folder, name);
    for (let attempt = 1; ; attempt += 1) {
      const stats = await this.statFile(path);
      if (stats === null) return null;
      const identity = contentIdentity(stats);
      const entries = await this.#sidecars.entries(name);
      const entry = entries?.find((e) => e.identity === identity);
      if (entry !== undefined || entries === null || attempt === 3) {
        return propertiesOf(name, stats, entry);
      }
      // The sidecar describes other content: a commit is between its steps (look again), or the
      // file was replaced by other means (it stays the same; its MD5 and metadata are unknown).
      const again = await this.statFile(path);
      if (again !== null && contentIdentity(again) === identity) {
        return propertiesOf(name, stats, undefined);
      }
    }
  }

  /** A regular file's stats; null when there is none (or a folder) at `path`. */
  async statFile(path: string): Promise<LocalFileStats | null> {
    try {
      const stats = await this.#fs.stat(path);
      return stats.isFile() ? stats : null;
    } catch (error) {
      if (isAbsent(error)) return null;
      throw error;
    }
  }

  /** The names of the files under a folder of the store, its own folders left out. */
  async #fileNames(folderPart: string): Promise<string[]> {
    const names: string[] = [];
    const visit = async (relative: string): Promise<void> => {
      let entries;
      try {
        entries = await this.#fs.readdir(join(this.#folder, relative), { withFileTypes: true });
      } catch (error) {
        if (isAbsent(error)) return;
        throw error;
      }
      for (const entry of entries) {
        if (relative === '' && isReserved(entry.name)) continue;
        const name = relative === '' ? entry.name : `${relative}/${entry.name}`;
        if (entry.isDirectory()) await visit(name);
        else if (entry.isFile()) names.push(name);
      }
    };
    await visit(folderPart);
    return names;
  }
}

export function isAbsent(error: unknown): boolean {
  const code = errnoOf(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export function propertiesOf(
  name: string,
  stats: LocalFileStats,
  entry: SidecarEntry | undefined,
): BlobProperties {
  return Object.freeze({
    name,
    size: stats.size,
    lastModified: stats.mtime,
    contentMd5: entry?.contentMd5 ?? null,
    metadata: Object.freeze({ ...entry?.metadata }),
  });
}
