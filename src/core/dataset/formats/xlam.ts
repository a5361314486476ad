// xLAM function-calling-60k: {"id", "query", "tools": "<JSON text [{name, description,
// parameters: {p: {type: "str, optional", description, default}}}]>", "answers": "<JSON text [{name, arguments}]>"}.
// Parameters are a map of Python-ish type names, not JSON schema: they are read as JSON schema
// (so other formats can use them) and written back with the original type spelling where it still fits.
import type { DatasetFormat, ToolCall, ToolDef, Turn } from '../sample';
import { serializeRecord } from '../jsonStyle';
import { setKey } from '../pythonCalls';
import { copyNumberForms } from '../numberForm';
import { PY_STYLE, callText, clone, isObj, jsonText, makeSample, needArray, needJsonString, needObj, needString, own, sameValue, toolDef, toolObject, tryJson, type Obj } from './common';
import { jsonCalls } from './llamafactory';

const TYPES: [RegExp, string][] = [
  [/^str(ing)?$/i, 'string'],
  [/^int(eger)?$/i, 'integer'],
  [/^(float|number|double)$/i, 'number'],
  [/^bool(ean)?$/i, 'boolean'],
  [/^(list|array|tuple|set)\b/i, 'array'],
  [/^(dict|object|mapping)\b/i, 'object'],
];
const BACK: Record<string, string> = { string: 'str', integer: 'int', number: 'float', boolean: 'bool', array: 'List', object: 'dict' };

const isSpace = (c: string | undefined): boolean => c !== undefined && /\s/.test(c);
const OPTIONAL = 'optional';

/**
 * "List[int], optional" → { type: "array", optional: true }. Read from the end by hand: the regex
 * this replaces backtracked quadratically on a run of spaces (a 160 kB type took 78 s in `itool inspect`), and threw
 * on a type with a line break in it.
 */
function parseType(t: string): { type: string; optional: boolean } {
  let end = t.length;
  while (end > 0 && isSpace(t[end - 1])) end--;
  let core = t.slice(0, end);
  if (end >= OPTIONAL.length && t.slice(end - OPTIONAL.length, end).toLowerCase() === OPTIONAL) {
    let k = end - OPTIONAL.length;
    while (k > 0 && isSpace(t[k - 1])) k--;
    if (t[k - 1] === ',') core = t.slice(0, k - 1);
  }
  core = core.trim();
  return { type: TYPES.find(([re]) => re.test(core))?.[1] ?? core, optional: t.trim() !== core };
}

/** A spread copy `to` of `from`, with `from`'s number spellings (a `default: 0.0` stays 0.0). */
function withForms(from: Obj, to: Obj): Obj {
  copyNumberForms(from, to);
  return to;
}

function fromXlam(params: Obj): Obj {
  if (isObj(params.properties) || params.type === 'object' || params.type === 'dict') return params;
  const properties: Obj = {};
  const required: string[] = [];
  for (const [name, spec] of Object.entries(params)) {
    if (!isObj(spec) || typeof spec.type !== 'string') {
      setKey(properties, name, spec);
      continue;
    }
    const { type, optional } = parseType(spec.type);
    setKey(properties, name, withForms(spec, { ...spec, type }));
    if (!optional) required.push(name);
  }
  return { type: 'object', properties, required };
}

function toXlam(schema: Obj, base: unknown): Obj {
  if (!isObj(schema.properties)) return schema;
  const required = Array.isArray(schema.required) ? schema.required : [];
  const out: Obj = {};
  for (const [name, prop] of Object.entries(schema.properties)) {
    if (!isObj(prop) || typeof prop.type !== 'string') {
      setKey(out, name, prop);
      continue;
    }
    const optional = !required.includes(name);
    const b = isObj(base) && Object.hasOwn(base, name) ? base[name] : undefined;
    const old = isObj(b) ? b.type : undefined;
    const keep = typeof old === 'string' && sameValue(parseType(old), { type: prop.type, optional });
    const type = keep ? old : (own(BACK, prop.type) ?? prop.type) + (optional ? ', optional' : '');
    setKey(out, name, withForms(prop, { ...prop, type }));
  }
  return out;
}

function readTools(v: unknown): ToolDef[] {
  return needArray(needJsonString(v, 'tools'), 'tools (parsed)').map((t, i) => {
    const def = toolDef(t, `tools[${i}]`);
    return def.parameters ? { ...def, parameters: fromXlam(def.parameters) } : def;
  });
}

export function decodeAnswers(text: string): ToolCall[] | undefined {
  const v = tryJson(text);
  return Array.isArray(v) && v.length > 0 ? jsonCalls(v) : undefined;
}
const encodeAnswers = (calls: ToolCall[]): string => serializeRecord(calls.map((c) => ({ name: c.name, arguments: c.arguments })), PY_STYLE);

export const xlam: DatasetFormat = {
  id: 'xlam',
  label: 'xLAM function-calling-60k',

  sniff(record) {
    if (!isObj(record)) return 0;
    const hits = [typeof record.query === 'string', typeof record.tools === 'string', typeof record.answers === 'string'].filter(Boolean).length;
    return hits === 3 ? 1 : hits === 2 && typeof record.query === 'string' ? 0.5 : 0;
  },

  read(record, index) {
    const rec = needObj(record, 'record');
    const query = needString(rec.query, 'query');
    const tools = readTools(rec.tools);
    const answers = needString(rec.answers, 'answers');
    // "[]" is xLAM's "no call expected" (its irrelevance records): no answer, not the text "[]".
    if (answers.trim() === '[]') return makeSample('xlam', rec, index, [{ role: 'user', content: query }], tools);
    const ref: Turn = { role: 'assistant', content: answers };
    const calls = decodeAnswers(answers);
    if (calls) ref.calls = calls;
    return makeSample('xlam', rec, index, [{ role: 'user', content: query }, ref], tools);
  },

  write(sample, base) {
    const rec: Obj = isObj(base) ? clone(base) : {};
    const same = sample.format === 'xlam';
    if (!isObj(base)) rec.id = /^\d+$/.test(sample.id) ? Number(sample.id) : sample.id;
    const end = sample.referenceIndex < 0 ? sample.turns.length : sample.referenceIndex;
    const users = sample.turns.slice(0, end).filter((t) => t.role === 'user');
    // xLAM is single-turn: the whole user side of the prompt becomes the query.
    rec.query = same && users.length === 1 ? users[0].content : users.map((t) => t.content).join('\n\n');
    let old: ToolDef[] | undefined;
    try {
      old = readTools(rec.tools);
    } catch {
      old = undefined;
    }
    if (!old || !sameValue(old, sample.tools)) {
      const oldItems = tryJson(rec.tools);
      const items = sample.tools.map((t, i) => {
        const b = Array.isArray(oldItems) ? oldItems[i] : undefined;
        const params = t.parameters && toXlam(t.parameters, isObj(b) ? b.parameters : undefined);
        return toolObject({ ...t, parameters: params }, b);
      });
      rec.tools = jsonText(items, rec.tools, PY_STYLE);
    }
    const ref = sample.referenceIndex < 0 ? undefined : sample.turns[sample.referenceIndex];
    rec.answers = ref?.calls ? callText(sample, ref, 'xlam', decodeAnswers, encodeAnswers) : same && ref ? ref.content : '[]';
    return rec;
  },
};
