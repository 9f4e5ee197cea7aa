/**
 * `sqlmig sku recommend`, run as a user runs it (the built command in a child process), over the
 * corpus's perf data: the text and JSON reports, the HTML file, a usage error; and the built reader's
 * worker threads (their module beside the compiled one) scanning a file in ranges.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

import { describe, expect, it } from 'vitest';

import { projectRoot } from '../support/corpus.js';
import {
  hasPerfDataCorpus,
  perfDataCorpus,
  perfDataSkipReason,
} from '../support/perf-data-corpus.js';
import { writeSyntheticPerfData } from '../support/synthetic-perf-data.js';

const run = promisify(execFile);
const cli = join(projectRoot, 'dist', 'cli', 'main.js');

async function sqlmig(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, [cli, ...args]).then(
    (r) => ({ code: 0, ...r }),
    (e: unknown) => e as { code: number; stdout: string; stderr: string },
  );
}

describe.skipIf(!hasPerfDataCorpus)(
  `sqlmig sku recommend (built command; ${perfDataSkipReason})`,
  () => {
    it('recommends from the corpus data as text, JSON and HTML', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'sqlmig-sku-cli-'));
      try {
        const html = join(dir, 'report.html');
        const text = await sqlmig([
          'sku',
          'recommend',
          '--perf-data',
          perfDataCorpus,
          '--html',
          html,
        ]);
        expect(text.code).toBe(0);
        expect(text.stdout).toContain(
          'Recommended: General Purpose, standard-series (Gen5), 4 vCores, 32 GB',
        );
        expect(text.stdout).toContain('Confidence: *.... 1/5');
        expect(await readFile(html, 'utf8')).toContain('<svg ');
        const json = await sqlmig([
          'sku',
          'recommend',
          '--perf-data',
          perfDataCorpus,
          '--json',
          '--databases',
          'test1',
        ]);
        const report = JSON.parse(json.stdout) as {
          status: string;
          requirements: { files: number };
        };
        expect(report).toMatchObject({ status: 'Recommended', requirements: { files: 2 } });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('refuses options it cannot use, with exit code 2', async () => {
      const result = await sqlmig([
        'sku',
        'recommend',
        '--perf-data',
        perfDataCorpus,
        '--databases',
        'a',
        '--exclude-databases',
        'b',
      ]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('give --databases or --exclude-databases, not both');
    });
  },
);

describe('the built reader of the aggregated file', () => {
  it('scans it in ranges on worker threads of its own, as on one thread', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sqlmig-sku-threads-'));
    try {
      const prefix = await writeSyntheticPerfData(dir, {
        windows: 30,
        databases: [
          {
            name: 'Sales',
            files: [
              { type: 'ROWS', sizeMB: 1024 },
              { type: 'LOG', sizeMB: 256 },
            ],
          },
        ],
        cpuPercent: (w) => 10 + w,
        io: (w) => ({
          reads: w,
          writes: 2 * w,
          readMB: w / 4,
          writeMB: w / 8,
          readLatencyMs: 3,
          writeLatencyMs: 1,
        }),
      });
      const module = pathToFileURL(
        join(projectRoot, 'dist', 'sizing', 'requirements', 'series-threads.js'),
      ).href;
      const file = join(dir, `${prefix}_PerformanceAggregated_Counters.csv`);
      // In a plain Node process, as the command runs: the thread loads the compiled module.
      const script = `
        const { readAggregatedSeries } = await import(${JSON.stringify(module)});
        const read = async (threads) => {
          const r = await readAggregatedSeries(${JSON.stringify(file)}, {}, { threads });
          return { reader: r.reader, threads: r.threads, onWorkers: r.onWorkers, series: r.builder.finish() };
        };
        const [one, three] = [await read(1), await read(3)];
        console.log(JSON.stringify({ one, three }));`;
      // A script file, not --eval: a thread inherits the process's flags, and --input-type would
      // stop it from loading its module (the scan would then run on this thread, as it should).
      const scriptFile = join(dir, 'read.mjs');
      await writeFile(scriptFile, script);
      const { stdout } = await run(process.execPath, [scriptFile]);
      const { one, three } = JSON.parse(stdout) as Record<
        'one' | 'three',
        { reader: string; threads: number; onWorkers: number; series: { times: string[] } }
      >;
      expect(one).toMatchObject({ reader: 'scan', threads: 1, onWorkers: 0 });
      expect(one.series.times).toHaveLength(30);
      expect(three).toMatchObject({ reader: 'scan', threads: 3, onWorkers: 3 });
      expect(three.series).toEqual(one.series);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
