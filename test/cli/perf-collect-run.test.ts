/**
 * `sqlmig perf collect`'s run in process, over the scripted source (stand-in) and a virtual clock:
 * Ctrl-C twice forces exit 130, a permission missing at the start is said with the GRANT and exit 1,
 * and the progress on a terminal is one line rewritten in place.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { runPerfCollect, type PerfCollectIo } from '../../src/cli/perf-collect-run.js';
import { PerfProgress } from '../../src/cli/perf-progress.js';
import { ScriptedSqlSource } from '../support/scripted-sql-source.js';
import { VirtualClock } from '../support/virtual-clock.js';

let folder = '';
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'sqlmig-perf-run-'));
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

function io(source: ScriptedSqlSource, clock: VirtualClock) {
  const listeners = new Map<string, () => void>();
  const out = { stdout: '', stderr: '', exits: [] as number[] };
  const value: PerfCollectIo = {
    connect: () => Promise.resolve(source.connection),
    stdout: { write: (t: string) => (out.stdout += t) },
    stderr: { write: (t: string) => (out.stderr += t) },
    signals: {
      on: (signal, listener) => listeners.set(signal, listener),
      off: (signal) => listeners.delete(signal),
    },
    forceExit: (code) => out.exits.push(code),
    clock,
  };
  return { io: value, out, signal: (name: string) => listeners.get(name)?.() };
}

const settings = (output: string) => ({
  output,
  perfIntervalMs: 30_000,
  staticIntervalMs: 60_000,
  iterations: 20,
});

describe('runPerfCollect', () => {
  it('stops at the first Ctrl-C and forces exit 130 at the second', async () => {
    const source = new ScriptedSqlSource().addDatabase('Sales');
    const clock = new VirtualClock().onAdvance(source.advance);
    const run = io(source, clock);
    clock.at(95_000, () => {
      run.signal('SIGINT');
      run.signal('SIGINT');
    });
    expect(await runPerfCollect(settings(folder), run.io)).toBe(0);
    expect(run.out.exits).toEqual([130]);
    expect(run.out.stderr).toContain('Stopping: writing the samples of the current window');
    expect(run.out.stderr).toContain(
      'Stopped: 4 samples taken, 1 window written (the last one partial, holding 4 samples)',
    );
    expect(source.connection.closed).toBe(true);
  });

  it('says which permission is missing and the GRANT, exit 1, the connection closed', async () => {
    const source = new ScriptedSqlSource();
    source.viewServerState = 0;
    const run = io(source, new VirtualClock());
    expect(await runPerfCollect(settings(folder), run.io)).toBe(1);
    expect(run.out.stderr).toContain(
      'sqlmig: The login "perf_reader" on a scripted SQL Server connection (test stand-in) lacks VIEW SERVER STATE',
    );
    expect(source.connection.closed).toBe(true);
  });
});

describe('PerfProgress', () => {
  it('rewrites one status line on a terminal, clearing it before a lasting line', () => {
    let text = '';
    const progress = new PerfProgress({ isTTY: true, write: (t: string) => (text += t) });
    progress.event({
      kind: 'sample',
      samplesTaken: 1,
      samplesInWindow: 1,
      windowsWritten: 0,
      nextWriteInMs: 570_000,
    });
    progress.event({
      kind: 'sample',
      samplesTaken: 2,
      samplesInWindow: 2,
      windowsWritten: 0,
      nextWriteInMs: 540_000,
    });
    progress.line('Stopping');
    expect(text).toBe(
      '\r1 sample taken (1 in the current window), 0 windows written, next write in 570 s\u001b[K' +
        '\r2 samples taken (2 in the current window), 0 windows written, next write in 540 s\u001b[K' +
        '\r\u001b[KStopping\n',
    );
  });
});
