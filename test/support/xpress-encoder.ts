/**
 * A test-only [MS-XCA] LZ77+Huffman encoder: it writes the tokens it is given (literals and matches
 * chosen by the test, no match search) with a fixed code-length table, following the bit-stream
 * rules of [MS-XCA] 2.1.4.3: 16-bit little-endian words filled from the most significant bit, the
 * word after the one being filled reserved in advance, extra match-length bytes written in line.
 */

export type XpressToken =
  | { readonly literal: number }
  | {
      readonly length: number;
      readonly distance: number;
      /** Test hook: write this raw 16-bit long length instead of the real one (for invalid input). */
      readonly rawLength16?: number;
    };

export interface EncodeOptions {
  /** 512 code lengths (0–15); default `flatCodeLengths()`. */
  readonly codeLengths?: readonly number[];
  /** Append the end-of-stream symbol 256 the way the compressor does. Default true. */
  readonly endOfStream?: boolean;
}

/** Every symbol 9 bits: 512 × 2^(15-9) = 2^15 fills the code space exactly. */
export function flatCodeLengths(): number[] {
  return new Array<number>(512).fill(9);
}

/** An uneven but complete table: 0 and 'A' 2 bits, symbol 256 3 bits, 259 × 10 and 250 × 11 bits. */
export function skewedCodeLengths(): number[] {
  const lengths = new Array<number>(512).fill(0);
  lengths[0] = 2;
  lengths[65] = 2;
  lengths[256] = 3;
  let tens = 259;
  for (let symbol = 0; symbol < 512; symbol++) {
    if (lengths[symbol] !== 0) continue;
    lengths[symbol] = tens > 0 ? 10 : 11;
    tens -= 1;
  }
  return lengths;
}

/** Literal tokens for every byte of `bytes`. */
export function literals(bytes: Uint8Array | string): XpressToken[] {
  const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  return Array.from(data, (literal) => ({ literal }));
}

/** The number of bytes `tokens` decode to. */
export function decodedLength(tokens: readonly XpressToken[]): number {
  return tokens.reduce((sum, token) => sum + ('literal' in token ? 1 : token.length), 0);
}

/** Encodes the tokens; a new table starts once a block has produced 65,536 bytes ([MS-XCA] 2.1). */
export function encodeXpressHuffman(
  tokens: readonly XpressToken[],
  options: EncodeOptions = {},
): Uint8Array {
  const lengths = options.codeLengths ?? flatCodeLengths();
  const codes = canonicalCodes(lengths);
  const out: number[] = [];
  let produced = 0;
  let next = 0;
  do {
    const writer = new BlockWriter(out, lengths);
    const blockEnd = produced + 65536;
    while (next < tokens.length && produced < blockEnd) {
      const token = tokens[next++];
      if (token === undefined) break;
      if ('literal' in token) {
        writer.symbol(codes, lengths, token.literal);
        produced += 1;
        continue;
      }
      const offsetBits = 31 - Math.clz32(token.distance);
      const lengthField = token.length - 3;
      const symbol = 256 + offsetBits * 16 + Math.min(lengthField, 15);
      writer.symbol(codes, lengths, symbol);
      if (token.rawLength16 !== undefined) {
        writer.bytes(255, token.rawLength16 & 0xff, token.rawLength16 >> 8);
      } else if (lengthField >= 15 + 255) {
        writer.bytes(255, lengthField & 0xff, lengthField >> 8);
      } else if (lengthField >= 15) {
        writer.bytes(lengthField - 15);
      }
      writer.bits(token.distance - (1 << offsetBits), offsetBits);
      produced += token.length;
    }
    if (next === tokens.length && options.endOfStream !== false) writer.symbol(codes, lengths, 256);
    writer.finish();
  } while (next < tokens.length);
  return Uint8Array.from(out);
}

/** Canonical Huffman codes ([MS-XCA] 2.1.4.2, 2.2): by increasing length, then by symbol value. */
function canonicalCodes(lengths: readonly number[]): number[] {
  const codes = new Array<number>(512).fill(0);
  let code = 0;
  for (let length = 1; length <= 15; length++) {
    for (let symbol = 0; symbol < 512; symbol++) {
      if (lengths[symbol] !== length) continue;
      codes[symbol] = code;
      code += 1;
    }
    code <<= 1;
  }
  return codes;
}

class BlockWriter {
  /** Output index of the word being filled, then of the reserved next word. */
  #current: number;
  #reserved: number;
  #word = 0;
  #used = 0;

  constructor(
    readonly out: number[],
    lengths: readonly number[],
  ) {
    for (let i = 0; i < 256; i++)
      out.push(((lengths[2 * i] ?? 0) & 15) | (((lengths[2 * i + 1] ?? 0) & 15) << 4));
    this.#current = out.length;
    this.#reserved = out.length + 2;
    out.push(0, 0, 0, 0);
  }

  bits(value: number, count: number): void {
    for (let bit = count - 1; bit >= 0; bit--) {
      if (this.#used === 16) this.#advance();
      this.#word = (this.#word << 1) | ((value >>> bit) & 1);
      this.#used += 1;
    }
  }

  symbol(codes: readonly number[], lengths: readonly number[], symbol: number): void {
    this.bits(codes[symbol] ?? 0, lengths[symbol] ?? 0);
  }

  bytes(...values: number[]): void {
    this.out.push(...values);
  }

  finish(): void {
    this.#store(this.#word << (16 - this.#used));
  }

  /** The filled word is stored; the reserved one becomes current; the word after it is reserved. */
  #advance(): void {
    this.#store(this.#word);
    this.#current = this.#reserved;
    this.#reserved = this.out.length;
    this.out.push(0, 0);
    this.#word = 0;
    this.#used = 0;
  }

  #store(word: number): void {
    this.out[this.#current] = word & 0xff;
    this.out[this.#current + 1] = (word >> 8) & 0xff;
  }
}

/** What the tokens decode to (a reference, independent of the decoder under test). */
export function expandTokens(tokens: readonly XpressToken[]): Uint8Array {
  const out = new Uint8Array(decodedLength(tokens));
  let at = 0;
  for (const token of tokens) {
    if ('literal' in token) {
      out[at++] = token.literal;
      continue;
    }
    for (let i = 0; i < token.length; i++, at++) out[at] = out[at - token.distance] ?? 0;
  }
  return out;
}
