// The scanner every call syntax shares: one pass over char codes, decoding Python and JSON literals
// (one tolerant grammar for both, since models mix them: `True` in JSON, `"x"` in Python) and
// recording argument spans. Failures throw ParseFail; only the dispatcher (index.ts) catches it, so
// the public API never throws.
//
// A cursor may read a *decoded* string (the `arguments` JSON string of an OpenAI call): `map` then
// gives, for each index of that string, the offset in the original response, and every span and
// error offset goes through `at()`, so they always index the response text.
import type { ParsedArg, Span } from '../types';

/** Deepest nesting of lists / dicts / call objects before parsing gives up (the stack stays small). */
export const MAX_DEPTH = 200;

export class ParseFail extends Error {
  readonly offset: number;

  constructor(message: string, offset: number) {
    // No stack trace: a parse failure is an answer, not a bug, and capturing the stack cost more
    // than parsing the output (truncated outputs are common in a run).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.offset = offset;
  }
}

export const enum C {
  TAB = 9, LF = 10, CR = 13, SPACE = 32, DQ = 34, SQ = 39, LPAREN = 40, RPAREN = 41, STAR = 42,
  PLUS = 43, COMMA = 44, MINUS = 45, DOT = 46, SLASH = 47, D0 = 48, D7 = 55, D9 = 57, COLON = 58,
  EQ = 61, LBRACK = 91, BSL = 92, RBRACK = 93, US = 95, LBRACE = 123, RBRACE = 125,
}

export function isSpace(c: number): boolean {
  return c === C.SPACE || (c >= C.TAB && c <= C.CR) || c === 0xa0 || c === 0xfeff || c === 0x2028 || c === 0x2029 || c === 0x3000;
}
/** Python 3 names may be non-ASCII: any non-space char above 0x7f counts as a letter (cheap and tolerant). */
export function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === C.US || (c >= 0x80 && !isSpace(c));
}
export function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= C.D0 && c <= C.D9);
}
function hexDigit(c: number): number {
  if (c >= C.D0 && c <= C.D9) return c - C.D0;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Sets a key without tripping the `__proto__` setter (decoded values are plain data). */
export function setKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}
const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

const SIMPLE_ESCAPES: Record<number, string> = {
  110: '\n', 116: '\t', 114: '\r', 98: '\b', 102: '\f', 118: '\v', 97: '\x07',
  [C.BSL]: '\\', [C.SQ]: "'", [C.DQ]: '"',
};
const WORDS: Record<string, unknown> = { True: true, False: false, None: null, true: true, false: false, null: null };

export class Cursor {
  pos: number;
  depth = 0;

  /** `json`: `\/` is an escaped slash and line breaks inside strings are tolerated (as JSON writers do). */
  constructor(
    readonly s: string,
    start: number,
    readonly end: number,
    readonly map?: ArrayLike<number>,
    readonly json = false,
  ) {
    this.pos = start;
  }

