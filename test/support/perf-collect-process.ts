/**
 * TEST STAND-IN — `sqlmig perf collect` as a process, against the scripted source instead of a SQL
 * Server (none runs on the project's machines): the command's own run (`runPerfCollect`) with the real
 * clock, the real process signals and stderr, so a test can send it Ctrl-C (SIGINT) and watch it write
 * the partial window and exit. Run with `node --import tsx perf-collect-process.ts DIR PERF_MS
 * ITERATIONS [--recommend]`; the recommender given with --recommend is a stand-in too: it reports how
 * many windows the folder's aggregated file held when it was called.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { runPerfCollect } from '../../src/cli/perf-collect-run.js';
import { ScriptedSqlSource } from './scripted-sql-source.js';

const [output = '', perfMs = '50', iterations = '4', flag] = process.argv.slice(2);
const source = new ScriptedSqlSource().addDatabase('Sales');
source.bufferPages.set('Sales', 640);
let started = Date.now();
const grow = setInterval(() => {
  // IO accumulates as time passes: 20 reads a second.
  const file = source.files[0];
  if (file) file.reads += ((Date.now() - started) / 1000) * 20;
  started = Date.now();
}, 10);

process.exitCode = await runPerfCollect(
  {
    output,
    perfIntervalMs: Number(perfMs),
    staticIntervalMs: 1000,
    iterations: Number(iterations),
  },
  {
    connect: () => Promise.resolve(source.connection),
    stdout: process.stdout,
    stderr: process.stderr,
    signals: process,
    forceExit: (code) => process.exit(code),
    ...(flag === '--recommend'
      ? {
          recommend: async (folder: string) => {
            const text = await readFile(
              join(folder, 'SQL01,MSSQLSERVER_PerformanceAggregated_Counters.csv'),
              'utf8',
            );
            const windows = text.split('\n').filter((l) => l.includes(',IM,Occurence,')).length;
            return `stand-in recommendation over ${windows} window(s)`;
          },
        }
      : {}),
  },
);
clearInterval(grow);
process.stderr.write(`closed: ${String(source.connection.closed)}\n`);
