/**
 * TEST STAND-IN — a SQL Server source for the perf collector, modelled, not real: a mutable picture of
 * an instance (version, permissions, memory, CPU, files with cumulative IO counters, per-database
 * plan CPU and buffer-pool pages) answered through `ScriptedSqlConnection` to the collector's DMV
 * queries, recognised by the views they read. Columns are checked against the modelled version the way
 * SQL Server would: asking a 2008 R2 model for `physical_memory_kb`, or a 2012+ one for
 * `physical_memory_in_bytes`, fails with SQL Server's error 207 (invalid column name). Counters move
 * when the test changes them or, with `rates`, as a `VirtualClock` advances.
 */
import { formatPerfTime, perfTime } from '../../src/sizing/index.js';
import { ScriptedSqlConnection, serverError, type SentStatement } from './scripted-sql.js';

export interface ModelFile {
  database: string;
  logicalName: string;
  physicalName: string;
  type: 'ROWS' | 'LOG' | 'FILESTREAM';
  sizePages: number;
  reads: number;
  bytesRead: number;
  readStallMs: number;
  writes: number;
  bytesWritten: number;
  writeStallMs: number;
  /** Per second of virtual time, applied by `advance`. */
  rates?: Partial<
    Record<
      'reads' | 'bytesRead' | 'readStallMs' | 'writes' | 'bytesWritten' | 'writeStallMs',
      number
    >
  >;
}

export class ScriptedSqlSource {
  readonly connection = new ScriptedSqlConnection();
  productVersion = '15.0.4355.3';
  serverName = 'SQL01';
  machineName = 'SQL01';
  instanceName: string | null = null;
  login = 'perf_reader';
  viewServerState = 1;
  viewAnyDefinition = 1;
  cpuCount = 4;
  hyperthreadRatio = 2;
  /** Visible online schedulers (fewer than cpuCount under an affinity mask). */
  coresUsed = 4;
  physicalMemoryMb = 16_384;
  /** Style-120 text, as the collector's queries ask for it. */
  sqlStartTime = '2026-03-01 06:00:00';
  /** The source's local clock at virtual time 0. */
  serverTimeAtZero = '2026-03-02 09:00:00';
  virtualNowMs = 0;
  memoryInUseKb = 4_096 * 1024;
  memoryUtilizationPercent = 100;
  cpuPercent: number | null = 12;
  edition = 'Enterprise Edition (64-bit)';
  maxServerMemoryMb = 2_147_483_647;
  files: ModelFile[] = [];
  /** Cumulative plan worker time (µs) per database. */
  databaseCpuUs = new Map<string, number>();
  /** Per second of virtual time, applied by `advance`. */
  databaseCpuRates = new Map<string, number>();
  bufferPages = new Map<string, number>();
  memoryOptimized = new Set<string>();
  /** Databases not online (their filegroups cannot be read). */
  offline = new Set<string>();
  /** When set, every statement matching fails with this SQL Server error. */
  failing: { pattern: RegExp; number: number; message: string } | null = null;

  constructor() {
    this.connection.on(/[\s\S]*/, (sent) => this.#answer(sent));
  }

  get major(): number {
    return Number(this.productVersion.split('.')[0]);
  }

  /** The statements sent, text only. */
  get sentSql(): string[] {
    return this.connection.sent.map((s) => s.sql);
  }

  addDatabase(name: string, files: readonly Partial<ModelFile>[] = [{}, { type: 'LOG' }]): this {
    files.forEach((f, i) => {
      const type = f.type ?? 'ROWS';
      this.files.push({
        database: name,
        logicalName: type === 'LOG' ? `${name}_log` : i === 0 ? name : `${name}_${i}`,
        physicalName:
          type === 'LOG'
            ? `D:\\Log\\${name}_log.ldf`
            : `D:\\Data\\${name}${i === 0 ? '' : `_${i}`}.mdf`,
        type,
        sizePages: 1024,
        reads: 0,
        bytesRead: 0,
        readStallMs: 0,
        writes: 0,
        bytesWritten: 0,
        writeStallMs: 0,
        ...f,
      });
    });
    return this;
  }

  dropDatabase(name: string): this {
    this.files = this.files.filter((f) => f.database !== name);
    this.databaseCpuUs.delete(name);
    this.databaseCpuRates.delete(name);
    this.bufferPages.delete(name);
    return this;
  }

  /** A restart: a new start time, every cumulative counter back to zero, the buffer pool empty. */
  restart(startTime: string): this {
    this.sqlStartTime = startTime;
    for (const f of this.files)
      Object.assign(f, {
        reads: 0,
        bytesRead: 0,
        readStallMs: 0,
        writes: 0,
        bytesWritten: 0,
        writeStallMs: 0,
      });
    this.databaseCpuUs.clear();
    this.bufferPages.clear();
    return this;
  }

  /** Moves virtual time, accumulating every rate (the hook `VirtualClock.onAdvance` takes). */
  advance = (fromMs: number, toMs: number): void => {
    const seconds = (toMs - fromMs) / 1000;
    this.virtualNowMs = toMs;
    for (const f of this.files)
      for (const [counter, rate] of Object.entries(f.rates ?? {}))
        f[counter as keyof NonNullable<ModelFile['rates']>] += rate * seconds;
    for (const [name, rate] of this.databaseCpuRates)
      this.databaseCpuUs.set(name, (this.databaseCpuUs.get(name) ?? 0) + rate * seconds);
  };

  file(physicalName: string): ModelFile {
    const found = this.files.find((f) => f.physicalName === physicalName);
    if (!found) throw new Error(`The model has no file ${physicalName}.`);
    return found;
  }

  #serverTime(): string {
    return formatPerfTime(perfTime(this.serverTimeAtZero) + this.virtualNowMs);
  }

