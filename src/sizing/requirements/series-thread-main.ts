/**
 * A thread that scans one range of the aggregated file into a `SeriesBuilder` and posts back what it
 * read (`series-threads.ts`), or that the scan gave up, or why the file could not be read.
 */
import { open } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';

import { SeriesBuilder } from './series-builder.js';
import { scanRange, ScanGaveUp } from './series-scan.js';
import type { FromSeriesThread, SeriesThreadJob } from './series-threads.js';

const port = parentPort;
if (!port) throw new Error('series-thread-main runs as a worker thread only.');
const job = workerData as SeriesThreadJob;

async function run(): Promise<FromSeriesThread> {
  try {
    const handle = await open(job.file, 'r');
    try {
      const builder = new SeriesBuilder(job.selection);
      await scanRange(handle, job, builder);
      return { kind: 'part', part: builder.part() };
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof ScanGaveUp) return { kind: 'gaveUp', reason: error.message };
    return {
      kind: 'failed',
      message: (error as Error).message,
      code: (error as NodeJS.ErrnoException).code ?? null,
    };
  }
}

const answer = await run();
// The rows move to the main thread rather than being copied.
port.postMessage(answer, answer.kind === 'part' ? answer.part.rows.map((row) => row.buffer) : []);
