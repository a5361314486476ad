// LLaMA-Factory's newer message format (the data its v1 trainer reads; src/llamafactory/v1/utils/
// types.py): {"messages": [{"role": "system"|"user"|"assistant"|"tool", "content": [{"type":
// "text"|"reasoning"|"tool_call"|"image_url"|"video_url"|"audio_url", "value": "..."}],
// "loss_weight"?: number}], "tools"?: "<JSON text of OpenAI-style tools>", "extra_info"?,
// "_dataset_name"?}. A tool_call part's value is JSON text {"name", "arguments"}.
//
// What a turn holds of a message, following how LLaMA-Factory itself renders one (its text parts
// concatenated, its reasoning parts concatenated into `reasoning_content`, its tool_call parts
// into structured `tool_calls`):
//   - `content`: the text parts joined with nothing between them; in an assistant message with
//     tool_call parts, the text runs and the tool_call values in part order, one per line (a "\n"
//     between a call value and whatever is next to it). A message with only calls therefore reads
//     as the call values joined by "\n": JSON text the checker parses and points into.
//   - `reasoning`: the reasoning parts joined (absent when there are none or all are empty); never
//     part of `content`, so it is not scored as the answer.
//   - `calls`: the decoded tool_call parts.
//   - media parts (image_url, video_url, audio_url): nothing. They are not tool-use data and no other
//     format has a place for them, so conversion drops them; a same-format write keeps every one
//     where it was, since an unchanged message is written back as it was and a changed one keeps
//     its media parts in place (see `parts`).
// `loss_weight`, unknown message keys and unknown record keys are kept by a same-format write;
// records written from another format carry no loss_weight (LLaMA-Factory then trains on every
// assistant message, which is what one sample per answer means here too, answers.ts).
import { PY_STYLE, clone, fail, isObj, jsonSchemaTools, jsonText, makeSample, mergeList, needArray, needObj, needString, parseJson, resultPayload, sameValue, show, toolDef, tryJson, TooDeepError, type Obj } from './common';
import { jsonSpans } from './proseJson';
import { serializeRecord } from '../jsonStyle';
import { setKey } from '../pythonCalls';
import { copyNumberForms } from '../numberForm';
import { TOO_DEEP_REASON } from '../recordIndexLimits';
import type { DatasetFormat, Sample, ToolCall, ToolDef, Turn, TurnRole } from '../sample';
import { hermesFunction, systemPrompt, toolItems } from './embedded';

const ID = 'llamafactory_v1';

// A Map, not an object literal: a role of "constructor" must not find Object.prototype's.
const ROLES = new Map<string, TurnRole>([['system', 'system'], ['user', 'user'], ['assistant', 'assistant'], ['tool', 'tool_result']]);
const ROLE_OUT: Record<TurnRole, string> = { system: 'system', user: 'user', assistant: 'assistant', tool_result: 'tool' };
const PART_TYPES = new Set(['text', 'reasoning', 'tool_call', 'image_url', 'video_url', 'audio_url']);
const BODY_TYPES = new Set(['text', 'tool_call']);

/** A tool_call value, as LLaMA-Factory requires it: JSON text of an object with "name" and "arguments". */
function decodeCall(text: string): ToolCall | undefined {
  let v: unknown;
  try {
    v = parseJson(text);
  } catch {
    return undefined;
  }
  if (!isObj(v) || typeof v.name !== 'string' || !('arguments' in v)) return undefined;
  // LLaMA-Factory hands `arguments` to the chat template as it is; an object, or JSON text of one.
  const args = typeof v.arguments === 'string' ? tryJson(v.arguments) : v.arguments;
  if (!isObj(args)) return undefined;
  const copy: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(args)) setKey(copy, k, x);
  copyNumberForms(args, copy); // `2.0` stays 2.0 (numberForm.ts)
  return { name: v.name, arguments: copy };
}

