/**
 * What a failed RESTORE means for the restore as a whole, from SQL Server's error messages. A
 * RESTORE that fails sends its cause first and then 3013 ("RESTORE DATABASE/LOG is terminating
 * abnormally"), so the decision is made on the message before 3013:
 * - 4326 (MSSQLSERVER_4326): the log ends before the database's redo point: it is already in, skip it;
 * - 4305 (MSSQLSERVER_4305): the log starts after the redo point: a log is missing, wait for it;
 * - 3201 (cannot open backup device: storage unreachable, SAS refused, file absent) and lost
 *   connections: try again at the next pass, saying why;
 * - anything else (damaged backup 3241/3183, checksum 3189, disk full 3257, …): the restore fails.
 */
import { formatServerMessages, isSqlError, type SqlServerMessage } from '../../sql/index.js';
import { isRestoreTargetError } from '../target-error.js';

export type RestoreOutcome =
  | { readonly kind: 'TooEarly'; readonly message: string }
  | { readonly kind: 'TooRecent'; readonly message: string }
  | { readonly kind: 'Retry'; readonly message: string }
  | { readonly kind: 'Fatal'; readonly message: string };

/** The message that decides: the one before 3013, else the first. */
export function decisiveMessage(messages: readonly SqlServerMessage[]): SqlServerMessage | null {
  const abnormal = messages.findIndex((m) => m.number === 3013);
  if (abnormal > 0) return messages[abnormal - 1] ?? null;
  return messages.find((m) => m.number !== 3013) ?? messages[0] ?? null;
}

export function restoreOutcome(error: unknown): RestoreOutcome {
  if (isRestoreTargetError(error)) return { kind: 'Fatal', message: error.message };
  if (!isSqlError(error))
    return { kind: 'Retry', message: error instanceof Error ? error.message : String(error) };
  if (error.code !== 'RequestFailed') return { kind: 'Retry', message: error.message };
  const decisive = decisiveMessage(error.messages);
  const text = formatServerMessages(error.messages);
  switch (decisive?.number) {
    case 4326:
      return { kind: 'TooEarly', message: text };
    case 4305:
      return { kind: 'TooRecent', message: text };
    case 3201:
      return { kind: 'Retry', message: text };
    default:
      return { kind: 'Fatal', message: text };
  }
}
