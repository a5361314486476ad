// Search steps: a response (or a continuation of a response prefix) cut into the fragments the
// search branches on (METHOD.md, "MCTS over response fragments"). Steps follow the call structure
// so that a step *is* a fragment the checker judges and the editor highlights:
//   python   `[f(`  `a=1, `  `b="x"`  `)]`
//   JSON     `<tool_call>\n{"name": "f", "arguments": {`  `"a": 1, `  `"b": "x"`  `}}\n</tool_call>`
// Text answers are cut into sentences; call syntax that does not parse falls back to the published
// splitter `(\. |, |=|\()`. Boundaries come from the parser's spans over the whole text
// (prefix + continuation), so the steps are exact substrings and concatenate back to the input; a
// call cut off mid-way (max tokens) yields its complete fragments plus one partial tail.
import { parseCalls } from '../toolcall/parse/index';
import { Cursor, ParseFail, isIdentPart, isIdentStart, isSpace } from '../toolcall/parse/cursor';
import type { CallSyntax, ParsedCall } from '../toolcall/types';
import type { StepKind } from './types';

export interface Step {
  text: string;
  kind: StepKind;
  /** The function name (function / closing steps) or the argument name (argument steps), where known. */
  key?: string;
  /** The text ends inside this unit (a truncated continuation): more of it may follow. */
  partial?: boolean;
}

/** A unit of the full text: it ends at `end` and starts where the previous unit ended. */
interface Unit {
  end: number;
  kind: StepKind;
  key?: string;
  partial?: boolean;
}

const TAGS: Partial<Record<CallSyntax, string>> = { hermes: '<tool_call>', glaive: '<functioncall>' };
const CLOSE_TAGS: Partial<Record<CallSyntax, string>> = { hermes: '</tool_call>' };

/**
 * The steps of `continuation` written after `prefix` (the response so far). Units are found over
 * `prefix + continuation`; a step that begins inside the prefix's last unit finishes that unit.
 * Concatenating the steps' texts gives `continuation` exactly.
 */
export function splitSteps(continuation: string, prefix = ''): Step[] {
  const full = prefix + continuation;
  const base = prefix.length;
  const steps: Step[] = [];
  let start = base;
  for (const u of units(full)) {
    if (u.end <= start) continue;
    const s: Step = { text: full.slice(start, u.end), kind: u.kind };
    if (u.key !== undefined) s.key = u.key;
    if (u.partial) s.partial = true;
    steps.push(s);
    start = u.end;
  }
  return steps;
}

