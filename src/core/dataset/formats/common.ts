// Helpers shared by the format modules: shape checks that name the failing field, the
// "keep the source bytes unless the sample changed" rules, and the conversions between formats
// (tool schemas, system prompts that embed a tool list, tool-result payloads). Finding JSON values
// in prose is proseJson.ts.
import { isDeepStrictEqual } from 'node:util';
import { FormatError, type FormatId, type Sample, type ToolCall, type ToolDef, type Turn } from '../sample';
import { detectJsonStyle, serializeRecord, type JsonStyle } from '../jsonStyle';
import { setKey } from '../pythonCalls';
import { cloneJson, copyNumberForm, parseJsonKeepingNumbers } from '../numberForm';
import { MAX_NESTING, TOO_DEEP_REASON, nestingExceeds } from '../recordIndexLimits';
import { jsonSpans } from './proseJson';

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
export const fail = (msg: string): never => {
  throw new FormatError(msg);
};
export const show = (v: unknown): string =>
  v === undefined ? 'missing' : v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'string' ? JSON.stringify(v.slice(0, 41)).slice(0, 40) : `a ${typeof v}`;

export function needObj(v: unknown, path: string): Obj {
  return isObj(v) ? v : fail(`${path} is ${show(v)}, expected an object`);
}
export function needArray(v: unknown, path: string): unknown[] {
  return Array.isArray(v) ? v : fail(`${path} is ${show(v)}, expected an array`);
}
export function needString(v: unknown, path: string): string {
  return typeof v === 'string' ? v : fail(`${path} is ${show(v)}, expected a string`);
}
/**
 * A table lookup that only sees the table's own keys: `ROLES[from]` on a plain object answers
 * "constructor" or "toString" with a function from Object.prototype.
 */
export function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** JSON.parse refusing text nested deeper than MAX_NESTING (the values are walked recursively later). */
export class TooDeepError extends SyntaxError {
  constructor() {
    super(TOO_DEEP_REASON);
    this.name = 'TooDeepError';
  }
}
/** Numbers keep their written form (`2.0`) for the writers: numberForm.ts. */
export function parseJson(text: string): unknown {
  if (nestingExceeds(text, MAX_NESTING)) throw new TooDeepError();
  return parseJsonKeepingNumbers(text);
}

/** A field that holds JSON as a string (LLaMA-Factory/xLAM `tools`, xLAM `answers`). */
export function needJsonString(v: unknown, path: string): unknown {
  const s = needString(v, path);
  try {
    return parseJson(s);
  } catch (err) {
    return fail(err instanceof TooDeepError ? `${path} is ${TOO_DEEP_REASON}` : `${path} is not valid JSON text`);
  }
}

export function tryJson(v: unknown): unknown {
  if (typeof v !== 'string') return undefined;
  try {
    return parseJson(v);
  } catch {
    return undefined;
  }
}

export const sameValue = (a: unknown, b: unknown): boolean => isDeepStrictEqual(a, b);
/** Value-identical including key order: what the lossless round trip promises. */
export const sameText = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
/** A deep copy of JSON data; numbers keep their written form (numberForm.ts). */
export const clone = <T>(v: T): T => cloneJson(v);

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
      if (sameText(parseJson(base), value)) return base;
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
    const to = k === 'type' && typeof v === 'string' ? own(table, v) : undefined;
    if (to !== undefined) {
      if (to) out[k] = to;
    } else if (k === 'properties' && isObj(v)) {
      out[k] = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, mapTypes(s, table)]));
    } else if (k === 'items' || k === 'additionalProperties' || k === 'anyOf' || k === 'oneOf') {
      out[k] = mapTypes(v, table);
    } else {
      setKey(out, k, v);
      copyNumberForm(schema, k, out, k); // a `default: 0.0` stays 0.0
    }
  }
  return out;
}

/** Tools for OpenAI-style targets: BFCL/ToolACE "dict"/"float"/"tuple" become JSON-schema types. */
export const jsonSchemaTools = (tools: readonly ToolDef[]): ToolDef[] =>
  tools.map((t) => (t.parameters ? { ...t, parameters: mapTypes(t.parameters, TO_JSON_SCHEMA) as Obj } : t));
/**
 * Tools for BFCL/ToolACE targets, which spell object "dict" and number "float". Their other type
 * names (`tuple`, `any`, `str`) are theirs too: a source that has them keeps them.
 */
export const pythonicTools = (tools: readonly ToolDef[]): ToolDef[] =>
  tools.map((t) => (t.parameters ? { ...t, parameters: mapTypes(t.parameters, TO_PYTHONIC) as Obj } : t));

// ---- calls and results in prose ----------------------------------------------------------

/** Non-overlapping `<tag>…</tag>` blocks, left to right (the first closing tag ends a block), by indexOf. */
export function tagBlocks(text: string, tag: string, limit = Infinity): { start: number; end: number; inner: string }[] {
  const open = `<${tag}>`;
  const close = `</${tag}>`;
  const out: { start: number; end: number; inner: string }[] = [];
  for (let from = 0; out.length < limit; ) {
    const a = text.indexOf(open, from);
    if (a < 0) break;
    const b = text.indexOf(close, a + open.length);
    if (b < 0) break; // no block closes after this opening tag, nor after any later one
    out.push({ start: a, end: b + close.length, inner: text.slice(a + open.length, b) });
    from = b + close.length;
  }
  return out;
}

/** What a tool result says, without the wrapping its format adds (Hermes `<tool_response>`). */
export function resultPayload(sample: Sample, turn: Turn): string {
  if (sample.format !== 'hermes') return turn.content;
  // One Hermes tool turn may answer several parallel calls, one <tool_response> block each: the
  // payloads, one per line (the blocks' own tags and the text between them are Hermes framing).
  const blocks = tagBlocks(turn.content, 'tool_response');
  if (blocks.length === 0) return turn.content;
  let outside = '';
  let at = 0;
  for (const b of blocks) {
    outside += turn.content.slice(at, b.start);
    at = b.end;
  }
  outside += turn.content.slice(at);
  if (outside.trim()) return turn.content;
  return blocks.map((b) => b.inner.trim()).join('\n');
}

/**
 * The text an assistant call turn holds beside its calls, in formats whose call syntax sits in
 * prose (Hermes `<tool_call>` blocks, Glaive `<functioncall>`, LLaMA-Factory messages' tool_call
 * lines) or apart from it (OpenAI `content`). Python-call and JSON-call formats hold calls only.
 */
export function callProse(sample: Sample, turn: Turn): string {
  const c = turn.content;
  switch (sample.format) {
    case 'openai':
      return c;
    case 'hermes': {
      let out = '';
      let at = 0;
      for (const b of tagBlocks(c, 'tool_call')) {
        out += c.slice(at, b.start);
        at = b.end;
      }
      return (out + c.slice(at)).trim();
    }
    case 'glaive': {
      const at = c.indexOf('<functioncall>');
      return (at < 0 ? c : c.slice(0, at)).trim();
    }
    case 'llamafactory_v1': {
      let out = '';
      let at = 0;
      for (const s of jsonSpans(c, '{')) {
        if (!isObj(s.value) || typeof s.value.name !== 'string') continue;
        out += c.slice(at, s.start);
        at = s.end;
      }
      return (out + c.slice(at)).trim();
    }
    default:
      return '';
  }
}
