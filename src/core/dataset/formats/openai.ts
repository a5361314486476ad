// OpenAI chat + tools: {"messages": [{role, content, tool_calls?: [{id, type, function: {name,
// arguments: "<JSON text>"}}], tool_call_id?}], "tools": [{type: "function", function}]}.
// Calls are structured here, so a call turn's `content` is the message's own text ("" for null);
// arguments that are not JSON objects make the record malformed (there is no text to fall back to).
import type { DatasetFormat, Sample, ToolCall, ToolDef, Turn, TurnRole } from '../sample';
import { setKey } from '../pythonCalls';
import { copyNumberForms } from '../numberForm';
import { COMPACT_STYLE } from '../jsonStyle';
import { callProse, clone, fail, isObj, jsonSchemaTools, jsonText, makeSample, mergeList, needArray, needObj, needString, parseJson, resultPayload, sameValue, show, toolDef, TooDeepError, type Obj } from './common';
import { systemPrompt, toolItems } from './embedded';

// A Map, not an object literal: a role of "constructor" must not find Object.prototype's.
const ROLES = new Map<string, TurnRole>([['system', 'system'], ['developer', 'system'], ['user', 'user'], ['assistant', 'assistant'], ['tool', 'tool_result'], ['function', 'tool_result']]);
const ROLE_OUT: Record<TurnRole, string> = { system: 'system', user: 'user', assistant: 'assistant', tool_result: 'tool' };

/** Message text: a string, null (""), or content parts whose text parts are joined. */
function contentText(v: unknown, path: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map((p, i) => (isObj(p) && typeof p.text === 'string' ? p.text : fail(`${path}[${i}] is not a text part`))).join('');
  return fail(`${path} is ${show(v)}, expected a string, null or a list of parts`);
}

function readCall(v: unknown, path: string): ToolCall {
  const c = needObj(v, path);
  const fn = needObj(c.function, `${path}.function`);
  const name = needString(fn.name, `${path}.function.name`);
  let args: unknown = fn.arguments ?? {};
  if (typeof args === 'string') {
    try {
      args = args.trim() === '' ? {} : parseJson(args);
    } catch (err) {
      fail(`${path}.function.arguments is ${err instanceof TooDeepError ? err.message : 'not valid JSON text'}`);
    }
  }
  if (!isObj(args)) fail(`${path}.function.arguments is ${show(args)}, expected a JSON object`);
  const copy: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(args as Obj)) setKey(copy, k, x);
  copyNumberForms(args, copy);
  const call: ToolCall = { name, arguments: copy };
  if (typeof c.id === 'string') call.id = c.id;
  return call;
}

function readMessage(v: unknown, i: number): Turn {
  const path = `messages[${i}]`;
  const m = needObj(v, path);
  const r = needString(m.role, `${path}.role`);
  const role = ROLES.get(r) ?? fail(`${path}.role is ${JSON.stringify(r)}, expected system|user|assistant|tool`);
  const turn: Turn = { role, content: contentText(m.content, `${path}.content`) };
  if (role === 'assistant' && m.tool_calls !== undefined && m.tool_calls !== null) {
    const calls = needArray(m.tool_calls, `${path}.tool_calls`).map((c, k) => readCall(c, `${path}.tool_calls[${k}]`));
    if (calls.length > 0) turn.calls = calls;
  }
  if (role === 'tool_result') {
    if (typeof m.tool_call_id === 'string') turn.toolCallId = m.tool_call_id;
    if (typeof m.name === 'string') turn.name = m.name;
  }
  // OpenAI fine-tuning skips an assistant message with weight 0: context, not an answer.
  if (role === 'assistant' && m.weight === 0) turn.trained = false;
  return turn;
}

function readTools(v: unknown): ToolDef[] {
  if (v === undefined || v === null) return [];
  return needArray(v, 'tools').map((t, i) => {
    const o = needObj(t, `tools[${i}]`);
    return toolDef(isObj(o.function) ? o.function : o.type === undefined ? o : fail(`tools[${i}].function is missing`), `tools[${i}].function`);
  });
}

