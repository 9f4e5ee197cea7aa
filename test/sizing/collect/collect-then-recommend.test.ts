/**
 * What the collector writes is what the recommender reads: half an hour collected from a scripted
 * source (stand-in) on a virtual clock, then `recommendSku` (and `--recommend`'s text) over the folder,
 * its requirements matching the source's load: 10 reads and 4 writes a second, 12 % CPU of 4 cores.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, expect, it } from 'vitest';

import { windowRecommender } from '../../../src/cli/perf-command.js';
import {
  createPerfCollector,
  perfDataFolderSink,
  readSourceFacts,
} from '../../../src/sizing/collect/index.js';
import { recommendSku } from '../../../src/sizing/index.js';
import { ScriptedSqlSource } from '../../support/scripted-sql-source.js';
import { VirtualClock } from '../../support/virtual-clock.js';

let folder = '';
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'sqlmig-perf-recommend-'));
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

it('recommends from 30 minutes of collected data, with the load the source had', async () => {
  const source = new ScriptedSqlSource().addDatabase('Sales', [
    { sizePages: 128 * 1024, rates: { reads: 10, bytesRead: 1024 * 1024, readStallMs: 20 } },
    { type: 'LOG', rates: { writes: 4, bytesWritten: 64 * 1024, writeStallMs: 4 } },
  ]);
  const clock = new VirtualClock().onAdvance(source.advance);
  const facts = await readSourceFacts(source.connection);
  const collector = createPerfCollector({
    connection: source.connection,
    facts,
    sink: perfDataFolderSink(folder, facts.filePrefix),
    clock,
  });
  clock.at(29.5 * 60_000 + 1, () => {
    collector.stop();
  });
  expect(await collector.run()).toEqual({ samplesTaken: 60, windowsWritten: 3, flushedSamples: 0 });

  const r = await recommendSku(folder);
  expect(r.status).toBe('Recommended');
  expect(r.perfData).toMatchObject({ server: 'SQL01,MSSQLSERVER', windows: 3, sampledMinutes: 30 });
  expect(r.requirements.iops).toBeCloseTo(14, 6);
  expect(r.requirements.throughputMBps).toBeCloseTo(1 + 1 / 16, 6);
  expect(r.requirements.storageUsedGB).toBeGreaterThan(1);
  expect(r.recommendation).toBeDefined();

  const text = await windowRecommender(folder);
  expect(text).toMatch(/^Recommendation after 3 windows \(30 min of data, confidence \d\/5\): /);
  expect(text).toContain(r.summary);
});
