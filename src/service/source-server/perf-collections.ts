/**
 * The wizard's "collect now": performance data collected by the service from the source into a folder
 * (`sizing/`'s collector, the loop behind `sqlmig perf collect`), until stopped. Each collection holds
 * its own connection, opened with the password given at the start and never kept elsewhere; its
 * status is kept in memory. A service restart ends its collections: what they wrote stays in the
 * folder, and a new collection into it appends. One collection at a time per folder.
 */
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { setTimeout as sleepFor } from 'node:timers/promises';

import type { PerfCollectionStatus, SourceConnectionInput } from '../../api-contract/index.js';
import {
  createPerfCollector,
  perfDataFolderSink,
  readSourceFacts,
  type CollectClock,
  type PerfCollector,
} from '../../sizing/index.js';
import type { SqlConnection } from '../../sql/index.js';
import { connectionOptionsOf, type SourceConnector } from './source-connection.js';
import { SourceServerError } from './source-server-error.js';

export interface PerfCollectionsOptions {
  readonly connect: SourceConnector;
  /** Default: the system's, with timers that do not keep the process alive. */
  readonly clock?: CollectClock;
  /** Default 30 s, 60 s and 20 (10-minute windows), as `sqlmig perf collect`. */
  readonly perfIntervalMs?: number;
  readonly staticIntervalMs?: number;
  readonly iterations?: number;
}

interface Entry {
  status: PerfCollectionStatus;
  readonly collector: PerfCollector;
  readonly finished: Promise<void>;
}

/** The system clock whose waits do not keep the process alive (the service may exit meanwhile). */
const serviceClock: CollectClock = {
  now: () => Date.now(),
  sleep: async (ms, signal) => {
    if (signal.aborted) return;
    try {
      await sleepFor(ms, undefined, { signal, ref: false });
    } catch {
      // Aborted: the collector looks at its own state.
    }
  },
};

export class PerfCollections {
  readonly #options: PerfCollectionsOptions;
  readonly #entries = new Map<string, Entry>();

  constructor(options: PerfCollectionsOptions) {
    this.#options = options;
  }

  async start(input: SourceConnectionInput, perfDataFolder: string): Promise<PerfCollectionStatus> {
    const folder = resolve(perfDataFolder);
    const running = [...this.#entries.values()].find(
      (e) => e.status.folder === folder && isLive(e.status.state),
    );
    if (running)
      throw new SourceServerError(
        'CollectionRunning',
        `A collection (${running.status.id}) is already writing into ${folder}; stop it first, or collect into another folder.`,
      );
    const options = connectionOptionsOf(input);
    await mkdir(folder, { recursive: true });
    const connection = await this.#options.connect(options);
    let collector: PerfCollector;
    let status: PerfCollectionStatus;
    try {
      const facts = await readSourceFacts(connection);
      status = {
        id: randomUUID(),
        folder,
        serverName: facts.serverName,
        state: 'running',
        startedAt: new Date().toISOString(),
        endedAt: null,
        samplesTaken: 0,
        windowsWritten: 0,
        nextWriteInMs: null,
        error: null,
      };
      collector = createPerfCollector({
        connection,
        facts,
        sink: perfDataFolderSink(folder, facts.filePrefix),
        clock: this.#options.clock ?? serviceClock,
        ...(this.#options.perfIntervalMs ? { perfIntervalMs: this.#options.perfIntervalMs } : {}),
        ...(this.#options.staticIntervalMs
          ? { staticIntervalMs: this.#options.staticIntervalMs }
          : {}),
        ...(this.#options.iterations ? { iterations: this.#options.iterations } : {}),
        onEvent: (event) => {
          const entry = this.#entries.get(status.id);
          if (!entry) return;
          if (event.kind === 'sample')
            entry.status = {
              ...entry.status,
              samplesTaken: event.samplesTaken,
              windowsWritten: event.windowsWritten,
              nextWriteInMs: event.nextWriteInMs,
            };
          else if (event.kind === 'window')
            entry.status = { ...entry.status, windowsWritten: event.windowsWritten };
        },
      });
    } catch (error) {
      await connection.close().catch(() => undefined);
      throw error;
    }
    const id = status.id;
    const finished = this.#run(id, collector, connection);
    this.#entries.set(id, { status, collector, finished });
    return status;
  }

  get(id: string): PerfCollectionStatus | undefined {
    return this.#entries.get(id)?.status;
  }

  list(): PerfCollectionStatus[] {
    return [...this.#entries.values()].map((e) => e.status);
  }

  /** Asks the collection to end (its partial window is written) and waits until it has. */
  async stop(id: string): Promise<PerfCollectionStatus | undefined> {
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    if (isLive(entry.status.state)) entry.status = { ...entry.status, state: 'stopping' };
    entry.collector.stop();
    await entry.finished;
    return this.#entries.get(id)?.status;
  }

  /** Stops every collection (the service is closing). */
  async close(): Promise<void> {
    await Promise.all([...this.#entries.keys()].map((id) => this.stop(id)));
  }

  async #run(id: string, collector: PerfCollector, connection: SqlConnection): Promise<void> {
    // Started on the next turn, so the entry is in the map before the first event.
    await Promise.resolve();
    let error: { code: string; message: string } | null = null;
    try {
      const summary = await collector.run();
      this.#update(id, {
        samplesTaken: summary.samplesTaken,
        windowsWritten: summary.windowsWritten,
      });
    } catch (failure) {
      error = {
        code:
          failure instanceof Error && 'code' in failure && typeof failure.code === 'string'
            ? failure.code
            : 'CollectionFailed',
        message: failure instanceof Error ? failure.message : String(failure),
      };
    } finally {
      await connection.close().catch(() => undefined);
    }
    this.#update(id, {
      state: error ? 'failed' : 'stopped',
      endedAt: new Date().toISOString(),
      nextWriteInMs: null,
      error,
    });
  }

  #update(id: string, change: Partial<PerfCollectionStatus>): void {
    const entry = this.#entries.get(id);
    if (entry) entry.status = { ...entry.status, ...change };
  }
}

function isLive(state: PerfCollectionStatus['state']): boolean {
  return state === 'running' || state === 'stopping';
}
