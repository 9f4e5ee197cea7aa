/**
 * Why a SQL Server call failed. A statement the server refused carries SQL Server's own messages
 * (number, state, class, text; a `RESTORE` failure sends the cause first, then 3013 "terminating
 * abnormally"); a failed login says what to check. No message ever holds a password or a bound
 * parameter's value.
 */
export type SqlErrorCode =
  /** The server refused the statement: see `messages`. */
  | 'RequestFailed'
  /** The login was refused (wrong user or password, SQL authentication off, login disabled). */
  | 'LoginFailed'
  /** No connection could be made, or it was lost (host, port, firewall, TLS). */
  | 'ConnectionFailed'
  /** The statement or the connection attempt took longer than allowed. */
  | 'Timeout'
  /** The connection was closed by sqlmig. */
  | 'Closed'
  /** sqlmig refused to send the statement (a parameter it cannot bind, a bad name). */
  | 'InvalidStatement';

/** One error message SQL Server sent (`RAISERROR` / `THROW` level ≥ 11). */
export interface SqlServerMessage {
  readonly number: number;
  readonly state: number;
  readonly class: number;
  readonly message: string;
}

export class SqlError extends Error {
  override readonly name = 'SqlError';
  readonly code: SqlErrorCode;
  /** Every error message of the failed statement, in the order the server sent them. */
  readonly messages: readonly SqlServerMessage[];

  constructor(
    code: SqlErrorCode,
    message: string,
    options: { readonly messages?: readonly SqlServerMessage[]; readonly cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.messages = options.messages ?? [];
  }

  /** The first message's number (the cause; 3013 and the like follow it), or null. */
  get number(): number | null {
    return this.messages[0]?.number ?? null;
  }

  get state(): number | null {
    return this.messages[0]?.state ?? null;
  }

  get class(): number | null {
    return this.messages[0]?.class ?? null;
  }

  /** Whether the server sent an error of that number for this statement. */
  has(number: number): boolean {
    return this.messages.some((m) => m.number === number);
  }
}

export function isSqlError(error: unknown): error is SqlError {
  return error instanceof SqlError;
}

/** `Msg 4305, Level 16, State 1: …` lines, as SQL Server's tools print them. */
export function formatServerMessages(messages: readonly SqlServerMessage[]): string {
  return messages
    .map((m) => `Msg ${m.number}, Level ${m.class}, State ${m.state}: ${m.message}`)
    .join(' ');
}
