/**
 * Damaged input never crashes the reader: a seeded, time-bounded run that truncates corpus files at
 * many offsets and corrupts header bytes at random. Every case must end, within a deadline, in a valid
 * result or a coded BackupReadError; no read may ask for more bytes than the file holds.
 */
import { readFile } from 'node:fs/promises';

import { describe, expect, it } from 'vitest';

import {
  BackupReadError,
  memorySource,
  readBackupMedia,
  type BackupErrorCode,
  type ByteSource,
} from '../../src/backup/index.js';
import {
  corpusFile,
  corpusSkipReason,
  expectedHeaders,
  hasBackupCorpus,
} from '../support/corpus.js';
import { seededRandom } from '../support/seeded-random.js';

const seed = Number(process.env.SQLMIG_FUZZ_SEED ?? 20261126);
const budgetMs = Number(process.env.SQLMIG_FUZZ_MS ?? 20_000);
const caseDeadlineMs = 5_000;
const knownCodes: readonly BackupErrorCode[] = [
  'NotABackup',
  'EmptyFile',
  'Truncated',
  'CorruptDescriptor',
  'Encrypted',
  'UnsupportedCompression',
  'UnsupportedFormat',
];

if (!hasBackupCorpus) console.warn(`Skipping the robustness tests: ${corpusSkipReason}.`);

/** A source over bytes that fails the test if asked for more than the file could hold. */
function guardedSource(name: string, bytes: Uint8Array): ByteSource {
  const inner = memorySource(name, bytes);
  return {
    name,
    size: bytes.length,
    read: (offset, length) => {
      if (
        !Number.isSafeInteger(offset) ||
        !Number.isSafeInteger(length) ||
        offset < 0 ||
        length < 0
      ) {
        throw new Error(`reader asked for an invalid range ${offset}+${length}`);
      }
      if (length > bytes.length)
        throw new Error(`reader asked for ${length} bytes of a ${bytes.length}-byte file`);
      return inner.read(offset, length);
    },
    close: () => Promise.resolve(),
  };
}

type Outcome = { kind: 'ok'; sets: number } | { kind: 'error'; code: BackupErrorCode };

async function attempt(name: string, bytes: Uint8Array): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${name}: no answer within ${caseDeadlineMs} ms (a hang)`));
    }, caseDeadlineMs);
  });
  try {
    const media = await Promise.race([readBackupMedia(guardedSource(name, bytes)), deadline]);
    expect(media.sets.length, name).toBeGreaterThan(0);
    for (const set of media.sets) {
      expect(set.extent.end, name).toBeGreaterThanOrEqual(set.extent.start);
      expect(typeof set.complete, name).toBe('boolean');
    }
    return { kind: 'ok', sets: media.sets.length };
  } catch (error) {
    if (!(error instanceof BackupReadError))
      throw new Error(`${name} (seed ${seed}): not a coded error: ${String(error)}`, {
        cause: error,
      });
    expect(knownCodes, name).toContain(error.code);
    expect(error.message.length, name).toBeGreaterThan(20);
    return { kind: 'error', code: error.code };
  } finally {
    clearTimeout(timer);
  }
}

describe.skipIf(!hasBackupCorpus)(`damaged corpus files (seed ${seed})`, () => {
  const files = hasBackupCorpus ? Object.keys(expectedHeaders()) : [];

  it(
    'answers every truncation and corruption with a result or a coded error',
    async () => {
      const random = seededRandom(seed);
      const started = Date.now();
      const tally = new Map<string, number>();
      let cases = 0;
      const originals = await Promise.all(
        files.map(async (file) => ({
          file,
          bytes: new Uint8Array(await readFile(corpusFile(file))),
        })),
      );

      const record = (outcome: Outcome): void => {
        const key = outcome.kind === 'ok' ? 'ok' : outcome.code;
        tally.set(key, (tally.get(key) ?? 0) + 1);
        cases += 1;
      };

      while (Date.now() - started < budgetMs) {
        const picked = originals[random.below(originals.length)];
        if (!picked) throw new Error('no corpus files to damage');
        const { file, bytes } = picked;
        // Truncate: anywhere, but most often near the descriptor blocks at either end of the file.
        const region = random.next();
        const cut =
          region < 0.4
            ? random.below(Math.min(bytes.length, 32 * 1024))
            : region < 0.8
              ? bytes.length - 1 - random.below(Math.min(bytes.length, 32 * 1024))
              : random.below(bytes.length);
        record(await attempt(`${file} cut at ${cut}`, bytes.subarray(0, cut)));

        // Corrupt: flip 1–8 bytes in the header regions.
        const damaged = bytes.slice();
        const flips = 1 + random.below(8);
        const where: number[] = [];
        for (let i = 0; i < flips; i++) {
          const span = Math.min(bytes.length, 16 * 1024);
          const at =
            random.next() < 0.5 ? random.below(span) : bytes.length - 1 - random.below(span);
          damaged[at] = (damaged[at] ?? 0) ^ (1 + random.below(255));
          where.push(at);
        }
        record(await attempt(`${file} corrupted at ${where.join(',')}`, damaged));
      }

      console.info(
        `robustness: ${cases} cases in ${Date.now() - started} ms (seed ${seed}):`,
        Object.fromEntries(tally),
      );
      expect(cases).toBeGreaterThan(200);
      // Truncation must be noticed: some cases end in Truncated errors, some in incomplete sets.
      expect(tally.get('Truncated') ?? 0).toBeGreaterThan(0);
      expect(tally.get('CorruptDescriptor') ?? 0).toBeGreaterThan(0);
    },
    budgetMs + 30_000,
  );

  it('never reports a truncated file as complete', async () => {
    const random = seededRandom(seed + 1);
    for (const file of files) {
      const bytes = new Uint8Array(await readFile(corpusFile(file)));
      for (let i = 0; i < 5; i++) {
        const cut = 1 + random.below(bytes.length - 1);
        const outcome = await readBackupMedia(memorySource(file, bytes.subarray(0, cut))).then(
          (media) => media.sets.every((set) => set.complete),
          (error: unknown) => {
            expect(error).toBeInstanceOf(BackupReadError);
            return false;
          },
        );
        expect(outcome, `${file} cut at ${cut} of ${bytes.length}`).toBe(false);
      }
    }
  });
});
