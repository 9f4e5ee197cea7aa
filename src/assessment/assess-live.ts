/**
 * The live assessment: on any `SqlConnection` to the source (the CLI's tedious one, a test's scripted
 * one, later the web wizard's), check the login's permissions first, pick the databases, read the
 * instance's facts and each database's, map them onto the rules, keep those that apply to the target
 * tier, and build the same report the script assessment builds. Progress is reported step by step.
 */
import type { SqlConnection } from '../sql/index.js';
import { AssessmentError } from './errors.js';
import { collectDatabase, type LiveDatabase } from './live/collect-database.js';
import { collectInstance } from './live/collect-instance.js';
import {
  formatBytes,
  maxDatabasesPerInstance,
  maxInstanceStorageBytes,
  pagesToBytes,
} from './live/limits.js';
import {
  fact,
  flag,
  num,
  QueryRunner,
  text,
  type LiveError,
  type LiveHit,
} from './live/live-hit.js';
import { permissionsOf, requirePermissions } from './live/permissions.js';
import { databasesQuery, permissionsQuery } from './live/queries.js';
import { oldestMajorVersion, parseProductVersion, releaseName } from './live/sql-version.js';
import { FindingCollector, type AssessmentReport } from './report/report.js';
import { ruleAppliesTo, ruleById } from './rules/catalog.js';
import type { ServiceTier } from './rules/rule.js';

export interface AssessLiveOptions {
  /** The databases to assess, by name; default every online user database but distribution ones and SSISDB. */
  readonly databases?: readonly string[];
  /** Default GeneralPurpose. */
  readonly tier?: ServiceTier;
  readonly now?: () => Date;
  /** Called before each step, for a progress display. */
  readonly onProgress?: (progress: LiveProgress) => void;
}

export interface LiveProgress {
  /** The query about to run: `permissions`, `databases`, `configuration`, … `modules` (docs/assessment.md). */
  readonly step: string;
  /** The database being read; null for the instance's steps. */
  readonly database: string | null;
  /** 1-based position of `database` among those assessed; 0 for the instance's steps. */
  readonly databaseIndex: number;
  readonly databaseCount: number;
}

/** Databases a default run leaves out: they are not the application's (SSIS catalog, replication distributor). */
const skippedByDefault = (row: DatabaseRow): boolean =>
  row.isDistributor || row.name.toLowerCase() === 'ssisdb';

interface DatabaseRow extends LiveDatabase {
  readonly state: string;
  readonly isDistributor: boolean;
  readonly canConnect: boolean;
}

