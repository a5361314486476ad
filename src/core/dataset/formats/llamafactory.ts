// LLaMA-Factory sharegpt: {"conversations": [{"from": "human"|"gpt"|"function_call"|"observation",
// "value"}], "system"?, "tools"?: "<JSON text of [{name, description, parameters}]>"}.
// A function_call value is JSON text: {"name", "arguments"} or a list of them.
import type { DatasetFormat, Sample, ToolCall, ToolDef, Turn, TurnRole } from '../sample';
import { setKey } from '../pythonCalls';
import { copyNumberForms } from '../numberForm';
import { PY_STYLE, callText, clone, fail, isObj, jsonSchemaTools, jsonText, makeSample, mergeList, needArray, needJsonString, needObj, needString, parseJson, resultPayload, sameValue, toolDef, tryJson, type Obj } from './common';
import { serializeRecord } from '../jsonStyle';
import { hermesFunction, systemPrompt, toolItems } from './embedded';

// A Map, not an object literal: a `from` of "constructor" must not find Object.prototype's.
const ROLES = new Map<string, TurnRole>([['human', 'user'], ['gpt', 'assistant'], ['function_call', 'assistant'], ['observation', 'tool_result']]);

/** `{"name", "arguments"}` objects (arguments as an object or as JSON text) into calls. */
export function jsonCalls(v: unknown): ToolCall[] | undefined {
  const list = Array.isArray(v) ? v : [v];
  const calls: ToolCall[] = [];
  for (const c of list) {
    if (!isObj(c) || typeof c.name !== 'string') return undefined;
    let args: unknown = c.arguments ?? c.parameters ?? {};
    if (typeof args === 'string') {
      try {
        args = parseJson(args);
      } catch {
        return undefined;
      }
    }
    if (!isObj(args)) return undefined;
    const copy: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(args)) setKey(copy, k, x);
    copyNumberForms(args, copy);
    calls.push({ name: c.name, arguments: copy });
  }
  return calls.length > 0 ? calls : undefined;
}

export function decodeJsonCalls(text: string): ToolCall[] | undefined {
  try {
    return jsonCalls(parseJson(text));
  } catch {
    return undefined;
  }
}

const encodeCalls = (calls: ToolCall[]): string => {
  const objs = calls.map((c) => ({ name: c.name, arguments: c.arguments }));
  return serializeRecord(objs.length === 1 ? objs[0] : objs, PY_STYLE);
};

function readTurn(v: unknown, i: number): Turn {
  const path = `conversations[${i}]`;
  const t = needObj(v, path);
  const from = needString(t.from, `${path}.from`);
  const role = ROLES.get(from) ?? fail(`${path}.from is ${JSON.stringify(from)}, expected human|gpt|function_call|observation`);
  const content = needString(t.value, `${path}.value`);
  const turn: Turn = { role, content };
  if (from === 'function_call') {
    const calls = decodeJsonCalls(content);
    if (calls) turn.calls = calls;
  }
  return turn;
}

function readTools(v: unknown): ToolDef[] {
  if (v === undefined || v === '') return [];
  const list = needJsonString(v, 'tools');
  return needArray(list, 'tools (parsed)').map((t, i) => toolDef(hermesFunction(t), `tools[${i}]`));
}

/** LLaMA-Factory wants user/observation and assistant turns to alternate: join runs of them. */
function alternate(turns: Turn[], sample: Sample): Turn[] {
  const out: Turn[] = [];
  for (const t of turns) {
    const prev = out[out.length - 1];
    const content = t.role === 'tool_result' ? resultPayload(sample, t) : t.content;
    if (prev && prev.role === t.role && (t.role === 'user' || t.role === 'tool_result')) prev.content += '\n' + content;
    else out.push({ ...t, content });
  }
  return out;
}

export const llamafactory: DatasetFormat = {
  id: 'llamafactory',
  label: 'LLaMA-Factory (sharegpt)',

  sniff(record) {
    if (!isObj(record) || !Array.isArray(record.conversations) || 'chosen' in record) return 0;
    const froms = record.conversations.map((t) => (isObj(t) ? t.from : undefined));
    if (froms.length === 0 || !froms.every((f) => typeof f === 'string' && ROLES.has(f))) return 0;
    if (typeof record.tools === 'string') return 1;
    return froms.includes('function_call') || froms.includes('observation') ? 0.9 : 0.6;
  },

  read(record, index) {
    const rec = needObj(record, 'record');
    const conv = needArray(rec.conversations, 'conversations');
    if (conv.length === 0) fail('conversations is empty');
    const turns: Turn[] = [];
    if (rec.system !== undefined) turns.push({ role: 'system', content: needString(rec.system, 'system') });
    conv.forEach((t, i) => turns.push(readTurn(t, i)));
    return makeSample('llamafactory', rec, index, turns, readTools(rec.tools));
  },

  write(sample, base) {
    const rec: Obj = isObj(base) ? clone(base) : {};
    const same = sample.format === 'llamafactory';
    const body = sample.turns.filter((t) => t.role !== 'system');
    rec.conversations = mergeList(same ? body : alternate(body, sample), rec.conversations, readTurn, (t, b) => {
      const o: Obj = isObj(b) ? clone(b) : {};
      o.from = t.role === 'user' ? 'human' : t.role === 'tool_result' ? 'observation' : t.calls ? 'function_call' : 'gpt';
      o.value = callText(sample, t, 'llamafactory', decodeJsonCalls, encodeCalls);
      return o;
    });
    const system = same ? sample.turns.find((t) => t.role === 'system')?.content : systemPrompt(sample) || undefined;
    if (system === undefined) delete rec.system;
    else rec.system = system;
    let oldTools: ToolDef[] | undefined;
    try {
      oldTools = readTools(rec.tools);
    } catch {
      oldTools = undefined; // unreadable before: write the sample's tools fresh
    }
    if (oldTools && sameValue(oldTools, sample.tools)) return rec;
    const old = tryJson(rec.tools);
    const tools = same ? sample.tools : jsonSchemaTools(sample.tools);
    rec.tools = jsonText(toolItems(tools, Array.isArray(old) ? old : undefined, false), rec.tools, PY_STYLE);
    return rec;
  },
};
