// Python-call lists as ToolACE and BFCL write them: `[Func(arg=1), pkg.other(x=[1, 2], y="s")]`.
// Decode + encode only; no source spans (the checker builds its own span-aware parser).
// The decoder is tolerant on purpose: datasets are written by models and by hand, so it accepts
// either quote style, JSON-style true/false/null, tuples and sets (as lists), trailing commas and
// function names with spaces (ToolACE has "Get Stock Price(...)"). Anything it cannot decode yields
// `undefined`, never an exception: the caller keeps the text and the checker reports it.
import type { ToolCall } from './sample';
import { MAX_NESTING } from './recordIndexLimits';
import { copyNumberForms, isJsonNumber, numberForm, setNumberForm } from './numberForm';

class Fail extends Error {}

/** Sets a key without tripping the `__proto__` setter (argument objects are plain data). */
export function setKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

const NAME_STOP = new Set(['(', ')', '[', ']', '{', '}', '=', ',', "'", '"', ':', '\n', '\r']);

const WORDS = new Map<string, unknown>([['True', true], ['False', false], ['None', null], ['true', true], ['false', false], ['null', null]]);

class Parser {
  pos = 0;
  /** Open brackets around the value being read: deeper than MAX_NESTING is refused, as in JSON. */
  private depth = 0;
  /** How the number value() returned last was written (numberForm.ts keeps `2.0` apart from `2`). */
  private numberText = '';
  constructor(private readonly s: string) {}

  /** `holder[key]` was just set to `v`: remember a number's written form. */
  private note(holder: object, key: string | number, v: unknown): void {
    if (typeof v === 'number') setNumberForm(holder, key, this.numberText);
  }

  ws(): void {
    while (this.pos < this.s.length && /\s/.test(this.s[this.pos])) this.pos++;
  }
  peek(): string {
    this.ws();
    return this.s[this.pos] ?? '';
  }
  eat(ch: string): boolean {
    if (this.peek() !== ch) return false;
    this.pos++;
    return true;
  }
  expect(ch: string): void {
    if (!this.eat(ch)) throw new Fail(`expected ${ch} at ${this.pos}`);
  }
  /** After an item: a comma, or the closing bracket (left for the loop to consume). */
  separator(close: string): void {
    if (!this.eat(',') && this.peek() !== close) throw new Fail(`expected , or ${close} at ${this.pos}`);
  }
  atEnd(): boolean {
    this.ws();
    return this.pos >= this.s.length;
  }

  calls(): ToolCall[] {
    const out: ToolCall[] = [];
    const bracketed = this.eat('[');
    while (!(bracketed ? this.eat(']') : this.atEnd())) {
      out.push(this.call(bracketed));
      if (!this.eat(',')) {
        if (bracketed) this.expect(']');
        break;
      }
    }
    if (!this.atEnd()) throw new Fail('trailing text');
    return out;
  }

  call(allowSpaces: boolean): ToolCall {
    this.ws();
    const start = this.pos;
    while (this.pos < this.s.length && !NAME_STOP.has(this.s[this.pos])) this.pos++;
    const name = this.s.slice(start, this.pos).trim();
    if (!name || (!allowSpaces && /\s/.test(name))) throw new Fail('bad function name');
    this.expect('(');
    const args: Record<string, unknown> = {};
    while (!this.eat(')')) {
      if (this.s.startsWith('**', this.pos)) {
        // `**{"Content-Type": "x"}`: how a key that is not a Python name is passed.
        this.pos += 2;
        const spread = this.value();
        if (spread === null || typeof spread !== 'object' || Array.isArray(spread)) throw new Fail('** needs a dict');
        for (const [k, v] of Object.entries(spread)) setKey(args, k, v);
        copyNumberForms(spread, args);
      } else {
        const m = /^\s*([\p{L}_][\p{L}\p{N}_]*)\s*=(?!=)/u.exec(this.s.slice(this.pos)); // Python 3 names may be non-ASCII
        if (!m) throw new Fail('expected keyword argument');
        this.pos += m[0].length;
        const v = this.value();
        setKey(args, m[1], v);
        this.note(args, m[1], v);
      }
      this.separator(')');
    }
    return { name, arguments: args };
  }

