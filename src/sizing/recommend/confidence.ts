/**
 * The confidence rating: the share of the expected 30-second samples that the data holds, over the
 * time asked about, in stars as Azure Migrate gives them (0–20 % one star … 81–100 % five).
 */
import { perfTime } from '../perf-data/times.js';

/** The collector samples every 30 s and writes a window every 10 minutes (the reference's cadence). */
export const sampleIntervalMs = 30_000;
export const windowMs = 10 * 60_000;

export interface Confidence {
  readonly expectedSamples: number;
  readonly presentSamples: number;
  /** 0–1. */
  readonly share: number;
  /** 1–5. */
  readonly stars: number;
}

export function rateConfidence(
  times: readonly string[],
  samples: readonly number[],
  range: { start?: string; end?: string },
): Confidence {
  const first = times[0];
  const last = times.at(-1);
  const present = samples.reduce((sum, s) => sum + (Number.isNaN(s) ? 0 : s), 0);
  if (first === undefined || last === undefined)
    return { expectedSamples: 0, presentSamples: 0, share: 0, stars: 1 };
  // The first window began 10 minutes before it ended; a range wider than the data expects more.
  const dataFrom = perfTime(first) - windowMs;
  const from = range.start !== undefined ? Math.min(perfTime(range.start), dataFrom) : dataFrom;
  const to =
    range.end !== undefined ? Math.max(perfTime(range.end), perfTime(last)) : perfTime(last);
  const expected = Math.max(1, Math.round((to - from) / sampleIntervalMs));
  const share = Math.min(1, present / expected);
  const percent = share * 100;
  const stars = percent <= 20 ? 1 : percent <= 40 ? 2 : percent <= 60 ? 3 : percent <= 80 ? 4 : 5;
  return { expectedSamples: expected, presentSamples: present, share, stars };
}
