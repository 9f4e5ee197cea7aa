/**
 * `sqlmig perf collect --server HOST[:PORT] --sql-user NAME --output DIR`: performance data from a live
 * SQL Server (2008 to 2022) into the three perf-data files the SKU recommendation reads. The password
 * comes from SQLMIG_SQL_PASSWORD, never from the command line. The work is in `perf-collect-run.ts`;
 * `--recommend` runs `sqlmig sku recommend`'s recommender on the folder after each window.
 */
import { Option, type Command } from 'commander';

import { recommendSku } from '../sizing/index.js';
import { openSqlConnection } from '../sql/index.js';
import { runPerfCollect, type WindowRecommender } from './perf-collect-run.js';

interface PerfCollectOptions {
  readonly server: string;
  readonly sqlUser?: string;
  readonly sqlTrustServerCertificate: boolean;
  readonly output: string;
  readonly perfInterval: number;
  readonly staticInterval: number;
  readonly iterations: number;
  readonly recommend: boolean;
}

export function registerPerfCommands(program: Command): void {
  const perf = program.command('perf').description('Performance data of a source SQL Server.');
  perf
    .command('collect')
    .description(
      "Collect performance data from a SQL Server until Ctrl-C: samples of its DMVs aggregated into windows appended to <server>_PerformanceAggregated_Counters.csv, and the instance's and databases' static data, in DIR",
    )
    .requiredOption('--server <host[:port]>', 'the source SQL Server (2008 or later)')
    .option(
      '--sql-user <name>',
      'the SQL login (VIEW SERVER STATE and VIEW ANY DEFINITION); its password in SQLMIG_SQL_PASSWORD',
    )
    .option(
      '--sql-trust-server-certificate',
      "accept the instance's TLS certificate without checking it (a self-signed one)",
      false,
    )
    .requiredOption(
      '--output <dir>',
      'the folder of the perf-data files (created if needed; a second run appends)',
    )
    .addOption(
      new Option('--perf-interval <s>', 'seconds between samples')
        .argParser(whole('--perf-interval', 1, 3600))
        .default(30),
    )
    .addOption(
      new Option('--static-interval <s>', 'seconds between reads of the static data')
        .argParser(whole('--static-interval', 1, 86_400))
        .default(60),
    )
    .addOption(
      new Option('--iterations <n>', 'samples per window written')
        .argParser(whole('--iterations', 2, 10_000))
        .default(20),
    )
    .option('--recommend', 'print an updated SKU recommendation after each window written', false)
    .action(async (options: PerfCollectOptions) => {
      const found = /^([^:\s]+)(?::(\d{1,5}))?$/.exec(options.server);
      if (!found?.[1]) throw new Error(`--server takes host or host:port, not ${options.server}.`);
      const host = found[1];
      const port = found[2] ? Number(found[2]) : undefined;
      const password = process.env.SQLMIG_SQL_PASSWORD;
      if (!options.sqlUser || password === undefined)
        throw new Error(
          '--server needs the SQL login: --sql-user NAME, and its password in SQLMIG_SQL_PASSWORD (not on the command line, where other users of this machine could see it).',
        );
      const user = options.sqlUser;
      process.exitCode = await runPerfCollect(
        {
          output: options.output,
          perfIntervalMs: options.perfInterval * 1000,
          staticIntervalMs: options.staticInterval * 1000,
          iterations: options.iterations,
        },
        {
          connect: () =>
            openSqlConnection({
              server: host,
              ...(port ? { port } : {}),
              user,
              password,
              ...(options.sqlTrustServerCertificate ? { trustServerCertificate: true } : {}),
            }),
          stdout: process.stdout,
          stderr: process.stderr,
          signals: process,
          forceExit: (code) => process.exit(code),
          ...(options.recommend ? { recommend: windowRecommender } : {}),
        },
      );
    });
}

/**
 * What `--recommend` prints after each window: the recommender of `sizing/` (the one behind `sqlmig sku
 * recommend`, default method: 95th percentile, scaling 100 %) run over the whole output folder.
 */
export const windowRecommender: WindowRecommender = async (folder) => {
  const r = await recommendSku(folder);
  const minutes = Number(r.perfData.sampledMinutes.toFixed(1));
  return `Recommendation after ${r.perfData.windows} ${r.perfData.windows === 1 ? 'window' : 'windows'} (${minutes} min of data, confidence ${r.confidence.stars}/5): ${r.summary}`;
};

function whole(flag: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new Error(`${flag} takes a whole number from ${min} to ${max}, not ${value}.`);
    return n;
  };
}
