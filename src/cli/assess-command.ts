/**
 * `sqlmig assess`: readiness of SQL Server databases for Azure SQL Managed Instance. `--scripts`
 * assesses T-SQL files, folders and .dacpac files offline; `--server` assesses a live instance through
 * a SQL login (`--sql-user`, the password in SQLMIG_SQL_PASSWORD, as `sqlmig up --sql-server` takes
 * them), with its progress on stderr.
 */
import { writeFile } from 'node:fs/promises';

import { Option, type Command } from 'commander';

import {
  AssessmentError,
  assessLive,
  assessScripts,
  renderAssessmentHtml,
  renderAssessmentText,
  serviceTiers,
  type AssessmentReport,
  type ServiceTier,
} from '../assessment/index.js';
import { isSqlError, openSqlConnection, type SqlConnection } from '../sql/index.js';
import { progressDisplay, type ProgressSink } from './assess-progress.js';

export interface AssessCommandOptions {
  readonly scripts?: readonly string[];
  readonly server?: string;
  readonly sqlUser?: string;
  readonly sqlTrustServerCertificate?: boolean;
  /** Comma-separated, for `--server`. */
  readonly databases?: string;
  readonly database?: string;
  readonly tier: ServiceTier;
  readonly json: boolean;
  readonly html?: string;
}

/** What the command reaches outside itself; tests give a scripted connection. */
export interface AssessCommandEnvironment {
  readonly connect?: typeof openSqlConnection;
  readonly password?: string | undefined;
  readonly progress?: ProgressSink;
}

/** Exit codes: 0 assessed, 1 some input could not be read or the server could not be assessed, 2 a usage error. */
export async function runAssessCommand(
  options: AssessCommandOptions,
  environment: AssessCommandEnvironment = {},
): Promise<number> {
  const usage = (message: string): number => {
    process.stderr.write(`sqlmig: ${message}\n`);
    return 2;
  };
  const paths = options.scripts ?? [];
  if (options.server !== undefined && paths.length > 0)
    return usage(
      'assess either a live server (--server) or scripts (--scripts), not both at once.',
    );
  if (options.server === undefined) {
    if (options.databases !== undefined || options.sqlUser !== undefined)
      return usage('--databases and --sql-user go with --server.');
    if (paths.length === 0)
      return usage(
        'say what to assess: --server HOST[:PORT] --sql-user NAME (a live instance), or --scripts PATH… (script folders, SSDT projects, .dacpac files).',
      );
    const report = await assessScripts(paths, {
      tier: options.tier,
      ...(options.database !== undefined ? { database: options.database } : {}),
    });
    return output(report, options);
  }
  if (options.database !== undefined)
    return usage('--database names the database of scripts; with --server use --databases a,b.');
  const found = /^([^:\s,]+)(?::(\d{1,5}))?$/.exec(options.server);
  if (!found?.[1]) return usage(`--server takes host or host:port, not ${options.server}.`);
  const password =
    'password' in environment ? environment.password : process.env.SQLMIG_SQL_PASSWORD;
  if (!options.sqlUser || password === undefined)
    return usage(
      '--server needs the SQL login: --sql-user NAME, and its password in SQLMIG_SQL_PASSWORD (not on the command line, where other users of this machine could see it).',
    );
  const databases = options.databases
    ?.split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '');
  if (options.databases !== undefined && (databases ?? []).length === 0)
    return usage('--databases takes database names separated by commas.');

  let connection: SqlConnection;
  try {
    connection = await (environment.connect ?? openSqlConnection)({
      server: found[1],
      ...(found[2] ? { port: Number(found[2]) } : {}),
      user: options.sqlUser,
      password,
      trustServerCertificate: options.sqlTrustServerCertificate === true,
    });
  } catch (error) {
    return failed(error);
  }
  const display = progressDisplay(environment.progress ?? process.stderr);
  try {
    const report = await assessLive(connection, {
      tier: options.tier,
      ...(databases ? { databases } : {}),
      onProgress: display.onProgress,
    });
    display.done();
    return await output(report, options);
  } catch (error) {
    display.done();
    return failed(error);
  } finally {
    await connection.close();
  }
}

async function output(report: AssessmentReport, options: AssessCommandOptions): Promise<number> {
  if (options.html !== undefined) await writeFile(options.html, renderAssessmentHtml(report));
  process.stdout.write(
    options.json ? `${JSON.stringify(report, null, 2)}\n` : renderAssessmentText(report),
  );
  return report.errors.length > 0 ? 1 : 0;
}

/** A connection, login, permission or version failure: its message says what to do. */
function failed(error: unknown): number {
  if (isSqlError(error) || error instanceof AssessmentError) {
    process.stderr.write(`sqlmig: ${error.message}\n`);
    return 1;
  }
  throw error;
}

export function registerAssessCommand(program: Command): void {
  program
    .command('assess')
    .description(
      'Assess databases for Azure SQL Managed Instance: readiness, issues and warnings, each with the objects and lines concerned',
    )
    .option('--scripts <paths...>', '.sql files, folders of them (SSDT projects) and .dacpac files')
    .option(
      '--server <host[:port]>',
      'a live SQL Server (2008 to 2022) to assess through its catalog, DMVs and msdb',
    )
    .option('--sql-user <name>', 'the SQL login for --server; its password in SQLMIG_SQL_PASSWORD')
    .option(
      '--sql-trust-server-certificate',
      "accept the instance's TLS certificate without checking it (a self-signed one)",
      false,
    )
    .option(
      '--databases <names>',
      'with --server: the databases to assess, separated by commas (default: every online user database)',
    )
    .option('--database <name>', 'the database the scripts belong to (default: per path, and USE)')
    .addOption(
      new Option('--tier <tier>', 'the target service tier')
        .choices([...serviceTiers])
        .default('GeneralPurpose'),
    )
    .option('--json', 'print the report as JSON (docs/assessment.md)', false)
    .option('--html <file>', 'also write the report as one self-contained HTML file')
    .action(async (options: AssessCommandOptions) => {
      process.exitCode = await runAssessCommand(options);
    });
}