  /** Offset in the response text of index `i` of `s`. */
  at(i: number): number {
    return this.map === undefined ? i : this.map[i];
  }
  span(a: number, b: number): Span {
    return { start: this.at(a), end: this.at(b) };
  }
  code(): number {
    return this.pos < this.end ? this.s.charCodeAt(this.pos) : -1;
  }
  ws(): void {
    while (this.pos < this.end && isSpace(this.s.charCodeAt(this.pos))) this.pos++;
  }
  /** Throws "<what> at offset N (found 'x')<tail>"; `found: false` for messages that say it themselves. */
  fail(what: string, i = this.pos, found = true, tail = ''): never {
    let msg = `${what} at offset ${this.at(i)}`;
    if (found) msg += i >= this.end ? ' (found end of input)' : ` (found ${JSON.stringify(this.s[i])})`;
    throw new ParseFail(msg + tail, this.at(i));
  }
  enter(): void {
    if (++this.depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`, this.pos, false);
  }

  /** One literal: string, number, list, tuple (→ array), dict, set (→ array), True/False/None. */
  value(): unknown {
    const c = this.code();
    if (c === C.DQ || c === C.SQ) return this.string();
    if (c === C.LBRACK) return this.seq(C.RBRACK);
    if (c === C.LPAREN) return this.seq(C.RPAREN);
    if (c === C.LBRACE) return this.dict();
    if ((c >= C.D0 && c <= C.D9) || c === C.MINUS || c === C.PLUS || c === C.DOT) return this.number();
    if (isIdentStart(c)) return this.word();
    return this.fail('expected a value');
  }

  private word(): unknown {
    const s = this.s;
    const start = this.pos;
    // String prefixes: r'..', u'..', b'..', rb'..' (f-strings are code, not literals).
    for (let i = start; i < start + 3 && i < this.end; i++) {
      const c = s.charCodeAt(i);
      if (c === C.DQ || c === C.SQ) return this.string();
      if (!(c === 114 || c === 82 || c === 117 || c === 85 || c === 98 || c === 66)) break;
    }
    let p = start + 1;
    while (p < this.end && isIdentPart(s.charCodeAt(p))) p++;
    const w = s.slice(start, p);
    if (!hasOwn(WORDS, w)) this.fail(`unknown name '${w}' (values are literals: strings, numbers, lists, dicts, True, False, None)`, start, false);
    this.pos = p;
    return WORDS[w];
  }

  /** `[...]` or `(...)`; `(x)` without a comma is just x, as in Python. */
  private seq(close: number): unknown {
    const open = this.pos;
    this.enter();
    this.pos++;
    const out: unknown[] = [];
    let comma = false;
    for (;;) {
      this.ws();
      if (this.code() === close) break;
      out.push(this.value());
      this.ws();
      const c = this.code();
      if (c === C.COMMA) {
        this.pos++;
        comma = true;
      } else if (c !== close) {
        this.fail(`expected ',' or '${String.fromCharCode(close)}'`, this.pos, true, ` in the ${close === C.RBRACK ? 'list' : 'tuple'} opened at offset ${this.at(open)}`);
      }
    }
    this.pos++;
    this.depth--;
    return close === C.RPAREN && out.length === 1 && !comma ? out[0] : out;
  }

  /** `{k: v}` → object (non-string keys as their JSON text), `{a, b}` → array, `{}` → object. */
  private dict(): unknown {
    const open = this.pos;
    this.enter();
    this.pos++;
    let obj: Record<string, unknown> | undefined;
    let set: unknown[] | undefined;
    for (;;) {
      this.ws();
      if (this.code() === C.RBRACE) break;
      const k = this.value();
      this.ws();
      let c = this.code();
      if (c === C.COLON && set === undefined) {
        this.pos++;
        this.ws();
        obj ??= {};
        setKey(obj, typeof k === 'string' ? k : JSON.stringify(k), this.value());
        this.ws();
        c = this.code();
      } else if (obj !== undefined || (c !== C.COMMA && c !== C.RBRACE)) {
        this.fail("expected ':' after the key", this.pos, true, ` in the dict opened at offset ${this.at(open)}`);
      } else {
        (set ??= []).push(k);
      }
      if (c === C.COMMA) this.pos++;
      else if (c !== C.RBRACE) this.fail("expected ',' or '}'", this.pos, true, ` in the dict opened at offset ${this.at(open)}`);
    }
    this.pos++;
    this.depth--;
    return set ?? obj ?? {};
  }

  number(): number {
    const s = this.s;
    const start = this.pos;
    let p = start;
    let c = s.charCodeAt(p);
    if (c === C.PLUS || c === C.MINUS) c = s.charCodeAt(++p);
    let under = false;
    let n: number;
    const r = c === C.D0 && p + 1 < this.end ? s.charCodeAt(p + 1) | 0x20 : 0;
    if (r === 120 || r === 111 || r === 98) {
      // 0x.. / 0o.. / 0b..
      const radix = r === 120 ? 16 : r === 111 ? 8 : 2;
      p += 2;
      n = 0;
      let digits = 0;
      for (; p < this.end; p++) {
        c = s.charCodeAt(p);
        if (c === C.US) continue;
        const d = hexDigit(c);
        if (d < 0 || d >= radix) break;
        n = n * radix + d;
        digits++;
      }
      if (digits === 0) this.fail('bad number', start, false);
      if (s.charCodeAt(start) === C.MINUS) n = -n;
    } else {
      let digits = 0;
      for (let dot = false; p < this.end; p++) {
        c = s.charCodeAt(p);
        if (c >= C.D0 && c <= C.D9) digits++;
        else if (c === C.US) under = true; // 1_000
        else if (c === C.DOT && !dot) dot = true;
        else break;
      }
      if (digits === 0) this.fail('expected a value', start);
      if (p < this.end && (s.charCodeAt(p) | 0x20) === 101) {
        let q = p + 1;
        c = s.charCodeAt(q);
        if (c === C.PLUS || c === C.MINUS) q++;
        if (q < this.end && (c = s.charCodeAt(q)) >= C.D0 && c <= C.D9) {
          while (q < this.end && (c = s.charCodeAt(q)) >= C.D0 && c <= C.D9) q++;
          p = q;
        }
      }
      const text = s.slice(start, p);
      n = Number(under ? text.replace(/_/g, '') : text);
    }
    if ((p < this.end && isIdentPart(s.charCodeAt(p))) || Number.isNaN(n)) this.fail('bad number', start, false);
    this.pos = p;
    return n;
  }

  /**
   * A quoted string (either quote, triple quotes, r/u/b prefixes, Python and JSON escapes). With
   * `map`, pushes for each decoded UTF-16 unit its offset in the response, then the offset of the
   * closing quote (so an exclusive end index maps too).
   */
  string(map?: number[]): string {
    const s = this.s;
    const end = this.end;
    const start = this.pos;
    let raw = false;
    let p = start;
    let q = s.charCodeAt(p);
    while (q !== C.DQ && q !== C.SQ) {
      if (p >= end) this.fail('expected a string', start); // callers check first; this keeps a misuse from looping
      if ((q | 0x20) === 114) raw = true;
      q = s.charCodeAt(++p);
    }
    const triple = p + 2 < end && s.charCodeAt(p + 1) === q && s.charCodeAt(p + 2) === q;
    p += triple ? 3 : 1;
    if (map === undefined && !triple && !raw) {
      // Fast path: most strings have no escape, so they are one slice.
      for (let i = p; i < end; i++) {
        const c = s.charCodeAt(i);
        if (c === q) {
          this.pos = i + 1;
          return s.slice(p, i);
        }
        if (c === C.BSL || c === C.LF || c === C.CR) break;
      }
    }
    return this.slowString(start, p, q, triple, raw, map);
  }

  private slowString(start: number, p: number, q: number, triple: boolean, raw: boolean, map: number[] | undefined): string {
    const s = this.s;
    const end = this.end;
    let parts: string[] | undefined;
    let run = p;
    const flush = (to: number): void => {
      if (to > run) (parts ??= []).push(s.slice(run, to));
      if (map) for (let i = run; i < to; i++) map.push(this.at(i));
    };
    for (;;) {
      if (p >= end) this.fail('unterminated string', start, false, ': no closing quote before the end of input');
      const c = s.charCodeAt(p);
      if (c === q) {
        if (!triple || (p + 2 < end && s.charCodeAt(p + 1) === q && s.charCodeAt(p + 2) === q)) break;
      } else if (c === C.BSL) {
        if (raw) {
          p += 2; // a raw string keeps the backslash, yet `\'` still does not end it
          continue;
        }
        flush(p);
        this.pos = p;
        const dec = this.escape();
        (parts ??= []).push(dec);
        if (map) for (let i = 0; i < dec.length; i++) map.push(this.at(p));
        p = run = this.pos;
        continue;
      } else if ((c === C.LF || c === C.CR) && !triple && !this.json) {
        this.fail('line break inside a string', p, false, ` (string opened at offset ${this.at(start)}; use \\n or triple quotes)`);
      }
      p++;
    }
    flush(p);
    const out = parts === undefined ? '' : parts.length === 1 ? parts[0] : parts.join('');
    if (map) map.push(this.at(p));
    this.pos = p + (triple ? 3 : 1);
    return out;
  }

  /** At a backslash: decodes one escape (Python's set plus JSON's `\/`); unknown ones stay as written, as in Python. */
  private escape(): string {
    const s = this.s;
    const at = this.pos;
    if (at + 1 >= this.end) this.fail('unterminated string', at + 1, false);
    const e = s.charCodeAt(at + 1);
    this.pos = at + 2;
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) return simple;
    if (e === C.SLASH) return this.json ? '/' : '\\/';
    if (e === C.LF) return ''; // line continuation
    if (e === C.CR) {
      if (s.charCodeAt(this.pos) === C.LF) this.pos++;
      return '';
    }
    const len = e === 120 ? 2 : e === 117 ? 4 : e === 85 ? 8 : 0; // \x.. \u.... \U........
    if (len > 0) {
      let cp = 0;
      for (let i = 0; i < len; i++) {
        const d = this.pos < this.end ? hexDigit(s.charCodeAt(this.pos)) : -1;
        if (d < 0) this.fail(`bad \\${String.fromCharCode(e)} escape`, at, false);
        cp = cp * 16 + d;
        this.pos++;
      }
      if (cp > 0x10ffff) this.fail('escape beyond U+10FFFF', at, false);
      return String.fromCodePoint(cp);
    }
    if (e >= C.D0 && e <= C.D7) {
      let v = e - C.D0;
      for (let i = 0; i < 2; i++) {
        const d = this.code();
        if (d < C.D0 || d > C.D7) break;
        v = v * 8 + d - C.D0;
        this.pos++;
      }
      return String.fromCharCode(v);
    }
    return s.slice(at, at + 2);
  }

  /** Records one argument, rejecting a repeated name (Python rejects it; in JSON it would silently drop one). */
  addArg(args: ParsedArg[], obj: Record<string, unknown>, key: string, ks: number, ke: number, value: unknown, vs: number, ve: number): void {
    if (hasOwn(obj, key)) this.fail(`duplicate argument '${key}'`, ks, false);
    setKey(obj, key, value);
    args.push({ key, value, keySpan: this.span(ks, ke), valueSpan: this.span(vs, ve), span: this.span(ks, ve) });
  }

  /** At `{`: a dict whose entries are arguments (`"k": v`, quoted keys), each with its spans. */
  argObject(args: ParsedArg[], obj: Record<string, unknown>): void {
    const open = this.pos;
    this.enter();
    this.pos++;
    for (;;) {
      this.ws();
      let c = this.code();
      if (c === C.RBRACE) break;
      if (c !== C.DQ && c !== C.SQ) this.fail('expected a quoted argument name');
      const ks = this.pos;
      const key = this.string();
      const ke = this.pos;
      this.ws();
      if (this.code() !== C.COLON) this.fail(`expected ':' after argument name '${key}'`);
      this.pos++;
      this.ws();
      const vs = this.pos;
      const value = this.value();
      this.addArg(args, obj, key, ks, ke, value, vs, this.pos);
      this.ws();
      c = this.code();
      if (c === C.COMMA) this.pos++;
      else if (c !== C.RBRACE) this.fail(`expected ',' or '}' after argument '${key}'`, this.pos, true, ` in the arguments opened at offset ${this.at(open)}`);
    }
    this.pos++;
    this.depth--;
  }
}
