/**
 * A T-SQL tokenizer: one pass over the text, char codes only, no regular expressions. Handles line
 * comments, nested block comments, strings with doubled quotes, N-strings, bracketed and quoted
 * identifiers with doubled closers, numbers, variables, temp names, multi-character operators
 * (`*=` and `=*` among them) and `GO [count]` batch separators. Unterminated comments, strings and
 * identifiers run to the end of the text (what SQL Server would reject, the tokenizer still reads).
 */
import type { Token, TokenKind } from './token.js';

export interface TokenizeOptions {
  /** Emit `comment` tokens too (they are skipped by default). */
  readonly comments?: boolean;
}

const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const QUOTE = 39; // '
const DQUOTE = 34; // "
const LBRACKET = 91;
const RBRACKET = 93;
const DASH = 45;
const SLASH = 47;
const STAR = 42;
const AT = 64;
const HASH = 35;
const DOT = 46;
const DOLLAR = 36;

/** Character classes, for the 128 ASCII codes; anything above is treated as a letter. */
const WORD_START = new Uint8Array(128);
const WORD_PART = new Uint8Array(128);
const DIGIT = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
  const digit = c >= 48 && c <= 57;
  WORD_START[c] = letter || c === HASH ? 1 : 0;
  WORD_PART[c] = letter || digit || c === AT || c === DOLLAR || c === HASH ? 1 : 0;
  DIGIT[c] = digit ? 1 : 0;
}

const isWordStart = (c: number): boolean => (c < 128 ? WORD_START[c] === 1 : c > 159);
const isWordPart = (c: number): boolean => (c < 128 ? WORD_PART[c] === 1 : c > 159);
const isDigit = (c: number): boolean => c < 128 && DIGIT[c] === 1;

/** Two-character operators, keyed by `first * 256 + second`. */
const TWO_CHAR_OPERATORS = new Set(
  [
    '*=',
    '=*',
    '<>',
    '!=',
    '>=',
    '<=',
    '!<',
    '!>',
    '+=',
    '-=',
    '/=',
    '%=',
    '&=',
    '|=',
    '^=',
    '::',
  ].map((op) => op.charCodeAt(0) * 256 + op.charCodeAt(1)),
);

function token(
  kind: TokenKind,
  text: string,
  line: number,
  column: number,
  unicode = false,
  count = 1,
): Token {
  return { kind, text, line, column, unicode, count };
}

/** The tokens of `text`, in order. */
export function tokenize(text: string, options: TokenizeOptions = {}): Token[] {
  const keepComments = options.comments === true;
  const out: Token[] = [];
  const length = text.length;
  let pos = 0;
  let line = 1;
  let lineStart = 0;
  /** Whether a token already started on the current line (GO must be alone on its line). */
  let lineHasToken = false;

  /** Advances over `from…to`, counting the line breaks inside. */
  const countLines = (from: number, to: number): void => {
    for (let p = from; p < to; p++) {
      if (text.charCodeAt(p) === LF) {
        line++;
        lineStart = p + 1;
      }
    }
  };

  while (pos < length) {
    const c = text.charCodeAt(pos);
    if (c === LF) {
      line++;
      pos++;
      lineStart = pos;
      lineHasToken = false;
      continue;
    }
    if (c === SPACE || c === TAB || c === CR || c === 12 || c === 11 || c === 0xfeff || c === 160) {
      pos++;
      continue;
    }
    const column = pos - lineStart + 1;
    const startLine = line;
    const next = pos + 1 < length ? text.charCodeAt(pos + 1) : 0;

    if (c === DASH && next === DASH) {
      let end = text.indexOf('\n', pos);
      if (end < 0) end = length;
      if (keepComments) out.push(token('comment', text.slice(pos, end), startLine, column));
      pos = end;
      continue;
    }
    if (c === SLASH && next === STAR) {
      let depth = 1;
      let p = pos + 2;
      while (p < length && depth > 0) {
        const d = text.charCodeAt(p);
        if (d === SLASH && p + 1 < length && text.charCodeAt(p + 1) === STAR) {
          depth++;
          p += 2;
        } else if (d === STAR && p + 1 < length && text.charCodeAt(p + 1) === SLASH) {
          depth--;
          p += 2;
        } else p++;
      }
      if (keepComments) out.push(token('comment', text.slice(pos, p), startLine, column));
      countLines(pos, p);
      pos = p;
      continue;
    }
    const firstOnLine = !lineHasToken;
    lineHasToken = true;

    if (c === QUOTE || ((c === 78 || c === 110) && next === QUOTE)) {
      const unicode = c !== QUOTE;
      const open = unicode ? pos + 1 : pos;
      const [value, end] = readDelimited(text, open + 1, QUOTE);
      out.push(token('string', value, startLine, column, unicode));
      countLines(open, end);
      pos = end;
      continue;
    }
    if (c === LBRACKET) {
      const [value, end] = readDelimited(text, pos + 1, RBRACKET);
      out.push(token('quoted', value, startLine, column));
      countLines(pos, end);
      pos = end;
      continue;
    }
    if (c === DQUOTE) {
      const [value, end] = readDelimited(text, pos + 1, DQUOTE);
      out.push(token('quoted', value, startLine, column));
      countLines(pos, end);
      pos = end;
      continue;
    }
    if (isWordStart(c)) {
      let p = pos + 1;
      while (p < length && isWordPart(text.charCodeAt(p))) p++;
      const word = text.slice(pos, p);
      if (
        firstOnLine &&
        p - pos === 2 &&
        (word === 'GO' || word === 'go' || word === 'Go' || word === 'gO')
      ) {
        const go = readGoTail(text, p);
        if (go) {
          out.push(token('go', word, startLine, column, false, go.count));
          pos = go.end;
          continue;
        }
      }
      out.push(token('word', word, startLine, column));
      pos = p;
      continue;
    }
    if (c === AT) {
      let p = pos + 1;
      while (p < length && isWordPart(text.charCodeAt(p))) p++;
      if (p > pos + 1) {
        out.push(token('variable', text.slice(pos, p), startLine, column));
        pos = p;
        continue;
      }
    }
    if (
      isDigit(c) ||
      (c === DOT && isDigit(next)) ||
      (c === DOLLAR && (isDigit(next) || next === DOT))
    ) {
      const end = readNumber(text, pos);
      out.push(token('number', text.slice(pos, end), startLine, column));
      pos = end;
      continue;
    }
    if (TWO_CHAR_OPERATORS.has(c * 256 + next)) {
      out.push(token('operator', text.slice(pos, pos + 2), startLine, column));
      pos += 2;
      continue;
    }
    out.push(token('operator', text[pos] as string, startLine, column));
    pos++;
  }
  return out;
}

