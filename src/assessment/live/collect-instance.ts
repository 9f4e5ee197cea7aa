/**
 * The instance's facts: options (xp_cmdshell, SQL Mail, clr strict security), linked servers and
 * their providers, logins, server audits, cryptographic providers, global trace flags, user messages,
 * extended procedures, TDE states, Agent job steps (their subsystems, and the code of T-SQL steps on
 * the code rules) and what a database restore does not carry (jobs, logins, credentials, linked
 * servers, audits, operators, alerts, Database Mail profiles, SSIS packages).
 */
import { jobSubsystemRules, isSqlServerProvider } from '../detect/detectors.js';
import { assessScriptText } from '../detect/scan-script.js';
import { supportedTraceFlags } from './limits.js';
import { fact, flag, num, text, type LiveHit, type QueryRunner } from './live-hit.js';
import { instanceQueries, type LiveQuery } from './queries.js';

/** What the database collectors need to know of the instance. */
export interface InstanceContext {
  /** clr strict security is on (SQL Server 2017 and later, when enabled). */
  readonly clrStrictSecurity: boolean;
  /** Database name → sys.dm_database_encryption_keys.encryption_state. */
  readonly encryptionStates: ReadonlyMap<string, number>;
  /** Linked servers with a non-SQL Server provider (lower-case name → provider). */
  readonly nonSqlLinkedServers: Map<string, string>;
}

export interface InstanceFacts {
  readonly hits: readonly LiveHit[];
  readonly context: InstanceContext;
  /** T-SQL job steps read, with the length of their commands. */
  readonly jobSteps: number;
  readonly jobStepChars: number;
}

