/**
 * TEST SUPPORT — a stand-in for the desktop's opener (`xdg-open`): a script in a folder to put first
 * on PATH, which writes the arguments it was given to a file instead of opening a browser.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface OpenerStandIn {
  /** Put this folder first on the child's PATH. */
  readonly binFolder: string;
  /** The arguments of the last run, one a line; undefined until it has run. */
  given(): Promise<string | undefined>;
}

export async function openerStandIn(folder: string): Promise<OpenerStandIn> {
  const binFolder = join(folder, 'bin');
  const record = join(folder, 'opened.txt');
  await mkdir(binFolder, { recursive: true });
  await writeFile(join(binFolder, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${record}'\n`);
  await chmod(join(binFolder, 'xdg-open'), 0o755);
  return {
    binFolder,
    given: () => readFile(record, 'utf8').catch(() => undefined),
  };
}
