/** Little-endian field readers over a byte array, bounds-checked by the caller's DataView. */

export function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function u8(bytes: Uint8Array, offset: number): number {
  const value = bytes[offset];
  if (value === undefined)
    throw new RangeError(`offset ${offset} is outside ${bytes.length} bytes`);
  return value;
}

export function u16(bytes: Uint8Array, offset: number): number {
  return view(bytes).getUint16(offset, true);
}

export function u32(bytes: Uint8Array, offset: number): number {
  return view(bytes).getUint32(offset, true);
}

export function u64(bytes: Uint8Array, offset: number): bigint {
  return view(bytes).getBigUint64(offset, true);
}

export function ascii(bytes: Uint8Array, offset: number, length: number): string {
  let text = '';
  for (let i = offset; i < offset + length; i++) text += String.fromCharCode(u8(bytes, i));
  return text;
}

/** A Windows GUID: the first three groups little-endian, the last two as stored. */
export function guid(bytes: Uint8Array, offset: number): string {
  const hex = (from: number, to: number, reverse: boolean): string => {
    const parts: string[] = [];
    for (let i = from; i < to; i++)
      parts.push(
        u8(bytes, offset + i)
          .toString(16)
          .padStart(2, '0'),
      );
    return (reverse ? parts.reverse() : parts).join('');
  };
  return [
    hex(0, 4, true),
    hex(4, 6, true),
    hex(6, 8, true),
    hex(8, 10, false),
    hex(10, 16, false),
  ].join('-');
}

export function isZero(bytes: Uint8Array, offset: number, length: number): boolean {
  for (let i = offset; i < offset + length; i++) if (u8(bytes, i) !== 0) return false;
  return true;
}

const utf16 = new TextDecoder('utf-16le', { fatal: false });

export function utf16le(bytes: Uint8Array, offset: number, byteLength: number): string {
  if (offset < 0 || byteLength < 0 || offset + byteLength > bytes.length) {
    throw new RangeError(`string at ${offset}+${byteLength} is outside ${bytes.length} bytes`);
  }
  return utf16.decode(bytes.subarray(offset, offset + byteLength - (byteLength % 2)));
}

/**
 * An MTF DATE_TIME: 5 bytes, big-endian bit fields: 14-bit year, 4-bit month, 5-bit day, 5-bit hour,
 * 6-bit minute, 6-bit second. SQL Server writes its local time and no zone, so the result is an ISO
 * 8601 string without an offset. All-zero bytes mean "not set" (null); impossible values also give
 * null rather than a made-up date.
 */
export function mtfDate(bytes: Uint8Array, offset: number): string | null {
  let packed = 0n;
  for (let i = 0; i < 5; i++) packed = (packed << 8n) | BigInt(u8(bytes, offset + i));
  if (packed === 0n) return null;
  const field = (shift: bigint, bits: bigint): number =>
    Number((packed >> shift) & ((1n << bits) - 1n));
  const year = field(26n, 14n);
  const month = field(22n, 4n);
  const day = field(17n, 5n);
  const hour = field(12n, 5n);
  const minute = field(6n, 6n);
  const second = field(0n, 6n);
  if (year < 1753 || month < 1 || month > 12 || day < 1 || day > 31) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}`;
}
