/**
 * The code rules' detectors, keyed by the (lower-case) word that can start what they look for. Each
 * looks at the tokens around the word and reports hits; none reads comments or ordinary strings.
 */
import type { Token } from '../tsql/token.js';
import {
  findWord,
  isOp,
  isWord,
  lowerWord,
  matchingParen,
  readArguments,
  readName,
  statementEnd,
} from './cursor.js';
import type { ScanState } from './scan-state.js';

export type Detector = (scan: ScanState, at: number, key: string) => void;

const AGGREGATES = new Set([
  'sum',
  'avg',
  'count',
  'count_big',
  'max',
  'min',
  'stdev',
  'stdevp',
  'var',
  'varp',
]);
const SQL_MAIL = [
  'xp_sendmail',
  'xp_startmail',
  'xp_stopmail',
  'xp_readmail',
  'xp_findnextmsg',
  'xp_deletemail',
  'sp_processmail',
];
const SYSTEM_PROCEDURES_110 = [
  'sp_dboption',
  'sp_addserver',
  'sp_dropalias',
  'sp_activedirectory_obj',
  'sp_activedirectory_scp',
  'sp_activedirectory_start',
];
const CLAUSES = [
  'where',
  'having',
  'select',
  'set',
  'from',
  'update',
  'insert',
  'values',
  'group',
  'order',
  'declare',
  'on',
  'join',
  'delete',
  'merge',
  'if',
  'while',
  'return',
  'print',
];
const OBJECT_TYPES: Record<string, string> = {
  procedure: 'PROCEDURE',
  proc: 'PROCEDURE',
  function: 'FUNCTION',
  view: 'VIEW',
  trigger: 'TRIGGER',
  table: 'TABLE',
};
/** Agent job step subsystems (lower case) that do not run on the instance, and their rules. */
export const jobSubsystemRules: Readonly<Record<string, string>> = {
  cmdexec: 'CmdExecJob',
  powershell: 'PowerShellJob',
  activescripting: 'ActiveScriptingJob',
  analysiscommand: 'AnalysisCommandJob',
  analysisquery: 'AnalysisQueryJob',
  merge: 'MergeJob',
  queuereader: 'QueueReaderJob',
};

/** SQLNCLI, SQLNCLI11, SQLOLEDB, MSOLEDBSQL, MSOLEDBSQL19: the providers that reach SQL Server. */
export function isSqlServerProvider(provider: string): boolean {
  return /^\s*(sqlncli\d*|sqloledb(\.\d+)?|msoledbsql\d*)\s*$/i.test(provider);
}

function tokenAt(scan: ScanState, index: number): Token | undefined {
  return scan.tokens[index];
}

const computeClause: Detector = (scan, at) => {
  const aggregate = tokenAt(scan, at + 1);
  if (
    aggregate?.kind === 'word' &&
    AGGREGATES.has(aggregate.text.toLowerCase()) &&
    isOp(tokenAt(scan, at + 2), '(')
  )
    scan.hit('ComputeClause', scan.tokens[at] as Token, `COMPUTE ${aggregate.text.toUpperCase()}`);
};

const raiserror: Detector = (scan, at) => {
  const next = tokenAt(scan, at + 1);
  if (next && (next.kind === 'number' || next.kind === 'variable' || next.kind === 'string'))
    scan.hit(
      'RAISERROR',
      scan.tokens[at] as Token,
      `RAISERROR ${next.kind === 'string' ? `'${next.text}'` : next.text} without parentheses`,
    );
};

const nextName: Detector = (scan, at) => {
  const token = scan.tokens[at] as Token;
  if (isWord(tokenAt(scan, at - 1), 'fetch')) return;
  if (
    token.kind === 'word' &&
    isWord(tokenAt(scan, at + 1), 'value') &&
    isWord(tokenAt(scan, at + 2), 'for')
  )
    return;
  scan.hit(
    'NextColumn',
    token,
    `${token.kind === 'quoted' ? `[${token.text}]` : token.text} used as a name`,
  );
};

