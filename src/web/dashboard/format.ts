/** How numbers, sizes, rates and times read on the dashboard (the browser's locale). */

const units = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/** 1536 → "1.5 KB" (powers of 1024, as SQL Server and Azure show sizes). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${units[unit] ?? 'B'}`;
}

/** `copyThroughput` is in KB/s (the reference's unit). */
export function formatThroughput(kbPerSecond: number): string {
  if (kbPerSecond <= 0) return '—';
  return `${formatBytes(kbPerSecond * 1024)}/s`;
}

export function formatCount(n: number): string {
  return n.toLocaleString();
}

/** An ISO time as local `2017-06-01 12:59:12` (sortable, unambiguous); null as a dash. */
export function formatTime(iso: string | null): string {
  if (!iso) return '—';
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return iso;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${when.getFullYear()}-${two(when.getMonth() + 1)}-${two(when.getDate())} ${two(when.getHours())}:${two(when.getMinutes())}:${two(when.getSeconds())}`;
}

/** Whole-percent progress of `done` out of `total` (100 for an empty total). */
export function percent(done: number, total: number): number {
  if (total <= 0) return 100;
  return Math.min(100, Math.floor((done / total) * 100));
}
