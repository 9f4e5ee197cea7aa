/**
 * SMB locations as users write them, `\\host\share\folder\sub` (or with forward slashes), split into
 * host, share and folder, and the rule for the names of folders and files inside a share. Names that
 * Windows cannot hold (`"*?<>|:`, control characters, `.` and `..`) are refused: they cannot exist
 * on a share, and `"` could not be quoted in an `smbclient` command anyway.
 */
import { SmbShareError } from './errors.js';

export interface UncPath {
  /** Host name or IP address (an IPv6 address in brackets, `[::1]`). */
  readonly host: string;
  readonly share: string;
  /** The folder inside the share, parts joined with `/`; `''` for the share's root. */
  readonly folder: string;
}

const forbidden = /["*?<>|:\\/\p{Cc}]/u;

/** Whether `part` can be one folder or file name inside a share. */
export function isValidSmbName(part: string): boolean {
  return part !== '' && part !== '.' && part !== '..' && !forbidden.test(part);
}

export function parseUncPath(location: string): UncPath {
  const invalid = (why: string): SmbShareError =>
    new SmbShareError(
      'InvalidLocation',
      `${JSON.stringify(location)} is not an SMB location: ${why}. Write it as \\\\host\\share or \\\\host\\share\\folder (forward slashes work too).`,
    );
  const match = /^(?:\\\\|\/\/)([^\\/]*)[\\/]+([^\\/]*)(.*)$/.exec(location.trim());
  if (match === null) throw invalid('it does not start with \\\\host\\share');
  const [, host = '', share = '', rest = ''] = match;
  if (host === '') throw invalid('the host is missing');
  if (!/^(?:\[[0-9A-Fa-f:.]+\]|[\p{L}\p{N}._-]+)$/u.test(host)) {
    throw invalid(
      `the host ${JSON.stringify(host)} is not a host name or IP address (give a port as the port option, not as host:port)`,
    );
  }
  if (!isValidSmbName(share)) throw invalid(`the share name ${JSON.stringify(share)} is not valid`);
  const parts = rest.split(/[\\/]+/).filter((part) => part !== '');
  const bad = parts.find((part) => !isValidSmbName(part));
  if (bad !== undefined) throw invalid(`the folder name ${JSON.stringify(bad)} is not valid`);
  return { host, share, folder: parts.join('/') };
}

/** `\\host\share\folder` for messages. */
export function formatUncPath(path: UncPath): string {
  const folder = path.folder === '' ? '' : `\\${path.folder.split('/').join('\\')}`;
  return `\\\\${path.host}\\${path.share}${folder}`;
}