/** Reads up to the closing `close` (a doubled one is an escaped one); returns the value and the end. */
function readDelimited(text: string, from: number, close: number): [string, number] {
  const closeChar = String.fromCharCode(close);
  let value = '';
  let p = from;
  for (;;) {
    const at = text.indexOf(closeChar, p);
    if (at < 0) return [value + text.slice(p), text.length];
    if (text.charCodeAt(at + 1) === close) {
      value += text.slice(p, at + 1);
      p = at + 2;
      continue;
    }
    return [value + text.slice(p, at), at + 1];
  }
}

function readNumber(text: string, from: number): number {
  const length = text.length;
  let p = from;
  if (text.charCodeAt(p) === DOLLAR) p++;
  if (text.charCodeAt(p) === 48 && (text.charCodeAt(p + 1) | 32) === 120) {
    p += 2; // 0x… binary constant
    while (p < length && isWordPart(text.charCodeAt(p))) p++;
    return p;
  }
  while (p < length && isDigit(text.charCodeAt(p))) p++;
  if (text.charCodeAt(p) === DOT) {
    p++;
    while (p < length && isDigit(text.charCodeAt(p))) p++;
  }
  if ((text.charCodeAt(p) | 32) === 101) {
    // exponent: e, an optional sign, digits
    let q = p + 1;
    const sign = text.charCodeAt(q);
    if (sign === 43 || sign === DASH) q++;
    if (isDigit(text.charCodeAt(q))) {
      p = q;
      while (p < length && isDigit(text.charCodeAt(p))) p++;
    }
  }
  return p;
}

/**
 * After `GO` at the start of a line: blanks, an optional count, blanks, an optional `--` comment,
 * then the end of the line. Anything else means the word is not a batch separator.
 */
function readGoTail(text: string, from: number): { count: number; end: number } | null {
  const length = text.length;
  let p = from;
  const skipBlanks = (): void => {
    while (p < length) {
      const c = text.charCodeAt(p);
      if (c !== SPACE && c !== TAB && c !== CR) break;
      p++;
    }
  };
  skipBlanks();
  let count = 1;
  const digitsFrom = p;
  while (p < length && isDigit(text.charCodeAt(p))) p++;
  if (p > digitsFrom) {
    count = Number(text.slice(digitsFrom, p));
    skipBlanks();
  }
  if (p < length && text.charCodeAt(p) === DASH && text.charCodeAt(p + 1) === DASH) {
    const lineEnd = text.indexOf('\n', p);
    p = lineEnd < 0 ? length : lineEnd;
  }
  if (p < length && text.charCodeAt(p) !== LF) return null;
  return { count, end: p };
}
