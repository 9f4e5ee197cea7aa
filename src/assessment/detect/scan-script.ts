/**
 * Assessing one script's text: tokenize, walk batch by batch, run the detectors, follow code held in
 * EXEC / sp_executesql strings (with the line of the string), and keep track of the object each
 * batch defines so that every hit names its object and line.
 */
import { tokenize } from '../tsql/tokenizer.js';
import type { Token } from '../tsql/token.js';
import { isOp, readName } from './cursor.js';
import { nameDetectors, wordDetectors, type Detector } from './detectors.js';
import type { ScanState, ScriptHit, SqlObjectRef } from './scan-state.js';

export interface AssessScriptOptions {
  /** The object the whole text defines (a .dacpac element's body); null for a script file. */
  readonly object?: SqlObjectRef | null;
  /**
   * Linked servers with a non-SQL Server provider, shared by the scripts of one run so that a
   * distributed transaction in one file sees the linked server defined in another.
   */
  readonly nonSqlLinkedServers?: Map<string, string>;
}

const forWords: ReadonlyMap<string, Detector> = new Map([...wordDetectors, ...nameDetectors]);
const maxEmbeddingDepth = 8;

interface Placement {
  /** Added to the line of every token (the string's line - 1 for embedded code). */
  readonly lineOffset: number;
  /** Added to the column of tokens on the first line. */
  readonly firstLineColumnOffset: number;
}

class Scan implements ScanState {
  tokens: readonly Token[] = [];
  object: SqlObjectRef | null;
  clause = '';
  database: string | undefined;
  readonly nonSqlLinkedServers: Map<string, string>;
  readonly #out: ScriptHit[];
  readonly #placement: Placement;
  readonly #initialObject: SqlObjectRef | null;
  readonly #depth: number;
  #distributed: Token[] = [];
  #batchUsesNonSql = false;
  #batchStart = 0;

  constructor(
    out: ScriptHit[],
    object: SqlObjectRef | null,
    database: string | undefined,
    linkedServers: Map<string, string>,
    placement: Placement,
    depth: number,
  ) {
    this.#out = out;
    this.object = object;
    this.#initialObject = object;
    this.database = database;
    this.nonSqlLinkedServers = linkedServers;
    this.#placement = placement;
    this.#depth = depth;
  }

  run(tokens: readonly Token[]): void {
    this.tokens = tokens;
    const count = tokens.length;
    for (let i = 0; i < count; i++) {
      const t = tokens[i] as Token;
      const kind = t.kind;
      if (kind === 'word') {
        const key = t.text.toLowerCase();
        const detector = forWords.get(key);
        if (detector !== undefined) detector(this, i, key);
      } else if (kind === 'operator') {
        if (t.text === '*=' || t.text === '=*') this.#oldOuterJoin(t);
      } else if (kind === 'quoted') {
        const key = t.text.toLowerCase();
        const detector = nameDetectors.get(key);
        if (detector !== undefined) detector(this, i, key);
      } else if (kind === 'go') {
        this.#endBatch(i);
        this.#batchStart = i + 1;
      }
    }
    this.#endBatch(count);
  }

  hit(ruleId: string, at: Token, detail: string): void {
    const { lineOffset, firstLineColumnOffset } = this.#placement;
    this.#out.push({
      ruleId,
      line: at.line + lineOffset,
      column: at.line === 1 ? at.column + firstLineColumnOffset : at.column,
      object: this.object,
      detail,
      ...(this.database !== undefined ? { database: this.database } : {}),
    });
  }

  assessEmbedded(strings: readonly Token[], join: boolean): void {
    if (this.#depth >= maxEmbeddingDepth) return;
    const pieces = join ? [strings] : strings.map((s) => [s]);
    for (const piece of pieces) {
      const first = piece[0] as Token;
      this.#nested(this.#out, first, piece.map((s) => s.text).join(''));
    }
  }

  collectEmbedded(code: Token): ScriptHit[] {
    const out: ScriptHit[] = [];
    if (this.#depth < maxEmbeddingDepth) this.#nested(out, code, code.text);
    return out;
  }

  useDatabase(name: string): void {
    this.database = name;
  }

  noteDistributedTransaction(at: Token): void {
    this.#distributed.push(at);
  }

  noteNonSqlProvider(): void {
    this.#batchUsesNonSql = true;
  }

  #nested(out: ScriptHit[], string: Token, code: string): void {
    const { lineOffset, firstLineColumnOffset } = this.#placement;
    const column =
      (string.line === 1 ? string.column + firstLineColumnOffset : string.column) +
      (string.unicode ? 2 : 1);
    const inner = new Scan(
      out,
      this.object,
      this.database,
      this.nonSqlLinkedServers,
      {
        lineOffset: string.line + lineOffset - 1,
        firstLineColumnOffset: column - 1,
      },
      this.#depth + 1,
    );
    inner.run(tokenize(code));
  }

  #oldOuterJoin(t: Token): void {
    if (this.clause !== 'where' && this.clause !== 'having') return;
    const ruleId = t.text === '*=' ? 'NonANSILeftOuterJoinSyntax' : 'NonANSIRightOuterJoinSyntax';
    this.hit(ruleId, t, `${t.text} outer join`);
  }

  /** A distributed transaction in a batch that also reaches a non-SQL Server source is heterogeneous. */
  #endBatch(end: number): void {
    if (this.#distributed.length > 0 && (this.#batchUsesNonSql || this.#reachesNonSqlServer(end)))
      for (const at of this.#distributed)
        this.hit(
          'MIHeterogeneousMSDTCTransactSQL',
          at,
          'BEGIN DISTRIBUTED TRANSACTION with a non-SQL Server participant',
        );
    this.#distributed = [];
    this.#batchUsesNonSql = false;
    this.object = this.#initialObject;
    this.clause = '';
  }

  #reachesNonSqlServer(end: number): boolean {
    if (this.nonSqlLinkedServers.size === 0) return false;
    for (let i = this.#batchStart; i < end; i++) {
      const t = this.tokens[i] as Token;
      if (
        t.kind === 'word' &&
        t.text.toLowerCase() === 'openquery' &&
        isOp(this.tokens[i + 1], '(')
      ) {
        const server = this.tokens[i + 2];
        if (server && this.nonSqlLinkedServers.has(server.text.toLowerCase())) return true;
      }
      if (t.kind !== 'word' && t.kind !== 'quoted') continue;
      const name = readName(this.tokens, i);
      if (
        name &&
        name.parts.length === 4 &&
        this.nonSqlLinkedServers.has((name.parts[0] ?? '').toLowerCase())
      )
        return true;
      if (name) i = name.end - 1;
    }
    return false;
  }
}

/** The rule hits in one script's text, in order. */
export function assessScriptText(text: string, options: AssessScriptOptions = {}): ScriptHit[] {
  const out: ScriptHit[] = [];
  const scan = new Scan(
    out,
    options.object ?? null,
    undefined,
    options.nonSqlLinkedServers ?? new Map<string, string>(),
    {
      lineOffset: 0,
      firstLineColumnOffset: 0,
    },
    0,
  );
  scan.run(tokenize(text));
  return out;
}
