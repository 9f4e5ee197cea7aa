/**
 * What a detector sees of the scan in progress: the batch's tokens, the object being defined, the
 * clause the statement is in, and the ways to report a hit or assess code held in a string.
 */
import type { Token } from '../tsql/token.js';

/** The module a finding lies in: `PROCEDURE dbo.Load`, `TABLE [Sales].[Order]`, …. */
export interface SqlObjectRef {
  /** PROCEDURE, FUNCTION, VIEW, TRIGGER or TABLE. */
  readonly type: string;
  /** The name as written, its parts joined by dots, brackets removed. */
  readonly name: string;
}

/** One place where a rule fired, before findings are grouped per database and rule. */
export interface ScriptHit {
  readonly ruleId: string;
  readonly line: number;
  readonly column: number;
  readonly object: SqlObjectRef | null;
  /** What was seen, in a few words (`xp_cmdshell`, `COMPUTE SUM`, `TO DISK`). */
  readonly detail: string;
  /** The database a `USE` statement switched to, when the script has one before the hit. */
  readonly database?: string;
}

export interface ScanState {
  readonly tokens: readonly Token[];
  object: SqlObjectRef | null;
  /** The last clause keyword of the statement (`where`, `set`, `select`, …), lower case. */
  clause: string;
  /** Linked servers seen defined with a non-SQL Server provider (lower-case name → provider). */
  readonly nonSqlLinkedServers: Map<string, string>;
  hit(ruleId: string, at: Token, detail: string): void;
  /** Tokenizes the strings' code (joined when `join`) and assesses it as part of this scan. */
  assessEmbedded(strings: readonly Token[], join: boolean): void;
  /** Tokenizes and assesses the string's code on the side, returning what it found. */
  collectEmbedded(code: Token): ScriptHit[];
  useDatabase(name: string): void;
  noteDistributedTransaction(at: Token): void;
  noteNonSqlProvider(): void;
}
