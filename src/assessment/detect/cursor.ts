/**
 * Small readers over a token array: words, operators, multi-part names, call arguments, the end of a
 * statement, the matching parenthesis.
 */
import type { Token } from '../tsql/token.js';

export function isWord(token: Token | undefined, lower: string): boolean {
  return (
    token?.kind === 'word' &&
    token.text.length === lower.length &&
    token.text.toLowerCase() === lower
  );
}

export function isOp(token: Token | undefined, op: string): boolean {
  return token?.kind === 'operator' && token.text === op;
}

export function lowerWord(token: Token | undefined): string {
  return token?.kind === 'word' ? token.text.toLowerCase() : '';
}

export interface NameRead {
  readonly parts: readonly string[];
  readonly text: string;
  /** The index just after the name. */
  readonly end: number;
}

/** A name of one to four parts (`a`, `[a].b`, `master..xp_cmdshell`) starting at `from`. */
export function readName(tokens: readonly Token[], from: number): NameRead | null {
  const first = tokens[from];
  if (!first || (first.kind !== 'word' && first.kind !== 'quoted')) return null;
  const parts = [first.text];
  let i = from + 1;
  while (isOp(tokens[i], '.')) {
    const part = tokens[i + 1];
    if (part && (part.kind === 'word' || part.kind === 'quoted')) {
      parts.push(part.text);
      i += 2;
    } else if (isOp(part, '.')) {
      parts.push('');
      i += 1;
    } else break;
  }
  return { parts, text: parts.filter((p) => p !== '').join('.'), end: i };
}

/** The index of the `)` matching the `(` at `open` (or the end of the tokens). */
export function matchingParen(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.kind === 'go') return i;
    if (t.kind !== 'operator') continue;
    if (t.text === '(') depth++;
    else if (t.text === ')' && --depth === 0) return i;
  }
  return tokens.length;
}

/** Words that start a new statement, ending the one before when no `;` did. */
const STATEMENT_STARTERS = new Set([
  'select',
  'insert',
  'update',
  'delete',
  'merge',
  'create',
  'alter',
  'drop',
  'exec',
  'execute',
  'declare',
  'set',
  'if',
  'while',
  'begin',
  'end',
  'return',
  'print',
  'use',
  'grant',
  'revoke',
  'deny',
  'truncate',
  'backup',
  'restore',
  'dbcc',
  'fetch',
  'open',
  'close',
  'deallocate',
  'goto',
  'waitfor',
  'raiserror',
  'throw',
  'commit',
  'rollback',
  'save',
  'bulk',
]);

/** The index of the token ending the statement that continues at `from` (exclusive), at most 2000 on. */
export function statementEnd(tokens: readonly Token[], from: number): number {
  const limit = Math.min(tokens.length, from + 2000);
  let depth = 0;
  for (let i = from; i < limit; i++) {
    const t = tokens[i] as Token;
    if (t.kind === 'go') return i;
    if (t.kind === 'operator') {
      if (t.text === '(') depth++;
      else if (t.text === ')') depth--;
      else if (t.text === ';' && depth <= 0) return i;
    } else if (depth <= 0 && t.kind === 'word' && STATEMENT_STARTERS.has(t.text.toLowerCase()))
      return i;
  }
  return limit;
}

/** The first index in `from…to` of the word `lower`, or -1. */
export function findWord(
  tokens: readonly Token[],
  from: number,
  to: number,
  lower: string,
): number {
  for (let i = from; i < to; i++) if (isWord(tokens[i], lower)) return i;
  return -1;
}

export interface CallArguments {
  readonly positional: readonly Token[];
  /** By lower-case parameter name, `@` included. */
  readonly named: ReadonlyMap<string, Token>;
  readonly end: number;
}

/** The arguments of a procedure call (`@a = 'x', 2, @b = N'y' OUTPUT`), each a single token. */
export function readArguments(tokens: readonly Token[], from: number): CallArguments {
  const positional: Token[] = [];
  const named = new Map<string, Token>();
  let i = from;
  for (;;) {
    const t = tokens[i];
    if (!t) break;
    let name: string | null = null;
    if (t.kind === 'variable' && isOp(tokens[i + 1], '=')) {
      name = t.text.toLowerCase();
      i += 2;
    }
    if (isOp(tokens[i], '-') && tokens[i + 1]?.kind === 'number') i++;
    const value = tokens[i];
    if (!value || value.kind === 'go' || value.kind === 'operator') break;
    if (name === null && value.kind === 'word' && positional.length === 0 && named.size === 0) {
      // a bare word right after the name is an argument only when a comma follows it
      if (!isOp(tokens[i + 1], ',')) break;
    }
    if (name === null) positional.push(value);
    else named.set(name, value);
    i++;
    if (isWord(tokens[i], 'output') || isWord(tokens[i], 'out')) i++;
    if (!isOp(tokens[i], ',')) break;
    i++;
  }
  return { positional, named, end: i };
}