/** Accounts every instance has; they are not the user's to migrate. */
const systemPrincipal = /^(##|nt service\\|nt authority\\|builtin\\)/i;
/** The job SQL Server 2008 and later create themselves (its step 2 is PowerShell). */
const systemJobs = new Set(['syspolicy_purge_history']);
const namesShown = 10;

const q = (id: string): LiveQuery => {
  const found = instanceQueries.find((x) => x.id === id);
  if (!found) throw new Error(`no live query ${id}`);
  return found;
};

export async function collectInstance(
  runner: QueryRunner,
  databases: readonly string[],
  onStep: (step: string) => void,
): Promise<InstanceFacts> {
  const hits: LiveHit[] = [];
  const notMigrated = new Map<string, string[]>();
  const keep = (kind: string, name: string): void => {
    const list = notMigrated.get(kind);
    if (list) list.push(name);
    else notMigrated.set(kind, [name]);
  };
  const everyDatabase = (
    ruleId: string,
    source: string,
    type: string,
    name: string,
    detail: string,
  ): void => {
    for (const database of databases)
      hits.push({ ruleId, database, object: fact(source, type, name, detail) });
  };
  const instance = (
    ruleId: string,
    source: string,
    type: string | null,
    name: string | null,
    detail: string,
  ): void => {
    hits.push({ ruleId, database: null, object: fact(source, type, name, detail) });
  };

  onStep('configuration');
  let clrStrictSecurity = false;
  for (const row of (await runner.rows(q('configuration'))) ?? []) {
    const name = text(row.name).toLowerCase();
    const on = num(row.valueInUse) === 1;
    if (name === 'clr strict security') clrStrictSecurity = on;
    if (!on) continue;
    if (name === 'xp_cmdshell')
      everyDatabase(
        'XpCmdshell',
        'sys.configurations',
        'OPTION',
        'xp_cmdshell',
        'xp_cmdshell is enabled on the instance',
      );
    if (name === 'sql mail xps')
      everyDatabase(
        'SqlMail',
        'sys.configurations',
        'OPTION',
        'SQL Mail XPs',
        'SQL Mail is enabled on the instance',
      );
  }

  onStep('linkedServers');
  const nonSqlLinkedServers = new Map<string, string>();
  for (const row of (await runner.rows(q('linkedServers'))) ?? []) {
    const name = text(row.name);
    const provider = text(row.provider);
    keep('linked server', name);
    if (isSqlServerProvider(provider) || text(row.product).toLowerCase() === 'sql server') continue;
    nonSqlLinkedServers.set(name.toLowerCase(), provider);
    const source = text(row.dataSource);
    everyDatabase(
      'LinkedServerWithNonSQLProvider',
      'sys.servers',
      'LINKED SERVER',
      name,
      `provider ${provider}${source ? ` (data source ${source})` : ''}; any database of the instance can use it`,
    );
  }

  onStep('logins');
  for (const row of (await runner.rows(q('logins'))) ?? []) {
    const name = text(row.name);
    const type = text(row.type).trim().toUpperCase();
    if (systemPrincipal.test(name) || name.toLowerCase() === 'sa') continue;
    keep('login', name);
    if (type === 'U' || type === 'G')
      instance(
        'WindowsAuthentication',
        'sys.server_principals',
        'LOGIN',
        name,
        type === 'G' ? 'Windows group login' : 'Windows login',
      );
  }

  onStep('serverAudits');
  for (const row of (await runner.rows(q('serverAudits'))) ?? []) {
    const name = text(row.name);
    const type = text(row.type).trim().toUpperCase();
    keep('server audit', name);
    if (type === 'FL' || type === 'AL' || type === 'SL')
      instance(
        'ServerAuditToFile',
        'sys.server_audits',
        'SERVER AUDIT',
        name,
        `writes to ${text(row.typeDesc) || type}`,
      );
  }

  onStep('cryptographicProviders');
  for (const row of (await runner.rows(q('cryptographicProviders'))) ?? [])
    everyDatabase(
      'CryptographicProvider',
      'sys.cryptographic_providers',
      'CRYPTOGRAPHIC PROVIDER',
      text(row.name),
      `EKM provider from ${text(row.dllPath) || 'a DLL'}${flag(row.isEnabled) ? '' : ' (disabled)'}`,
    );

  onStep('traceFlags');
  for (const row of (await runner.rows(q('traceFlags'))) ?? []) {
    const traceFlag = num(row.TraceFlag);
    if (!flag(row.Global) || !flag(row.Status) || supportedTraceFlags.has(traceFlag)) continue;
    instance(
      'TraceFlags',
      'DBCC TRACESTATUS(-1)',
      'TRACE FLAG',
      String(traceFlag),
      `global trace flag ${traceFlag} is on`,
    );
  }

  onStep('credentials');
  for (const row of (await runner.rows(q('credentials'))) ?? []) keep('credential', text(row.name));

  onStep('userMessages');
  const messages = ((await runner.rows(q('userMessages'))) ?? []).map((row) => num(row.messageId));
  if (messages.length > 0)
    instance(
      'UserDefinedMessages',
      'sys.messages',
      'MESSAGE',
      null,
      `${messages.length} user-defined message(s): ${listed(messages.map(String))}`,
    );

  onStep('extendedProcedures');
  for (const row of (await runner.rows(q('extendedProcedures'))) ?? []) {
    if (flag(row.isMsShipped)) continue;
    instance(
      'ExtendedStoredProcedure',
      'master.sys.extended_procedures',
      'EXTENDED PROCEDURE',
      text(row.name),
      `DLL ${text(row.dllName)}`,
    );
  }

  onStep('encryptionKeys');
  const encryptionStates = new Map<string, number>();
  for (const row of (await runner.rows(q('encryptionKeys'))) ?? [])
    encryptionStates.set(text(row.databaseName), num(row.encryptionState));

  onStep('agentJobSteps');
  let jobSteps = 0;
  let jobStepChars = 0;
  const jobs = new Set<string>();
  for (const row of (await runner.rows(q('agentJobSteps'))) ?? []) {
    const job = text(row.jobName);
    if (systemJobs.has(job)) continue;
    jobs.add(job);
    if (row.stepId === null || row.stepId === undefined) continue;
    const subsystem = text(row.subsystem).toLowerCase();
    const step = `${job} / step ${num(row.stepId)} ${text(row.stepName)}`.trimEnd();
    const ruleId = jobSubsystemRules[subsystem];
    if (ruleId !== undefined) {
      instance(ruleId, 'msdb.dbo.sysjobsteps', 'JOB STEP', step, `${text(row.subsystem)} step`);
      continue;
    }
    if (subsystem !== 'tsql') continue;
    const command = text(row.command);
    jobSteps++;
    jobStepChars += command.length;
    const found = assessScriptText(command, { nonSqlLinkedServers });
    if (found.length === 0) continue;
    const rules = [...new Set(found.map((h) => h.ruleId))].join(', ');
    instance('TransactSqlJob', 'msdb.dbo.sysjobsteps', 'JOB STEP', step, `TSQL step: ${rules}`);
  }
  for (const job of jobs) keep('SQL Server Agent job', job);

  onStep('msdbObjects');
  for (const row of (await runner.rows(q('msdbObjects'))) ?? [])
    keep(text(row.kind), text(row.name));

  for (const [kind, names] of notMigrated)
    instance(
      'InstanceObjectsNotMigrated',
      kindSource[kind] ?? 'msdb',
      kind.toUpperCase(),
      null,
      `${names.length} ${kind}(s): ${listed(names)}`,
    );
  return {
    hits,
    context: { clrStrictSecurity, encryptionStates, nonSqlLinkedServers },
    jobSteps,
    jobStepChars,
  };
}

const kindSource: Record<string, string> = {
  'linked server': 'sys.servers',
  login: 'sys.server_principals',
  'server audit': 'sys.server_audits',
  credential: 'sys.credentials',
  'SQL Server Agent job': 'msdb.dbo.sysjobs',
  operator: 'msdb.dbo.sysoperators',
  alert: 'msdb.dbo.sysalerts',
  'Database Mail profile': 'msdb.dbo.sysmail_profile',
  'SSIS package in msdb': 'msdb.dbo.sysssispackages',
};

/** "a, b, c" — the first few, then how many more. */
export function listed(names: readonly string[]): string {
  const shown = names.slice(0, namesShown).join(', ');
  return names.length > namesShown ? `${shown} and ${names.length - namesShown} more` : shown;
}
