/**
 * A small JSON Schema checker for the subset `restore-details.schema.json` uses (type, properties,
 * additionalProperties: false, items, format date-time, `$ref` to its `definitions`). Returns the
 * problems found, each with its JSON path; empty when the value fits.
 */
import { readFileSync } from 'node:fs';

interface Schema {
  readonly type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly additionalProperties?: boolean;
  readonly items?: Schema;
  readonly format?: 'date-time';
  readonly $ref?: string;
}

interface SchemaFile {
  readonly definitions: Readonly<Partial<Record<string, Schema>>>;
  readonly objects: Schema;
  readonly strings: Schema;
}

const file = JSON.parse(
  readFileSync(new URL('./restore-details.schema.json', import.meta.url), 'utf8'),
) as SchemaFile;

/** The published shapes of `restoreDetails`: `{name}` objects (later) or strings (first). */
export type RestoreDetailsShape = 'objects' | 'strings';

export function restoreDetailsProblems(value: unknown, shape: RestoreDetailsShape): string[] {
  const problems: string[] = [];
  check(file[shape], value, '$', problems);
  return problems;
}

function check(schema: Schema, value: unknown, path: string, problems: string[]): void {
  const resolved: Schema | undefined = schema.$ref ? file.definitions[schema.$ref] : schema;
  if (!resolved) throw new Error(`unknown $ref ${String(schema.$ref)}`);
  const { type } = resolved;
  const fits =
    type === undefined ||
    (type === 'object' && typeof value === 'object' && value !== null && !Array.isArray(value)) ||
    (type === 'array' && Array.isArray(value)) ||
    (type === 'string' && typeof value === 'string') ||
    (type === 'integer' && Number.isInteger(value)) ||
    (type === 'number' && typeof value === 'number') ||
    (type === 'boolean' && typeof value === 'boolean');
  if (!fits) {
    problems.push(`${path}: expected ${type}, got ${JSON.stringify(value)}`);
    return;
  }
  if (resolved.format === 'date-time' && Number.isNaN(Date.parse(value as string)))
    problems.push(`${path}: not a date-time: ${String(value)}`);
  if (type === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    for (const [key, inner] of entries) {
      const property = resolved.properties?.[key];
      if (property) check(property, inner, `${path}.${key}`, problems);
      else if (resolved.additionalProperties === false)
        problems.push(`${path}.${key}: not in the published schema`);
    }
  }
  if (type === 'array' && resolved.items)
    (value as unknown[]).forEach((item, i) => {
      check(resolved.items as Schema, item, `${path}[${i}]`, problems);
    });
}
