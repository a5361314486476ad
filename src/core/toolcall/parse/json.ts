// JSON-shaped calls: plain `{"name", "arguments"}` objects (or a list), OpenAI `tool_calls`
// (`{"type": "function", "function": {"name", "arguments": "<JSON string>"}}`), Hermes
// `<tool_call>` blocks and Glaive `<functioncall>` lines. One call-object reader serves them all:
// the wrappers only differ in where the object sits. The literal grammar is the tolerant one of
// cursor.ts, so Python dicts (single quotes, True/None) that models write inside `<tool_call>` pass.
import type { ParsedArg, ParsedCall, Span } from '../types';
import { Cursor, type ParseFail } from './cursor';

const DQ = 34, SQ = 39, COMMA = 44, COLON = 58, LBRACK = 91, RBRACK = 93, LBRACE = 123, RBRACE = 125;

/** `text[lo, hi)` is a call object, a list of them, or several objects one after another. */
export function parseJsonCalls(text: string, lo: number, hi: number, out: ParsedCall[]): void {
  const c = new Cursor(text, lo, hi, undefined, true);
  c.ws();
  callsValue(c, out);
  for (;;) {
    c.ws();
    if (c.pos >= c.end) return;
    if (c.code() === COMMA) {
      c.pos++;
      c.ws();
    }
    const k = c.code();
    if (k !== LBRACE && k !== LBRACK) c.fail('unexpected text after the calls');
    callsValue(c, out);
  }
}

/** Hermes: every `<tool_call> ... </tool_call>` block in the text; prose around them is ignored. */
export function parseHermesCalls(text: string, lo: number, hi: number, out: ParsedCall[]): void {
  parseTagged(text, lo, hi, out, '<tool_call>', '</tool_call>');
}

/** Glaive: `<functioncall> {...}` (often followed by `<|endoftext|>`, which like any text after the object is ignored). */
export function parseGlaiveCalls(text: string, lo: number, hi: number, out: ParsedCall[]): void {
  parseTagged(text, lo, hi, out, '<functioncall>', undefined);
}

function parseTagged(text: string, lo: number, hi: number, out: ParsedCall[], open: string, close: string | undefined): void {
  let i = text.indexOf(open, lo);
  while (i !== -1 && i + open.length <= hi) {
    const c = new Cursor(text, i + open.length, hi, undefined, true);
    c.ws();
    callsValue(c, out);
    c.ws();
    // A missing close tag at the very end is accepted: servers often strip it as a stop sequence.
    if (close !== undefined && c.pos < hi) {
      if (c.pos + close.length > hi || !text.startsWith(close, c.pos)) c.fail(`expected '${close}' after the call`);
      c.pos += close.length;
    }
    i = text.indexOf(open, c.pos);
  }
}

function callsValue(c: Cursor, out: ParsedCall[]): void {
  const k = c.code();
  if (k === LBRACE) {
    out.push(callObject(c));
    return;
  }
  if (k !== LBRACK) c.fail("expected a call object '{' or a list '['");
  c.pos++;
  for (;;) {
    c.ws();
    const d = c.code();
    if (d === RBRACK) break;
    if (d !== LBRACE) c.fail("expected a call object '{'");
    out.push(callObject(c));
    c.ws();
    const e = c.code();
    if (e === COMMA) c.pos++;
    else if (e !== RBRACK) c.fail("expected ',' or ']' after the call object");
  }
  c.pos++;
}

/**
 * At `{`: `{"name", "arguments" | "parameters"}`, possibly wrapped as `{"function": {...}}` (OpenAI,
 * with `"type"`, `"id"` beside it). Other keys are skipped. The call's span is the outer object.
 */
