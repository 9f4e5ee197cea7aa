/**
 * Typed access to the fields of one CSV line, noting the text of each field whose value the writer
 * would write differently (`WrittenAs`), and failing with the file, line and column when a field does
 * not hold what its column needs.
 */
import { SizingError } from '../errors.js';
import { quoteField } from './csv-fields.js';
import { isCanonicalPerfNumber, parsePerfNumber } from './numbers.js';
import type { WrittenAs } from './records.js';

export class LineFields {
  readonly #values: readonly string[];
  readonly #texts: readonly string[] | undefined;
  readonly #columns: readonly string[];
  readonly #file: string;
  readonly #line: number;
  #written: Record<string, string> | undefined;

  /** `texts` is left out for a line without quotes, where each field's text is its value. */
  constructor(
    values: readonly string[],
    texts: readonly string[] | undefined,
    columns: readonly string[],
    file: string,
    line: number,
  ) {
    this.#values = values;
    this.#texts = texts;
    this.#columns = columns;
    this.#file = file;
    this.#line = line;
  }

  /** The fields whose text differs from what the writer would write, or undefined when none do. */
  get written(): WrittenAs | undefined {
    return this.#written;
  }

  text(index: number): string {
    const value = this.#values[index] ?? '';
    if (this.#texts !== undefined) {
      const text = this.#texts[index] ?? '';
      if (text !== quoteField(value)) this.#note(index, text);
    }
    return value;
  }

  number(index: number): number {
    const value = this.#values[index] ?? '';
    const parsed = parsePerfNumber(value);
    if (parsed === undefined)
      throw new SizingError(
        'MalformedValue',
        `${this.#file} line ${this.#line}: ${this.#columns[index] ?? `column ${index + 1}`} holds "${value}", not a number. Is this a perf-data file written by sqlmig or Microsoft's tools?`,
        { file: this.#file, line: this.#line },
      );
    const text = this.#texts?.[index] ?? value;
    if (text !== value || !isCanonicalPerfNumber(value, parsed)) this.#note(index, text);
    return parsed;
  }

  boolean(index: number): boolean {
    const value = this.#values[index] ?? '';
    const lower = value.toLowerCase();
    if (lower !== 'true' && lower !== 'false')
      throw new SizingError(
        'MalformedValue',
        `${this.#file} line ${this.#line}: ${this.#columns[index] ?? `column ${index + 1}`} holds "${value}", not True or False.`,
        { file: this.#file, line: this.#line },
      );
    const flag = lower === 'true';
    const text = this.#texts?.[index] ?? value;
    if (text !== (flag ? 'True' : 'False')) this.#note(index, text);
    return flag;
  }

  #note(index: number, text: string): void {
    this.#written ??= {};
    this.#written[this.#columns[index] ?? String(index)] = text;
  }
}

/** Field encoders for the writer: the text as written when the record carries it, else the value's. */
export function textField(value: string, column: string, written: WrittenAs | undefined): string {
  return written?.[column] ?? quoteField(value);
}
