/**
 * The records of the three perf-data CSV files, in the layout Microsoft's Data Migration Assistant and
 * the Azure SQL migration extension write and read. Field names are the CSV columns in camelCase;
 * numbers are numbers and True/False are booleans. Times stay text as written (`yyyy-MM-dd HH:mm:ss`,
 * the source server's local time without offset; `perfTime` turns them into numbers).
 */

/**
 * The text of fields as the file held them, keyed by CSV column, present only for the fields whose
 * text differs from what the writer would write for the value (`1.50` for 1.5, `"TEST"` quoted without
 * need, `false` for False). The writer writes these as they are, so a file read and written again is the
 * same byte for byte. Code that builds records leaves it out.
 */
export type WrittenAs = Readonly<Record<string, string>>;

/** One line of `<server>_CommonInstanceLevel_Counters.csv`: the instance at collection time. */
export interface InstanceLevelRecord {
  readonly serverName: string;
  readonly edition: string;
  readonly hyperthreadRatio: number;
  readonly isClustered: boolean;
  readonly isHadrEnabled: boolean;
  readonly logicalCpuCount: number;
  /** `max server memory` in MB (2147483647 when unlimited). */
  readonly maxServerMemoryInUse: number;
  readonly numberCoresUsed: number;
  readonly numberOfUserDatabases: number;
  readonly physicalCpuCount: number;
  readonly productVersion: string;
  readonly sqlStartTime: string;
  /** MB. */
  readonly sumOfUserDatabasesSize: number;
  /** MB. */
  readonly tempDbSize: number;
  readonly numOfLogins: number;
  readonly timeDataCollected: string;
  readonly written?: WrittenAs;
}

/** One line of `<server>_CommonDbLevel_Counters.csv`: one database file at collection time. */
export interface DbLevelRecord {
  readonly serverName: string;
  readonly databaseName: string;
  readonly logicalName: string;
  readonly physicalFullName: string;
  /** `Rows` or `Log` as SQL Server names them (`sys.master_files.type_desc`, capitalised). */
  readonly fileType: string;
  readonly sizeMB: number;
  readonly isMemoryOptimizedDataOptionEnabled: boolean;
  readonly timeDataCollected: string;
  readonly written?: WrittenAs;
}

/**
 * One line of `<server>_PerformanceAggregated_Counters.csv`: one aggregate of one counter over one
 * window (10 minutes of 30-second samples). Instance counters leave database, file and file type empty;
 * database counters leave file and file type empty.
 */
export interface AggregatedCounterRecord {
  readonly serverName: string;
  readonly databaseName: string;
  /** The file's physical path, for file counters. */
  readonly databaseFileName: string;
  /** `ROWS` or `LOG` for file counters. */
  readonly fileType: string;
  /** When the window ended. */
  readonly timeDataCollected: string;
  /** A counter code: `ICP`, `IM`, `DCP`, `FRM`… (docs/sku-recommendation.md). */
  readonly counterName: string;
  /** `Max`, `Mean`, `Variance` or `Occurence` (sic: the reference files spell it so). */
  readonly aggregatorType: string;
  readonly value: number;
  readonly written?: WrittenAs;
}

/** The three files, by the part of the file name after `<server>_`. */
export type PerfFileKind = 'instance' | 'database' | 'aggregated';

export interface PerfRecordOf {
  instance: InstanceLevelRecord;
  database: DbLevelRecord;
  aggregated: AggregatedCounterRecord;
}

/** How a file was laid out, so that writing it again gives the same bytes. */
export interface PerfFileLayout {
  /** A UTF-8 byte order mark before the header. */
  readonly bom: boolean;
  readonly lineEnding: '\n' | '\r\n';
  /** Whether the last line ends with a line ending. */
  readonly finalNewline: boolean;
}

/** What new files get: no byte order mark, LF line endings as in the reference corpus. */
export const defaultPerfFileLayout: PerfFileLayout = {
  bom: false,
  lineEnding: '\n',
  finalNewline: true,
};

/** A whole file read into memory. */
export interface PerfFile<K extends PerfFileKind> {
  readonly kind: K;
  readonly layout: PerfFileLayout;
  readonly records: PerfRecordOf[K][];
}
