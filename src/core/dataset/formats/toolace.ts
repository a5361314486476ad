// ToolACE / iTool sharegpt: {"system": "<prose with the tool list as JSON>", "conversations":
// [{"from": "user"|"assistant"|"tool", "value"}]}; assistant calls in python-call syntax.
import type { DatasetFormat, ToolDef, Turn, TurnRole } from '../sample';
import { decodePythonCalls, encodePythonCalls } from '../pythonCalls';
import { callText, clone, fail, isObj, makeSample, mergeList, needArray, needObj, needString, pythonicTools, resultPayload, sameValue, toolDef, toolObject, type Obj } from './common';
import { restyle, splice, systemPrompt, toolaceFind, toolaceSystem } from './embedded';

// A Map, not an object literal: a `from` of "constructor" must not find Object.prototype's.
const ROLES = new Map<string, TurnRole>([['user', 'user'], ['assistant', 'assistant'], ['tool', 'tool_result']]);
const FROM: Record<TurnRole, string> = { system: 'user', user: 'user', assistant: 'assistant', tool_result: 'tool' };

function readTurn(v: unknown, i: number): Turn {
  const path = `conversations[${i}]`;
  const t = needObj(v, path);
  const from = needString(t.from, `${path}.from`);
  const role = ROLES.get(from) ?? fail(`${path}.from is ${JSON.stringify(from)}, expected user|assistant|tool`);
  const content = needString(t.value, `${path}.value`);
  const turn: Turn = { role, content };
  if (role === 'assistant') {
    const calls = decodePythonCalls(content);
    if (calls) turn.calls = calls;
  }
  return turn;
}

function readTools(system: string | undefined): ToolDef[] {
  const hit = system === undefined ? undefined : toolaceFind(system);
  return hit ? hit.items.map((t, i) => toolDef(t, `system tool list [${i}]`)) : [];
}

export const toolace: DatasetFormat = {
  id: 'toolace',
  label: 'ToolACE / iTool (sharegpt, python calls)',

  sniff(record) {
    if (!isObj(record) || !Array.isArray(record.conversations)) return 0;
    const froms = record.conversations.map((t) => (isObj(t) ? t.from : undefined));
    if (froms.length === 0 || !froms.every((f) => typeof f === 'string' && ROLES.has(f))) return 0;
    if (typeof record.system === 'string' && toolaceFind(record.system)) return 1;
    return froms.includes('tool') || typeof record.system === 'string' ? 0.8 : 0.6;
  },

  read(record, index) {
    const rec = needObj(record, 'record');
    const system = rec.system === undefined ? undefined : needString(rec.system, 'system');
    const conv = needArray(rec.conversations, 'conversations');
    if (conv.length === 0) fail('conversations is empty');
    const turns: Turn[] = [];
    if (system !== undefined) turns.push({ role: 'system', content: system });
    conv.forEach((t, i) => turns.push(readTurn(t, i)));
    return makeSample('toolace', rec, index, turns, readTools(system));
  },

  write(sample, base) {
    const rec: Obj = isObj(base) ? clone(base) : {};
    const same = sample.format === 'toolace';
    const sys = sample.turns.find((t) => t.role === 'system');
    const tools = same ? sample.tools : pythonicTools(sample.tools);
    let system: string | undefined;
    if (same && sys) {
      // The prompt text is kept; only an edited tool list is re-serialised in place.
      system = sys.content;
      const hit = toolaceFind(system);
      if (!sameValue(readTools(system), tools)) {
        const items = tools.map((t, i) => toolObject(t, hit?.items[i]));
        system = hit ? splice(system, hit, restyle(items, system.slice(hit.start, hit.end))) : toolaceSystem(system, tools);
      }
    } else if (!same || tools.length > 0) {
      system = toolaceSystem(same ? '' : systemPrompt(sample), tools);
    }
    if (system === undefined) delete rec.system;
    else rec.system = system;
    const turns = sample.turns.filter((t) => t.role !== 'system');
    rec.conversations = mergeList(turns, rec.conversations, readTurn, (t, b) => {
      const o: Obj = isObj(b) ? clone(b) : {};
      o.from = FROM[t.role];
      o.value = t.role === 'assistant' ? callText(sample, t, 'toolace', decodePythonCalls, encodePythonCalls) : t.role === 'tool_result' ? resultPayload(sample, t) : t.content;
      return o;
    });
    return rec;
  },
};
