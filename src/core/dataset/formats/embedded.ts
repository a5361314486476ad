// Tool lists that live inside system-prompt prose (ToolACE, Hermes, Glaive): finding them, replacing
// them when the tools were edited, writing a fresh prompt around them, and removing them again
// when a sample moves to a format that keeps tools in a field of their own.
import type { FormatId, Sample, ToolDef } from '../sample';
import { parsePythonLiteral } from '../pythonCalls';
import { PY_STYLE, isObj, jsonText, parseJson, tagBlocks, toolObject, type Obj } from './common';
import { jsonSpans } from './proseJson';
import { serializeRecord } from '../jsonStyle';

export interface Embedded {
  /** Span of the tool listing in the prompt text. */
  start: number;
  end: number;
  /** The raw tool objects (Hermes: possibly `{type: "function", function: {...}}` wrappers). */
  items: unknown[];
}

const namedObjects = (v: unknown): v is Obj[] => Array.isArray(v) && v.length > 0 && v.every((t) => isObj(t) && typeof t.name === 'string');

// ---- ToolACE: a JSON array of tools somewhere in the system prose --------------------------

const TOOLACE_MARK = 'You are given a question and a set of possible functions.';

/** The last JSON array of named objects: a prompt written before the list may quote JSON too. */
export function toolaceFind(system: string): Embedded | undefined {
  const hit = jsonSpans(system, '[').filter((s) => namedObjects(s.value)).pop();
  return hit && { start: hit.start, end: hit.end, items: hit.value as unknown[] };
}

export function toolaceSystem(prompt: string, tools: readonly ToolDef[]): string {
  return (
    (prompt ? `${prompt}\n\n` : '') +
    `${TOOLACE_MARK} Based on the question, make one or more function calls to achieve the purpose. ` +
    'If none of the functions can be used, say so; if the question lacks parameters a function requires, ask for them.\n' +
    'Here is a list of functions in JSON format that you can invoke:\n' +
    serializeRecord(tools.map((t) => toolObject(t)), PY_STYLE) +
    '\nTo call functions, reply with only a list of the form [func_name1(param1=value1, param2=value2), func_name2(param=value)].'
  );
}

function toolaceStrip(text: string): string {
  const mark = text.indexOf(TOOLACE_MARK);
  if (mark >= 0) return text.slice(0, mark);
  const hit = toolaceFind(text);
  if (!hit) return text;
  // ToolACE prompts introduce the list on the line before it ("...functions in JSON format that
  // you can invoke:") and follow it with python-call instructions that mean nothing elsewhere:
  // keep only what comes before that line (when what precedes the list ends with a colon).
  const before = text.slice(0, hit.start);
  const colon = before.trimEnd().length - 1;
  return before[colon] === ':' ? before.slice(0, before.lastIndexOf('\n', colon) + 1) : before;
}

// ---- Hermes: <tools> ... </tools> in the system turn ----------------------------------------

const HERMES_MARK = 'You are provided with function signatures within <tools></tools> XML tags.';

/** The last <tools> block that holds tool objects (the prompt may mention an empty `<tools></tools>`). */
export function hermesFind(system: string): (Embedded & { kind: 'array' | 'objects' }) | undefined {
  let found: (Embedded & { kind: 'array' | 'objects' }) | undefined;
  for (const block of tagBlocks(system, 'tools')) {
    const inner = block.inner;
    const start = block.start + '<tools>'.length;
    const end = start + inner.length;
    let items: unknown;
    try {
      items = parseJson(inner);
    } catch {
      items = parsePythonLiteral(inner.trim());
    }
    if (isObj(items)) items = [items];
    const objs = jsonSpans(inner, '{').map((s) => s.value);
    if (Array.isArray(items) && items.length > 0 && items.every(isObj)) found = { start, end, items, kind: 'array' };
    else if (objs.length > 0 && objs.every(isObj)) found = { start, end, items: objs, kind: 'objects' };
  }
  return found;
}

/** The function object of a Hermes tool entry (`{type, function}` wrapper or the bare function). */
export const hermesFunction = (item: unknown): unknown => (isObj(item) && isObj(item.function) ? item.function : item);

/**
 * Tool entries for a list that may use OpenAI-style `{type: "function", function}` wrappers:
 * each follows the entry it replaces in `base`, else `defaultWrapped`.
 */
export function toolItems(tools: readonly ToolDef[], base: readonly unknown[] | undefined, defaultWrapped: boolean): unknown[] {
  return tools.map((t, i) => {
    const b = base?.[i];
    const wrapped = b === undefined ? defaultWrapped : isObj(b) && isObj(b.function);
    return wrapped ? { ...(isObj(b) ? b : { type: 'function' }), function: toolObject(t, hermesFunction(b)) } : toolObject(t, b);
  });
}

export function hermesSystem(prompt: string, tools: readonly ToolDef[]): string {
  return (
    (prompt ? `${prompt}\n\n` : '') +
    `${HERMES_MARK} You may call one or more functions to assist with the user query. ` +
    `Here are the available tools: <tools> ${serializeRecord(toolItems(tools, undefined, true), PY_STYLE)} </tools>\n` +
    'For each function call return a JSON object with the function name and arguments within <tool_call></tool_call> XML tags:\n' +
    '<tool_call>\n{"name": <function-name>, "arguments": <args-dict>}\n</tool_call>'
  );
}

