/**
 * The collection loop: a sample every `perfIntervalMs`, the static data every `staticIntervalMs`, and
 * a window of aggregates persisted every `iterations` samples, until `stop()`.
 *
 * States: `ready` → `running` (run() called) → `stopping` (stop() called: the statement in flight
 * finishes, the sleep ends at once) → `stopped` (the partial window, if it holds a sample, persisted);
 * or `failed` (the partial window persisted too, then run() rejects). `run()` is refused unless
 * `ready`; `stop()` is a no-op once stopping. A sample that fails is reported and retried at the next
 * tick; after `maxConsecutiveFailures` failures in a row, or at once for a refused permission, the
 * collection ends as `failed`. Ticks are on a fixed schedule from the start; ticks missed because the
 * source answered slowly are skipped, not caught up in a burst.
 */
import type { SqlConnection } from '../../sql/index.js';
import { CollectError } from './collect-error.js';
import { systemClock, type CollectClock } from './collect-clock.js';
import { aggregateRecords, type PerfDataSink } from './perf-data-sink.js';
import { PerfWindow } from './perf-window.js';
import { takeSample } from './sampler.js';
import type { SourceFacts } from './source-facts.js';
import { readStaticSnapshot } from './static-snapshot.js';
import type { AggregatedCounterRecord } from '../perf-data/records.js';

export type CollectorState = 'ready' | 'running' | 'stopping' | 'stopped' | 'failed';

export const maxConsecutiveFailures = 3;

export interface PerfCollectorOptions {
  readonly connection: SqlConnection;
  readonly facts: SourceFacts;
  readonly sink: PerfDataSink;
  /** Default 30 s. */
  readonly perfIntervalMs?: number;
  /** Default 60 s. */
  readonly staticIntervalMs?: number;
  /** Samples per persisted window; default 20 (10 minutes of 30-second samples). */
  readonly iterations?: number;
  readonly clock?: CollectClock;
  /** Told of every step; awaited, so a window's listener runs before the next sample. */
  readonly onEvent?: (event: CollectEvent) => void | Promise<void>;
}

export interface PersistedWindow {
  readonly records: readonly AggregatedCounterRecord[];
  readonly sampleCount: number;
  /** True when written by stop() or a failure before it held `iterations` samples. */
  readonly partial: boolean;
  readonly timeDataCollected: string;
  /** Restarts of the source seen within the window (rates across one are left out). */
  readonly restarts: number;
}

export type CollectEvent =
  | {
      readonly kind: 'static';
      readonly databases: number;
      readonly files: number;
      /** Databases whose memory-optimized filegroups could not be read (taken as none). */
      readonly unreadable: readonly string[];
    }
  | {
      readonly kind: 'sample';
      readonly samplesTaken: number;
      readonly samplesInWindow: number;
      readonly windowsWritten: number;
      /** Until the current window is written, if the collection goes on. */
      readonly nextWriteInMs: number;
    }
  | { readonly kind: 'window'; readonly window: PersistedWindow; readonly windowsWritten: number }
  | { readonly kind: 'sampleFailed'; readonly error: Error; readonly consecutive: number };

export interface CollectSummary {
  readonly samplesTaken: number;
  readonly windowsWritten: number;
  /** Samples in the partial window written at the end (0 when the last window was complete). */
  readonly flushedSamples: number;
}

export interface PerfCollector {
  readonly state: CollectorState;
  /** Collects until stop(); resolves with what was done, or rejects after persisting what it had. */
  run(): Promise<CollectSummary>;
  /** Asks the collection to end: the partial window is persisted, then run() resolves. */
  stop(): void;
}

export function createPerfCollector(options: PerfCollectorOptions): PerfCollector {
  return new Collector(compile(options));
}

type Compiled = Required<Omit<PerfCollectorOptions, 'onEvent'>> &
  Pick<PerfCollectorOptions, 'onEvent'>;

function compile(options: PerfCollectorOptions): Compiled {
  const compiled = {
    perfIntervalMs: 30_000,
    staticIntervalMs: 60_000,
    iterations: 20,
    clock: systemClock,
    ...options,
  };
  for (const [name, value, least] of [
    ['perfIntervalMs', compiled.perfIntervalMs, 1],
    ['staticIntervalMs', compiled.staticIntervalMs, 1],
    ['iterations', compiled.iterations, 2],
  ] as const)
    if (!Number.isInteger(value) || value < least)
      throw new CollectError(
        'InvalidOption',
        `${name} must be a whole number of at least ${least}, not ${value}${name === 'iterations' ? ' (rates need two samples in a window)' : ''}.`,
      );
  return compiled;
}

class Collector implements PerfCollector {
  readonly #o: Compiled;
  readonly #abort = new AbortController();
  #state: CollectorState = 'ready';
  #samplesTaken = 0;
  #windowsWritten = 0;

