/**
 * The three perf-data files: their names, their columns (the header line, exactly), and how a line
 * becomes a record and back.
 */
import { quoteField } from './csv-fields.js';
import { formatPerfNumber } from './numbers.js';
import { textField, type LineFields } from './line-fields.js';
import type {
  AggregatedCounterRecord,
  DbLevelRecord,
  InstanceLevelRecord,
  PerfFileKind,
  PerfRecordOf,
  WrittenAs,
} from './records.js';

export interface PerfFileLayoutSpec<R> {
  /** The file name after `<server>_`. */
  readonly fileSuffix: string;
  readonly columns: readonly string[];
  readonly decode: (fields: LineFields) => R;
  readonly encode: (record: R) => string;
}

function num(value: number, column: string, written: WrittenAs | undefined): string {
  return written?.[column] ?? formatPerfNumber(value);
}

function bool(value: boolean, column: string, written: WrittenAs | undefined): string {
  return written?.[column] ?? (value ? 'True' : 'False');
}

function withWritten<R extends object>(record: R, written: WrittenAs | undefined): R {
  return written === undefined ? record : { ...record, written };
}

const instanceColumns = [
  'ServerName',
  'Edition',
  'HyperthreadRatio',
  'IsClustered',
  'IsHadrEnabled',
  'LogicalCpuCount',
  'MaxServerMemoryInUse',
  'NumberCoresUsed',
  'NumberOfUserDatabases',
  'PhysicalCpuCount',
  'ProductVersion',
  'SqlStartTime',
  'SumOfUserDatabasesSize',
  'TempDbSize',
  'NumOfLogins',
  'TimeDataCollected',
] as const;

const instance: PerfFileLayoutSpec<InstanceLevelRecord> = {
  fileSuffix: 'CommonInstanceLevel_Counters.csv',
  columns: instanceColumns,
  decode: (f) =>
    withWritten(
      {
        serverName: f.text(0),
        edition: f.text(1),
        hyperthreadRatio: f.number(2),
        isClustered: f.boolean(3),
        isHadrEnabled: f.boolean(4),
        logicalCpuCount: f.number(5),
        maxServerMemoryInUse: f.number(6),
        numberCoresUsed: f.number(7),
        numberOfUserDatabases: f.number(8),
        physicalCpuCount: f.number(9),
        productVersion: f.text(10),
        sqlStartTime: f.text(11),
        sumOfUserDatabasesSize: f.number(12),
        tempDbSize: f.number(13),
        numOfLogins: f.number(14),
        timeDataCollected: f.text(15),
      },
      f.written,
    ),
  encode: (r) => {
    const w = r.written;
    return [
      textField(r.serverName, 'ServerName', w),
      textField(r.edition, 'Edition', w),
      num(r.hyperthreadRatio, 'HyperthreadRatio', w),
      bool(r.isClustered, 'IsClustered', w),
      bool(r.isHadrEnabled, 'IsHadrEnabled', w),
      num(r.logicalCpuCount, 'LogicalCpuCount', w),
      num(r.maxServerMemoryInUse, 'MaxServerMemoryInUse', w),
      num(r.numberCoresUsed, 'NumberCoresUsed', w),
      num(r.numberOfUserDatabases, 'NumberOfUserDatabases', w),
      num(r.physicalCpuCount, 'PhysicalCpuCount', w),
      textField(r.productVersion, 'ProductVersion', w),
      textField(r.sqlStartTime, 'SqlStartTime', w),
      num(r.sumOfUserDatabasesSize, 'SumOfUserDatabasesSize', w),
      num(r.tempDbSize, 'TempDbSize', w),
      num(r.numOfLogins, 'NumOfLogins', w),
      textField(r.timeDataCollected, 'TimeDataCollected', w),
    ].join(',');
  },
};

const database: PerfFileLayoutSpec<DbLevelRecord> = {
  fileSuffix: 'CommonDbLevel_Counters.csv',
  columns: [
    'ServerName',
    'DatabaseName',
    'LogicalName',
    'PhysicalFullName',
    'FileType',
    'SizeMB',
    'IsMemoryOptimizedDataOptionEnabled',
    'TimeDataCollected',
  ],
  decode: (f) =>
    withWritten(
      {
        serverName: f.text(0),
        databaseName: f.text(1),
        logicalName: f.text(2),
        physicalFullName: f.text(3),
        fileType: f.text(4),
        sizeMB: f.number(5),
        isMemoryOptimizedDataOptionEnabled: f.boolean(6),
        timeDataCollected: f.text(7),
      },
      f.written,
    ),
  encode: (r) => {
    const w = r.written;
    return [
      textField(r.serverName, 'ServerName', w),
      textField(r.databaseName, 'DatabaseName', w),
      textField(r.logicalName, 'LogicalName', w),
      textField(r.physicalFullName, 'PhysicalFullName', w),
      textField(r.fileType, 'FileType', w),
      num(r.sizeMB, 'SizeMB', w),
      bool(r.isMemoryOptimizedDataOptionEnabled, 'IsMemoryOptimizedDataOptionEnabled', w),
      textField(r.timeDataCollected, 'TimeDataCollected', w),
    ].join(',');
  },
};

const aggregated: PerfFileLayoutSpec<AggregatedCounterRecord> = {
  fileSuffix: 'PerformanceAggregated_Counters.csv',
  columns: [
    'ServerName',
    'DatabaseName',
    'DatabaseFileName',
    'FileType',
    'TimeDataCollected',
    'CounterName',
    'AggregatorType',
    'Value',
  ],
  decode: (f) => {
    const record: AggregatedCounterRecord = {
      serverName: f.text(0),
      databaseName: f.text(1),
      databaseFileName: f.text(2),
      fileType: f.text(3),
      timeDataCollected: f.text(4),
      counterName: f.text(5),
      aggregatorType: f.text(6),
      value: f.number(7),
    };
    return withWritten(record, f.written);
  },
  encode: (r) => {
    const w = r.written;
    if (w === undefined)
      return `${quoteField(r.serverName)},${quoteField(r.databaseName)},${quoteField(r.databaseFileName)},${quoteField(r.fileType)},${quoteField(r.timeDataCollected)},${quoteField(r.counterName)},${quoteField(r.aggregatorType)},${formatPerfNumber(r.value)}`;
    return [
      textField(r.serverName, 'ServerName', w),
      textField(r.databaseName, 'DatabaseName', w),
      textField(r.databaseFileName, 'DatabaseFileName', w),
      textField(r.fileType, 'FileType', w),
      textField(r.timeDataCollected, 'TimeDataCollected', w),
      textField(r.counterName, 'CounterName', w),
      textField(r.aggregatorType, 'AggregatorType', w),
      num(r.value, 'Value', w),
    ].join(',');
  },
};

export const perfFileLayouts: {
  readonly [K in PerfFileKind]: PerfFileLayoutSpec<PerfRecordOf[K]>;
} = { instance, database, aggregated };

/** The file name of one of the three files for a server: `TEST,MSSQLSERVER` → `TEST,MSSQLSERVER_CommonDbLevel_Counters.csv`. */
export function perfDataFileName(serverPrefix: string, kind: PerfFileKind): string {
  return `${serverPrefix}_${perfFileLayouts[kind].fileSuffix}`;
}

/**
 * The prefix the reference tools give a server's files: the machine name and the instance name joined
 * by a comma (`TEST,MSSQLSERVER` for the default instance of TEST, as in the reference corpus).
 */
export function perfDataFilePrefix(machineName: string, instanceName = 'MSSQLSERVER'): string {
  return `${machineName},${instanceName}`;
}