  value(): unknown {
    const c = this.peek();
    if (c === '[' || c === '(' || c === '{') {
      if (++this.depth > MAX_NESTING) throw new Fail('nested too deep');
      const v = c === '{' ? this.dictOrSet() : this.seq(c === '[' ? ']' : ')');
      this.depth--;
      return v;
    }
    if (c === '"' || c === "'" || ((c === 'r' || c === 'R' || c === 'u' || c === 'U') && /['"]/.test(this.s[this.pos + 1] ?? ''))) return this.str();
    const m = /^[A-Za-z_]\w*/.exec(this.s.slice(this.pos));
    if (m) {
      // A Map: a name like `constructor` must not find Object.prototype's.
      if (!WORDS.has(m[0])) throw new Fail(`unknown name ${m[0]}`);
      this.pos += m[0].length;
      return WORDS.get(m[0]);
    }
    return this.num();
  }

  seq(close: string): unknown[] {
    this.pos++;
    const out: unknown[] = [];
    while (!this.eat(close)) {
      const v = this.value();
      out.push(v);
      this.note(out, out.length - 1, v);
      this.separator(close);
    }
    return out;
  }

  dictOrSet(): unknown {
    this.pos++;
    const obj: Record<string, unknown> = {};
    const set: unknown[] = [];
    let kind: 'dict' | 'set' | undefined;
    while (!this.eat('}')) {
      const k = this.value();
      if (this.eat(':')) {
        if (kind === 'set') throw new Fail('mixed set/dict');
        kind = 'dict';
        const key = typeof k === 'string' ? k : JSON.stringify(k);
        const v = this.value();
        setKey(obj, key, v);
        this.note(obj, key, v);
      } else {
        if (kind === 'dict') throw new Fail('mixed set/dict');
        kind = 'set';
        set.push(k);
        this.note(set, set.length - 1, k);
      }
      this.separator('}');
    }
    return kind === 'set' ? set : obj;
  }

  num(): number {
    const m = /^[+-]?(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?)/.exec(this.s.slice(this.pos));
    if (!m) throw new Fail(`unexpected ${this.s[this.pos] ?? 'end'} at ${this.pos}`);
    this.pos += m[0].length;
    const text = m[0].replace(/_/g, '');
    const neg = text.startsWith('-');
    const n = Number(text.replace(/^[+-]/, '')); // Number() also reads 0x / 0o / 0b
    if (Number.isNaN(n)) throw new Fail(`bad number ${m[0]}`);
    const value = neg ? -n : n;
    // A Python float written in a form JSON has no spelling for (`2.`, `.5`, `1_0.0`) is kept as
    // Python's repr writes it, so it stays a float: JSON spellings are kept as they are.
    const isFloat = !/^[+-]?0[xXoObB]/.test(text) && /[.eE]/.test(text);
    const unsigned = text.replace(/^\+/, '');
    this.numberText = isJsonNumber(unsigned) ? unsigned : isFloat ? pythonFloatRepr(value) : unsigned;
    return value;
  }

  str(): string {
    let raw = false;
    if (/[rRuU]/.test(this.s[this.pos])) {
      raw = /[rR]/.test(this.s[this.pos]);
      this.pos++;
    }
    const q = this.s[this.pos];
    const triple = this.s.startsWith(q.repeat(3), this.pos);
    const close = triple ? q.repeat(3) : q;
    this.pos += close.length;
    let out = '';
    for (;;) {
      if (this.pos >= this.s.length) throw new Fail('unterminated string');
      if (this.s.startsWith(close, this.pos)) {
        this.pos += close.length;
        return out;
      }
      const ch = this.s[this.pos];
      if (ch === '\\' && !raw) out += this.escape();
      else if ((ch === '\n' || ch === '\r') && !triple) throw new Fail('newline in string');
      else {
        out += ch;
        this.pos++;
      }
    }
  }

  escape(): string {
    const e = this.s[this.pos + 1] ?? '';
    this.pos += 2;
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', a: '\x07', '\\': '\\', "'": "'", '"': '"', '\n': '' };
    if (e in simple) return simple[e];
    const hex = (len: number): string => {
      const h = this.s.slice(this.pos, this.pos + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(h)) throw new Fail('bad escape');
      this.pos += len;
      return String.fromCodePoint(parseInt(h, 16));
    };
    if (e === 'x') return hex(2);
    if (e === 'u') return hex(4);
    if (e === 'U') return hex(8);
    if (/[0-7]/.test(e)) {
      const m = /^[0-7]{0,2}/.exec(this.s.slice(this.pos))![0];
      this.pos += m.length;
      return String.fromCharCode(parseInt(e + m, 8));
    }
    return '\\' + e; // Python keeps unknown escapes as written
  }
}

/** Decodes a python-call list (`[f(a=1), g(b="x")]`, brackets optional); undefined when it is not one. */
export function decodePythonCalls(text: string): ToolCall[] | undefined {
  try {
    const calls = new Parser(text).calls();
    return calls.length > 0 ? calls : undefined;
  } catch (err) {
    if (err instanceof Fail || err instanceof RangeError) return undefined;
    throw err;
  }
}

/** Decodes one Python literal (dict, list, string, number, True/False/None); undefined when it is not one. */
export function parsePythonLiteral(text: string): unknown {
  try {
    const p = new Parser(text);
    const v = p.value();
    return p.atEnd() ? v : undefined;
  } catch (err) {
    if (err instanceof Fail || err instanceof RangeError) return undefined;
    throw err;
  }
}

/**
 * Python's repr of a float: the shortest digits that read back (as JS's), in fixed notation from
 * 1e-4 up to 1e16 (with `.0` when whole), else as `1e-05` / `1.5e+16`.
 */
export function pythonFloatRepr(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Object.is(n, -0)) return '-0.0';
  const [mant, expText] = n.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  const s = n.toFixed(Math.max(0, (mant.split('.')[1] ?? '').length - exp));
  return s.includes('.') ? s : `${s}.0`;
}

/**
 * Python source for a JSON-like value; strings use JSON escapes, which Python reads the same way.
 * `holder[key]` is where `v` sits: a number written there in another form (`2.0`) keeps it.
 */
export function encodePythonValue(v: unknown, holder?: object, key?: string | number): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') {
    const form = holder ? numberForm(holder, key!, v) : undefined;
    if (form !== undefined) return form;
    if (Object.is(v, -0)) return '-0.0';
    if (Number.isNaN(v)) return 'float("nan")';
    if (!Number.isFinite(v)) return v > 0 ? '1e999' : '-1e999'; // Python reads these as ±inf
    return String(v);
  }
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map((x, i) => encodePythonValue(x, v, i)).join(', ')}]`;
  if (typeof v === 'object') {
    return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${JSON.stringify(k)}: ${encodePythonValue(x, v as object, k)}`).join(', ')}}`;
  }
  return JSON.stringify(String(v));
}

const PY_NAME = /^[\p{L}_][\p{L}\p{N}_]*$/u;

export function encodePythonCall(call: ToolCall): string {
  const entries = Object.entries(call.arguments);
  const named = entries.filter(([k]) => PY_NAME.test(k)).map(([k, v]) => `${k}=${encodePythonValue(v, call.arguments, k)}`);
  const other = entries.filter(([k]) => !PY_NAME.test(k));
  if (other.length) {
    const spread = Object.fromEntries(other);
    copyNumberForms(call.arguments, spread);
    named.push(`**${encodePythonValue(spread)}`);
  }
  return `${call.name}(${named.join(', ')})`;
}

/** `[f(a=1), g(b="x")]` */
export function encodePythonCalls(calls: readonly ToolCall[]): string {
  return `[${calls.map(encodePythonCall).join(', ')}]`;
}
