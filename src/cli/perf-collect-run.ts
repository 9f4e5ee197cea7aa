/**
 * What `sqlmig perf collect` does, with its surroundings injectable (the connection, the clock, the
 * streams, the signals, the recommender) so that tests run it against a scripted source: connect,
 * check the login's permissions and the version, then collect into the output folder until Ctrl-C.
 * The first Ctrl-C (or SIGTERM) writes the partial window and closes the connection, exit code 0; a
 * second one forces exit 130. With a recommender, an updated recommendation follows each window.
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';

import type { SqlConnection } from '../sql/index.js';
import {
  createPerfCollector,
  perfDataFolderSink,
  readSourceFacts,
  releaseName,
  type CollectClock,
} from '../sizing/index.js';
import { PerfProgress, plural, type ProgressStream } from './perf-progress.js';

export interface PerfCollectSettings {
  readonly output: string;
  readonly perfIntervalMs: number;
  readonly staticIntervalMs: number;
  readonly iterations: number;
}

/** Text to print after a window is written: an updated recommendation from the folder's data. */
export type WindowRecommender = (folder: string) => Promise<string>;

export interface PerfCollectIo {
  readonly connect: () => Promise<SqlConnection>;
  readonly stdout: ProgressStream;
  readonly stderr: ProgressStream;
  readonly signals: {
    on(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
    off(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  };
  /** Ends the process at once (a second Ctrl-C). */
  readonly forceExit: (code: number) => void;
  readonly clock?: CollectClock;
  readonly recommend?: WindowRecommender;
}

/** Exit codes: 0 collected and stopped, 1 could not connect, collect or write. */
export async function runPerfCollect(
  settings: PerfCollectSettings,
  io: PerfCollectIo,
): Promise<number> {
  const progress = new PerfProgress(io.stderr);
  const folder = resolve(settings.output);
  let connection: SqlConnection;
  try {
    await mkdir(folder, { recursive: true });
    connection = await io.connect();
  } catch (error) {
    progress.line(`sqlmig: ${messageOf(error)}`);
    return 1;
  }
  try {
    const facts = await readSourceFacts(connection);
    const sink = perfDataFolderSink(folder, facts.filePrefix);
    const windowMinutes = (settings.perfIntervalMs * settings.iterations) / 60_000;
    progress.line(
      `Collecting from ${facts.serverName} (${releaseName(facts.version)}, ${plural(facts.logicalCpuCount, 'logical CPU')}, ${facts.physicalMemoryMb} MB) as ${facts.loginName}: a sample every ${settings.perfIntervalMs / 1000} s, a window of ${settings.iterations} written every ${Number(windowMinutes.toFixed(2))} min to ${sink.files.aggregated} (static data every ${settings.staticIntervalMs / 1000} s). Ctrl-C stops, writing what it has first.`,
    );
    const collector = createPerfCollector({
      connection,
      facts,
      sink,
      perfIntervalMs: settings.perfIntervalMs,
      staticIntervalMs: settings.staticIntervalMs,
      iterations: settings.iterations,
      ...(io.clock ? { clock: io.clock } : {}),
      onEvent: async (event) => {
        progress.event(event);
        if (event.kind === 'window' && io.recommend) {
          try {
            io.stdout.write(`${await io.recommend(folder)}\n`);
          } catch (error) {
            progress.line(
              `No recommendation after window ${event.windowsWritten}: ${messageOf(error)}`,
            );
          }
        }
      },
    });
    let stopping = false;
    const stop = () => {
      if (stopping) {
        io.forceExit(130);
        return;
      }
      stopping = true;
      progress.line('Stopping: writing the samples of the current window… (Ctrl-C again forces)');
      collector.stop();
    };
    io.signals.on('SIGINT', stop);
    io.signals.on('SIGTERM', stop);
    try {
      const summary = await collector.run();
      progress.line(
        `Stopped: ${plural(summary.samplesTaken, 'sample')} taken, ${plural(summary.windowsWritten, 'window')} written${summary.flushedSamples > 0 ? ` (the last one partial, holding ${plural(summary.flushedSamples, 'sample')})` : ''}, in ${folder}.`,
      );
      return 0;
    } finally {
      io.signals.off('SIGINT', stop);
      io.signals.off('SIGTERM', stop);
    }
  } catch (error) {
    progress.line(`sqlmig: ${messageOf(error)}`);
    return 1;
  } finally {
    await connection.close();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