function callObject(c: Cursor): ParsedCall {
  const start = c.pos;
  c.enter();
  c.pos++;
  let name: string | undefined;
  let nameSpan: Span | undefined;
  let args: ParsedArg[] | undefined;
  let obj: Record<string, unknown> | undefined;
  for (;;) {
    c.ws();
    let k = c.code();
    if (k === RBRACE) break;
    if (k !== DQ && k !== SQ) c.fail('expected a quoted key in the call object');
    const key = c.string();
    c.ws();
    if (c.code() !== COLON) c.fail(`expected ':' after key '${key}'`);
    c.pos++;
    c.ws();
    const vs = c.pos;
    const v = c.code();
    const quoted = v === DQ || v === SQ;
    if ((key === 'name' || (key === 'function' && quoted)) && name === undefined) {
      if (!quoted) c.fail(`"${key}" must be a string`);
      name = c.string();
      nameSpan = c.span(vs, c.pos);
    } else if ((key === 'arguments' || key === 'parameters') && args === undefined) {
      args = [];
      obj = {};
      argumentsValue(c, args, obj);
    } else if (key === 'function' && v === LBRACE) {
      const inner = callObject(c);
      if (name === undefined) [name, nameSpan] = [inner.name, inner.nameSpan];
      if (args === undefined) [args, obj] = [inner.args, inner.arguments];
    } else {
      c.value();
    }
    c.ws();
    k = c.code();
    if (k === COMMA) c.pos++;
    else if (k !== RBRACE) c.fail(`expected ',' or '}' after "${key}"`, c.pos, true, ` in the call object opened at offset ${c.at(start)}`);
  }
  c.pos++;
  c.depth--;
  if (name === undefined || nameSpan === undefined) c.fail('call object has no "name"', start, false);
  return { name, nameSpan, span: c.span(start, c.pos), args: args ?? [], arguments: obj ?? {} };
}

/** The value of "arguments": an object, a JSON string of one (OpenAI), or JSON between single quotes (Glaive). */
function argumentsValue(c: Cursor, args: ParsedArg[], obj: Record<string, unknown>): void {
  const k = c.code();
  if (k === LBRACE) {
    c.argObject(args, obj);
  } else if (k === DQ) {
    // Decode the string keeping each char's offset in the text, then parse the decoded JSON through
    // that map: spans of keys and values land inside the string literal, escapes included.
    const map: number[] = [];
    const decoded = c.string(map);
    const inner = new Cursor(decoded, 0, decoded.length, map, true);
    inner.depth = c.depth;
    innerArguments(inner, args, obj);
  } else if (k === SQ) {
    // Glaive writes the JSON text verbatim between single quotes (not a valid JSON string): read it
    // in place, so offsets need no map. If it was written Python-escaped instead, decode it first.
    const at = c.pos;
    const inPlace = new Cursor(c.s, at + 1, c.end, c.map, true);
    inPlace.depth = c.depth;
    try {
      innerArguments(inPlace, args, obj, SQ);
      c.pos = inPlace.pos + 1;
    } catch (err) {
      const first = err as ParseFail;
      args.length = 0;
      for (const key of Object.keys(obj)) delete obj[key];
      c.pos = at;
      const map: number[] = [];
      const decoded = c.string(map);
      const inner = new Cursor(decoded, 0, decoded.length, map, true);
      inner.depth = c.depth;
      try {
        innerArguments(inner, args, obj);
      } catch {
        throw first;
      }
    }
  } else {
    const v = c.value();
    if (v !== null) c.fail('expected the arguments as an object or a JSON string', c.pos, false);
  }
}

/** `{...}` (or nothing, meaning no arguments), then the end of the cursor's text or the `stop` char. */
function innerArguments(c: Cursor, args: ParsedArg[], obj: Record<string, unknown>, stop = -1): void {
  c.ws();
  if (c.code() !== stop && c.pos < c.end) {
    if (c.code() !== LBRACE) c.fail("expected '{' to open the arguments");
    c.argObject(args, obj);
    c.ws();
  }
  if (stop === -1 ? c.pos < c.end : c.code() !== stop) c.fail(stop === -1 ? 'unexpected text after the arguments' : "expected a closing ' after the arguments");
}
