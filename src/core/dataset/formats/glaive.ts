// Glaive function calling v2: {"system": "SYSTEM: ... functions as JSON ...", "chat": "USER: ...\n\n\n
// ASSISTANT: <functioncall> {"name": ..., "arguments": '{...}'} <|endoftext|>\n\n\nFUNCTION RESPONSE: ..."}.
// The chat is one string: turns are its segments, and a segment's decoration (marker, the
// <|endoftext|> after assistant turns, the blank lines) is re-used from the base record on write.
import type { DatasetFormat, Sample, ToolCall, ToolDef, Turn, TurnRole } from '../sample';
import { serializeRecord } from '../jsonStyle';
import { PY_STYLE, callText, clone, fail, isObj, jsonSchemaTools, makeSample, needObj, needString, resultPayload, sameValue, toolDef, toolObject, type Obj } from './common';
import { glaiveFind, glaiveSystem, glaiveToolText, splice, systemPrompt } from './embedded';
import { jsonCalls } from './llamafactory';

const ROLES: Record<string, TurnRole> = { USER: 'user', ASSISTANT: 'assistant', 'FUNCTION RESPONSE': 'tool_result' };
const MARKER: Record<TurnRole, string> = { system: 'USER', user: 'USER', assistant: 'ASSISTANT', tool_result: 'FUNCTION RESPONSE' };

interface Segment {
  role: TurnRole;
  prefix: string;
  body: string;
  suffix: string;
}

function segments(chat: string): { lead: string; segs: Segment[] } {
  const starts = [...chat.matchAll(/(^\s*|\n)(USER|ASSISTANT|FUNCTION RESPONSE): ?/g)].map((m) => ({ at: m.index + m[1].length, marker: m[0].slice(m[1].length), role: ROLES[m[2]] }));
  const segs = starts.map((s, i) => {
    const raw = chat.slice(s.at + s.marker.length, i + 1 < starts.length ? starts[i + 1].at : chat.length);
    const m = /^([\s\S]*?)((?:\s*<\|endoftext\|>)?\s*)$/.exec(raw)!;
    return { role: s.role, prefix: s.marker, body: m[1], suffix: m[2] };
  });
  return { lead: starts.length ? chat.slice(0, starts[0].at) : chat, segs };
}

function parseCall(text: string): ToolCall | undefined {
  try {
    return jsonCalls(JSON.parse(text))?.[0];
  } catch {
    // The usual shape: arguments as a single-quoted string of JSON, which is not JSON itself.
    const m = /^\{\s*"name"\s*:\s*("(?:[^"\\]|\\.)*")\s*,\s*"arguments"\s*:\s*'([\s\S]*)'\s*\}$/.exec(text);
    if (!m) return undefined;
    try {
      return jsonCalls({ name: JSON.parse(m[1]), arguments: m[2] })?.[0];
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
      const body = t.role === 'assistant' ? callText(sample, t, 'glaive', decodeGlaiveCalls, encodeGlaiveCalls) : t.role === 'tool_result' ? resultPayload(sample, t) : t.content;
      let suffix = b?.suffix ?? (t.role === 'assistant' ? ' <|endoftext|>\n\n\n' : '\n\n\n');
      // A base's last segment may end without a newline: the next marker must start a line.
      if (i < turns.length - 1 && !suffix.endsWith('\n')) suffix += '\n\n\n';
      return (b?.prefix ?? `${MARKER[t.role]}: `) + body + suffix;
    });
    rec.chat = old.lead + pieces.join('');
    return rec;
  },
};