const fastFirstRow: Detector = (scan, at) => {
  const before = tokenAt(scan, at - 1);
  if (isOp(before, '(') || isOp(before, ','))
    scan.hit('FastFirstRowHint', scan.tokens[at] as Token, 'table hint FASTFIRSTROW');
};

const simple =
  (ruleId: string, detail?: string): Detector =>
  (scan, at) => {
    const token = scan.tokens[at] as Token;
    scan.hit(ruleId, token, detail ?? token.text);
  };

/** OPENROWSET(BULK …) without DATA_SOURCE, or OPENROWSET('provider', …) with a non-SQL provider. */
const openRowset: Detector = (scan, at, key) => {
  const token = scan.tokens[at] as Token;
  if (!isOp(tokenAt(scan, at + 1), '(')) return;
  const first = tokenAt(scan, at + 2);
  if (key === 'openrowset' && isWord(first, 'bulk')) {
    const close = matchingParen(scan.tokens, at + 1);
    if (findWord(scan.tokens, at + 3, close, 'data_source') < 0)
      scan.hit(
        'OpenRowsetWithNonBlobDataSourceBulk',
        token,
        'OPENROWSET(BULK …) without DATA_SOURCE',
      );
    return;
  }
  if (first?.kind === 'string' && !isSqlServerProvider(first.text)) {
    scan.hit('OpenRowsetWithNonSQLProvider', token, `${key.toUpperCase()} provider ${first.text}`);
    scan.noteNonSqlProvider();
  }
};

const bulkInsert: Detector = (scan, at) => {
  if (!isWord(tokenAt(scan, at + 1), 'insert')) return;
  const end = statementEnd(scan.tokens, at + 2);
  if (findWord(scan.tokens, at + 2, end, 'data_source') < 0) {
    const from = findWord(scan.tokens, at + 2, end, 'from');
    const source = tokenAt(scan, from + 1);
    scan.hit(
      'BulkInsert',
      scan.tokens[at] as Token,
      `BULK INSERT from ${source?.kind === 'string' ? `'${source.text}'` : 'a file'}`,
    );
  }
};

const createOrAlter: Detector = (scan, at, key) => {
  const tokens = scan.tokens;
  let i = at + 1;
  if (key === 'create' && isWord(tokens[i], 'or') && isWord(tokens[i + 1], 'alter')) i += 2;
  const kind = lowerWord(tokens[i]);
  const statement = tokens[at] as Token;
  const objectType = OBJECT_TYPES[kind];
  if (objectType !== undefined) {
    const name = readName(tokens, i + 1);
    // A table created inside a procedure's body does not change the object the findings belong to.
    if (name && (objectType !== 'TABLE' || scan.object === null || scan.object.type === 'TABLE'))
      scan.object = { type: objectType, name: name.text };
    return;
  }
  const end = statementEnd(tokens, i + 1);
  switch (kind) {
    case 'assembly': {
      const from = findWord(tokens, i + 1, end, 'from');
      const source = tokens[from + 1];
      if (from >= 0 && source?.kind === 'string')
        scan.hit(
          'AssemblyFromFile',
          statement,
          `${key.toUpperCase()} ASSEMBLY FROM '${source.text}'`,
        );
      if (key === 'create') {
        const set = findWord(tokens, i + 1, end, 'permission_set');
        const level = set >= 0 ? lowerWord(tokens[set + 2]) : 'safe';
        if (level === 'safe' || level === 'external_access')
          scan.hit(
            'ClrStrictSecurity',
            statement,
            `assembly with PERMISSION_SET = ${level.toUpperCase()}`,
          );
      }
      return;
    }
    case 'cryptographic':
      if (isWord(tokens[i + 1], 'provider'))
        scan.hit('CryptographicProvider', statement, `${key.toUpperCase()} CRYPTOGRAPHIC PROVIDER`);
      return;
    case 'certificate':
    case 'asymmetric':
      if (fileClause(tokens, i + 1, end) >= 0)
        scan.hit(
          'CertificateFile',
          statement,
          `${key.toUpperCase()} ${kind.toUpperCase()} with a FILE`,
        );
      return;
    case 'server': {
      if (!isWord(tokens[i + 1], 'audit') || isWord(tokens[i + 2], 'specification')) return;
      const to = findWord(tokens, i + 2, end, 'to');
      const target = lowerWord(tokens[to + 1]);
      if (
        to >= 0 &&
        (target === 'file' || target === 'application_log' || target === 'security_log')
      )
        scan.hit('ServerAuditToFile', statement, `SERVER AUDIT TO ${target.toUpperCase()}`);
      return;
    }
    case 'login': {
      const name = readName(tokens, i + 1);
      if (name && isWord(tokens[name.end], 'from') && isWord(tokens[name.end + 1], 'windows'))
        scan.hit('WindowsAuthentication', statement, `login ${name.text} FROM WINDOWS`);
      return;
    }
    case 'user': {
      const name = tokens[i + 1];
      if (name?.kind === 'quoted' && name.text.includes('\\'))
        scan.hit('WindowsAuthentication', statement, `Windows user ${name.text}`);
      return;
    }
    case 'database':
      database(scan, key, i, end);
      return;
    default:
      return;
  }
};