/** Call ids for a sample from a format without them, and the id each tool result answers. */
function withIds(sample: Sample): Turn[] {
  let n = 0;
  let pending: ToolCall[] = [];
  return sample.turns.map((t) => {
    if (t.calls) {
      const calls = t.calls.map((c) => ({ ...c, id: c.id ?? `call_${++n}` }));
      pending = [...calls];
      // The source's call text means nothing here; the prose beside it is this message's content.
      return { ...t, calls, content: callProse(sample, t) };
    }
    if (t.role !== 'tool_result') return t;
    const k = Math.max(0, t.toolCallId ? pending.findIndex((c) => c.id === t.toolCallId) : t.name ? pending.findIndex((c) => c.name === t.name) : 0);
    const answered = pending.splice(k, 1)[0];
    return { ...t, toolCallId: t.toolCallId ?? answered?.id ?? `call_${++n}`, content: resultPayload(sample, t) };
  });
}

function writeCalls(calls: ToolCall[], base: unknown): unknown[] {
  return mergeList(calls, base, (b, k) => readCall(b, `tool_calls[${k}]`), (c, b) => {
    const o: Obj = isObj(b) ? clone(b) : { id: c.id, type: 'function' };
    if (c.id !== undefined) o.id = c.id;
    const fn: Obj = isObj(o.function) ? o.function : {};
    fn.name = c.name;
    fn.arguments = jsonText(c.arguments, fn.arguments, COMPACT_STYLE);
    o.function = fn;
    return o;
  });
}

export const openai: DatasetFormat = {
  id: 'openai',
  label: 'OpenAI chat + tools',

  sniff(record) {
    if (!isObj(record) || !Array.isArray(record.messages)) return 0;
    const msgs = record.messages.filter(isObj);
    if (msgs.length === 0 || !msgs.every((m) => typeof m.role === 'string' && ROLES.has(m.role))) return 0.2;
    return Array.isArray(record.tools) || msgs.some((m) => 'tool_calls' in m) ? 1 : 0.8;
  },

  read(record, index) {
    const rec = needObj(record, 'record');
    const msgs = needArray(rec.messages, 'messages');
    if (msgs.length === 0) fail('messages is empty');
    return makeSample('openai', rec, index, msgs.map(readMessage), readTools(rec.tools));
  },

  write(sample, base) {
    const rec: Obj = isObj(base) ? clone(base) : {};
    const same = sample.format === 'openai';
    let turns = same ? sample.turns : withIds(sample);
    if (!same) {
      const prompt = systemPrompt(sample);
      turns = [...(prompt ? [{ role: 'system' as const, content: prompt }] : []), ...turns.filter((t) => t.role !== 'system')];
    }
    rec.messages = mergeList(turns, rec.messages, readMessage, (t, b) => {
      // Fresh tool messages read role, tool_call_id, content, as OpenAI's own examples do.
      const o: Obj = isObj(b) ? clone(b) : t.role === 'tool_result' ? { role: undefined, tool_call_id: undefined } : {};
      const baseRole = typeof o.role === 'string' && ROLES.get(o.role) === t.role ? o.role : undefined;
      o.role = baseRole ?? ROLE_OUT[t.role];
      const keepNull = t.content === '' && (o.content === null || (!('content' in o) && t.calls));
      const keepParts = Array.isArray(o.content) && contentText(o.content, 'content') === t.content;
      if (!keepNull && !keepParts) o.content = t.content;
      if (t.calls) o.tool_calls = writeCalls(t.calls, o.tool_calls);
      else delete o.tool_calls;
      if (t.role === 'tool_result' && t.toolCallId !== undefined) o.tool_call_id = t.toolCallId;
      else if (o.tool_call_id === undefined) delete o.tool_call_id;
      if (t.role === 'assistant') {
        if (t.trained === false) o.weight = 0;
        else if (o.weight === 0) delete o.weight;
      }
      return o;
    });
    const oldTools = (() => {
      try {
        return readTools(rec.tools);
      } catch {
        return undefined;
      }
    })();
    if (oldTools && sameValue(oldTools, sample.tools)) return rec;
    const tools = same ? sample.tools : jsonSchemaTools(sample.tools);
    rec.tools = toolItems(tools, Array.isArray(rec.tools) ? rec.tools : undefined, true);
    return rec;
  },
};
