/**
 * One window of samples turned into counter aggregates, with the reference files' counter codes:
 * instance IM (memory in use, MB), IMP (memory %), ICP (CPU %); per file FRM/FWM (MB read/written per
 * second), FNR/FNW (reads/writes per second), FRL/FWL (ms per read/write); per database DCS (buffer
 * pool, MB) and DCP (CPU %). Both CPU % are of the logical CPUs SQL Server uses (its visible online
 * schedulers), the reading `sqlmig sku recommend` gives ICP: the ring buffer's process utilisation is a
 * % of the whole machine, so it is scaled by logical CPUs / CPUs used — no change when SQL Server uses
 * them all, the usual case.
 *
 * Point counters (IM, IMP, ICP, DCS) count every sample. Rate counters come from the difference of
 * two consecutive samples of the same window, so a window of 20 samples has 19 of them, as in the
 * reference files (Occurence 20 and 19). A difference is left out, not guessed, when the instance
 * restarted between the two samples (its start time changed: every counter began again), when a
 * counter went down (a database dropped and created again, plans leaving the cache), and for a file
 * or database that is not in both samples (added or dropped meanwhile).
 */
import { RunningStats, type CounterAggregates } from './running-stats.js';
import type { FileIoCounters, PerfSample } from './sampler.js';

export type InstanceCounter = 'IM' | 'IMP' | 'ICP';
export type FileCounter = 'FRM' | 'FWM' | 'FNW' | 'FNR' | 'FRL' | 'FWL';
export type DatabaseCounter = 'DCS' | 'DCP';
export type CounterCode = InstanceCounter | FileCounter | DatabaseCounter;

/** One counter's aggregates over the window; database and file are empty where they do not apply. */
export interface WindowAggregate {
  readonly databaseName: string;
  readonly databaseFileName: string;
  readonly fileType: string;
  readonly counter: CounterCode;
  readonly aggregates: CounterAggregates;
}

const bytesPerMb = 1024 * 1024;

export class PerfWindow {
  /** Machine % → % of the CPUs SQL Server uses. */
  readonly #cpuScale: number;
  readonly #coresUsed: number;
  /** Series by key, in the order first seen (instance, then files and databases as they appear). */
  readonly #series = new Map<
    string,
    { readonly key: Omit<WindowAggregate, 'aggregates'>; readonly stats: RunningStats }
  >();
  #previous: PerfSample | undefined;
  #samples = 0;
  #restarts = 0;

  constructor(cpus: { readonly logicalCpuCount: number; readonly coresUsed: number }) {
    const logical = Math.max(1, cpus.logicalCpuCount);
    this.#coresUsed = Math.min(logical, Math.max(1, cpus.coresUsed));
    this.#cpuScale = logical / this.#coresUsed;
  }

  get sampleCount(): number {
    return this.#samples;
  }

  /** How many times the instance was seen to have restarted within the window. */
  get restarts(): number {
    return this.#restarts;
  }

  /** The source's local time of the last sample: the window's TimeDataCollected. */
  get lastServerTime(): string | undefined {
    return this.#previous?.serverTime;
  }

  add(sample: PerfSample): void {
    this.#samples += 1;
    this.#record('', '', '', 'IM', Math.floor(sample.memoryInUseKb / 1024));
    this.#record('', '', '', 'IMP', sample.memoryUtilizationPercent);
    if (sample.cpuPercent !== null)
      this.#record('', '', '', 'ICP', Math.min(100, sample.cpuPercent * this.#cpuScale));
    const databases = databasesOf(sample);
    for (const name of databases)
      this.#record(name, '', '', 'DCS', round2(((sample.bufferPages.get(name) ?? 0) * 8) / 1024));
    const previous = this.#previous;
    this.#previous = sample;
    if (!previous) return;
    if (previous.sqlStartTime !== sample.sqlStartTime) {
      this.#restarts += 1;
      return;
    }
    const seconds = (sample.atMs - previous.atMs) / 1000;
    if (!(seconds > 0)) return;
    const before = new Map(previous.files.map((f) => [fileKey(f), f]));
    for (const file of sample.files) {
      const old = before.get(fileKey(file));
      if (old) this.#fileRates(file, old, seconds);
    }
    const databasesBefore = databasesOf(previous);
    for (const name of databases) {
      if (!databasesBefore.has(name)) continue;
      const used = (sample.databaseCpuUs.get(name) ?? 0) - (previous.databaseCpuUs.get(name) ?? 0);
      if (used >= 0)
        this.#record(name, '', '', 'DCP', (used / (seconds * 1e6 * this.#coresUsed)) * 100);
    }
  }

  /**
   * The aggregates of every counter that has a value: instance counters, then file counters, then
   * database counters, each group in the order its series were first seen.
   */
  aggregates(): WindowAggregate[] {
    const out: WindowAggregate[] = [];
    for (const { key, stats } of this.#series.values()) {
      const aggregates = stats.aggregates();
      if (aggregates) out.push({ ...key, aggregates });
    }
    const group = (a: WindowAggregate) => (a.databaseName === '' ? 0 : a.databaseFileName ? 1 : 2);
    return out.sort((a, b) => group(a) - group(b));
  }

  #fileRates(now: FileIoCounters, then: FileIoCounters, seconds: number): void {
    const d = {
      reads: now.reads - then.reads,
      bytesRead: now.bytesRead - then.bytesRead,
      readStallMs: now.readStallMs - then.readStallMs,
      writes: now.writes - then.writes,
      bytesWritten: now.bytesWritten - then.bytesWritten,
      writeStallMs: now.writeStallMs - then.writeStallMs,
    };
    if (Object.values(d).some((v) => v < 0)) return;
    const values: readonly (readonly [FileCounter, number])[] = [
      ['FRM', d.bytesRead / bytesPerMb / seconds],
      ['FWM', d.bytesWritten / bytesPerMb / seconds],
      ['FNW', d.writes / seconds],
      ['FNR', d.reads / seconds],
      ['FRL', d.reads > 0 ? d.readStallMs / d.reads : 0],
      ['FWL', d.writes > 0 ? d.writeStallMs / d.writes : 0],
    ];
    for (const [counter, value] of values)
      this.#record(now.databaseName, now.physicalName, now.fileType, counter, value);
  }

  #record(
    databaseName: string,
    databaseFileName: string,
    fileType: string,
    counter: CounterCode,
    value: number,
  ): void {
    const id = `${counter}\u0000${databaseName}\u0000${databaseFileName}`;
    let series = this.#series.get(id);
    if (!series) {
      series = {
        key: { databaseName, databaseFileName, fileType, counter },
        stats: new RunningStats(),
      };
      this.#series.set(id, series);
    }
    series.stats.add(value);
  }
}

/** The user databases a sample saw: those with files, plans or pages. */
function databasesOf(sample: PerfSample): Set<string> {
  return new Set([
    ...sample.files.map((f) => f.databaseName),
    ...sample.databaseCpuUs.keys(),
    ...sample.bufferPages.keys(),
  ]);
}

function fileKey(file: FileIoCounters): string {
  return `${file.databaseName}\u0000${file.physicalName}`;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
