// Helpers shared by the format modules: shape checks that name the failing field, the
// "keep the source bytes unless the sample changed" rules, and the conversions between formats
// (tool schemas, system prompts that embed a tool list, tool-result payloads).
import { isDeepStrictEqual } from 'node:util';
import { FormatError, type FormatId, type Sample, type ToolCall, type ToolDef, type Turn } from '../sample';
import { detectJsonStyle, serializeRecord, type JsonStyle } from '../jsonStyle';

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
export const fail = (msg: string): never => {
  throw new FormatError(msg);
};
export const show = (v: unknown): string =>
  v === undefined ? 'missing' : v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'string' ? JSON.stringify(v).slice(0, 40) : `a ${typeof v}`;

export function needObj(v: unknown, path: string): Obj {
  return isObj(v) ? v : fail(`${path} is ${show(v)}, expected an object`);
}
export function needArray(v: unknown, path: string): unknown[] {
  return Array.isArray(v) ? v : fail(`${path} is ${show(v)}, expected an array`);
}
export function needString(v: unknown, path: string): string {
  return typeof v === 'string' ? v : fail(`${path} is ${show(v)}, expected a string`);
}
/** A field that holds JSON as a string (LLaMA-Factory/xLAM `tools`, xLAM `answers`). */
export function needJsonString(v: unknown, path: string): unknown {
  const s = needString(v, path);
  try {
    return JSON.parse(s);
  } catch {
    return fail(`${path} is not valid JSON text`);
  }
}

export function tryJson(v: unknown): unknown {
  if (typeof v !== 'string') return undefined;
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}

export const sameValue = (a: unknown, b: unknown): boolean => isDeepStrictEqual(a, b);
/** Value-identical including key order: what the lossless round trip promises. */
export const sameText = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
export const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

export function recordId(rec: Obj, index: number): string {
  const id = rec.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : String(index + 1);
}

export function lastAssistant(turns: readonly Turn[]): number {
  for (let i = turns.length - 1; i >= 0; i--) if (turns[i].role === 'assistant') return i;
  return -1;
}

export function makeSample(format: FormatId, rec: Obj, index: number, turns: Turn[], tools: ToolDef[]): Sample {
  return { id: recordId(rec, index), index, format, turns, referenceIndex: lastAssistant(turns), tools };
}

/** Sets `key` on a copy-in-progress, deleting it when the value is undefined. */
export function put(rec: Obj, key: string, value: unknown): void {
  if (value === undefined) delete rec[key];
  else rec[key] = value;
}

export function toolDef(v: unknown, path: string): ToolDef {
  const o = needObj(v, path);
  const def: ToolDef = { name: needString(o.name, `${path}.name`) };
  if (typeof o.description === 'string') def.description = o.description;
  if (isObj(o.parameters)) def.parameters = o.parameters;
  return def;
}

/** A tool object of the target format, keeping a base object's other keys and order. */
export function toolObject(def: ToolDef, base?: unknown): Obj {
  const o: Obj = isObj(base) ? clone(base) : {};
  o.name = def.name;
  put(o, 'description', def.description);
  put(o, 'parameters', def.parameters);
  return o;
}

/** Items kept from `base` where they still read back to the same value, else freshly written. */
export function mergeList<T>(items: readonly T[], base: unknown, read: (b: unknown, i: number) => T | undefined, write: (t: T, b: unknown) => unknown): unknown[] {
  const b = Array.isArray(base) ? base : [];
  return items.map((t, i) => {
    let old: T | undefined;
    try {
      old = i < b.length ? read(b[i], i) : undefined;
    } catch {
      old = undefined;
    }
    return old !== undefined && sameValue(old, t) ? clone(b[i]) : write(t, b[i]);
  });
}

/** JSON text for `value`: the base text when it still holds the same value, else in the base's style. */
export function jsonText(value: unknown, base: unknown, fallback: JsonStyle): string {
  if (typeof base === 'string') {
    try {
      if (sameText(JSON.parse(base), value)) return base;
    } catch {
      /* base was not JSON: write fresh */
    }
    return serializeRecord(value, detectJsonStyle(base, fallback));
  }
  return serializeRecord(value, fallback);
}

