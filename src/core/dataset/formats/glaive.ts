// Glaive function calling v2: {"system": "SYSTEM: ... functions as JSON ...", "chat": "USER: ...\n\n\n
// ASSISTANT: <functioncall> {"name": ..., "arguments": '{...}'} <|endoftext|>\n\n\nFUNCTION RESPONSE: ..."}.
// The chat is one string: turns are its segments, and a segment's decoration (marker, the
// <|endoftext|> after assistant turns, the blank lines) is re-used from the base record on write.
import type { DatasetFormat, Sample, ToolCall, ToolDef, Turn, TurnRole } from '../sample';
import { serializeRecord } from '../jsonStyle';
import { PY_STYLE, callProse, callText, clone, fail, isObj, jsonSchemaTools, makeSample, needObj, needString, parseJson, resultPayload, sameValue, toolDef, toolObject, type Obj } from './common';
import { glaiveFind, glaiveSystem, glaiveToolText, splice, systemPrompt } from './embedded';
import { jsonCalls } from './llamafactory';

const ROLES: readonly (readonly [string, TurnRole])[] = [['USER', 'user'], ['ASSISTANT', 'assistant'], ['FUNCTION RESPONSE', 'tool_result']];
const MARKER: Record<TurnRole, string> = { system: 'USER', user: 'USER', assistant: 'ASSISTANT', tool_result: 'FUNCTION RESPONSE' };
const ENDOFTEXT = '<|endoftext|>';

const isSpace = (c: string | undefined): boolean => c !== undefined && /\s/.test(c);

interface Segment {
  role: TurnRole;
  prefix: string;
  body: string;
  suffix: string;
}

/** The marker (`USER:`, `ASSISTANT: `, ...) starting at `at`, with its role. */
function markerAt(chat: string, at: number): { marker: string; role: TurnRole } | undefined {
  for (const [name, role] of ROLES) {
    if (!chat.startsWith(name, at) || chat[at + name.length] !== ':') continue;
    return { marker: chat[at + name.length + 1] === ' ' ? `${name}: ` : `${name}:`, role };
  }
  return undefined;
}

/**
 * A segment's text split into its body and the decoration after it: trailing whitespace, with an
 * `<|endoftext|>` and the whitespace before it when the body ends with one.
 */
function splitSuffix(raw: string): { body: string; suffix: string } {
  let end = raw.length;
  while (end > 0 && isSpace(raw[end - 1])) end--;
  if (raw.endsWith(ENDOFTEXT, end)) {
    end -= ENDOFTEXT.length;
    while (end > 0 && isSpace(raw[end - 1])) end--;
  }
  return { body: raw.slice(0, end), suffix: raw.slice(end) };
}

/**
 * Turns are the segments that start with a marker at the start of the chat (after whitespace)
 * or right after a line break. Found with indexOf, not a regex: whitespace runs made the regexes
 * this replaced backtrack quadratically (160 kB of spaces took 76 s in `itool inspect`).
 */
function segments(chat: string): { lead: string; segs: Segment[] } {
  const starts: { at: number; marker: string; role: TurnRole }[] = [];
  let p = 0;
  while (isSpace(chat[p])) p++;
  const first = markerAt(chat, p);
  let from = 0;
  if (first) {
    starts.push({ at: p, ...first });
    from = p + first.marker.length;
  }
  for (let nl = chat.indexOf('\n', from); nl >= 0; nl = chat.indexOf('\n', from)) {
    const m = markerAt(chat, nl + 1);
    if (m) starts.push({ at: nl + 1, ...m });
    from = m ? nl + 1 + m.marker.length : nl + 1;
  }
  const segs = starts.map((s, i) => {
    const raw = chat.slice(s.at + s.marker.length, i + 1 < starts.length ? starts[i + 1].at : chat.length);
    return { role: s.role, prefix: s.marker, ...splitSuffix(raw) };
  });
  return { lead: starts.length ? chat.slice(0, starts[0].at) : chat, segs };
}

/**
 * The usual call shape, `{"name": "f", "arguments": '{...}'}`: arguments as a single-quoted string
 * of JSON, which is not JSON itself. Read by hand (the regex it replaces was linear, but kept a
 * backtracking entry per character of the arguments).
 */
function quotedArguments(t: string): { name: string; args: string } | undefined {
  const ws = (i: number): number => {
    while (isSpace(t[i])) i++;
    return i;
  };
  const lit = (i: number, s: string): number => (t.startsWith(s, i) ? ws(i + s.length) : -1);
  let i = t[0] === '{' ? ws(1) : -1;
  if (i >= 0) i = lit(i, '"name"');
  if (i >= 0) i = lit(i, ':');
  if (i < 0 || t[i] !== '"') return undefined;
  let j = i + 1;
  for (; j < t.length && t[j] !== '"'; j++) {
    if (t[j] !== '\\') continue;
    if (j + 1 >= t.length || '\n\r\u2028\u2029'.includes(t[j + 1])) return undefined; // `\\.` matches no line break
    j++;
  }
  if (j >= t.length) return undefined;
  const name = t.slice(i, j + 1);
  i = lit(ws(j + 1), ',');
  if (i >= 0) i = lit(i, '"arguments"');
  if (i >= 0) i = lit(i, ':');
  if (i < 0 || t[i] !== "'" || !t.endsWith('}')) return undefined;
  let k = t.length - 2;
  while (k > i && isSpace(t[k])) k--;
  return k > i && t[k] === "'" ? { name, args: t.slice(i + 1, k) } : undefined;
}

