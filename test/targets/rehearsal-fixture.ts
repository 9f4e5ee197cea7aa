/**
 * Shared set-up for the rehearsal target's tests: real backups of the corpus's RestoreTimeClean chain
 * uploaded into the in-memory blob store stand-in under the names the upload gives them, a settable
 * clock, and a target restoring at 1 MiB/s so that a set takes a visible time (the 1.4 MiB full about
 * 1.4 s, a 80 KiB log about 80 ms).
 */
import { readFileSync } from 'node:fs';

import { expect } from 'vitest';

import { memorySource, readBackupMedia } from '../../src/backup/index.js';
import { uploadName } from '../../src/planning/index.js';
import {
  createRehearsalTarget,
  type RehearsalOptions,
  type RehearsalTarget,
  type RestoreDetails,
} from '../../src/targets/index.js';
import { corpusFile } from '../support/corpus.js';
import { MemoryBlobStore } from '../support/memory-blob-store.js';

export const folder = 'RestoreTimeClean';
export const t0 = Date.UTC(2026, 2, 2, 8, 0, 0);

/** The chain's files (corpus names) and the blob names they are uploaded as (`.trn` → `.log`). */
export const files = {
  full: 'RestoreTimeClean.bak',
  log1: 'RestoreTimeClean_1.trn',
  log2: 'RestoreTimeClean_2.trn',
  log3: 'RestoreTimeClean_3.trn',
  diff: 'RestoreTimeClean2.bak',
  log21: 'RestoreTimeClean2_1.trn',
  log22: 'RestoreTimeClean2_2.trn',
  log23: 'RestoreTimeClean2_3.trn',
} as const;
export type ChainFile = keyof typeof files;

export const blob = (file: ChainFile): string =>
  `${folder}/${files[file].replace(/\.trn$/, '.log')}`;

export class TestClock {
  ms = t0;
  now(): Date {
    return new Date(this.ms);
  }
}

export interface Rig {
  readonly store: MemoryBlobStore;
  readonly clock: TestClock;
  readonly target: RehearsalTarget;
  /** Uploads chain files (in the order given) as the runtime would name them. */
  readonly upload: (...names: ChainFile[]) => Promise<void>;
  /** Uploads any corpus file (path under the backups folder) into the folder; returns the blob name. */
  readonly uploadCorpus: (path: string, into?: string) => Promise<string>;
  /** Ticks at t0 + `ms` and returns the details of `databaseName`. */
  readonly at: (ms: number, databaseName?: string) => Promise<RestoreDetails>;
}

export function rig(options: Partial<RehearsalOptions> = {}): Rig {
  const store = new MemoryBlobStore();
  const clock = new TestClock();
  const target = createRehearsalTarget({
    store,
    clock,
    restoreBytesPerSecond: 1024 * 1024,
    ...options,
  });
  const uploadCorpus = async (path: string, into = folder): Promise<string> => {
    const bytes = readFileSync(corpusFile(path));
    const media = await readBackupMedia(memorySource(path, bytes));
    const name = `${into}/${uploadName(path, media.sets[0]?.header.BackupType ?? null)}`;
    await store.put(name, bytes);
    return name;
  };
  return {
    store,
    clock,
    target,
    upload: async (...names) => {
      for (const name of names) await uploadCorpus(`appveyor-lab/RestoreTimeClean/${files[name]}`);
    },
    uploadCorpus,
    at: async (ms, databaseName = 'Sales') => {
      clock.ms = t0 + ms;
      await target.tick();
      const details = await target.details(databaseName);
      expectRehearsalWording(details);
      return details;
    },
  };
}

/** Every reason a user sees says it comes from a rehearsal. */
export function expectRehearsalWording(details: RestoreDetails): void {
  const reasons = [details.blockReason, ...details.unrestorableFiles.map((u) => u.reason)];
  for (const reason of reasons) if (reason !== null) expect(reason).toContain('(rehearsal');
}

/** The blob names of the sets with a status: fulls, then differentials, then logs, each by LSN. */
export function setNames(
  details: RestoreDetails,
  status: 'Queued' | 'Restoring' | 'Restored' | 'Skipped',
): string[] {
  return [...details.fullBackupSets, ...details.diffBackupSets, ...details.logBackupSets]
    .filter((s) => s.status === status)
    .map((s) => s.firstStripeName);
}
