import { BackupReadError } from './errors.js';

/**
 * Decoder for the [MS-XCA] "LZ77+Huffman" format (XPRESS Huffman), written from the public
 * specification: section 2.1 describes the format (as its compressor), section 2.2 the decoder.
 * SQL Server's native backup compression (MS_XPRESS) stores each chunk of the MTF stream this way.
 *
 * The decoder is meant for hostile input: every read is bounds-checked, the output buffer is exactly
 * `outputSize` bytes (allocated once, never grown), every loop iteration emits at least one byte, and
 * every violation is a `BackupReadError` with code `CorruptDescriptor`.
 */

/** [MS-XCA] 2.1: 512 symbols, 256 literals and 256 match symbols, each with a 4-bit code length. */
const SYMBOL_COUNT = 512;
const TABLE_BYTES = SYMBOL_COUNT / 2;
/** [MS-XCA] 2.2: codes are at most 15 bits; the decoding table has 2^15 entries. */
const MAX_CODE_BITS = 15;
/** [MS-XCA] 2.1.4 / 2.2.4: each Huffman table covers 65,536 bytes of output (a match may cross). */
const BLOCK_OUTPUT_BYTES = 65536;

export interface XpressHuffmanResult {
  output: Uint8Array;
  /** Input bytes read, including pre-fetched bit-stream words (at most `input.length`). */
  inputUsed: number;
}

/** Decompresses `input` into exactly `outputSize` bytes. */
export function decompressXpressHuffman(input: Uint8Array, outputSize: number): Uint8Array {
  return decodeXpressHuffman(input, outputSize).output;
}

/**
 * Decompresses `input` into exactly `outputSize` bytes and reports how much input was used.
 * Decoding stops as soon as `outputSize` bytes are produced: the end-of-stream symbol (256) that the
 * compressor appends ([MS-XCA] 2.1.4.3) is not required.
 */
export function decodeXpressHuffman(input: Uint8Array, outputSize: number): XpressHuffmanResult {
  if (!Number.isSafeInteger(outputSize) || outputSize < 0 || outputSize > 0x7fffffff) {
    throw new RangeError(`outputSize must be an integer between 0 and 2^31-1, got ${outputSize}`);
  }
  const output = new Uint8Array(outputSize);
  const lengths = new Uint8Array(SYMBOL_COUNT);
  const table = new Uint16Array(1 << MAX_CODE_BITS);
  let out = 0;
  let pos = 0;

  // [MS-XCA] 2.2.4: one Huffman table, then a bit stream, per 65,536 bytes of output.
  while (out < outputSize) {
    if (pos + TABLE_BYTES + 4 > input.length) {
      throw corrupt(
        `the input ends at byte ${input.length} where a Huffman table is expected`,
        pos,
      );
    }
    buildDecodingTable(input, pos, lengths, table);
    pos += TABLE_BYTES;
    // The bit stream is read as 16-bit little-endian words, most significant bit first.
    let bits = ((readU16(input, pos) << 16) | readU16(input, pos + 2)) >>> 0;
    pos += 4;
    let extraBits = 16;
    /** Zero words supplied past the end of the input; decoding may not consume their bits. */
    let phantomWords = 0;
    const blockEnd = Math.min(out + BLOCK_OUTPUT_BYTES, outputSize);
    /**
     * [MS-XCA] 2.2.4: drops `count` bits from the window and refills it with the next 16-bit word
     * when it runs low. Past the end of the input zero words are supplied, but their bits may not be
     * consumed: that is a stream cut short.
     */
    const consume = (count: number): void => {
      bits = (bits << count) >>> 0;
      extraBits -= count;
      if (extraBits < 0) {
        if (pos + 2 <= input.length) {
          bits = (bits | (readU16(input, pos) << -extraBits)) >>> 0;
          pos += 2;
        } else {
          phantomWords += 1;
        }
        extraBits += 16;
      }
      if (phantomWords > 0 && 16 + extraBits < 16 * phantomWords) {
        throw corrupt('the bit stream ends before the announced output size is reached', pos);
      }
    };

    while (out < blockEnd) {
      const symbol = table[bits >>> (32 - MAX_CODE_BITS)] ?? 0;
      const codeBits = lengths[symbol] ?? 0;
      consume(codeBits);
      if (symbol < 256) {
        output[out++] = symbol;
        continue;
      }
      // [MS-XCA] 2.1.4.3 / 2.2.4: a match symbol packs the offset bit count and the length.
      const matchSymbol = symbol - 256;
      let length = matchSymbol & 15;
      const offsetBits = matchSymbol >>> 4;
      if (length === 15) {
        if (pos >= input.length) throw corrupt('the input ends inside a match length', pos);
        length = input[pos++] ?? 0;
        if (length === 255) {
          if (pos + 2 > input.length) throw corrupt('the input ends inside a match length', pos);
          length = readU16(input, pos);
          pos += 2;
          if (length < 15) throw corrupt(`invalid long match length ${length}`, pos - 2);
          length -= 15;
        }
        length += 15;
      }
      length += 3;
      let distance = 1 << offsetBits;
      if (offsetBits > 0) {
        distance += bits >>> (32 - offsetBits);
        consume(offsetBits);
      }
      if (distance > out) {
        throw corrupt(`a match refers ${distance} bytes back but only ${out} were produced`, pos);
      }
      if (length > outputSize - out) {
        throw corrupt(`a match of ${length} bytes runs past the ${outputSize}-byte output`, pos);
      }
      if (distance >= length) {
        output.copyWithin(out, out - distance, out - distance + length);
        out += length;
      } else if (distance === 1) {
        output.fill(output[out - 1] ?? 0, out, out + length);
        out += length;
      } else {
        // Byte by byte: the match overlaps the bytes it produces.
        for (let from = out - distance, end = out + length; out < end;)
          output[out++] = output[from++] ?? 0;
      }
    }
  }
  return { output, inputUsed: pos };
}

