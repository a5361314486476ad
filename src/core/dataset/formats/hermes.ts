// Hermes function calling: {"conversations": [{"from": "system"|"human"|"gpt"|"tool", "value"}]};
// tools inside <tools>...</tools> in the system turn, calls as <tool_call>\n{json}\n</tool_call>
// blocks (several per turn; some datasets write Python dict repr inside), results in <tool_response>.
import type { DatasetFormat, Sample, ToolCall, ToolDef, Turn, TurnRole } from '../sample';
import { parsePythonLiteral } from '../pythonCalls';
import { serializeRecord } from '../jsonStyle';
import { PY_STYLE, callProse, callText, clone, fail, isObj, jsonSchemaTools, makeSample, mergeList, needArray, needObj, needString, parseJson, resultPayload, sameValue, tagBlocks, toolDef, type Obj } from './common';
import { hermesFind, hermesFunction, hermesSystem, restyle, splice, systemPrompt, toolItems } from './embedded';
import { jsonCalls } from './llamafactory';

// Maps, not object literals: a `from` of "constructor" must not find Object.prototype's.
const ROLES = new Map<string, TurnRole>([['system', 'system'], ['human', 'user'], ['gpt', 'assistant'], ['tool', 'tool_result']]);
const FROM: Record<TurnRole, string> = { system: 'system', user: 'human', assistant: 'gpt', tool_result: 'tool' };

function parseObject(text: string): unknown {
  try {
    return parseJson(text);
  } catch {
    return parsePythonLiteral(text);
  }
}

/** Every <tool_call> block of a turn; undefined when there is none or one does not decode. */
export function decodeHermesCalls(text: string): ToolCall[] | undefined {
  const calls: ToolCall[] = [];
  for (const b of tagBlocks(text, 'tool_call')) {
    const one = jsonCalls(parseObject(b.inner.trim()));
    if (!one || one.length !== 1) return undefined;
    calls.push(one[0]);
  }
  // An opening tag without its closing one means a truncated call: leave the turn as text.
  const opened = text.split('<tool_call>').length - 1;
  return calls.length > 0 && opened === calls.length ? calls : undefined;
}

export const encodeHermesCalls = (calls: ToolCall[]): string =>
  calls.map((c) => `<tool_call>\n${serializeRecord({ name: c.name, arguments: c.arguments }, PY_STYLE)}\n</tool_call>`).join('\n');

function readTurn(v: unknown, i: number): Turn {
  const path = `conversations[${i}]`;
  const t = needObj(v, path);
  const from = needString(t.from, `${path}.from`);
  const role = ROLES.get(from) ?? fail(`${path}.from is ${JSON.stringify(from)}, expected system|human|gpt|tool`);
  const content = needString(t.value, `${path}.value`);
  const turn: Turn = { role, content };
  if (role === 'assistant' && content.includes('<tool_call>')) {
    const calls = decodeHermesCalls(content);
    if (calls) turn.calls = calls;
  }
  if (role === 'tool_result') {
    const [first] = tagBlocks(content, 'tool_response', 1);
    const body = first ? parseObject(first.inner.trim()) : undefined;
    if (isObj(body) && typeof body.name === 'string') turn.name = body.name;
  }
  return turn;
}

function readTools(turns: readonly Turn[]): ToolDef[] {
  for (const t of turns) {
    const hit = t.role === 'system' ? hermesFind(t.content) : undefined;
    if (hit) return hit.items.map((item, i) => toolDef(hermesFunction(item), `<tools>[${i}]`));
  }
  return [];
}

/** Same-format turns, with the <tools> block rewritten in place when the tool list was edited. */
function sameFormatTurns(sample: Sample): Turn[] {
  const turns = sample.turns.map((t) => ({ ...t }));
  if (sameValue(readTools(turns), sample.tools)) return turns;
  const sys = turns.find((t) => t.role === 'system' && hermesFind(t.content)) ?? turns.find((t) => t.role === 'system');
  const hit = sys && hermesFind(sys.content);
  if (sys && hit) {
    const old = sys.content.slice(hit.start, hit.end);
    const items = toolItems(sample.tools, hit.items, true);
    const text = hit.kind === 'objects' ? items.map((x) => serializeRecord(x, PY_STYLE)).join('\n') : restyle(items, old.trim());
    sys.content = splice(sys.content, hit, old.slice(0, old.length - old.trimStart().length) + text + old.slice(old.trimEnd().length));
  } else if (sys) sys.content = hermesSystem(sys.content, sample.tools);
  else turns.unshift({ role: 'system', content: hermesSystem('', sample.tools) });
  return turns;
}

function foreignTurns(sample: Sample): Turn[] {
  const prompt = systemPrompt(sample);
  const out: Turn[] = prompt || sample.tools.length ? [{ role: 'system', content: hermesSystem(prompt, jsonSchemaTools(sample.tools)) }] : [];
  for (const t of sample.turns) {
    if (t.role === 'system') continue;
    if (t.role === 'tool_result') out.push({ ...t, content: `<tool_response>\n${resultPayload(sample, t)}\n</tool_response>` });
    else if (t.calls) {
      // Text beside the calls (OpenAI's content, Glaive's prose) goes before the <tool_call> blocks.
      const prose = callProse(sample, t);
      const calls = callText(sample, t, 'hermes', decodeHermesCalls, encodeHermesCalls);
      out.push({ ...t, content: prose ? `${prose}\n${calls}` : calls });
    } else out.push(t);
  }
  return out;
}

export const hermes: DatasetFormat = {
  id: 'hermes',
  label: 'Hermes function calling',

  sniff(record) {
    if (!isObj(record) || !Array.isArray(record.conversations)) return 0;
    const turns = record.conversations.filter(isObj);
    const froms = turns.map((t) => t.from);
    if (froms.length === 0 || !froms.every((f) => typeof f === 'string' && ROLES.has(f))) return 0;
    const text = turns.map((t) => (typeof t.value === 'string' ? t.value : '')).join('\n');
    if (/<tools>|<tool_call>|<tool_response>/.test(text)) return 1;
    return froms.includes('system') || froms.includes('tool') ? 0.7 : 0.5;
  },

  read(record, index) {
    const rec = needObj(record, 'record');
    const conv = needArray(rec.conversations, 'conversations');
    if (conv.length === 0) fail('conversations is empty');
    const turns = conv.map(readTurn);
    return makeSample('hermes', rec, index, turns, readTools(turns));
  },

  write(sample, base) {
    const rec: Obj = isObj(base) ? clone(base) : {};
    const turns = sample.format === 'hermes' ? sameFormatTurns(sample) : foreignTurns(sample);
    rec.conversations = mergeList(turns, rec.conversations, readTurn, (t, b) => {
      const o: Obj = isObj(b) ? clone(b) : {};
      o.from = FROM[t.role];
      o.value = t.role === 'assistant' ? callText(sample, t, 'hermes', decodeHermesCalls, encodeHermesCalls) : t.content;
      return o;
    });
    return rec;
  },
};
