// Python-call lists as BFCL and ToolACE models write them: `[f(a=1), pkg.g(c=[1, {"k": 2}])]`, or
// bare calls `f(a=1)` (comma or line separated). Keyword arguments only: BFCL's AST categories score
// by parameter name, so a positional argument is reported as a parse error rather than guessed —
// unless the caller knows the parameters' order (`positional`): BFCL's multi-turn categories run
// the calls in Python, where `sort('report.pdf')` is a call its own ground truth writes.
// This is the hot path of batch checking: one pass over char codes, no regex, no per-char strings.
import type { ParsedArg, ParsedCall } from '../types';
import { Cursor, isIdentPart, isIdentStart } from './cursor';

const SPACE = 32, LPAREN = 40, RPAREN = 41, STAR = 42, COMMA = 44, MINUS = 45, DOT = 46, EQ = 61, LBRACK = 91, RBRACK = 93, LBRACE = 123;

function isNameChar(c: number): boolean {
  return isIdentPart(c) || c === DOT || c === MINUS; // dotted names; hyphens are not Python, but tool names have them
}

/** A function's parameter names in order, to name positional arguments; undefined: none allowed. */
export type PositionalNames = (fn: string) => readonly string[] | undefined;

/** Parses `text[lo, hi)` as a call list, pushing each call to `out` as soon as it is complete. Throws ParseFail. */
export function parsePythonCalls(text: string, lo: number, hi: number, out: ParsedCall[], positional?: PositionalNames): void {
  const c = new Cursor(text, lo, hi);
  c.ws();
  if (c.code() === LBRACK) {
    c.pos++;
    for (;;) {
      c.ws();
      if (c.code() === RBRACK) break;
      out.push(call(c, true, positional));
      c.ws();
      const d = c.code();
      if (d === COMMA) c.pos++;
      else if (d !== RBRACK) c.fail("expected ',' or ']' after the call");
    }
    c.pos++;
  } else {
    while (c.pos < c.end) {
      out.push(call(c, false, positional));
      c.ws();
      if (c.code() === COMMA) {
        c.pos++;
        c.ws();
      } else if (c.pos < c.end && !isIdentStart(c.code())) {
        c.fail("expected ',' or another call after the call");
      }
    }
  }
  c.ws();
  if (c.pos < c.end) c.fail('unexpected text after the call list');
}

function call(c: Cursor, bracketed: boolean, positional?: PositionalNames): ParsedCall {
  const s = c.s;
  const end = c.end;
  const start = c.pos;
  if (!isIdentStart(c.code())) c.fail('expected a function name');
  let p = start + 1;
  for (;;) {
    while (p < end && isNameChar(s.charCodeAt(p))) p++;
    if (!bracketed) break;
    // ToolACE names contain spaces ("Get Stock Price(...)"): spaces followed by a name char continue
    // the name. Only inside brackets, so a bare answer like "Paris (France)" is not a call.
    let q = p;
    while (q < end && s.charCodeAt(q) === SPACE) q++;
    if (q === p || q >= end || !isIdentStart(s.charCodeAt(q))) break;
    p = q;
  }
  const nameEnd = p;
  const name = s.slice(start, nameEnd);
  c.pos = p;
  c.ws();
  if (c.code() !== LPAREN) c.fail(`expected '(' after function name '${name}'`);
  c.pos++;
  const args: ParsedArg[] = [];
  const obj: Record<string, unknown> = {};
  const order = positional?.(name);
  // Positional arguments come first, as in Python; each takes the name at its position.
  let keywords = false;
  c.ws();
  if (c.code() !== RPAREN) {
    for (;;) {
      const ks = c.pos;
      const k = c.code();
      let key = '**';
      if (k === STAR && s.charCodeAt(ks + 1) === STAR) {
        // `**{"Content-Type": "x"}`: how a parameter whose name is not a Python name is passed.
        c.pos += 2;
        c.ws();
        if (c.code() !== LBRACE) c.fail("expected a dict after '**'");
        c.argObject(args, obj);
      } else {
        let q = ks;
        if (isIdentStart(k)) {
          q++;
          while (q < end && isIdentPart(s.charCodeAt(q))) q++;
          c.pos = q;
          c.ws();
        }
        if (q === ks || c.code() !== EQ || s.charCodeAt(c.pos + 1) === EQ) {
          if (k === -1) c.fail(`expected an argument or ')' in the call to '${name}'`);
          const at = args.length;
          if (!order || keywords) c.fail('positional argument', ks, false, ` in the call to '${name}': calls need keyword arguments (name=value)`);
          if (at >= order.length) c.fail('positional argument', ks, false, ` in the call to '${name}': it takes ${order.length} parameter(s)`);
          c.pos = ks;
          const v = c.value();
          c.addArg(args, obj, order[at], ks, ks, v, ks, c.pos);
          key = order[at];
        } else {
          keywords = true;
          key = s.slice(ks, q);
          c.pos++;
          c.ws();
          const vs = c.pos;
          const v = c.value();
          c.addArg(args, obj, key, ks, q, v, vs, c.pos);
        }
      }
      c.ws();
      const d = c.code();
      if (d === COMMA) {
        c.pos++;
        c.ws();
        if (c.code() === RPAREN) break;
      } else if (d === RPAREN) {
        break;
      } else {
        c.fail(`expected ',' or ')' after argument '${key}'`);
      }
    }
  }
  c.pos++;
  return { name, nameSpan: { start, end: nameEnd }, span: { start, end: c.pos }, args, arguments: obj };
}
