/**
 * What the local folder store holds, read from the disk: the committed blobs under a folder and their
 * properties, each matched to its sidecar entry (local-sidecar.ts) so that they never mix two commits.
 * A listing reads the folders and stats each blob's file; a blob's sidecar is read only when its file
 * changed since this instance last read it (local-properties-cache.ts).
 */
import { join } from 'node:path';

import type { BlobProperties } from './blob-store.js';
import {
  contentIdentity,
  errnoOf,
  type LocalDirectoryEntry,
  type LocalFileStats,
  type LocalStoreFs,
} from './local-fs.js';
import { isLocalName, isReserved, pathOf } from './local-names.js';
import { PropertiesCache } from './local-properties-cache.js';
import type { SidecarEntry, SidecarFiles } from './local-sidecar.js';

export class LocalCatalog {
  readonly #fs: LocalStoreFs;
  readonly #folder: string;
  readonly #sidecars: SidecarFiles;
  readonly #cache = new PropertiesCache();

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
      if (stats === null) {
        this.#cache.drop(name);
        return null;
      }
      const identity = contentIdentity(stats);
      const cached = this.#cache.get(name, identity);
      if (cached !== undefined) return cached;
      const entries = await this.#sidecars.entries(name);
      const entry = entries?.find((e) => e.identity === identity);
      if (entry !== undefined || entries === null) {
        return this.remember(name, stats, entry);
      }
      // The sidecar describes other content: a commit is between its steps (look again), or the
      // file was replaced by other means (it stays the same; its MD5 and metadata are unknown).
      if (attempt === 3) return propertiesOf(name, stats, undefined);
      const again = await this.statFile(path);
      if (again !== null && contentIdentity(again) === identity) {
        return this.remember(name, stats, undefined);
      }
    }
  }

  /**
   * The properties of `name` whose file has `stats` and sidecar entry `entry`, kept for the next
   * listings: after a commit through this store, and after reading a sidecar.
   */
  remember(name: string, stats: LocalFileStats, entry: SidecarEntry | undefined): BlobProperties {
    const properties = propertiesOf(name, stats, entry);
    this.#cache.set(name, contentIdentity(stats), properties);
    return properties;
  }

  /** After a delete through this store. */
  forget(name: string): void {
    this.#cache.drop(name);
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
      let entries: LocalDirectoryEntry[];
      try {
        entries = await this.#fs.readdir(join(this.#folder, relative), { withFileTypes: true });
      } catch (error) {
        if (!isAbsent(error)) throw error;
        entries = [];
      }
      const found = new Set<string>();
      for (const entry of entries) {
        if (relative === '' && isReserved(entry.name)) continue;
        const name = relative === '' ? entry.name : `${relative}/${entry.name}`;
        if (entry.isDirectory()) await visit(name);
        else if (entry.isFile()) {
          names.push(name);
          found.add(name);
        }
      }
      this.#cache.retain(relative, found);
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
