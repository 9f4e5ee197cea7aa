/**
 * `sqlmig perf collect`'s live progress, on stderr: on a terminal one status line rewritten in place
 * (samples taken, windows written, next write in N s), with lasting lines for what matters (a window
 * written, a failed sample); elsewhere (a log file, CI) one line per event.
 */
import type { CollectEvent } from '../sizing/index.js';

export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export class PerfProgress {
  readonly #out: ProgressStream;
  #statusShown = false;
  #unreadableSaid = false;

  constructor(out: ProgressStream) {
    this.#out = out;
  }

  /** A lasting line (the status line, if shown, is cleared first and comes back at the next sample). */
  line(text: string): void {
    this.#clearStatus();
    this.#out.write(`${text}\n`);
  }

  event(event: CollectEvent): void {
    switch (event.kind) {
      case 'sample': {
        const text = `${plural(event.samplesTaken, 'sample')} taken (${event.samplesInWindow} in the current window), ${plural(event.windowsWritten, 'window')} written, next write in ${Math.ceil(event.nextWriteInMs / 1000)} s`;
        if (this.#out.isTTY) {
          this.#out.write(`\r${text}\u001b[K`);
          this.#statusShown = true;
        } else this.#out.write(`${text}\n`);
        return;
      }
      case 'window': {
        const w = event.window;
        this.line(
          `Window ${event.windowsWritten} written (${w.timeDataCollected}, ${plural(w.sampleCount, 'sample')}${w.partial ? ', partial' : ''}${w.restarts > 0 ? `; the source restarted ${w.restarts === 1 ? 'once' : `${w.restarts} times`} in it` : ''}).`,
        );
        return;
      }
      case 'static':
        if (event.unreadable.length > 0 && !this.#unreadableSaid) {
          this.#unreadableSaid = true;
          this.line(
            `Cannot enter ${event.unreadable.join(', ')} to look for memory-optimized filegroups (In-Memory OLTP): taken as having none. Make the login a user there (or sysadmin) to check.`,
          );
        }
        if (!this.#out.isTTY)
          this.line(
            `Static data read: ${plural(event.databases, 'user database')}, ${plural(event.files, 'file')}.`,
          );
        return;
      case 'sampleFailed':
        this.line(
          `A sample failed (${event.consecutive} in a row), trying again at the next interval: ${event.error.message}`,
        );
        return;
    }
  }

  #clearStatus(): void {
    if (this.#statusShown) this.#out.write('\r\u001b[K');
    this.#statusShown = false;
  }
}

export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
