/**
 * `npm run bench [-- NAME…]`: runs every benchmark (or those named), prints its figures and its ratio
 * against the baseline it measured in the same run, and exits non-zero when a target is missed.
 */
import { cpus, totalmem } from 'node:os';

import { assessScriptsBench } from './assess-scripts.bench.js';
import { azureUploadBench } from './azure-upload.bench.js';
import { migrationsBench } from './migrations.bench.js';
import { restorePlanBench } from './restore-plan.bench.js';
import { scanHeadersBench } from './scan-headers.bench.js';
import { skuRecommendBench } from './sku-recommend.bench.js';
import type { BenchOutcome as Outcome } from './support/bench-kit.js';

const benches: Record<string, () => Outcome | Promise<Outcome>> = {
  'scan-headers': scanHeadersBench,
  'restore-plan': restorePlanBench,
  migrations: migrationsBench,
  'azure-upload': azureUploadBench,
  'assess-scripts': assessScriptsBench,
  'sku-recommend': skuRecommendBench,
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in benches));
if (unknown.length > 0) {
  console.error(
    `Unknown benchmark ${unknown.join(', ')}; there are: ${Object.keys(benches).join(', ')}.`,
  );
  process.exit(2);
}
console.log(
  `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
);
const outcomes: Outcome[] = [];
for (const [name, bench] of Object.entries(benches)) {
  if (wanted.length === 0 || wanted.includes(name)) outcomes.push(await bench());
}
for (const outcome of outcomes) console.log(`${outcome.passed ? 'PASS' : 'FAIL'} ${outcome.name}`);
if (outcomes.some((o) => !o.passed)) process.exitCode = 1;