export async function assessLive(
  connection: SqlConnection,
  options: AssessLiveOptions = {},
): Promise<AssessmentReport> {
  const tier = options.tier ?? 'GeneralPurpose';
  let databaseCount = 0;
  const progress = (step: string, database: string | null = null, databaseIndex = 0): void => {
    options.onProgress?.({ step, database, databaseIndex, databaseCount });
  };

  progress('permissions');
  const [about = {}] = await connection.query(permissionsQuery.sql);
  const serverName = text(about.serverName) || connection.description;
  const version = parseProductVersion(text(about.productVersion));
  if (!version || version.major < oldestMajorVersion)
    throw new AssessmentError(
      'UnsupportedVersion',
      serverName,
      `${serverName} reports ProductVersion "${text(about.productVersion)}"${version ? ` (${releaseName(version)})` : ''}: the live assessment reads SQL Server 2008 (10.0) to 2022 (16.x). Assess an older instance's schema scripts with --scripts instead.`,
    );
  const permissions = permissionsOf(about);
  const errors: LiveError[] = [];
  const runner = new QueryRunner(connection, version, errors);

  progress('databases');
  const all = (await connection.query(databasesQuery.sql)).map((row): DatabaseRow => ({
    name: text(row.name),
    compatibilityLevel: num(row.compatibilityLevel),
    sizeBytes: pagesToBytes(num(row.sizePages) || 0),
    state: text(row.state) || 'ONLINE',
    isDistributor: flag(row.isDistributor),
    canConnect: row.canConnect === undefined || row.canConnect === null || flag(row.canConnect),
  }));
  const chosen = chooseDatabases(all, options.databases, serverName);
  const selected: DatabaseRow[] = [];
  for (const db of chosen) {
    if (db.state.toUpperCase() === 'ONLINE') selected.push(db);
    else
      errors.push({
        file: db.name,
        code: 'DatabaseNotOnline',
        message: `${db.name} is ${db.state}: its catalog cannot be read, so it was not assessed. Bring it online and assess again.`,
      });
  }
  requirePermissions(
    serverName,
    version,
    permissions,
    selected.filter((d) => !d.canConnect).map((d) => d.name),
  );
  databaseCount = selected.length;

  const names = selected.map((d) => d.name);
  const instance = await collectInstance(runner, names, (step) => {
    progress(step);
  });
  const hits: LiveHit[] = [...instance.hits];
  if (all.some((d) => d.name.toLowerCase() === 'ssisdb'))
    hits.push({
      ruleId: 'InstanceObjectsNotMigrated',
      database: null,
      object: fact(
        'sys.databases',
        'DATABASE',
        'SSISDB',
        'the SSIS catalog: deploy its projects to Azure-SSIS in Azure Data Factory',
      ),
    });
  let modules = 0;
  let chars = instance.jobStepChars;
  for (const [i, db] of selected.entries()) {
    const facts = await collectDatabase(runner, db, instance.context, tier, errors, (step) => {
      progress(step, db.name, i + 1);
    });
    hits.push(...facts.hits);
    modules += facts.modules;
    chars += facts.moduleChars;
  }

  const assessedBytes = selected.reduce((sum, d) => sum + d.sizeBytes, 0);
  if (selected.length > maxDatabasesPerInstance)
    hits.push({
      ruleId: 'NumDbExceeds100',
      database: null,
      object: fact(
        'sys.databases',
        null,
        null,
        `${selected.length} user databases assessed for one instance`,
      ),
    });
  if (assessedBytes > maxInstanceStorageBytes[tier])
    hits.push({
      ruleId: 'MIInstanceSize',
      database: null,
      object: fact(
        'sys.master_files',
        null,
        null,
        `${formatBytes(assessedBytes)} in the ${selected.length} databases assessed; the tier holds at most ${formatBytes(maxInstanceStorageBytes[tier])}`,
      ),
    });

  const collector = new FindingCollector();
  for (const name of names) collector.addDatabase(name);
  for (const hit of hits) {
    const rule = ruleById(hit.ruleId);
    if (ruleAppliesTo(rule, tier)) collector.add(rule, hit.database, hit.object);
  }
  return {
    schemaVersion: 1,
    mode: 'live',
    target: { platform: 'AzureSqlManagedInstance', tier },
    assessedAt: (options.now?.() ?? new Date()).toISOString(),
    sources: { files: 0, scripts: modules + instance.jobSteps, bytes: chars },
    servers: [
      {
        ...collector.server(serverName),
        instance: {
          productVersion: version.text,
          release: releaseName(version),
          edition: text(about.edition),
          userDatabases: all.length,
          assessedDatabases: selected.length,
          assessedBytes,
        },
      },
    ],
    errors,
  };
}

/** The databases asked for (names compared without case, as SQL Server's default collations do), or the default set. */
function chooseDatabases(
  all: readonly DatabaseRow[],
  wanted: readonly string[] | undefined,
  server: string,
): DatabaseRow[] {
  if (wanted === undefined || wanted.length === 0) return all.filter((d) => !skippedByDefault(d));
  const chosen: DatabaseRow[] = [];
  const unknown: string[] = [];
  for (const name of wanted) {
    const found =
      all.find((d) => d.name === name) ??
      all.find((d) => d.name.toLowerCase() === name.toLowerCase());
    if (!found) unknown.push(name);
    else if (!chosen.includes(found)) chosen.push(found);
  }
  if (unknown.length > 0)
    throw new AssessmentError(
      'DatabaseNotFound',
      server,
      `${server} has no user database named ${unknown.join(', ')}. Its user databases: ${all.map((d) => d.name).join(', ') || '(none)'}.`,
    );
  return chosen;
}
