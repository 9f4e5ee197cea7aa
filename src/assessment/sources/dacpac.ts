/**
 * Reading a .dacpac (a ZIP holding DacFx's model.xml): the name of the database (DacMetadata.xml),
 * the script bodies of its modules (BodyScript, QueryScript properties of each top-level Element),
 * and the model properties that rules read directly (memory-optimized tables, FILESTREAM
 * filegroups and columns, the compatibility level).
 */
import { strFromU8, unzipSync } from 'fflate';

import { AssessmentError } from '../errors.js';
import type { SqlObjectRef } from '../detect/scan-state.js';

export interface DacpacScript {
  readonly object: SqlObjectRef;
  readonly text: string;
}

export interface DacpacModelHit {
  readonly ruleId: string;
  readonly object: SqlObjectRef | null;
  readonly detail: string;
}

export interface DacpacContents {
  readonly databaseName: string | null;
  readonly scripts: readonly DacpacScript[];
  readonly modelHits: readonly DacpacModelHit[];
}

const ELEMENT_TYPES: Record<string, string> = {
  SqlProcedure: 'PROCEDURE',
  SqlScalarFunction: 'FUNCTION',
  SqlInlineTableValuedFunction: 'FUNCTION',
  SqlMultiStatementTableValuedFunction: 'FUNCTION',
  SqlView: 'VIEW',
  SqlDmlTrigger: 'TRIGGER',
  SqlDatabaseDdlTrigger: 'TRIGGER',
  SqlServerDdlTrigger: 'TRIGGER',
  SqlTable: 'TABLE',
  SqlTableType: 'TYPE',
  SqlFilegroup: 'FILEGROUP',
};
const SCRIPT_PROPERTIES = new Set(['BodyScript', 'QueryScript']);

export function readDacpac(bytes: Uint8Array, file: string): DacpacContents {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, {
      filter: (f) => f.name === 'model.xml' || f.name === 'DacMetadata.xml',
    });
  } catch (cause) {
    throw new AssessmentError(
      'MalformedDacpac',
      file,
      `${file} is not a readable .dacpac: it is not a ZIP archive (${cause instanceof Error ? cause.message : String(cause)}). Build it again with SqlPackage or the SSDT project.`,
      { cause },
    );
  }
  const model = entries['model.xml'];
  if (!model)
    throw new AssessmentError(
      'MalformedDacpac',
      file,
      `${file} is not a readable .dacpac: the archive holds no model.xml.`,
    );
  const xml = strFromU8(model);
  if (!xml.includes('<DataSchemaModel'))
    throw new AssessmentError(
      'MalformedDacpac',
      file,
      `${file} is not a readable .dacpac: its model.xml has no DataSchemaModel element.`,
    );
  const metadata = entries['DacMetadata.xml'];
  const nameMatch = metadata ? /<Name>([^<]*)<\/Name>/.exec(strFromU8(metadata)) : null;
  return {
    databaseName: nameMatch?.[1] ? decodeEntities(nameMatch[1]).trim() : null,
    ...readModel(xml),
  };
}

interface OpenElement {
  readonly type: string;
  readonly name: string | null;
}

/** A forward scan of the tags that matter; model.xml is machine-written and regular. */
function readModel(xml: string): Pick<DacpacContents, 'scripts' | 'modelHits'> {
  const scripts: DacpacScript[] = [];
  const modelHits: DacpacModelHit[] = [];
  const stack: OpenElement[] = [];
  const tag = /<!--[\s\S]*?-->|<(\/?)(Element|Property)\b([^>]*?)(\/?)>/g;
  let match: RegExpExecArray | null;
  while ((match = tag.exec(xml)) !== null) {
    const [, closing, tagName, attributes = '', selfClosing] = match;
    if (tagName === undefined) continue;
    if (tagName === 'Element') {
      if (closing) stack.pop();
      else if (!selfClosing)
        stack.push({
          type: attribute(attributes, 'Type') ?? '',
          name: attribute(attributes, 'Name'),
        });
      continue;
    }
    if (closing) continue;
    const top = stack[0];
    const current = stack[stack.length - 1];
    if (!top || !current) continue;
    const propertyName = attribute(attributes, 'Name') ?? '';
    let value = attribute(attributes, 'Value');
    if (value === null && !selfClosing) {
      const end = xml.indexOf('</Property>', tag.lastIndex);
      if (end < 0) break;
      value = propertyText(xml.slice(tag.lastIndex, end));
      tag.lastIndex = end + '</Property>'.length;
    }
    if (value === null) continue;
    const object = objectOf(top);
    if (SCRIPT_PROPERTIES.has(propertyName)) {
      if (object) scripts.push({ object, text: value });
      continue;
    }
    const hit = modelProperty(current, propertyName, value, object);
    if (hit) modelHits.push(hit);
  }
  return { scripts, modelHits };
}

function objectOf(element: OpenElement): SqlObjectRef | null {
  if (!element.name) return null;
  const type = ELEMENT_TYPES[element.type] ?? element.type.replace(/^Sql/, '').toUpperCase();
  return {
    type,
    name: element.name.replace(/\[((?:[^\]]|\]\])*)\]/g, (_m, n: string) =>
      n.replace(/\]\]/g, ']'),
    ),
  };
}

function modelProperty(
  element: OpenElement,
  property: string,
  value: string,
  object: SqlObjectRef | null,
): DacpacModelHit | null {
  const on = value.toLowerCase() === 'true';
  if (property === 'IsMemoryOptimized' && on)
    return { ruleId: 'MemoryOptimizedTables', object, detail: 'memory-optimized (model.xml)' };
  if (property === 'ContainsMemoryOptimizedData' && on)
    return {
      ruleId: 'MemoryOptimizedTables',
      object,
      detail: 'MEMORY_OPTIMIZED_DATA filegroup (model.xml)',
    };
  if ((property === 'ContainsFileStream' || property === 'IsFileStream') && on)
    return { ruleId: 'FileStream', object, detail: `${element.type} ${property} (model.xml)` };
  if (property === 'CompatibilityLevel' && Number(value) < 100)
    return {
      ruleId: 'DbCompatLevelLowerThan100',
      object: null,
      detail: `compatibility level ${value} (model.xml)`,
    };
  return null;
}

function attribute(attributes: string, name: string): string | null {
  const match = new RegExp(`\\b${name}="([^"]*)"`).exec(attributes);
  return match?.[1] === undefined ? null : decodeEntities(match[1]);
}

/** The text of a property's `<Value>`: CDATA sections as they are, the rest entity-decoded. */
function propertyText(inner: string): string {
  const valueStart = inner.indexOf('<Value');
  if (valueStart < 0) return decodeEntities(inner.replace(/<[^>]*>/g, ''));
  const open = inner.indexOf('>', valueStart) + 1;
  const close = inner.lastIndexOf('</Value>');
  const body = inner.slice(open, close < 0 ? inner.length : close);
  let out = '';
  const cdata = /<!\[CDATA\[([\s\S]*?)\]\]>/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = cdata.exec(body)) !== null) {
    out += decodeEntities(body.slice(last, m.index)) + (m[1] ?? '');
    last = cdata.lastIndex;
  }
  return out + decodeEntities(body.slice(last));
}

function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (_m, e: string) => {
    if (e[0] === '#')
      return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
    return (
      ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" } as Record<string, string>)[e] ?? ''
    );
  });
}