/**
 * [MS-XCA] 2.2 (decoding table): reads the 256-byte table of 4-bit code lengths (symbol 2k in the low nibble of byte
 * k) and fills the canonical decoding table: codes are assigned by increasing length, then symbol.
 * The lengths must satisfy the Kraft equality, i.e. fill the 2^15 entries exactly.
 */
function buildDecodingTable(
  input: Uint8Array,
  start: number,
  lengths: Uint8Array,
  table: Uint16Array,
): void {
  const countByLength = new Uint16Array(MAX_CODE_BITS + 1);
  for (let i = 0; i < TABLE_BYTES; i++) {
    const byte = input[start + i] ?? 0;
    lengths[2 * i] = byte & 15;
    lengths[2 * i + 1] = byte >>> 4;
    countByLength[byte & 15] = (countByLength[byte & 15] ?? 0) + 1;
    countByLength[byte >>> 4] = (countByLength[byte >>> 4] ?? 0) + 1;
  }
  let filled = 0;
  for (let bitLength = 1; bitLength <= MAX_CODE_BITS; bitLength++) {
    filled += (countByLength[bitLength] ?? 0) << (MAX_CODE_BITS - bitLength);
  }
  if (filled !== 1 << MAX_CODE_BITS) {
    const state = filled > 1 << MAX_CODE_BITS ? 'over-subscribed' : 'incomplete';
    throw corrupt(
      `the Huffman table is ${state} (Kraft sum ${filled}/${1 << MAX_CODE_BITS})`,
      start,
    );
  }
  let entry = 0;
  for (let bitLength = 1; bitLength <= MAX_CODE_BITS; bitLength++) {
    if (countByLength[bitLength] === 0) continue;
    const span = 1 << (MAX_CODE_BITS - bitLength);
    for (let symbol = 0; symbol < SYMBOL_COUNT; symbol++) {
      if (lengths[symbol] !== bitLength) continue;
      table.fill(symbol, entry, entry + span);
      entry += span;
    }
  }
}

function readU16(bytes: Uint8Array, at: number): number {
  return (bytes[at] ?? 0) | ((bytes[at + 1] ?? 0) << 8);
}

function corrupt(reason: string, inputOffset: number): BackupReadError {
  return new BackupReadError(
    'CorruptDescriptor',
    `Invalid XPRESS Huffman compressed data at input byte ${inputOffset}: ${reason}.`,
    { offset: inputOffset },
  );
}
