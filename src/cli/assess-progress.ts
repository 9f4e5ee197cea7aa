/**
 * The live assessment's progress on stderr: on a terminal one line rewritten in place ("[2/40]
 * Sales: modules"), cleared at the end; otherwise (a log, a pipe) a plain line when the assessment
 * moves on to the next database, so that logs stay short.
 */
import type { LiveProgress } from '../assessment/index.js';

export interface ProgressSink {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export interface ProgressDisplay {
  readonly onProgress: (progress: LiveProgress) => void;
  /** Clears the terminal line; nothing for plain lines. */
  done(): void;
}

export function progressDisplay(sink: ProgressSink): ProgressDisplay {
  const tty = sink.isTTY === true;
  let lastPlain = '';
  let shown = false;
  return {
    onProgress(p) {
      if (tty) {
        const where =
          p.database === null
            ? 'instance'
            : `[${p.databaseIndex}/${p.databaseCount}] ${p.database}`;
        sink.write(`\r\x1b[K${where}: ${p.step}`);
        shown = true;
        return;
      }
      const line =
        p.step === 'permissions'
          ? 'checking the login’s permissions'
          : p.database === null
            ? 'reading the instance (configuration, logins, linked servers, msdb jobs)'
            : `reading database ${p.databaseIndex} of ${p.databaseCount}: ${p.database}`;
      if (line === lastPlain) return;
      lastPlain = line;
      sink.write(`sqlmig: ${line}\n`);
    },
    done() {
      if (tty && shown) sink.write('\r\x1b[K');
    },
  };
}
