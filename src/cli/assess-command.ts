/**
 * `sqlmig assess`: readiness of SQL Server databases for Azure SQL Managed Instance. `--scripts`
 * assesses T-SQL files, folders and .dacpac files offline; `--server` (live) is not built yet.
 */
import { writeFile } from 'node:fs/promises';

import { Option, type Command } from 'commander';

import {
  assessScripts,
  renderAssessmentHtml,
  renderAssessmentText,
  serviceTiers,
  type ServiceTier,
} from '../assessment/index.js';

export interface AssessCommandOptions {
  readonly scripts?: readonly string[];
  readonly server?: string;
  readonly database?: string;
  readonly tier: ServiceTier;
  readonly json: boolean;
  readonly html?: string;
}

/** Exit codes: 0 assessed, 1 some input could not be read, 2 a usage error. */
export async function runAssessCommand(options: AssessCommandOptions): Promise<number> {
  if (options.server !== undefined) {
    process.stderr.write(
      'sqlmig: live assessment (--server) is not built yet; assess the schema offline with --scripts PATH… (script folders, SSDT projects, .dacpac files).\n',
    );
    return 2;
  }
  const paths = options.scripts ?? [];
  if (paths.length === 0) {
    process.stderr.write('sqlmig: say what to assess: --scripts PATH… (or, later, --server).\n');
    return 2;
  }
  const report = await assessScripts(paths, {
    tier: options.tier,
    ...(options.database !== undefined ? { database: options.database } : {}),
  });
  if (options.html !== undefined) await writeFile(options.html, renderAssessmentHtml(report));
  process.stdout.write(
    options.json ? `${JSON.stringify(report, null, 2)}\n` : renderAssessmentText(report),
  );
  return report.errors.length > 0 ? 1 : 0;
}

export function registerAssessCommand(program: Command): void {
  program
    .command('assess')
    .description(
      'Assess databases for Azure SQL Managed Instance: readiness, issues and warnings, each with the objects and lines concerned',
    )
    .option('--scripts <paths...>', '.sql files, folders of them (SSDT projects) and .dacpac files')
    .option('--server <connection>', 'a live SQL Server to assess (not built yet)')
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
