/**
 * Identifiers that a statement cannot take as a parameter (`DROP DATABASE`, `CREATE CREDENTIAL`'s
 * name, …) are quoted as T-SQL's `QUOTENAME` does with its default brackets: wrapped in `[` `]`,
 * each `]` doubled. Like `QUOTENAME` (whose input is `sysname`), a name longer than 128 characters is
 * refused: SQL Server would truncate or refuse it, and sqlmig never sends a name it altered.
 */
export const maxIdentifierLength = 128;

export function quoteName(name: string): string {
  if (name.length === 0) throw new RangeError('An empty name cannot be a SQL Server identifier.');
  if (name.length > maxIdentifierLength)
    throw new RangeError(
      `"${name.slice(0, 40)}…" is ${name.length} characters long; SQL Server identifiers (sysname) hold at most ${maxIdentifierLength}.`,
    );
  if (name.includes('\u0000'))
    throw new RangeError('A SQL Server identifier cannot contain the NUL character.');
  return `[${name.replaceAll(']', ']]')}]`;
}