/** The published splitter: cut after each `. `, `, `, `=` or `(` (for text no parser understands). */
export function fallbackSteps(text: string): Step[] {
  return cutsToSteps(text, regexUnits(text, 0, text.length, /\. |, |=|\(/g, 'text'));
}

/** Sentences: cut after `.`, `!` or `?` followed by white space (kept with the sentence), and at line breaks. */
export function sentenceSteps(text: string): Step[] {
  return cutsToSteps(text, regexUnits(text, 0, text.length, /[.!?]+["')\]]*(?:\s+|$)|\n+/g, 'sentence'));
}

function cutsToSteps(text: string, us: Unit[]): Step[] {
  let start = 0;
  return us.map((u) => {
    const s: Step = { text: text.slice(start, u.end), kind: u.kind };
    start = u.end;
    return s;
  });
}

function regexUnits(text: string, lo: number, hi: number, re: RegExp, kind: StepKind): Unit[] {
  const out: Unit[] = [];
  const part = text.slice(lo, hi);
  re.lastIndex = 0;
  for (let m = re.exec(part); m; m = re.exec(part)) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    const end = lo + m.index + m[0].length;
    if (end > (out.at(-1)?.end ?? lo) && end < hi) out.push({ end, kind });
  }
  if (hi > (out.at(-1)?.end ?? lo)) out.push({ end: hi, kind });
  return out;
}

const skipWs = (t: string, p: number): number => {
  while (p < t.length && isSpace(t.charCodeAt(p))) p++;
  return p;
};
const hasWord = (s: string): boolean => /[\p{L}\p{N}]/u.test(s);

/** Units covering `text` from 0 to its end, in order. */
function units(text: string): Unit[] {
  const r = parseCalls(text);
  if (r.syntax === 'text' || (r.ok && r.calls.length === 0)) return regexUnits(text, 0, text.length, /[.!?]+["')\]]*(?:\s+|$)|\n+/g, 'sentence');
  const out: Unit[] = [];
  const push = (u: Unit): void => {
    if (u.end > (out.at(-1)?.end ?? 0)) out.push(u);
  };
  const tag = TAGS[r.syntax];
  /** Where a call's own text begins: its opening tag for tagged syntaxes, else the call itself. */
  const leadOf = (c: ParsedCall, after: number): number => {
    if (tag) {
      const at = text.lastIndexOf(tag, c.span.start);
      if (at >= after) return at;
    }
    return c.span.start;
  };
  let cur = 0;
  r.calls.forEach((c, i) => {
    const lead = leadOf(c, cur);
    // Prose before a tagged call (Hermes models often explain first) is cut into sentences, so the
    // function step is the call itself.
    if (tag && hasWord(text.slice(cur, lead))) for (const u of regexUnits(text, cur, lead, /[.!?]+["')\]]*(?:\s+|$)|\n+/g, 'sentence')) push(u);
    const headEnd = c.args.length ? c.args[0].span.start : noArgHeadEnd(text, c, r.syntax);
    push({ end: headEnd, kind: 'function', key: c.name });
    c.args.forEach((a, j) => {
      // An argument keeps its separator (`a=1, `): the next unit starts at the next key.
      const end = j + 1 < c.args.length ? c.args[j + 1].span.start : closeStart(text, a.span.end);
      push({ end, kind: 'argument', key: a.key });
    });
    const next = r.calls[i + 1];
    if (next || r.ok) push({ end: next ? leadOf(next, c.span.end) : text.length, kind: 'closing', key: c.name });
    else push({ ...skipClosers(text, c.span.end, r.syntax), kind: 'closing', key: c.name });
    cur = out.at(-1)?.end ?? 0;
  });
  if (!r.ok) {
    const p = scanPartial(text, cur, r.syntax, push);
    const from = out.at(-1)?.end ?? 0;
    if (from < text.length) {
      if (p.state === 'bad') for (const u of regexUnits(text, from, text.length, /\. |, |=|\(/g, 'text')) push(u);
      else if (!text.slice(from).trim() && out.length) out[out.length - 1].end = text.length; // trailing white space joins the last unit
      else push({ end: text.length, kind: p.kind, key: p.key, partial: true });
    }
  }
  return out;
}

/** A call without arguments: python `f(` up to the parenthesis; JSON up to the arguments' `{`. */
function noArgHeadEnd(text: string, c: ParsedCall, syntax: CallSyntax): number {
  if (syntax === 'python') {
    const p = text.indexOf('(', c.nameSpan.end);
    return p >= 0 && p < c.span.end ? p + 1 : c.span.end;
  }
  const m = /["'](?:arguments|parameters)["']\s*:\s*(?:\{|"\{?)/.exec(text.slice(c.span.start, c.span.end));
  return m ? closeStart(text, c.span.start + m.index + m[0].length) : Math.max(c.nameSpan.end, c.span.end - 1);
}

/** After the last argument: the trailing comma and white space still belong to it. */
function closeStart(text: string, p: number): number {
  for (;;) {
    p = skipWs(text, p);
    if (text.charCodeAt(p) !== 44 /* , */) return p;
    p++;
  }
}

/**
 * The end of a complete call's closing when what follows did not parse: `)`, `]`, `}`, a closing
 * tag, and a separating comma with its white space; white space before the next call's own text
 * (a new `<tool_call>`) stays with that call.
 */
function skipClosers(text: string, p: number, syntax: CallSyntax): { end: number; partial?: boolean } {
  const close = CLOSE_TAGS[syntax];
  let end = p;
  for (;;) {
    const q = skipWs(text, end);
    if (close && text.startsWith(close, q)) end = q + close.length;
    else if (close && q < text.length && close.startsWith(text.slice(q))) return { end: text.length, partial: true }; // a tag cut off
    else if (text[q] === ']') end = q + 1;
    else if (text[q] === ',') end = skipWs(text, q + 1);
    else return { end };
  }
}

interface PartialState {
  /** 'eof': the text ended inside a unit (truncated); 'bad': text that is not a call. */
  state: 'eof' | 'bad';
  kind: StepKind;
  key?: string;
}

/** Reads one literal; 'eof' when the text ends inside it (truncation), 'bad' when it is malformed. */
function readValue(text: string, p: number, json: boolean): number | 'eof' | 'bad' {
  try {
    const c = new Cursor(text, p, text.length, undefined, json);
    c.value();
    return c.pos;
  } catch (err) {
    if (err instanceof ParseFail && (err.offset >= text.length || err.message.startsWith('unterminated string'))) return 'eof';
    return 'bad';
  }
}

function readString(text: string, p: number): { value: string; end: number } | 'eof' | 'bad' {
  const q = text.charCodeAt(p);
  if (q !== 34 && q !== 39) return p >= text.length ? 'eof' : 'bad';
  const end = readValue(text, p, true);
  if (typeof end !== 'number') return end;
  return { value: new Cursor(text, p, end, undefined, true).string(), end };
}

/**
 * The calls after the last complete one, as far as they go: the parser keeps only complete calls,
 * so the fragments of a call cut off mid-way are found here with the same literal reader.
 */
function scanPartial(text: string, p: number, syntax: CallSyntax, push: (u: Unit) => void): PartialState {
  return syntax === 'python' ? scanPython(text, p, push) : scanJson(text, p, syntax, push);
}

function scanPython(text: string, p: number, push: (u: Unit) => void): PartialState {
  const n = text.length;
  for (;;) {
    while (p < n && (isSpace(text.charCodeAt(p)) || text[p] === '[' || text[p] === ',')) p++;
    if (p >= n) return { state: 'eof', kind: 'function' };
    if (!isIdentStart(text.charCodeAt(p))) return { state: 'bad', kind: 'text' };
    const s = p;
    while (p < n && (isIdentPart(text.charCodeAt(p)) || text[p] === '.' || text[p] === '-')) p++;
    const name = text.slice(s, p);
    p = skipWs(text, p);
    if (p >= n) return { state: 'eof', kind: 'function', key: name };
    if (text[p] !== '(') return { state: 'bad', kind: 'text' };
    push({ end: ++p, kind: 'function', key: name });
    for (;;) {
      p = skipWs(text, p);
      if (p >= n) return { state: 'eof', kind: 'argument' };
      if (text[p] === ')') break;
      const ks = p;
      if (!isIdentStart(text.charCodeAt(p))) return { state: 'bad', kind: 'text' };
      while (p < n && isIdentPart(text.charCodeAt(p))) p++;
      const key = text.slice(ks, p);
      p = skipWs(text, p);
      if (p >= n) return { state: 'eof', kind: 'argument', key };
      if (text[p] !== '=') return { state: 'bad', kind: 'text' };
      const v = readValue(text, skipWs(text, p + 1), false);
      if (v === 'bad') return { state: 'bad', kind: 'text' };
      if (v === 'eof') return { state: 'eof', kind: 'argument', key };
      p = skipWs(text, v);
      if (p >= n) return { state: 'eof', kind: 'argument', key }; // the value is complete, its separator not yet written
      if (text[p] === ',') p = skipWs(text, p + 1);
      else if (text[p] !== ')') return { state: 'bad', kind: 'text' };
      push({ end: p, kind: 'argument', key });
    }
    push({ ...skipClosers(text, p + 1, 'python'), kind: 'closing', key: name });
    p = skipWs(text, p + 1);
  }
}

function scanJson(text: string, p: number, syntax: CallSyntax, push: (u: Unit) => void): PartialState {
  const n = text.length;
  const tag = TAGS[syntax];
  for (;;) {
    for (;;) {
      p = skipWs(text, p);
      if (tag && text.startsWith(tag, p)) p += tag.length;
      else if (text[p] === '[' || text[p] === ',') p++;
      else break;
    }
    if (p >= n || (tag && tag.startsWith(text.slice(p)))) return { state: 'eof', kind: 'function' };
    if (text[p] !== '{') return { state: 'bad', kind: 'text' };
    p++;
    let name: string | undefined;
    // Keys of the call object until the arguments object opens.
    for (;;) {
      p = skipWs(text, p);
      if (p >= n) return { state: 'eof', kind: 'function', key: name };
      const k = readString(text, p);
      if (k === 'eof') return { state: 'eof', kind: 'function', key: name };
      if (k === 'bad') return { state: 'bad', kind: 'text' };
      p = skipWs(text, k.end);
      if (p >= n) return { state: 'eof', kind: 'function', key: name };
      if (text[p] !== ':') return { state: 'bad', kind: 'text' };
      p = skipWs(text, p + 1);
      if ((k.value === 'arguments' || k.value === 'parameters') && text[p] === '{') {
        p++;
        break;
      }
      const v = k.value === 'name' ? readString(text, p) : readValue(text, p, true);
      if (v === 'eof') return { state: 'eof', kind: 'function', key: name };
      if (v === 'bad') return { state: 'bad', kind: 'text' };
      if (typeof v === 'object') name = v.value;
      p = skipWs(text, typeof v === 'number' ? v : v.end);
      if (text[p] === ',') p++;
      else if (p >= n) return { state: 'eof', kind: 'function', key: name };
      else return { state: 'bad', kind: 'text' }; // a call object that closes without arguments would have parsed
    }
    push({ end: closeStart(text, p), kind: 'function', key: name });
    for (;;) {
      p = skipWs(text, p);
      if (p >= n) return { state: 'eof', kind: 'argument' };
      if (text[p] === '}') break;
      const k = readString(text, p);
      if (k === 'eof') return { state: 'eof', kind: 'argument' };
      if (k === 'bad') return { state: 'bad', kind: 'text' };
      p = skipWs(text, k.end);
      if (p >= n) return { state: 'eof', kind: 'argument', key: k.value };
      if (text[p] !== ':') return { state: 'bad', kind: 'text' };
      const v = readValue(text, skipWs(text, p + 1), true);
      if (v === 'eof') return { state: 'eof', kind: 'argument', key: k.value };
      if (v === 'bad') return { state: 'bad', kind: 'text' };
      p = skipWs(text, v);
      if (p >= n) return { state: 'eof', kind: 'argument', key: k.value };
      if (text[p] === ',') p = closeStart(text, p);
      else if (text[p] !== '}') return { state: 'bad', kind: 'text' };
      push({ end: p, kind: 'argument', key: k.value });
    }
    // `}` of the arguments, then the call object's rest: whatever remains is the closing's, up to the end.
    return { state: 'eof', kind: 'closing', key: name };
  }
}
