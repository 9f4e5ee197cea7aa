/**
 * `sqlmig up --open`: the dashboard's address handed to the desktop's browser (xdg-open, open, or
 * start). The address never holds the token — the page asks for it — so nothing secret reaches a
 * process list or a log. A machine without a desktop says so and the service runs on.
 */
import { spawn } from 'node:child_process';

export function openBrowser(url: string): Promise<string | null> {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.once('error', (error) => {
      resolve(`could not open a browser (${command}: ${error.message}); open ${url} yourself`);
    });
    child.once('spawn', () => {
      child.unref();
      resolve(null);
    });
  });
}
