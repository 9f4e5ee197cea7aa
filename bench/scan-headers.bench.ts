/**
 * Benchmark: reading backup headers across a folder of 2,000+ files, against a baseline measured in
 * the same run that reads every byte of the same files (what a tool that hashes or copies the files
 * to find their headers would pay).
 *
 * Targets (issue 2): at most 64 KiB read per uncompressed backup set, whatever the file's size; on
 * the 1 GiB full backups, at least 100 times faster than the baseline.
 */
import { copyFile, mkdir, open, readdir, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

import { readBackupFile, type FileResult } from '../src/backup/index.js';
import { backupCorpus, hasBackupCorpus } from '../test/support/corpus.js';
import { writeSyntheticBackup } from '../test/support/synthetic-backup.js';
import { bestOf, type BenchOutcome } from './support/bench-kit.js';

const targetFiles = 2_000;
const bigFileBytes = 1024 * 1024 * 1024;
const bigFiles = [512, 4096, 512] as const;
const concurrency = 8;
const maxBytesPerUncompressedSet = 64 * 1024;
const minBigFileSpeedup = 100;
const repetitions = 5;

export async function scanHeadersBench(): Promise<BenchOutcome> {
  if (!hasBackupCorpus)
    throw new Error(`the backup corpus is not at ${backupCorpus}; the benchmark needs it`);
  const folder = process.env.SQLMIG_BENCH_DIR ?? join(tmpdir(), 'sqlmig-bench-scan-headers');
  const { small, big } = await prepare(folder);
  const all = [...big, ...small];
  console.log(
    `scan-headers: ${all.length} files in ${folder} (${big.length} synthetic full backups of ${bigFileBytes / 2 ** 30} GiB)`,
  );

  // Warm the page cache and the JIT once for both sides, so that the ratio measures the work each
  // does, not the disk or the compiler.
  await forEach(all, readEveryByte);
  await forEach(all, readBackupFile);

  const baselineAll = await bestOf(repetitions, () => forEach(all, readEveryByte));
  const readerAll = await bestOf(repetitions, () => forEach(all, readBackupFile));
  const baselineBig = await bestOf(repetitions, () => forEach(big, readEveryByte));
  const readerBig = await bestOf(repetitions, () => forEach(big, readBackupFile));

  const results = readerAll.value;
  const failures = results.filter((r) => 'error' in r);
  if (failures.length > 0) throw new Error(`unreadable: ${failures.map((f) => f.file).join(', ')}`);
  const sets = results.flatMap((r) => ('media' in r ? r.media.sets.map(() => r) : []));
  const uncompressed = results.filter(
    (r): r is Extract<FileResult, { media: unknown }> =>
      'media' in r && !r.media.label.IsCompressed,
  );
  const perSet = uncompressed.map((r) => r.bytesRead / r.media.sets.length);
  const maxPerSet = Math.max(...perSet);
  const meanPerSet = perSet.reduce((a, b) => a + b, 0) / perSet.length;
  const bigPerSet = readerBig.value.map((r) =>
    'media' in r ? r.bytesRead / r.media.sets.length : NaN,
  );
  const totalBytes = baselineAll.value.reduce((a, b) => a + b, 0);
  const speedAll = baselineAll.ms / readerAll.ms;
  const speedBig = baselineBig.ms / readerBig.ms;

  const lines = [
    `  all files (best of ${repetitions} runs each)  baseline (read every byte): ${fmt(baselineAll.ms)} ms for ${(totalBytes / 2 ** 30).toFixed(2)} GiB = ${(sets.length / (baselineAll.ms / 1000)).toFixed(0)} sets/s`,
    `              reader (descriptor blocks): ${fmt(readerAll.ms)} ms = ${(sets.length / (readerAll.ms / 1000)).toFixed(0)} sets/s for ${sets.length} sets    ratio ${speedAll.toFixed(1)}x`,
    `  1 GiB fulls baseline: ${fmt(baselineBig.ms)} ms   reader: ${fmt(readerBig.ms)} ms   ratio ${speedBig.toFixed(0)}x (target >= ${minBigFileSpeedup}x)`,
    `  bytes read per uncompressed set: max ${maxPerSet.toFixed(0)}, mean ${meanPerSet.toFixed(0)} (target <= ${maxBytesPerUncompressedSet}); on the 1 GiB fulls: ${bigPerSet.map((b) => b.toFixed(0)).join(', ')}`,
  ];
  console.log(lines.join('\n'));
  const passed = maxPerSet <= maxBytesPerUncompressedSet && speedBig >= minBigFileSpeedup;
  return { name: 'scan-headers', passed };
}

async function prepare(folder: string): Promise<{ small: string[]; big: string[] }> {
  await mkdir(folder, { recursive: true });
  const big: string[] = [];
  for (const [index, sectorBytes] of bigFiles.entries()) {
    const path = join(folder, `synthetic-full-${index + 1}-${sectorBytes}.bak`);
    big.push(path);
    if (existsSync(path) && (await stat(path)).size > bigFileBytes) continue;
    console.log(`scan-headers: writing ${path} (1 GiB, once)`);
    await writeSyntheticBackup(path, {
      sectorBytes,
      mediaSetId: `00000000-0000-4000-8000-00000000000${index + 1}`,
      sets: [
        {
          databaseName: `Bench${index + 1}`,
          serverName: 'BENCH\\SQL',
          userName: 'BENCH\\dba',
          type: 'D',
          backupSetGuid: `10000000-0000-4000-8000-00000000000${index + 1}`,
          firstLsn: 100_000_000_001_000_001n,
          lastLsn: 100_000_000_002_000_001n,
          checkpointLsn: 100_000_000_001_000_001n,
          databaseBackupLsn: 0n,
          startDate: '2026-11-01T01:00:00',
          finishDate: '2026-11-01T01:20:00',
          checksums: true,
          dataBytes: bigFileBytes,
        },
      ],
    });
  }

  const corpusFiles = (await listFiles(backupCorpus)).filter((f) => !/\.(json|tsv|md)$/.test(f));
  const copies = join(folder, 'copies');
  const marker = join(copies, '.complete');
  const rounds = Math.ceil((targetFiles - big.length) / corpusFiles.length);
  const plan = Array.from({ length: rounds }, (_, round) =>
    corpusFiles.map((from) => ({
      from,
      to: join(copies, String(round), relative(backupCorpus, from)),
    })),
  ).flat();
  if (!existsSync(marker)) {
    console.log(`scan-headers: copying the corpus ${rounds} times into ${copies} (once)`);
    for (const { from, to } of plan) {
      await mkdir(dirname(to), { recursive: true });
      await copyFile(from, to);
    }
    await writeFile(marker, '');
  }
  const small = plan.map(({ to }) => to);
  return { small, big };
}

async function listFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

async function readEveryByte(path: string): Promise<number> {
  const handle = await open(path, 'r');
  const buffer = new Uint8Array(1024 * 1024);
  let total = 0;
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, total);
      if (bytesRead === 0) return total;
      total += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

async function forEach<T>(
  items: readonly string[],
  work: (item: string) => Promise<T>,
): Promise<T[]> {
  const out = new Array<T>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      out[index] = await work(items[index] as string);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}

function fmt(ms: number): string {
  return ms.toFixed(ms < 10 ? 2 : 0);
}