/** The index of a `FILE =` (or `EXECUTABLE FILE =`) in `from…to`, or -1. */
function fileClause(tokens: readonly Token[], from: number, to: number): number {
  for (let i = from; i < to; i++)
    if (isWord(tokens[i], 'file') && isOp(tokens[i + 1], '=')) return i;
  return -1;
}

function database(scan: ScanState, key: string, at: number, end: number): void {
  const tokens = scan.tokens;
  const statement = tokens[at - 1] as Token;
  if (key === 'create' && isWord(tokens[at + 1], 'encryption') && isWord(tokens[at + 2], 'key')) {
    scan.hit('TdeCertificate', statement, 'CREATE DATABASE ENCRYPTION KEY');
    return;
  }
  const name = readName(tokens, at + 1);
  if (!name) return;
  if (key === 'alter') {
    const verb = lowerWord(tokens[name.end]);
    if (
      verb === 'add' &&
      isWord(tokens[name.end + 1], 'log') &&
      isWord(tokens[name.end + 2], 'file')
    )
      scan.hit('MultipleLogFiles', statement, `ALTER DATABASE ${name.text} ADD LOG FILE`);
    if (
      verb === 'set' &&
      isWord(tokens[name.end + 1], 'encryption') &&
      isWord(tokens[name.end + 2], 'on')
    )
      scan.hit('TdeCertificate', statement, `ALTER DATABASE ${name.text} SET ENCRYPTION ON`);
    return;
  }
  for (let i = name.end; i < end; i++) {
    if (!isWord(tokens[i], 'log') || !isWord(tokens[i + 1], 'on')) continue;
    let files = 0;
    let j = i + 2;
    while (isOp(tokens[j], '(')) {
      files++;
      j = matchingParen(tokens, j) + 1;
      if (!isOp(tokens[j], ',')) break;
      j++;
    }
    if (files > 1)
      scan.hit(
        'MultipleLogFiles',
        statement,
        `CREATE DATABASE ${name.text} with ${files} log files`,
      );
    return;
  }
}