/** A call as a tool_call value, in json.dumps's separators (what LLaMA-Factory's converters write). */
const encodeCall = (c: ToolCall): string => serializeRecord({ name: c.name, arguments: c.arguments }, PY_STYLE);

/** The body of a message: its text runs and its calls, in order (what `content` is made of). */
type Segment = { text: string } | { call: string };

/** `content` from a message's body: text runs as they are, each call value on its own line. */
function joinSegments(segs: readonly Segment[]): string {
  let out = '';
  segs.forEach((s, k) => {
    if (k > 0 && ('call' in s || 'call' in segs[k - 1])) out += '\n';
    out += 'text' in s ? s.text : s.call;
  });
  return out;
}

function readMessage(v: unknown, i: number): Turn {
  const path = `messages[${i}]`;
  const m = needObj(v, path);
  const r = needString(m.role, `${path}.role`);
  const role = ROLES.get(r) ?? fail(`${path}.role is ${JSON.stringify(r)}, expected system|user|assistant|tool`);
  const parts = needArray(m.content, `${path}.content`);
  const segs: Segment[] = [];
  const calls: ToolCall[] = [];
  let reasoning = '';
  parts.forEach((p, k) => {
    const at = `${path}.content[${k}]`;
    const part = needObj(p, at);
    const type = needString(part.type, `${at}.type`);
    if (!PART_TYPES.has(type)) fail(`${at}.type is ${JSON.stringify(type)}, expected text|reasoning|tool_call|image_url|video_url|audio_url`);
    const value = needString(part.value, `${at}.value`);
    if (type === 'reasoning') reasoning += value;
    else if (type === 'text') {
      const last = segs[segs.length - 1];
      if (last && 'text' in last) last.text += value;
      else segs.push({ text: value });
    } else if (type === 'tool_call') {
      if (role !== 'assistant') fail(`${at} is a tool_call in a ${r} message; only assistant messages call tools`);
      const call = decodeCall(value);
      if (!call) {
        let deep = false;
        try {
          parseJson(value);
        } catch (err) {
          deep = err instanceof TooDeepError;
        }
        fail(`${at}.value is ${deep ? TOO_DEEP_REASON : `${show(value)}, expected JSON text {"name", "arguments": {...}}`}`);
      }
      calls.push(call!);
      segs.push({ call: value });
    }
    // Media parts: see the head of this file.
  });
  const turn: Turn = { role, content: joinSegments(segs) };
  if (calls.length > 0) turn.calls = calls;
  if (reasoning !== '') turn.reasoning = reasoning;
  // LLaMA-Factory trains on no message whose loss_weight is 0: it is context, not an answer.
  if (role === 'assistant' && m.loss_weight === 0) turn.trained = false;
  return turn;
}

/**
 * A call turn's content split back into text runs and call values. A call value is a JSON object
 * that decodes as a call and stands on lines of its own (blanks around it allowed), as `content`
 * puts them; the turn's calls are matched in order, so an object in the prose that is not the next
 * call stays prose. When the calls do not all match (they were edited: calls are the truth, as in
 * every format), the prose without any call-like lines is kept and the calls are written fresh.
 */
function splitContent(content: string, calls: readonly ToolCall[]): Segment[] {
  const candidates: { a: number; b: number; call: ToolCall }[] = [];
  for (const span of jsonSpans(content, '{')) {
    let a = span.start;
    while (a > 0 && (content[a - 1] === ' ' || content[a - 1] === '\t')) a--;
    let b = span.end;
    while (b < content.length && (content[b] === ' ' || content[b] === '\t' || content[b] === '\r')) b++;
    if (!(a === 0 || content[a - 1] === '\n') || !(b === content.length || content[b] === '\n')) continue;
    const call = decodeCall(content.slice(a, b));
    if (call) candidates.push({ a, b, call });
  }
  const same = (x: ToolCall, y: ToolCall) => x.name === y.name && sameValue(x.arguments, y.arguments);
  let k = 0;
  const matched = candidates.filter((c) => k < calls.length && same(c.call, calls[k]) && ++k > 0);
  const spans = k === calls.length ? matched : candidates;
  const segs: Segment[] = [];
  let at = 0; // where the text not yet in a segment starts
  for (const { a, b } of spans) {
    // The text before the call, without the line break `content` put between the two.
    const text = a === 0 ? '' : content.slice(at, a - 1);
    if (text !== '') segs.push({ text });
    segs.push({ call: content.slice(a, b) });
    at = b < content.length ? b + 1 : b;
  }
  if (at < content.length) segs.push({ text: content.slice(at) });
  if (spans === matched) return segs;
  const text = segs.map((s) => ('text' in s ? s.text : '')).join('');
  return [...(text ? [{ text }] : []), ...calls.map((c) => ({ call: encodeCall(c) }))];
}

