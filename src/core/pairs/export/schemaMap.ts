// Tool parameter schemas as strict JSON Schema, for targets that validate them (OpenAI rejects a
// file whose tool says `"type": "dict"`) or hand them to a chat template that expects JSON Schema
// (TRL). BFCL and ToolACE write Python-ish type names; the sample itself is never changed.
import type { ToolDef } from '../../dataset/sample';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

const JSON_TYPES = new Set(['object', 'array', 'string', 'number', 'integer', 'boolean', 'null']);

/** Python-ish names → JSON Schema; '' = no type constraint. Anything else unknown is dropped too. */
const TYPE_MAP: Record<string, string> = {
  dict: 'object',
  float: 'number',
  double: 'number',
  tuple: 'array',
  list: 'array',
  set: 'array',
  str: 'string',
  int: 'integer',
  bool: 'boolean',
  none: 'null',
  any: '',
};

function jsonType(t: string): string {
  const k = t.trim().toLowerCase();
  if (JSON_TYPES.has(k)) return k;
  // An unknown name (e.g. "callable") would make the whole schema invalid: no constraint is the
  // honest reading of it.
  return TYPE_MAP[k] ?? '';
}

/** A `type` value mapped; undefined = drop the keyword (any type). */
function mapType(t: unknown): unknown {
  if (typeof t === 'string') return jsonType(t) || undefined;
  if (Array.isArray(t)) {
    const out: string[] = [];
    for (const x of t) {
      const m = typeof x === 'string' ? jsonType(x) : '';
      if (!m) return undefined; // one "any" in a union makes the union "any"
      if (!out.includes(m)) out.push(m);
    }
    return out.length === 1 ? out[0] : out;
  }
  return t;
}

/** Keywords whose value is one schema, an array of schemas, or a map of name → schema. */
const ONE = new Set(['items', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains', 'propertyNames', 'additionalItems', 'unevaluatedItems', 'unevaluatedProperties']);
const MANY = new Set(['anyOf', 'oneOf', 'allOf', 'prefixItems']);
const MAP = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);

const clone = (v: unknown): unknown => (v === undefined ? v : JSON.parse(JSON.stringify(v)));

/** A copy of `schema` with every `type` a JSON Schema type (or dropped), recursively. */
export function toJsonSchema(schema: unknown): unknown {
  if (!isObj(schema)) return clone(schema);
  const out: Obj = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'type') {
      const t = mapType(v);
      if (t !== undefined) out[k] = t;
    } else if (ONE.has(k)) {
      // `items` may be a list (tuple form of older drafts), `additionalProperties` a boolean.
      out[k] = Array.isArray(v) ? v.map(toJsonSchema) : toJsonSchema(v);
    } else if (MANY.has(k) && Array.isArray(v)) {
      out[k] = v.map(toJsonSchema);
    } else if (MAP.has(k) && isObj(v)) {
      out[k] = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, toJsonSchema(s)]));
    } else {
      out[k] = clone(v);
    }
  }
  return out;
}

/** A function's parameters: an object schema at the top, whatever the source said. */
export function parametersSchema(params: Record<string, unknown> | undefined): Obj {
  if (!params) return { type: 'object', properties: {} };
  const s = toJsonSchema(params) as Obj;
  if (s.type === undefined && (isObj(s.properties) || Object.keys(s).length === 0)) return { type: 'object', ...s, properties: s.properties ?? {} };
  return s;
}

export interface ChatTool {
  type: 'function';
  function: { name: string; description?: string; parameters: Obj };
}

/** Tools in the `{type: "function", function}` shape OpenAI and Hugging Face chat templates take. */
export function chatTools(tools: readonly ToolDef[]): ChatTool[] {
  return tools.map((t) => ({
    type: 'function',
    function: { name: t.name, ...(t.description === undefined ? {} : { description: t.description }), parameters: parametersSchema(t.parameters) },
  }));
}
