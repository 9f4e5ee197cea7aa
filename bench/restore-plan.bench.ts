/**
 * Benchmark: restore planning at scale (issue 3).
 *
 * - Planning 100,000 backup sets of 1,000 databases from scratch: target under 1 second.
 * - Adding one log to a 10,000-set plan, against a baseline in the same run that re-plans those
 *   10,001 sets from scratch: target at least 100 times cheaper.
 */
import { RestorePlanner, type PlannerFile } from '../src/planning/index.js';
import { chain, file } from '../test/support/planner-files.js';
import type { BenchOutcome } from './support/bench-kit.js';

const databases = 1_000;
const setsPerDatabase = 100;
const bigChainLogs = 9_999;
const maxFullPlanMs = 1_000;
const minIncrementalSpeedup = 100;

/** Per database: a full, two differentials, logs (one of them empty) and a gap near the end. */
function estate(): PlannerFile[] {
  const files: PlannerFile[] = [];
  for (let d = 0; d < databases; d++) {
    const db = `db${String(d).padStart(4, '0')}`;
    files.push(
      file(`${db}/full.bak`, [{ db, type: 'Full', guid: `${db}-F`, first: 1000n, last: 1100n }]),
    );
    files.push(
      file(`${db}/diff1.bak`, [
        { db, type: 'Diff', guid: `${db}-D1`, first: 1500n, last: 1510n, diffBase: `${db}-F` },
      ]),
    );
    files.push(
      file(`${db}/diff2.bak`, [
        { db, type: 'Diff', guid: `${db}-D2`, first: 1600n, last: 1610n, diffBase: `${db}-F` },
      ]),
    );
    for (let i = 0; i < setsPerDatabase - 3; i++) {
      const first = 1050n + BigInt(i) * 10n + (i > 90 ? 5n : 0n);
      const last = i === 40 ? first : first + 10n;
      files.push(
        file(`${db}/log${i}.trn`, [{ db, type: 'Log', guid: `${db}-L${i}`, first, last }]),
      );
    }
  }
  return files;
}

function ms(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e6;
}

export function restorePlanBench(): BenchOutcome {
  // 1. The whole estate, planned from scratch (best of three).
  const files = estate();
  let fullPlanMs = Infinity;
  let steps = 0;
  for (let run = 0; run < 3; run++) {
    const started = process.hrtime.bigint();
    const planner = new RestorePlanner();
    for (const f of files) planner.addFile(f);
    steps = planner.plans().reduce((sum, plan) => sum + plan.restorePlan.length, 0);
    fullPlanMs = Math.min(fullPlanMs, ms(started));
  }

  // 2. One log added to a planned chain of 10,000 sets, against re-planning the 10,001 sets.
  const big = chain(bigChainLogs);
  const nextLog = (i: number): PlannerFile => {
    const first = 195n + BigInt(bigChainLogs + i) * 10n;
    return file(`extra_${i}.trn`, [{ type: 'Log', guid: `extra-${i}`, first, last: first + 10n }]);
  };
  const planner = new RestorePlanner();
  for (const f of big) planner.addFile(f);
  planner.lastRestorableLsn('Sales');
  const adds = 2_000;
  let started = process.hrtime.bigint();
  for (let i = 0; i < adds; i++) {
    planner.addFile(nextLog(i));
    planner.lastRestorableLsn('Sales');
  }
  const addMs = ms(started) / adds;
  const expected = 195n + BigInt(bigChainLogs + adds) * 10n;
  if (planner.lastRestorableLsn('Sales') !== expected)
    throw new Error('the incremental chain did not reach the last added log');

  const replans = 20;
  started = process.hrtime.bigint();
  for (let i = 0; i < replans; i++) {
    const fresh = new RestorePlanner();
    for (const f of big) fresh.addFile(f);
    fresh.addFile(nextLog(0));
    fresh.lastRestorableLsn('Sales');
  }
  const replanMs = ms(started) / replans;
  const speedup = replanMs / addMs;

  console.log(
    [
      `restore-plan:`,
      `  ${files.length} sets of ${databases} databases planned from scratch: ${fullPlanMs.toFixed(0)} ms (${steps} restore steps; target < ${maxFullPlanMs} ms)`,
      `  add one log to a ${big.length}-set plan: ${(addMs * 1000).toFixed(1)} µs; re-plan from scratch: ${replanMs.toFixed(2)} ms; ratio ${speedup.toFixed(0)}x (target >= ${minIncrementalSpeedup}x)`,
    ].join('\n'),
  );
  return {
    name: 'restore-plan',
    passed: fullPlanMs < maxFullPlanMs && speedup >= minIncrementalSpeedup,
  };
}
