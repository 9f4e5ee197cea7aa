/**
 * The files' times (`2021-10-28 19:08:03`: the source server's local time, no offset) as numbers and
 * back. They are compared and subtracted only, so they are read as if they were UTC.
 */

/** Milliseconds of a `yyyy-MM-dd HH:mm:ss` time read as UTC, or NaN when it is not one. */
export function perfTime(text: string): number {
  return Date.parse(`${text.replace(' ', 'T')}Z`);
}

/** The `yyyy-MM-dd HH:mm:ss` text of a time from `perfTime`. */
export function formatPerfTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}
