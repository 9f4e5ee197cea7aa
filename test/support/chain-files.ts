/**
 * TEST SUPPORT — the corpus chain the end-to-end tests migrate (a full and three logs of
 * RestoreTimeClean), and what they ask of a migration's files and of the blobs it uploaded.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';

import { expect } from 'vitest';

import type { BackupFileInfo, MigrationResource } from '../../src/client/index.js';
import type { BlobStore } from '../../src/storage/index.js';
import { corpusFile } from './corpus.js';

export const chainNames = [
  'RestoreTimeClean.bak',
  'RestoreTimeClean_1.trn',
  'RestoreTimeClean_2.trn',
  'RestoreTimeClean_3.trn',
] as const;

/** The corpus path of a file of the chain. */
export const chain = (name: string) => corpusFile(`appveyor-lab/RestoreTimeClean/${name}`);

export const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('base64');

/** A file as the migration shows it (`migrationStatusDetails`), by its name in the folder. */
export function fileInfo(m: MigrationResource, name: string): BackupFileInfo | undefined {
  for (const set of m.properties.migrationStatusDetails?.activeBackupSets ?? [])
    for (const f of set.listOfBackupFiles) if (f.fileName === name) return f;
  return undefined;
}

/** Whether every file of the chain shows Restored. */
export const chainRestored = (m: MigrationResource) =>
  chainNames.every((f) => fileInfo(m, f)?.status === 'Restored');

/**
 * The database's blobs are the chain's files byte for byte (size, MD5 recorded, MD5 of the bytes
 * read back). Log backups are named `.log` in the container, so a blob's source is the file with
 * the same name without extension.
 */
export async function expectChainBlobs(store: BlobStore, db: string): Promise<void> {
  const stem = (name: string) => basename(name).replace(/\.[^.]+$/, '');
  const blobs = await store.list(`${db}/`);
  expect(blobs.map((b) => stem(b.name)).sort()).toEqual(chainNames.map(stem).sort());
  for (const blob of blobs) {
    const source = await readFile(chain(chainNames.find((n) => stem(n) === stem(blob.name)) ?? ''));
    expect(blob.size).toBe(source.length);
    expect(blob.contentMd5).toBe(md5(source));
    const read = await store.openRead(blob.name);
    try {
      expect(md5(await read.read(0, source.length))).toBe(md5(source));
    } finally {
      await read.close();
    }
  }
}