  #answer(sent: SentStatement): Record<string, unknown>[] {
    const sql = sent.sql;
    if (this.failing?.pattern.test(sql))
      throw serverError([this.failing.number, this.failing.message]);
    if (sql.includes('physical_memory_in_bytes') && this.major >= 11)
      throw serverError([207, "Invalid column name 'physical_memory_in_bytes'."]);
    if (sql.includes('physical_memory_kb') && this.major < 11)
      throw serverError([207, "Invalid column name 'physical_memory_kb'."]);
    const live = (database: string) => !this.offline.has(database);
    const databases = [...new Set(this.files.map((f) => f.database))];
    if (sql.includes("SERVERPROPERTY('ProductVersion')"))
      return [
        {
          productVersion: this.productVersion,
          serverName: this.instanceName
            ? `${this.machineName}\\${this.instanceName}`
            : this.serverName,
          machineName: this.machineName,
          instanceName: this.instanceName,
          loginName: this.login,
          viewServerState: this.viewServerState,
          viewAnyDefinition: this.viewAnyDefinition,
        },
      ];
    if (sql.includes('FROM sys.dm_os_sys_info') && !sql.includes('dm_os_process_memory'))
      return [
        {
          logicalCpuCount: this.cpuCount,
          hyperthreadRatio: this.hyperthreadRatio,
          physicalMemoryMb: String(this.physicalMemoryMb),
          sqlStartTime: this.sqlStartTime,
          coresUsed: this.coresUsed,
        },
      ];
    if (sql.includes("SERVERPROPERTY('Edition')"))
      return [
        {
          edition: this.edition,
          isClustered: 0,
          isHadrEnabled: this.major >= 11 ? 1 : 0,
          maxServerMemoryMb: String(this.maxServerMemoryMb),
          coresUsed: this.coresUsed,
          userDatabases: databases.length,
          userDatabasesSizeMb: String(
            Math.floor((this.files.reduce((s, f) => s + f.sizePages, 0) * 8) / 1024),
          ),
          tempDbSizeMb: '8',
          logins: 13,
          serverTime: this.#serverTime(),
        },
      ];
    if (sql.includes('FROM sys.master_files AS mf JOIN sys.databases'))
      return this.files.map((f) => ({
        databaseName: f.database,
        state: live(f.database) ? 'ONLINE' : 'OFFLINE',
        logicalName: f.logicalName,
        physicalName: f.physicalName,
        fileType: f.type,
        sizePages: f.sizePages,
      }));
    const filegroups = /FROM \[(.+)\]\.sys\.filegroups/.exec(sql);
    if (filegroups?.[1] !== undefined) {
      if (this.major < 12) throw serverError([207, "Invalid column name 'type'."]);
      return [{ memoryOptimized: this.memoryOptimized.has(filegroups[1]) ? 1 : 0 }];
    }
    if (sql.includes('sys.dm_os_process_memory'))
      return [
        {
          memoryInUseKb: String(this.memoryInUseKb),
          memoryUtilizationPercent: this.memoryUtilizationPercent,
          sqlStartTime: this.sqlStartTime,
          serverTime: this.#serverTime(),
        },
      ];
    if (sql.includes('sys.dm_os_ring_buffers'))
      return this.cpuPercent === null ? [] : [{ sqlCpuPercent: this.cpuPercent }];
    if (sql.includes('sys.dm_io_virtual_file_stats'))
      return this.files
        .filter((f) => f.type !== 'FILESTREAM' && live(f.database))
        .map((f) => ({
          databaseName: f.database,
          physicalName: f.physicalName,
          fileType: f.type,
          reads: f.reads,
          bytesRead: String(f.bytesRead),
          readStallMs: String(f.readStallMs),
          writes: f.writes,
          bytesWritten: String(f.bytesWritten),
          writeStallMs: String(f.writeStallMs),
        }));
    if (sql.includes('sys.dm_exec_query_stats'))
      return [...this.databaseCpuUs].map(([databaseName, us]) => ({
        databaseName,
        workerTimeUs: String(us),
      }));
    if (sql.includes('sys.dm_os_buffer_descriptors'))
      return [...this.bufferPages].map(([databaseName, pages]) => ({
        databaseName,
        pages: String(pages),
      }));
    throw new Error(`The scripted source does not know this statement: ${sql.slice(0, 80)}`);
  }
}