export const PY_STYLE: JsonStyle = { itemSep: ', ', keySep: ': ', ensureAscii: false };

const stripIds = (calls: readonly ToolCall[] | undefined): unknown => calls?.map((c) => ({ name: c.name, arguments: c.arguments }));

/**
 * The call text to write for an assistant turn. The source text is kept when it comes from this
 * same format and still decodes to the turn's calls (an edit of `calls` alone is re-encoded).
 */
export function callText(sample: Sample, turn: Turn, format: FormatId, decode: (t: string) => ToolCall[] | undefined, encode: (c: ToolCall[]) => string): string {
  if (!turn.calls) return turn.content;
  if (sample.format === format && turn.content !== '' && sameValue(stripIds(decode(turn.content)), stripIds(turn.calls))) return turn.content;
  return encode(turn.calls);
}

// ---- cross-format conversion ---------------------------------------------------------------

const TO_JSON_SCHEMA: Record<string, string> = { dict: 'object', float: 'number', tuple: 'array', list: 'array', str: 'string', int: 'integer', bool: 'boolean', any: '' };
const TO_PYTHONIC: Record<string, string> = { object: 'dict', number: 'float' };

function mapTypes(schema: unknown, table: Record<string, string>): unknown {
  if (Array.isArray(schema)) return schema.map((s) => mapTypes(s, table));
  if (!isObj(schema)) return schema;
  const out: Obj = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'type' && typeof v === 'string' && v in table) {
      if (table[v]) out[k] = table[v];
    } else if (k === 'properties' && isObj(v)) {
      out[k] = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, mapTypes(s, table)]));
    } else if (k === 'items' || k === 'additionalProperties' || k === 'anyOf' || k === 'oneOf') {
      out[k] = mapTypes(v, table);
    } else out[k] = v;
  }
  return out;
}

/** Tools for OpenAI-style targets: BFCL/ToolACE "dict"/"float"/"tuple" become JSON-schema types. */
export const jsonSchemaTools = (tools: readonly ToolDef[]): ToolDef[] =>
  tools.map((t) => (t.parameters ? { ...t, parameters: mapTypes(t.parameters, TO_JSON_SCHEMA) as Obj } : t));
/** Tools for BFCL/ToolACE targets, which spell object "dict" and number "float". */
export const pythonicTools = (tools: readonly ToolDef[]): ToolDef[] =>
  jsonSchemaTools(tools).map((t) => (t.parameters ? { ...t, parameters: mapTypes(t.parameters, TO_PYTHONIC) as Obj } : t));

/** End (exclusive) of the JSON array/object starting at `start`, or -1. */
export function scanJson(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') {
      if (--depth === 0) return i + 1;
    }
  }
  return -1;
}

/** Top-level JSON values of the given opening bracket found in prose, with their spans. */
export function jsonSpans(text: string, open: '[' | '{'): { start: number; end: number; value: unknown }[] {
  const out: { start: number; end: number; value: unknown }[] = [];
  for (let i = text.indexOf(open); i >= 0; i = text.indexOf(open, i + 1)) {
    const end = scanJson(text, i);
    if (end < 0) continue;
    try {
      out.push({ start: i, end, value: JSON.parse(text.slice(i, end)) });
      i = end - 1;
    } catch {
      /* not JSON here: keep looking */
    }
  }
  return out;
}

/** What a tool result says, without the wrapping its format adds (Hermes `<tool_response>`). */
export function resultPayload(sample: Sample, turn: Turn): string {
  if (sample.format !== 'hermes') return turn.content;
  // One Hermes tool turn may answer several parallel calls, one <tool_response> block each: the
  // payloads, one per line (the blocks' own tags and the text between them are Hermes framing).
  const blocks = [...turn.content.matchAll(/<tool_response>\s*([\s\S]*?)\s*<\/tool_response>/g)];
  const outside = turn.content.replace(/<tool_response>[\s\S]*?<\/tool_response>/g, '').trim();
  if (blocks.length === 0 || outside) return turn.content;
  return blocks.map((m) => m[1]).join('\n');
}
