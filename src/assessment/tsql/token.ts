/**
 * The tokens of T-SQL text as the tokenizer gives them.
 */

/**
 * - `word`: a keyword or a regular identifier (`SELECT`, `dbo`, `#temp`, `sp_who`), as written;
 * - `quoted`: a delimited identifier, `[name]` or `"name"`, its text unescaped (`]]` → `]`);
 * - `string`: a character string, its text unescaped (`''` → `'`), `unicode` for `N'…'`;
 * - `number`: integers, decimals, floats, money and binary (`0x…`) constants, as written;
 * - `variable`: `@name` and `@@name`;
 * - `operator`: punctuation and operators, multi-character ones whole (`*=`, `=*`, `<>`, `::`);
 * - `go`: a batch separator, `GO` alone on its line, `count` its repeat count (1 when absent);
 * - `comment`: only when asked for: line comments and block comments (nested ones whole).
 */
export type TokenKind =
  'word' | 'quoted' | 'string' | 'number' | 'variable' | 'operator' | 'go' | 'comment';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** 1-based line of the token's first character. */
  readonly line: number;
  /** 1-based column (in UTF-16 code units) of the token's first character. */
  readonly column: number;
  /** `N'…'` strings; false for every other token. */
  readonly unicode: boolean;
  /** The repeat count of a `go` token; 1 for every other token. */
  readonly count: number;
}