/**
 * The text of a turn of this format without its call values: its text parts, which LLaMA-Factory
 * hands a chat template as `content` beside the structured `tool_calls`.
 */
export function textBesideCalls(t: Turn): string {
  if (!t.calls?.length) return t.content;
  return splitContent(t.content, t.calls)
    .map((s) => ('text' in s ? s.text : ''))
    .join('');
}

/** What a turn's message body is in this format, from a sample of this or another format. */
function bodyOf(sample: Sample, t: Turn): Segment[] {
  if (!t.calls?.length) {
    const text = t.role === 'tool_result' ? resultPayload(sample, t) : t.content;
    return text === '' ? [] : [{ text }];
  }
  if (sample.format === ID) return splitContent(t.content, t.calls);
  // Only OpenAI keeps prose beside its calls in `content`; elsewhere `content` is call text in the
  // source's own syntax, which the tool_call parts replace.
  const calls = t.calls.map((c) => ({ call: encodeCall(c) }));
  return sample.format === 'openai' && t.content !== '' ? [{ text: t.content }, ...calls] : calls;
}

const partValues = (parts: readonly unknown[], types: ReadonlySet<string>): unknown[] => parts.filter((p) => isObj(p) && typeof p.type === 'string' && types.has(p.type));

/**
 * The content parts of a turn's message. A base message's parts are reused where they still say
 * the same (its reasoning parts, its text and tool_call parts), and its media parts stay where they
 * were; a changed reasoning goes where the first reasoning part was (first when there was none), a
 * changed body where the first text or tool_call part was (last when there was none). Parts written
 * fresh are {"type", "value"} only.
 */
function parts(sample: Sample, t: Turn, base: unknown): unknown[] {
  const baseParts = isObj(base) && Array.isArray(base.content) ? base.content : undefined;
  const bodySegs = bodyOf(sample, t);
  let body: unknown[] = bodySegs.map((s) => ('text' in s ? { type: 'text', value: s.text } : { type: 'tool_call', value: s.call }));
  let reasoning: unknown[] = t.reasoning ? [{ type: 'reasoning', value: t.reasoning }] : [];
  if (!baseParts) return [...reasoning, ...body];
  const oldBody = partValues(baseParts, BODY_TYPES);
  const oldReasoning = partValues(baseParts, new Set(['reasoning']));
  const valueText = (ps: unknown[]) => ps.map((p) => (isObj(p) && typeof p.value === 'string' ? p.value : '')).join('');
  try {
    if (readMessage({ role: 'assistant', content: oldBody }, 0).content === joinSegments(bodySegs)) body = clone(oldBody);
  } catch {
    /* the old body does not read: write the new one */
  }
  if (valueText(oldReasoning) === (t.reasoning ?? '')) reasoning = clone(oldReasoning);
  const out: unknown[] = [];
  let placedBody = false;
  let placedReasoning = false;
  for (const p of baseParts) {
    const type = isObj(p) ? p.type : undefined;
    if (type === 'reasoning') {
      if (!placedReasoning) out.push(...reasoning);
      placedReasoning = true;
    } else if (typeof type === 'string' && BODY_TYPES.has(type)) {
      if (!placedBody) out.push(...body);
      placedBody = true;
    } else out.push(clone(p));
  }
  if (!placedReasoning) out.unshift(...reasoning);
  if (!placedBody) out.push(...body);
  return out;
}

