/**
 * Watching a backup folder for changes, as a hint that lets the engine look at a new file at once
 * instead of at its next periodic listing. A hint only, never the whole truth: the watch may deliver
 * nothing (network shares), stop (the folder removed, renamed or unmounted) or never start (the
 * folder missing, the system's limit of watches reached), and none of that is an error. So it never
 * throws: whatever goes wrong ends the watch quietly, and the periodic listing finds the files.
 */
import { watch, type FSWatcher } from 'node:fs';

/**
 * Calls `onChange` on every event `fs.watch` delivers for `folder` (a file created, renamed in or
 * out, written, removed) until the returned function is called, with the name of the folder's entry
 * concerned, or null when the system did not say which (some platforms do not). Only the folder's own
 * entries are watched, not its subfolders'. The function may be called any number of times.
 */
export function watchFolder(folder: string, onChange: (entry: string | null) => void): () => void {
  let watcher: FSWatcher | null = null;
  const close = (): void => {
    const open = watcher;
    watcher = null;
    try {
      open?.close();
    } catch {
      // Already closed by the system: nothing is left to release.
    }
  };
  try {
    // Not persistent: a watch alone does not keep the process running.
    watcher = watch(folder, { persistent: false }, (_event, entry) => {
      try {
        onChange(entry || null);
      } catch {
        // Thrown inside a file system event it would end the process; a missed hint is harmless.
      }
    });
    // The folder removed, ENOSPC (the inotify watch limit) and the like: end the watch.
    watcher.on('error', close);
  } catch {
    // ENOENT (the folder does not exist yet), ENOSPC, EMFILE, EPERM…: no watch.
    close();
  }
  return close;
}