function hermesStrip(text: string): string {
  const mark = text.indexOf(HERMES_MARK);
  if (mark >= 0) return text.slice(0, mark);
  const hit = hermesFind(text);
  return hit ? text.slice(0, hit.start - '<tools>'.length) + text.slice(hit.end + '</tools>'.length) : text;
}

// ---- Glaive: "SYSTEM: ... Use them if required -\n{...}\n\n{...}" ----------------------------

const GLAIVE_DEFAULT = 'You are a helpful assistant';
const isSpace = (c: string | undefined): boolean => c !== undefined && /\s/.test(c);

/** `end` moved back over whitespace. */
function backOverSpace(t: string, end: number): number {
  while (end > 0 && isSpace(t[end - 1])) end--;
  return end;
}

/**
 * `t` without a tail written as `\s*<one of intros>\s*<then>` (each intro may start with a comma
 * when `comma`), read from the end by hand: the regexes this replaces, unanchored and starting with
 * `\s*`, backtracked quadratically on a run of spaces.
 */
function stripTail(t: string, intros: readonly { text: string; comma: boolean }[], then: (t: string) => number): string {
  const end = then(t);
  if (end < 0) return t;
  for (const intro of intros) {
    if (!t.endsWith(intro.text, end)) continue;
    let start = backOverSpace(t, end - intro.text.length);
    if (intro.comma && t[start - 1] === ',') start--;
    return t.slice(0, start);
  }
  return t;
}

/** Where "Use them if required -" (and whitespace) ends `t`, or -1: the end of what precedes it. */
function useThemIfRequired(t: string): number {
  let e = backOverSpace(t, t.length);
  if (t[e - 1] === '-') e = backOverSpace(t, e - 1);
  const phrase = 'Use them if required';
  return t.endsWith(phrase, e) ? backOverSpace(t, e - phrase.length) : -1;
}

const GLAIVE_INTROS = [
  { text: 'with access to the following functions.', comma: true },
  { text: 'You have access to the following functions.', comma: false },
];

/** The run of function objects that ends the text, separated by whitespace only (JSON quoted earlier in the prompt is not a tool). */
export function glaiveFind(system: string): Embedded | undefined {
  const spans = jsonSpans(system, '{');
  const objs: typeof spans = [];
  let tail = system.length;
  for (let i = spans.length - 1; i >= 0; i--) {
    const s = spans[i];
    if (!isObj(s.value) || typeof s.value.name !== 'string' || system.slice(s.end, tail).trim() !== '') break;
    objs.push(s);
    tail = s.start;
  }
  if (objs.length === 0) return undefined;
  objs.reverse(); // gathered from the end (unshift would be quadratic in the number of objects)
  return { start: objs[0].start, end: objs[objs.length - 1].end, items: objs.map((s) => s.value) };
}

/** Glaive writes each function as JSON indented by 4 (JSON.stringify's layout, numbers as written), separated by a blank line. */
export const glaiveToolText = (items: readonly unknown[]): string =>
  items.map((o) => serializeRecord(o, { itemSep: ',', keySep: ': ', ensureAscii: false, indent: '    ', level: 0 })).join('\n\n');

export function glaiveSystem(prompt: string, tools: readonly ToolDef[]): string {
  if (tools.length === 0) return `SYSTEM: ${prompt || `${GLAIVE_DEFAULT}, with no access to external functions.`}`;
  const lead = prompt ? `${prompt}\n\nYou have access to the following functions.` : `${GLAIVE_DEFAULT} with access to the following functions.`;
  return `SYSTEM: ${lead} Use them if required -\n${glaiveToolText(tools.map((t) => toolObject(t)))}`;
}

function glaiveStrip(text: string): string {
  let t = text.replace(/^\s*SYSTEM:\s*/, '');
  const hit = glaiveFind(t);
  if (hit) t = t.slice(0, hit.start) + t.slice(hit.end);
  t = stripTail(t.trim(), GLAIVE_INTROS, useThemIfRequired);
  t = stripTail(t, [{ text: 'with no access to external functions', comma: true }], (x) => (x.endsWith('.') ? x.length - 1 : x.length));
  return t.trim() === GLAIVE_DEFAULT ? '' : t;
}

/** Replace the embedded tool listing `hit` of `text` with `replacement`. */
export const splice = (text: string, hit: Embedded, replacement: string): string => text.slice(0, hit.start) + replacement + text.slice(hit.end);

/** A tool listing re-serialised in the style of the one it replaces. */
export const restyle = (items: unknown[], old: string): string => jsonText(items, old, PY_STYLE);

/**
 * The system prompt of a sample, without the tool listing its own format embeds in it. Where there
 * is a listing to take out, what is left is trimmed (the listing's framing leaves blank lines);
 * a format that keeps the prompt on its own gives it as written, its whitespace included.
 */
export function systemPrompt(sample: Sample): string {
  const strip: Partial<Record<FormatId, (t: string) => string>> = { toolace: toolaceStrip, hermes: hermesStrip, glaive: glaiveStrip };
  const s = strip[sample.format];
  return sample.turns
    .filter((t) => t.role === 'system')
    .map((t) => (s ? s(t.content).trim() : t.content))
    .filter((t) => t.trim() !== '')
    .join('\n\n');
}