function parseCall(text: string): ToolCall | undefined {
  try {
    return jsonCalls(parseJson(text))?.[0];
  } catch {
    const m = quotedArguments(text);
    if (!m) return undefined;
    try {
      return jsonCalls({ name: JSON.parse(m.name), arguments: m.args })?.[0];
    } catch {
      return undefined;
    }
  }
}

export function decodeGlaiveCalls(text: string): ToolCall[] | undefined {
  const parts = text.split('<functioncall>').slice(1);
  const calls = parts.map((p) => parseCall(p.trim()));
  return calls.length > 0 && calls.every((c) => c !== undefined) ? (calls as ToolCall[]) : undefined;
}

export const encodeGlaiveCalls = (calls: ToolCall[]): string =>
  calls.map((c) => `<functioncall> {"name": ${JSON.stringify(c.name)}, "arguments": '${serializeRecord(c.arguments, PY_STYLE)}'}`).join('\n');

function toTurn(s: Segment): Turn {
  const turn: Turn = { role: s.role, content: s.body };
  if (s.role === 'assistant' && s.body.includes('<functioncall>')) {
    const calls = decodeGlaiveCalls(s.body);
    if (calls) turn.calls = calls;
  }
  return turn;
}

const readTools = (system: string | undefined): ToolDef[] =>
  (system === undefined ? undefined : glaiveFind(system))?.items.map((t, i) => toolDef(t, `system function [${i}]`)) ?? [];

function writeSystem(sample: Sample, same: boolean): string | undefined {
  const sys = sample.turns.find((t) => t.role === 'system');
  if (!same) return glaiveSystem(systemPrompt(sample), jsonSchemaTools(sample.tools));
  if (!sys) return sample.tools.length ? glaiveSystem('', sample.tools) : undefined;
  if (sameValue(readTools(sys.content), sample.tools)) return sys.content;
  const hit = glaiveFind(sys.content);
  if (!hit || sample.tools.length === 0) return glaiveSystem(systemPrompt(sample), sample.tools);
  return splice(sys.content, hit, glaiveToolText(sample.tools.map((t, i) => toolObject(t, hit.items[i]))));
}

export const glaive: DatasetFormat = {
  id: 'glaive',
  label: 'Glaive function calling v2',

  sniff(record) {
    if (!isObj(record) || typeof record.chat !== 'string') return 0;
    const marked = /(^|\n)(USER|ASSISTANT): /.test(record.chat);
    return marked && (record.system === undefined || (typeof record.system === 'string' && record.system.startsWith('SYSTEM:'))) ? 1 : marked ? 0.7 : 0.2;
  },

  read(record, index) {
    const rec = needObj(record, 'record');
    const system = rec.system === undefined ? undefined : needString(rec.system, 'system');
    const chat = needString(rec.chat, 'chat');
    const { segs } = segments(chat);
    if (segs.length === 0) fail('chat has no "USER:" / "ASSISTANT:" turns');
    const turns: Turn[] = system === undefined ? [] : [{ role: 'system', content: system }];
    turns.push(...segs.map(toTurn));
    return makeSample('glaive', rec, index, turns, readTools(system));
  },

  write(sample, base) {
    const rec: Obj = isObj(base) ? clone(base) : {};
    const same = sample.format === 'glaive';
    const system = writeSystem(sample, same);
    if (system === undefined) delete rec.system;
    else rec.system = system;
    const old = typeof rec.chat === 'string' ? segments(rec.chat) : { lead: '', segs: [] };
    const turns = sample.turns.filter((t) => t.role !== 'system');
    const pieces = turns.map((t, i) => {
      const b = old.segs[i]?.role === t.role ? old.segs[i] : undefined;
      let body = t.role === 'assistant' ? callText(sample, t, 'glaive', decodeGlaiveCalls, encodeGlaiveCalls) : t.role === 'tool_result' ? resultPayload(sample, t) : t.content;
      // Text beside another format's calls goes before the first <functioncall>.
      const prose = t.calls && !same ? callProse(sample, t) : '';
      if (prose) body = `${prose} ${body}`;
      let suffix = b?.suffix ?? (t.role === 'assistant' ? ' <|endoftext|>\n\n\n' : '\n\n\n');
      // A base's last segment may end without a newline: the next marker must start a line.
      if (i < turns.length - 1 && !suffix.endsWith('\n')) suffix += '\n\n\n';
      return (b?.prefix ?? `${MARKER[t.role]}: `) + body + suffix;
    });
    rec.chat = old.lead + pieces.join('');
    return rec;
  },
};
