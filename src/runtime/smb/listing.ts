/**
 * Reads what `smbclient`'s `ls` prints (with `recurse ON`, run in the C locale and UTC) into files
 * with their size and modification time, names relative to the listed folder with `/`.
 *
 * Each entry is printed as `"  %-30s%7.7s %8.0f  %s"`: the name padded to 30 bytes, the attributes
 * right-aligned in exactly 7 characters, a space, the size right-aligned in at least 8, two spaces and
 * the time as `asctime` writes it (24 characters). The line is read from its right end, where every
 * field has a known width, so a name may hold spaces, runs of spaces, or letters that look like
 * attributes. Only a name ending in spaces (which Windows does not allow) would lose them. A
 * subfolder's entries follow a line holding its path from the share's root (`\folder\sub`).
 */
export interface ListedFile {
  /** Relative to the listed folder, parts joined with `/`. */
  readonly name: string;
  readonly size: number;
  /** ISO 8601, to the second (what `ls` shows). */
  readonly modifiedAt: string;
}

export interface ListedEntry {
  readonly name: string;
  readonly directory: boolean;
  readonly size: number;
  readonly modifiedAt: string;
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const timeAtEnd =
  / {2}(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) ([ \d]\d) (\d\d):(\d\d):(\d\d) (\d{4,})$/;

/** One entry line, or null when the line is not one (a header, a blank, the free-space line). */
export function parseEntryLine(line: string): ListedEntry | null {
  if (!line.startsWith('  ')) return null;
  const time = timeAtEnd.exec(line);
  if (time === null) return null;
  const [, month = '', day = '', hours = '', minutes = '', seconds = '', year = ''] = time;
  const monthIndex = months.indexOf(month);
  if (monthIndex < 0) return null;
  const rest = line.slice(0, time.index);
  // The size: at least 8 characters, right-aligned, after one space.
  const digits = /\d+$/.exec(rest)?.[0] ?? '';
  if (digits === '') return null;
  const sizeStart = rest.length - Math.max(8, digits.length);
  if (sizeStart < 0 || !/^ *\d+$/.test(rest.slice(sizeStart)) || rest[sizeStart - 1] !== ' ') {
    return null;
  }
  const attributesEnd = sizeStart - 1;
  const attributes = rest.slice(attributesEnd - 7, attributesEnd);
  if (attributesEnd - 7 < 2 || !/^ *[A-Za-z]*$/.test(attributes)) return null;
  const name = rest.slice(2, attributesEnd - 7).trimEnd();
  if (name === '') return null;
  const date = Date.UTC(
    Number(year),
    monthIndex,
    Number(day.trim()),
    Number(hours),
    Number(minutes),
    Number(seconds),
  );
  return {
    name,
    directory: attributes.includes('D'),
    size: Number(digits),
    modifiedAt: new Date(date).toISOString(),
  };
}

/**
 * The files of a recursive listing of `folder` (its path inside the share, parts joined with `/`,
 * `''` for the root). Folders, `.` and `..` are left out.
 */
export function parseListing(output: string, folder: string): ListedFile[] {
  const base = folder === '' ? '' : `\\${folder.split('/').join('\\')}`;
  const files: ListedFile[] = [];
  let prefix = '';
  for (const line of output.split(/\r?\n/)) {
    if (line.startsWith('\\')) {
      prefix = subfolderPrefix(line.trimEnd(), base);
      continue;
    }
    const entry = parseEntryLine(line);
    if (entry === null || entry.directory || entry.name === '.' || entry.name === '..') continue;
    files.push({ name: prefix + entry.name, size: entry.size, modifiedAt: entry.modifiedAt });
  }
  return files;
}

/** `\folder\sub\deeper` below the base `\folder` → `sub/deeper/`. */
function subfolderPrefix(header: string, base: string): string {
  // smbclient prints the path as it was asked for (the case given for the base folder); the server
  // compares case-insensitively, so the base is matched the same way.
  if (header.slice(0, base.length).toLowerCase() !== base.toLowerCase()) {
    throw new Error(`smbclient listed ${header}, which is not under ${base || '\\'}`);
  }
  const relative = header.slice(base.length).split('\\').filter(Boolean);
  return relative.length === 0 ? '' : `${relative.join('/')}/`;
}
