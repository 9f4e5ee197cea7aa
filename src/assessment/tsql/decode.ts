/**
 * Turning the bytes of a script file into text: UTF-8 with or without a byte order mark, and UTF-16
 * (little-endian as SSMS writes it, or big-endian) with one. A file with no BOM whose first bytes
 * look like UTF-16LE (every second byte zero) is read as UTF-16LE too.
 */

export type ScriptEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

export function detectEncoding(bytes: Uint8Array): { encoding: ScriptEncoding; bomBytes: number } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    return { encoding: 'utf-8', bomBytes: 3 };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16le', bomBytes: 2 };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf-16be', bomBytes: 2 };
  if (bytes.length >= 4 && bytes[0] !== 0 && bytes[1] === 0 && bytes[2] !== 0 && bytes[3] === 0)
    return { encoding: 'utf-16le', bomBytes: 0 };
  return { encoding: 'utf-8', bomBytes: 0 };
}

export function decodeScript(bytes: Uint8Array): string {
  const { encoding, bomBytes } = detectEncoding(bytes);
  const body = bytes.subarray(bomBytes);
  if (encoding === 'utf-16be') {
    const swapped = new Uint8Array(body.length - (body.length % 2));
    for (let i = 0; i + 1 < body.length; i += 2) {
      swapped[i] = body[i + 1] as number;
      swapped[i + 1] = body[i] as number;
    }
    return new TextDecoder('utf-16le').decode(swapped);
  }
  return new TextDecoder(encoding).decode(body);
}
