/**
 * A log sequence number. SQL Server prints it as one decimal number built from its three parts
 * (virtual log file, block, slot): `vlf × 10^15 + block × 10^5 + slot`. It can exceed 2^53, so it is
 * a `bigint` in memory and a decimal string in JSON.
 */
export type Lsn = bigint;

/** Decodes the 10-byte on-disk form: u32 VLF sequence, u32 block offset, u16 slot, little-endian. */
export function decodeLsn(bytes: Uint8Array, offset: number): Lsn {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, 10);
  const vlf = BigInt(view.getUint32(0, true));
  const block = BigInt(view.getUint32(4, true));
  const slot = BigInt(view.getUint16(8, true));
  return vlf * 1_000_000_000_000_000n + block * 100_000n + slot;
}

export function formatLsn(lsn: Lsn): string {
  return lsn.toString(10);
}

/** Parses the decimal form (as `RESTORE HEADERONLY` and sqlmig's JSON print it). */
export function parseLsn(text: string): Lsn {
  if (!/^\d{1,30}$/.test(text)) {
    throw new RangeError(`"${text}" is not a log sequence number: expected decimal digits.`);
  }
  return BigInt(text);
}

export function compareLsn(a: Lsn, b: Lsn): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
