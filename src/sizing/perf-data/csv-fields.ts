/**
 * One CSV line into fields and back (RFC 4180): a field holding a comma, a quote or a line break is
 * quoted, quotes inside doubled. The reader keeps each field's text as written beside its value, so an
 * unneeded pair of quotes survives a round trip.
 */

/** A field as the writer writes it. */
export function quoteField(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 44 || c === 34 || c === 13 || c === 10) return `"${value.replaceAll('"', '""')}"`;
  }
  return value;
}

/** A field split out of a line: its value, and its text in the line (quotes included). */
export interface SplitField {
  readonly value: string;
  readonly text: string;
}

/**
 * The fields of a line that holds a quote (lines without one are split on commas by the caller).
 * Returns undefined when a quoted field is not closed in the line.
 */
export function splitQuotedLine(line: string): SplitField[] | undefined {
  const fields: SplitField[] = [];
  let start = 0;
  for (;;) {
    if (line.charCodeAt(start) === 34 /* " */) {
      let value = '';
      let from = start + 1;
      let end: number;
      for (;;) {
        const quote = line.indexOf('"', from);
        if (quote < 0) return undefined;
        value += line.slice(from, quote);
        if (line.charCodeAt(quote + 1) === 34) {
          value += '"';
          from = quote + 2;
        } else {
          end = quote + 1;
          break;
        }
      }
      // Text after the closing quote up to the comma belongs to the field too (lenient, kept as written).
      const comma = line.indexOf(',', end);
      const stop = comma < 0 ? line.length : comma;
      value += line.slice(end, stop);
      fields.push({ value, text: line.slice(start, stop) });
      if (comma < 0) return fields;
      start = comma + 1;
    } else {
      const comma = line.indexOf(',', start);
      const stop = comma < 0 ? line.length : comma;
      const text = line.slice(start, stop);
      fields.push({ value: text, text });
      if (comma < 0) return fields;
      start = comma + 1;
    }
  }
}

/** Whether a line ends inside a quoted field (an odd number of quotes): it goes on on the next line. */
export function endsInsideQuotes(line: string): boolean {
  let count = 0;
  for (let at = line.indexOf('"'); at >= 0; at = line.indexOf('"', at + 1)) count++;
  return count % 2 === 1;
}
