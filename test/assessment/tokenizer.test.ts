/**
 * The T-SQL tokenizer: comments (nested), strings and N-strings, delimited names, operators, GO.
 */
import { describe, expect, it } from 'vitest';

import { decodeScript, tokenize, type Token } from '../../src/assessment/index.js';

const brief = (tokens: Token[]): string[] => tokens.map((t) => `${t.kind}:${t.text}`);

describe('tokenize', () => {
  it('skips nested block comments whole, and line comments', () => {
    const tokens = tokenize(
      'SELECT /* outer /* inner */ still comment */ 1 -- trailing xp_cmdshell\nFROM t',
    );
    expect(brief(tokens)).toEqual(['word:SELECT', 'number:1', 'word:FROM', 'word:t']);
    expect(tokens[2]).toMatchObject({ line: 2, column: 1 });
  });

  it('gives comments when asked', () => {
    const tokens = tokenize('/* a /* b */ c */x', { comments: true });
    expect(brief(tokens)).toEqual(['comment:/* a /* b */ c */', 'word:x']);
  });

  it("reads strings with doubled quotes and N'…' strings, across lines", () => {
    const tokens = tokenize("SELECT 'it''s', N'Grüße\nzwei' , n'x'\nSELECT 1");
    expect(tokens[1]).toMatchObject({ kind: 'string', text: "it's", unicode: false });
    expect(tokens[3]).toMatchObject({
      kind: 'string',
      text: 'Grüße\nzwei',
      unicode: true,
      line: 1,
      column: 17,
    });
    expect(tokens[5]).toMatchObject({ kind: 'string', text: 'x', unicode: true, line: 2 });
    expect(tokens[6]).toMatchObject({ kind: 'word', text: 'SELECT', line: 3, column: 1 });
  });

  it('reads [bracketed] names with ]] escapes and "quoted" names', () => {
    const tokens = tokenize('SELECT [odd]]name], [two\nlines], "q""x" FROM [dbo].[t]');
    expect(brief(tokens)).toEqual([
      'word:SELECT',
      'quoted:odd]name',
      'operator:,',
      'quoted:two\nlines',
      'operator:,',
      'quoted:q"x',
      'word:FROM',
      'quoted:dbo',
      'operator:.',
      'quoted:t',
    ]);
    expect(tokens[6]).toMatchObject({ line: 2 });
  });

  it('reads numbers, variables, temp names and multi-character operators', () => {
    expect(
      brief(tokenize('@x @@ROWCOUNT #t ##g 12 1.5 .5 2e10 0x4D5A $3.50 a*=b c=*d e<>f g!=h ::')),
    ).toEqual([
      'variable:@x',
      'variable:@@ROWCOUNT',
      'word:#t',
      'word:##g',
      'number:12',
      'number:1.5',
      'number:.5',
      'number:2e10',
      'number:0x4D5A',
      'number:$3.50',
      'word:a',
      'operator:*=',
      'word:b',
      'word:c',
      'operator:=*',
      'word:d',
      'word:e',
      'operator:<>',
      'word:f',
      'word:g',
      'operator:!=',
      'word:h',
      'operator:::',
    ]);
  });

  it('recognises GO alone on its line, with a count, and nothing else as GO', () => {
    const tokens = tokenize(
      'SELECT 1\nGO\nSELECT 2\n  go 5  \nSELECT go FROM t\nGO -- next\nGOTO x\nGO;\n',
    );
    const gos = tokens.filter((t) => t.kind === 'go');
    expect(gos.map((t) => [t.line, t.count])).toEqual([
      [2, 1],
      [4, 5],
      [6, 1],
    ]);
    expect(brief(tokens).filter((t) => t.toLowerCase().includes('go'))).toContain('word:go');
    expect(brief(tokens)).toContain('word:GOTO');
    expect(brief(tokens)).toContain('word:GO'); // `GO;` is not a batch separator
  });

  it('does not end a string or a comment at GO', () => {
    const tokens = tokenize("SELECT 'a\nGO\nb'\n/*\nGO\n*/\nSELECT 2");
    expect(tokens.filter((t) => t.kind === 'go')).toHaveLength(0);
  });

  it('runs an unterminated string or comment to the end of the text', () => {
    expect(brief(tokenize("SELECT 'abc"))).toEqual(['word:SELECT', 'string:abc']);
    expect(brief(tokenize('SELECT /* /* */ x'))).toEqual(['word:SELECT']);
  });
});

describe('decodeScript', () => {
  const text = "SELECT N'Grüße' -- ✓\r\nGO\r\n";
  it('reads UTF-8 with and without a BOM', () => {
    const utf8 = Buffer.from(text, 'utf8');
    expect(decodeScript(utf8)).toBe(text);
    expect(decodeScript(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8]))).toBe(text);
  });
  it('reads UTF-16LE with a BOM (as SSMS writes), and UTF-16BE', () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    expect(decodeScript(le)).toBe(text);
    const be = Buffer.from(le);
    be.swap16();
    expect(decodeScript(be)).toBe(text);
  });
});