  constructor(options: Compiled) {
    this.#o = options;
  }

  get state(): CollectorState {
    return this.#state;
  }

  stop(): void {
    if (this.#state === 'ready') this.#state = 'stopped';
    if (this.#state !== 'running') return;
    this.#state = 'stopping';
    this.#abort.abort();
  }

  async run(): Promise<CollectSummary> {
    if (this.#state !== 'ready')
      throw new CollectError(
        'InvalidState',
        `The collector is ${this.#state}; run() starts a ready one only.`,
      );
    this.#state = 'running';
    const { clock, perfIntervalMs, staticIntervalMs, iterations } = this.#o;
    let window = new PerfWindow(this.#o.facts);
    let nextSample = clock.now();
    let nextStatic = nextSample;
    // Failures in a row, counted apart: a static read that works says nothing of the samples.
    let sampleFailures = 0;
    let staticFailures = 0;
    try {
      while (this.#running()) {
        if (clock.now() >= nextStatic) {
          nextStatic = after(nextStatic, staticIntervalMs, clock.now());
          staticFailures = await this.#attempt(staticFailures, () => this.#readStatic());
        }
        if (this.#running() && clock.now() >= nextSample) {
          nextSample = after(nextSample, perfIntervalMs, clock.now());
          sampleFailures = await this.#attempt(sampleFailures, async () => {
            window.add(await takeSample(this.#o.connection, this.#o.facts, clock.now()));
            this.#samplesTaken += 1;
            if (window.sampleCount >= iterations) {
              await this.#persist(window, false);
              window = new PerfWindow(this.#o.facts);
            }
            const toGo = iterations - window.sampleCount - 1;
            await this.#emit({
              kind: 'sample',
              samplesTaken: this.#samplesTaken,
              samplesInWindow: window.sampleCount,
              windowsWritten: this.#windowsWritten,
              nextWriteInMs: Math.max(0, nextSample + toGo * perfIntervalMs - clock.now()),
            });
          });
        }
        const wait = Math.min(nextSample, nextStatic) - clock.now();
        if (wait > 0 && this.#running()) await clock.sleep(wait, this.#abort.signal);
      }
    } catch (error) {
      this.#state = 'failed';
      if (window.sampleCount > 0) await this.#persist(window, true).catch(() => undefined);
      throw error;
    }
    const flushedSamples = window.sampleCount;
    if (flushedSamples > 0) await this.#persist(window, true);
    this.#state = 'stopped';
    return {
      samplesTaken: this.#samplesTaken,
      windowsWritten: this.#windowsWritten,
      flushedSamples,
    };
  }

  /** A method, not an inline test: stop() changes the state while run() awaits. */
  #running(): boolean {
    return this.#state === 'running';
  }

  /** Runs one step; a failure is reported and counted, and ends the collection when it must. */
  async #attempt(failures: number, step: () => Promise<void>): Promise<number> {
    try {
      await step();
      return 0;
    } catch (error) {
      const fatal =
        !(error instanceof CollectError) ||
        error.code === 'PermissionDenied' ||
        failures + 1 >= maxConsecutiveFailures;
      if (fatal) throw error;
      await this.#emit({ kind: 'sampleFailed', error, consecutive: failures + 1 });
      return failures + 1;
    }
  }

  async #readStatic(): Promise<void> {
    const snapshot = await readStaticSnapshot(this.#o.connection, this.#o.facts);
    await this.#o.sink.writeStatic(snapshot);
    await this.#emit({
      kind: 'static',
      databases: snapshot.instance.numberOfUserDatabases,
      files: snapshot.files.length,
      unreadable: snapshot.unreadable.map((u) => u.database),
    });
  }

  async #persist(window: PerfWindow, partial: boolean): Promise<void> {
    const timeDataCollected = window.lastServerTime ?? '';
    const records = aggregateRecords(
      this.#o.facts.serverName,
      timeDataCollected,
      window.aggregates(),
    );
    await this.#o.sink.appendWindow(records);
    this.#windowsWritten += 1;
    await this.#emit({
      kind: 'window',
      window: {
        records,
        sampleCount: window.sampleCount,
        partial,
        timeDataCollected,
        restarts: window.restarts,
      },
      windowsWritten: this.#windowsWritten,
    });
  }

  async #emit(event: CollectEvent): Promise<void> {
    await this.#o.onEvent?.(event);
  }
}

/** The next tick after `tick`, skipping those already past. */
function after(tick: number, intervalMs: number, now: number): number {
  let next = tick + intervalMs;
  if (next <= now) next += Math.ceil((now - next + 1) / intervalMs) * intervalMs;
  return next;
}
