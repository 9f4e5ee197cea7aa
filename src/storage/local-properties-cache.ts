/**
 * What one store instance last read of each blob's properties, so that listing a folder whose blobs
 * did not change reads no sidecar file (the rehearsal target lists each database folder every few
 * hundred milliseconds). An entry is used only while the blob's file still has the identity it was
 * read for (inode, size, modification time: `contentIdentity`), and that is exactly as fresh as
 * reading the sidecar again: properties are the file's stats and the sidecar entry of that identity,
 * and a commit keeps the entry of the content in place whenever it rewrites the sidecar
 * (local-sidecar.ts). So a blob replaced by another process has a new identity, and is read again.
 *
 * Entries are grouped by folder, so that a listing forgets the blobs of a folder it read that are gone
 * (deleted by another process) at the cost of that folder's size, not of the whole store's.
 */
import type { BlobProperties } from './blob-store.js';

interface Cached {
  readonly identity: string;
  readonly properties: BlobProperties;
}

export class PropertiesCache {
  /** Folder part of the name (`''` at the top) → blob name → what was read. */
  readonly #folders = new Map<string, Map<string, Cached>>();

  /** The properties read for `name` when its file had `identity`; undefined when not known. */
  get(name: string, identity: string): BlobProperties | undefined {
    const cached = this.#folders.get(folderOf(name))?.get(name);
    return cached?.identity === identity ? cached.properties : undefined;
  }

  set(name: string, identity: string, properties: BlobProperties): void {
    const folder = folderOf(name);
    let blobs = this.#folders.get(folder);
    if (blobs === undefined) {
      blobs = new Map();
      this.#folders.set(folder, blobs);
    }
    blobs.set(name, { identity, properties });
  }

  drop(name: string): void {
    const folder = folderOf(name);
    const blobs = this.#folders.get(folder);
    if (blobs?.delete(name) === true && blobs.size === 0) this.#folders.delete(folder);
  }

  /**
   * After reading the whole of `folder` (a folder part, `''` at the top): forgets its blobs whose files
   * were not found. A file renamed in after the reading was forgotten needlessly: it is read again.
   */
  retain(folder: string, found: ReadonlySet<string>): void {
    const blobs = this.#folders.get(folder);
    if (blobs === undefined) return;
    for (const name of blobs.keys()) if (!found.has(name)) blobs.delete(name);
    if (blobs.size === 0) this.#folders.delete(folder);
  }
}

function folderOf(name: string): string {
  return name.slice(0, Math.max(0, name.lastIndexOf('/')));
}