const backup: Detector = (scan, at) => {
  const tokens = scan.tokens;
  const what = lowerWord(tokens[at + 1]);
  const end = statementEnd(tokens, at + 1);
  const statement = tokens[at] as Token;
  if (what === 'database' || what === 'log') {
    const to = findWord(tokens, at + 2, end, 'to');
    const target = tokens[to + 1];
    if (to >= 0 && target && !isWord(target, 'url'))
      scan.hit(
        'BackupToDisk',
        statement,
        `BACKUP ${what.toUpperCase()} TO ${target.kind === 'word' ? target.text.toUpperCase() : `device ${target.text}`}`,
      );
  } else if (what === 'certificate' || what === 'master' || what === 'service') {
    if (fileClause(tokens, at + 2, end) >= 0)
      scan.hit(
        'CertificateFile',
        statement,
        `BACKUP ${what.toUpperCase()}${what === 'certificate' ? '' : ' KEY'} TO FILE`,
      );
  }
};

const begin: Detector = (scan, at) => {
  if (!isWord(tokenAt(scan, at + 1), 'distributed')) return;
  const tran = lowerWord(tokenAt(scan, at + 2));
  if (tran !== 'tran' && tran !== 'transaction') return;
  const token = scan.tokens[at] as Token;
  scan.hit('MIHomogeneousMSDTCTransactSQL', token, 'BEGIN DISTRIBUTED TRANSACTION');
  scan.noteDistributedTransaction(token);
};

const addLinkedServer: Detector = (scan, at) => {
  const args = readArguments(scan.tokens, at + 1);
  const server = args.named.get('@server') ?? args.positional[0];
  const product = args.named.get('@srvproduct') ?? args.positional[1];
  const provider = args.named.get('@provider') ?? args.positional[2];
  if (provider?.kind !== 'string' || isSqlServerProvider(provider.text)) return;
  if (provider.text === '' && product?.text.toLowerCase() === 'sql server') return;
  const name = server?.text ?? '?';
  scan.nonSqlLinkedServers.set(name.toLowerCase(), provider.text);
  scan.hit(
    'LinkedServerWithNonSQLProvider',
    scan.tokens[at] as Token,
    `linked server ${name} with provider ${provider.text}`,
  );
};

const memoryOptimized: Detector = (scan, at, key) => {
  const token = scan.tokens[at] as Token;
  if (key === 'memory_optimized_data')
    scan.hit('MemoryOptimizedTables', token, 'MEMORY_OPTIMIZED_DATA filegroup');
  else if (isOp(tokenAt(scan, at + 1), '=') && isWord(tokenAt(scan, at + 2), 'on'))
    scan.hit('MemoryOptimizedTables', token, 'MEMORY_OPTIMIZED = ON');
};

function lowLevel(level: Token | undefined): number | null {
  if (level?.kind !== 'number' && level?.kind !== 'string') return null;
  const value = Number(level.text);
  return Number.isInteger(value) && value < 100 ? value : null;
}

const compatibilityLevel: Detector = (scan, at) => {
  if (!isOp(tokenAt(scan, at + 1), '=')) return;
  const level = lowLevel(tokenAt(scan, at + 2));
  if (level !== null)
    scan.hit(
      'DbCompatLevelLowerThan100',
      scan.tokens[at] as Token,
      `COMPATIBILITY_LEVEL = ${level}`,
    );
};

const dbCmptLevel: Detector = (scan, at) => {
  const args = readArguments(scan.tokens, at + 1);
  const level = lowLevel(args.named.get('@new_cmptlevel') ?? args.positional[1]);
  if (level !== null)
    scan.hit('DbCompatLevelLowerThan100', scan.tokens[at] as Token, `sp_dbcmptlevel ${level}`);
};

const addJobStep: Detector = (scan, at) => {
  const token = scan.tokens[at] as Token;
  const args = readArguments(scan.tokens, at + 1);
  const subsystem = (args.named.get('@subsystem')?.text ?? 'TSQL').toLowerCase();
  const step = args.named.get('@step_name')?.text;
  const named = step === undefined ? 'job step' : `job step ${step}`;
  const ruleId = jobSubsystemRules[subsystem];
  if (ruleId !== undefined) {
    scan.hit(ruleId, token, `${named} (${subsystem})`);
    return;
  }
  const command = args.named.get('@command');
  if (subsystem !== 'tsql' || command?.kind !== 'string') return;
  const inner = scan.collectEmbedded(command);
  if (inner.length === 0) return;
  const rules = [...new Set(inner.map((h) => h.ruleId))].join(', ');
  scan.hit('TransactSqlJob', token, `${named} (TSQL): ${rules}`);
};