function writeMessage(sample: Sample, t: Turn, base: unknown): Obj {
  const o: Obj = isObj(base) ? clone(base) : {};
  o.role = ROLE_OUT[t.role];
  o.content = parts(sample, t, base);
  // The mark is the assistant turn's (a user message's loss_weight is LLaMA-Factory's own and kept).
  if (t.role === 'assistant') {
    if (t.trained === false) o.loss_weight = 0;
    else if (o.loss_weight === 0) delete o.loss_weight;
  }
  return o;
}

function readTools(v: unknown): ToolDef[] {
  if (v === undefined || v === null || v === '') return [];
  const text = needString(v, 'tools');
  let list: unknown;
  try {
    list = parseJson(text);
  } catch (err) {
    fail(err instanceof TooDeepError ? `tools is ${TOO_DEEP_REASON}` : 'tools is not valid JSON text');
  }
  return needArray(list, 'tools (parsed)').map((t, i) => toolDef(hermesFunction(t), `tools[${i}]`));
}

/** Writes the sample's tools into `rec` (kept as they were when they still read the same). */
function writeTools(rec: Obj, sample: Sample, same: boolean): void {
  let oldTools: ToolDef[] | undefined;
  try {
    oldTools = readTools(rec.tools);
  } catch {
    oldTools = undefined; // unreadable before: write the sample's tools fresh
  }
  if (oldTools && sameValue(oldTools, sample.tools)) return;
  const old = tryJson(rec.tools);
  const tools = same ? sample.tools : jsonSchemaTools(sample.tools);
  // OpenAI-style {"type": "function", "function": {...}} items, as LLaMA-Factory's own data has them.
  rec.tools = jsonText(toolItems(tools, Array.isArray(old) ? old : undefined, true), rec.tools, PY_STYLE);
}

/** Sniff: every message's content is a list of {"type", "value"} parts (OpenAI parts say "text"). */
function sniff(record: unknown): number {
  if (!isObj(record) || !Array.isArray(record.messages) || record.messages.length === 0) return 0;
  let seen = 0;
  for (const m of record.messages) {
    // A string or null content, or tool_calls, is OpenAI's; so is a part with "text".
    if (!isObj(m) || !Array.isArray(m.content) || 'tool_calls' in m) return 0;
    for (const p of m.content) {
      if (!isObj(p) || typeof p.type !== 'string' || !('value' in p) || 'text' in p) return 0;
      seen++;
    }
  }
  const rolesOk = record.messages.every((m) => isObj(m) && typeof m.role === 'string' && ROLES.has(m.role));
  if (!rolesOk) return 0.3;
  return seen > 0 ? 1 : 0.5;
}

export const llamafactoryMessages: DatasetFormat = {
  id: ID,
  label: 'LLaMA-Factory messages (content parts)',
  sniff,

  read(record, index) {
    const rec = needObj(record, 'record');
    const msgs = needArray(rec.messages, 'messages');
    if (msgs.length === 0) fail('messages is empty');
    return makeSample(ID, rec, index, msgs.map(readMessage), readTools(rec.tools));
  },

  write(sample, base) {
    const rec: Obj = isObj(base) ? clone(base) : {};
    const same = sample.format === ID;
    let turns = sample.turns;
    if (!same) {
      // Another format's system turns may embed its tool list as text: the prompt without it.
      const prompt = systemPrompt(sample);
      turns = [...(prompt ? [{ role: 'system' as const, content: prompt }] : []), ...turns.filter((t) => t.role !== 'system')];
    }
    rec.messages = mergeList(turns, rec.messages, readMessage, (t, b) => writeMessage(sample, t, b));
    // A record of another format without tools gets no "tools" key (LLaMA-Factory reads none).
    if (isObj(base) || sample.tools.length > 0) writeTools(rec, sample, same);
    return rec;
  },
};
