/**
 * Where the shared corpus's perf-data files live (`../shared/corpus/perf-data`, collected from a SQL
 * Server 2008 R2 instance "TEST"). Tests read them in place and skip, saying why, when they are absent.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { corpusRoot } from './corpus.js';

export const perfDataCorpus = join(corpusRoot, 'perf-data');
export const perfDataPrefix = 'TEST,MSSQLSERVER';
export const hasPerfDataCorpus = existsSync(
  join(perfDataCorpus, `${perfDataPrefix}_PerformanceAggregated_Counters.csv`),
);
export const perfDataSkipReason = `the perf-data corpus is not at ${perfDataCorpus}`;