/** EXEC('…' + '…'), EXEC sp_executesql N'…': the code in the strings is assessed too. */
const exec: Detector = (scan, at) => {
  const tokens = scan.tokens;
  let i = at + 1;
  if (tokens[i]?.kind === 'variable' && isOp(tokens[i + 1], '=')) i += 2;
  if (isOp(tokens[i], '(')) {
    const close = matchingParen(tokens, i);
    if (isWord(tokens[close + 1], 'at')) return; // runs on a linked server, not here
    const inside = tokens.slice(i + 1, close);
    const strings = inside.filter((t) => t.kind === 'string');
    if (strings.length === 0) return;
    const join = inside.every((t) => t.kind === 'string' || isOp(t, '+'));
    scan.assessEmbedded(strings, join);
    return;
  }
  const name = readName(tokens, i);
  if (!name || (name.parts[name.parts.length - 1] ?? '').toLowerCase() !== 'sp_executesql') return;
  const args = readArguments(tokens, name.end);
  const statement = args.named.get('@stmt') ?? args.positional[0];
  if (statement?.kind === 'string') scan.assessEmbedded([statement], true);
};

const use: Detector = (scan, at) => {
  const name = readName(scan.tokens, at + 1);
  if (name && name.parts.length === 1) scan.useDatabase(name.text);
};

const setClause: Detector = (scan, _at, key) => {
  scan.clause = key;
};

/** Detectors run on words. */
export const wordDetectors: ReadonlyMap<string, Detector> = new Map<string, Detector>([
  ...CLAUSES.map((c): [string, Detector] => [c, setClause]),
  ['compute', computeClause],
  ['raiserror', raiserror],
  ['next', nextName],
  ['fastfirstrow', fastFirstRow],
  ['disable_def_cnst_chk', simple('DisableDefCNSTCHK', 'SET DISABLE_DEF_CNST_CHK')],
  ['openrowset', openRowset],
  ['opendatasource', openRowset],
  ['bulk', bulkInsert],
  ['create', createOrAlter],
  ['alter', createOrAlter],
  ['backup', backup],
  ['begin', begin],
  ['filestream', simple('FileStream', 'FILESTREAM')],
  ['filestream_on', simple('FileStream', 'FILESTREAM_ON')],
  ['filetable', simple('FileStream', 'FILETABLE')],
  ['memory_optimized', memoryOptimized],
  ['memory_optimized_data', memoryOptimized],
  ['compatibility_level', compatibilityLevel],
  ['exec', exec],
  ['execute', exec],
  ['use', use],
]);

/** Detectors run on procedure names, written as words or as [quoted] names. */
export const nameDetectors: ReadonlyMap<string, Detector> = new Map<string, Detector>([
  ['xp_cmdshell', simple('XpCmdshell')],
  ...SQL_MAIL.map((p): [string, Detector] => [p, simple('SqlMail')]),
  ...SYSTEM_PROCEDURES_110.map((p): [string, Detector] => [p, simple('SystemProcedures110')]),
  ['sp_addalias', simple('DatabasePrincipalAlias')],
  [
    'database_principal_aliases',
    simple('DatabasePrincipalAlias', 'sys.database_principal_aliases'),
  ],
  ['sp_addlinkedserver', addLinkedServer],
  ['sp_addextendedproc', simple('ExtendedStoredProcedure')],
  ['sp_addmessage', simple('UserDefinedMessages')],
  ['sp_dbcmptlevel', dbCmptLevel],
  ['sp_add_jobstep', addJobStep],
  ['sp_grantlogin', simple('WindowsAuthentication')],
  ['next', nextName],
]);
