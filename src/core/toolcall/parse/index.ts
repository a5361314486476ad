// Entry point of the tool-call parsers: detect the call syntax of a response and parse it into calls
// with source spans (offsets into the response text as given, even when a code fence is stripped).
// Contract: never throws, never loops beyond the text; on failure returns the calls parsed so far.
import type { CallSyntax, ParsedCall, ParseResult } from '../types';
import { Cursor, ParseFail, isSpace } from './cursor';
import { parseGlaiveCalls, parseHermesCalls, parseJsonCalls } from './json';
import { parsePythonCalls, type PositionalNames } from './python';

export { MAX_DEPTH } from './cursor';

const BACKTICK = 96, LF = 10;
const isWs = isSpace;

/**
 * The range holding the calls: the whole text, or the inside of a markdown code fence around it
 * (```` ```python\n...\n``` ````; a missing closing fence, as in a truncated answer, is tolerated).
 */
export function callRange(text: string): { lo: number; hi: number } {
  let lo = 0;
  let hi = text.length;
  while (lo < hi && isWs(text.charCodeAt(lo))) lo++;
  if (!text.startsWith('```', lo)) return { lo, hi };
  let p = lo + 3;
  while (p < hi && text.charCodeAt(p) === BACKTICK) p++;
  const fence = p - lo;
  // An info string ("python", "json") counts only when a line break follows it; otherwise what
  // follows the backticks is already content (```f(a=1)```).
  let q = p;
  while (q < hi && !isWs(text.charCodeAt(q)) && text.charCodeAt(q) !== BACKTICK) q++;
  let r = q;
  while (r < hi && isWs(text.charCodeAt(r)) && text.charCodeAt(r) !== LF) r++;
  const body = r < hi && text.charCodeAt(r) === LF ? r + 1 : r >= hi ? hi : p;
  while (hi > body && isWs(text.charCodeAt(hi - 1))) hi--;
  let close = hi;
  while (close > body && text.charCodeAt(close - 1) === BACKTICK && hi - close < fence) close--;
  return { lo: body, hi: hi - close === fence ? close : hi };
}

/** Which syntax a response uses, decided from its first characters and a few markers. */
export function detectSyntax(text: string): CallSyntax {
  if (typeof text !== 'string') return 'text';
  const { lo, hi } = callRange(text);
  const c = lo < hi ? text.charCodeAt(lo) : -1;
  let p = lo + 1;
  // The first character decides for lists and objects, so an argument that mentions "<tool_call>"
  // does not turn a python or JSON answer into Hermes.
  if (c === 91 /* [ */) {
    while (p < hi && isWs(text.charCodeAt(p))) p++;
    if (text.charCodeAt(p) !== 123 /* { */) return 'python';
  }
  if (c === 123 || c === 91) {
    const body = text.slice(lo, hi);
    return /["']function["']\s*:\s*\{/.test(body) && /["']arguments["']\s*:\s*"/.test(body) ? 'openai' : 'json';
  }
  // A bare call: a (dotted) name directly followed by '('. "Paris (France) is..." is not one.
  if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95) {
    while (p < hi) {
      const d = text.charCodeAt(p);
      if (!((d >= 65 && d <= 90) || (d >= 97 && d <= 122) || (d >= 48 && d <= 57) || d === 95 || d === 46 || d === 45)) break;
      p++;
    }
    if (text.charCodeAt(p) === 40 /* ( */) return 'python';
  }
  // Hermes and Glaive tags may follow prose; the first tag wins (the other may sit inside an argument).
  const h = text.indexOf('<tool_call>');
  const g = text.indexOf('<functioncall>');
  if (h !== -1 && (g === -1 || h < g)) return 'hermes';
  return g !== -1 ? 'glaive' : 'text';
}

const PARSERS: Record<Exclude<CallSyntax, 'text'>, (text: string, lo: number, hi: number, out: ParsedCall[]) => void> = {
  python: parsePythonCalls,
  json: parseJsonCalls,
  openai: parseJsonCalls,
  hermes: parseHermesCalls,
  glaive: parseGlaiveCalls,
};

/**
 * Parses the calls of a response. `syntax` defaults to `detectSyntax(text)`; 'text' yields zero
 * calls. Errors name the offset where parsing broke and keep the calls completed before it.
 */
export function parseCalls(text: string, syntax?: CallSyntax, positional?: PositionalNames): ParseResult {
  const calls: ParsedCall[] = [];
  const syn: CallSyntax = syntax ?? detectSyntax(text);
  if (typeof text !== 'string') return { ok: false, syntax: syn, calls, error: 'response is not a string', offset: 0 };
  if (syn === 'text') return { ok: true, syntax: syn, calls };
  const parse = PARSERS[syn];
  if (parse === undefined) return { ok: false, syntax: syn, calls, error: `unknown call syntax '${String(syn)}'`, offset: 0 };
  try {
    const { lo, hi } = callRange(text);
    if (syn === 'python') parsePythonCalls(text, lo, hi, calls, positional);
    else parse(text, lo, hi, calls);
    return { ok: true, syntax: syn, calls };
  } catch (err) {
    if (err instanceof ParseFail) return { ok: false, syntax: syn, calls, error: err.message, offset: err.offset };
    // Not expected (the depth guard keeps the stack small); still a parse failure, never a throw.
    return { ok: false, syntax: syn, calls, error: `parser failure: ${err instanceof Error ? err.message : String(err)}`, offset: 0 };
  }
}

/**
 * Decodes one Python / JSON literal (`[1, {"k": None}]`), e.g. to re-read a value's span. `json`:
 * JSON string rules (`\/` is '/', raw line breaks tolerated) instead of Python's.
 */
export function parseValue(text: string, json = false): { ok: true; value: unknown } | { ok: false; error: string; offset: number } {
  try {
    const c = new Cursor(text, 0, text.length, undefined, json);
    c.ws();
    const value = c.value();
    c.ws();
    if (c.pos < c.end) c.fail('unexpected text after the value');
    return { ok: true, value };
  } catch (err) {
    if (err instanceof ParseFail) return { ok: false, error: err.message, offset: err.offset };
    return { ok: false, error: String(err), offset: 0 };
  }
}
