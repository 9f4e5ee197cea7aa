/**
 * `npm run bench`: runs every benchmark, prints its figures and its ratio against the baseline it
 * measured in the same run, and exits non-zero when a target is missed.
 */
import { cpus, totalmem } from 'node:os';

import { scanHeadersBench } from './scan-headers.bench.js';

console.log(
  `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
);
const outcomes = [await scanHeadersBench()];
for (const outcome of outcomes) console.log(`${outcome.passed ? 'PASS' : 'FAIL'} ${outcome.name}`);
if (outcomes.some((o) => !o.passed)) process.exitCode = 1;
