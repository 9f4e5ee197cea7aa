/**
 * Reading the aggregated file into a `SeriesBuilder`, as fast as the machine allows: a large file is
 * cut at line starts into one range per core, each scanned on a worker thread
 * (`series-thread-main.ts`) and merged in file order; a small one is scanned here. When the byte scan
 * gives up (`ScanGaveUp`: a file it does not cover, or one with an error in it), the whole file is
 * read again by the general reader, which decodes every form and words the error with its line.
 * Reading on threads also keeps the service's event loop free while a wizard asks for a
 * recommendation.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';

import { startModuleWorker } from '../../threads/index.js';
import { streamPerfFile, unreadableFile } from '../perf-data/reader.js';
import { SeriesBuilder, type SeriesPart, type SeriesSelection } from './series-builder.js';
import { lineSplits, scanHeader, scanRange, ScanGaveUp } from './series-scan.js';

/** A file's data below this is scanned on the calling thread (starting threads costs more). */
const threadsFrom = 32 * 2 ** 20;
const maxThreads = 8;

export interface ReadAggregatedOptions {
  /** Threads to scan on (default: one per core, at most 8; 1 scans on the calling thread). */
  readonly threads?: number;
}

/** The job of one scanning thread. */
export interface SeriesThreadJob {
  readonly file: string;
  readonly start: number;
  readonly end: number;
  readonly crlf: boolean;
  readonly selection: SeriesSelection;
}

export type FromSeriesThread =
  | { readonly kind: 'part'; readonly part: SeriesPart }
  | { readonly kind: 'gaveUp'; readonly reason: string }
  | { readonly kind: 'failed'; readonly message: string; readonly code: string | null };

/** What was read, and how. */
export interface AggregatedRead {
  readonly builder: SeriesBuilder;
  /** `scan`: the byte scan in `threads` ranges; `general`: the general reader, after `gaveUp`. */
  readonly reader: 'scan' | 'general';
  readonly threads: number;
  /** Ranges a worker thread scanned (the others were scanned here: no thread could start). */
  readonly onWorkers: number;
  readonly gaveUp?: string;
}

export async function readAggregatedSeries(
  file: string,
  selection: SeriesSelection,
  options: ReadAggregatedOptions = {},
): Promise<AggregatedRead> {
  let gaveUp: string;
  try {
    return await scan(file, selection, options);
  } catch (error) {
    if (!(error instanceof ScanGaveUp)) throw unreadableFile(file, error);
    gaveUp = error.message;
  }
  const builder = new SeriesBuilder(selection);
  await streamPerfFile('aggregated', file, (batch) => {
    for (const record of batch) builder.addRecord(record);
  });
  return { builder, reader: 'general', threads: 1, onWorkers: 0, gaveUp };
}

async function scan(
  file: string,
  selection: SeriesSelection,
  options: ReadAggregatedOptions,
): Promise<AggregatedRead> {
  const handle = await open(file, 'r');
  try {
    const { dataStart, crlf } = await scanHeader(handle);
    const size = (await handle.stat()).size;
    const threads = Math.max(
      1,
      Math.min(
        maxThreads,
        options.threads ?? (size - dataStart >= threadsFrom ? availableParallelism() : 1),
      ),
    );
    const builder = new SeriesBuilder(selection);
    if (threads === 1) {
      await scanRange(handle, { start: dataStart, end: size, crlf }, builder);
      return { builder, reader: 'scan', threads, onWorkers: 0 };
    }
    const points = await lineSplits(handle, dataStart, size, threads);
    const parts = await Promise.all(
      points
        .slice(1)
        .map((end, i) =>
          scanOnThread({ file, start: points[i] as number, end, crlf, selection }, handle),
        ),
    );
    for (const { part } of parts) builder.merge(part);
    const onWorkers = parts.filter((p) => p.onWorker).length;
    return { builder, reader: 'scan', threads, onWorkers };
  } finally {
    await handle.close();
  }
}

/**
 * Scans one range on a thread of its own; here when a thread cannot be started or stops without an
 * answer (its module missing, out of memory): the scan is the same either way, only slower.
 */
async function scanOnThread(
  job: SeriesThreadJob,
  handle: FileHandle,
): Promise<{ part: SeriesPart; onWorker: boolean }> {
  const message = await answerOf(job);
  if (message === undefined) {
    const builder = new SeriesBuilder(job.selection);
    await scanRange(handle, job, builder);
    return { part: builder.part(), onWorker: false };
  }
  if (message.kind === 'part') return { part: message.part, onWorker: true };
  if (message.kind === 'gaveUp') throw new ScanGaveUp(message.reason);
  throw Object.assign(new Error(message.message), { code: message.code ?? undefined });
}

/** The thread's answer, or undefined when it gave none. */
async function answerOf(job: SeriesThreadJob): Promise<FromSeriesThread | undefined> {
  let worker: Worker;
  try {
    worker = startModuleWorker(import.meta.url, 'series-thread-main', job);
  } catch {
    return undefined;
  }
  try {
    return await new Promise<FromSeriesThread | undefined>((resolve) => {
      worker.once('message', resolve);
      worker.once('error', () => {
        resolve(undefined);
      });
      worker.once('exit', () => {
        resolve(undefined);
      });
    });
  } finally {
    void worker.terminate();
  }
}
