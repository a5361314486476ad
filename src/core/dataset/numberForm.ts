// Numbers in the form they were written. JSON.parse and the Python-call decoder give plain JS
// numbers, which forget how a number was written: `2.0` and `2` are one value, Python's `1e-05`
// prints as `0.00001`, a 20-digit integer loses its last digits. The rest of the product compares
// values (the checker), so values stay plain numbers; the spelling of a number whose JS form
// differs is remembered beside the value, keyed by the object or array that holds it and the key
// or index it sits at. A WeakMap keeps that: nothing is held once the containers are gone, and no
// consumer sees anything but plain data. Writers (serializeRecord, encodePythonValue) ask for the
// spelling and use it while the value there is still the number it spells, so an edited value is
// written fresh.
//
// Code that copies a container into a new one (a format's reader building its own objects) carries
// the spellings with copyNumberForm / cloneJson; where it does not, the number is written in JS's
// form, as before: the value never changes, only its spelling.

/** Sets a key without tripping the `__proto__` setter (as JSON.parse does); pythonCalls has the same, and imports this module. */
function setKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

const forms = new WeakMap<object, Map<string, string>>();

/** A JSON number token (the only spellings kept: JSON and Python both read them). */
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** Whether `text` is a JSON number token. */
export const isJsonNumber = (text: string): boolean => JSON_NUMBER.test(text);

/** `text` when it is a JSON number that JS would write differently (`2.0`, `1e-05`, `-0`), else undefined. */
export function unusualSpelling(text: string): string | undefined {
  if (!JSON_NUMBER.test(text)) return undefined;
  const n = Number(text);
  return Number.isFinite(n) && JSON.stringify(n) !== text ? text : undefined;
}

/** Remembers that the number at `holder[key]` was written as `text` (when JS would write it otherwise). */
export function setNumberForm(holder: object, key: string | number, text: string): void {
  const k = String(key);
  if (unusualSpelling(text) === undefined) {
    forms.get(holder)?.delete(k);
    return;
  }
  let m = forms.get(holder);
  if (!m) forms.set(holder, (m = new Map()));
  m.set(k, text);
}

/** The remembered spelling of `value` at `holder[key]`, while `value` is still the number it spells. */
export function numberForm(holder: object, key: string | number, value: number): string | undefined {
  const text = forms.get(holder)?.get(String(key));
  return text !== undefined && Object.is(Number(text), value) ? text : undefined;
}

/** Carries the spelling of `from[fromKey]` to `to[toKey]` (a reader moving a value into its own object). */
export function copyNumberForm(from: unknown, fromKey: string | number, to: object, toKey: string | number): void {
  if (from === null || typeof from !== 'object') return;
  const text = forms.get(from)?.get(String(fromKey));
  if (text !== undefined) setNumberForm(to, toKey, text);
}

/** Carries every spelling of `from` to `to` (a shallow copy with the same keys). */
export function copyNumberForms(from: unknown, to: object): void {
  if (from === null || typeof from !== 'object') return;
  const m = forms.get(from);
  if (m) for (const [k, text] of m) setNumberForm(to, k, text);
}

/** A deep copy of JSON data (what JSON.parse(JSON.stringify(v)) gives) that keeps the spellings. */
export function cloneJson<T>(v: T): T {
  if (v === undefined) return v;
  const copy = (x: unknown): unknown => {
    if (x !== null && typeof x === 'object' && typeof (x as { toJSON?: unknown }).toJSON === 'function') return JSON.parse(JSON.stringify(x)) as unknown;
    if (Array.isArray(x)) {
      const out = x.map((e) => (e === undefined || typeof e === 'function' || typeof e === 'symbol' ? null : copy(e)));
      copyNumberForms(x, out);
      return out;
    }
    if (x !== null && typeof x === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, e] of Object.entries(x)) if (e !== undefined && typeof e !== 'function' && typeof e !== 'symbol') setKey(out, k, copy(e));
      copyNumberForms(x, out);
      return out;
    }
    return typeof x === 'number' && !Number.isFinite(x) ? null : x;
  };
  return copy(v) as T;
}

// ---- parsing with spellings ----------------------------------------------------------------

/**
 * Whether text may hold a number JS would spell otherwise: a fraction or exponent, a negative zero
 * or 16+ digits. Strings match too ("v1.2"); that only costs the slower parse below.
 */
const MAYBE_UNUSUAL = /\d[.eE]|-0|\d{16}/;

/**
 * JSON.parse(text), remembering unusual number spellings. JSON.parse validates (and gives the
 * exact error); only text that may hold such a number is parsed again by the small parser below,
 * which builds the same values and notes each spelling where it puts the number.
 */
export function parseJsonKeepingNumbers(text: string): unknown {
  const value = JSON.parse(text) as unknown;
  if (!MAYBE_UNUSUAL.test(text)) return value;
  return new SpellingParser(text).top();
}

const WS = new Set([' ', '\t', '\n', '\r']);

/** A parser for text JSON.parse has accepted: same values, plus the spellings (see above). */
class SpellingParser {
  private i = 0;
  /** The spelling of the number value() returned last. */
  private numberText = '';
  constructor(private readonly t: string) {}

  top(): unknown {
    return this.value();
  }

  private ws(): void {
    while (WS.has(this.t[this.i])) this.i++;
  }

  private put(holder: object, key: string | number, v: unknown): void {
    if (typeof v === 'number') setNumberForm(holder, key, this.numberText);
    else forms.get(holder)?.delete(String(key)); // a repeated key's earlier number is gone
  }

  private value(): unknown {
    this.ws();
    const c = this.t[this.i];
    if (c === '{') {
      this.i++;
      const o: Record<string, unknown> = {};
      this.ws();
      if (this.t[this.i] === '}') {
        this.i++;
        return o;
      }
      for (;;) {
        this.ws();
        const k = this.string();
        this.ws();
        this.i++; // :
        const v = this.value();
        setKey(o, k, v);
        this.put(o, k, v);
        this.ws();
        if (this.t[this.i++] === '}') return o;
      }
    }
    if (c === '[') {
      this.i++;
      const a: unknown[] = [];
      this.ws();
      if (this.t[this.i] === ']') {
        this.i++;
        return a;
      }
      for (;;) {
        const v = this.value();
        a.push(v);
        this.put(a, a.length - 1, v);
        this.ws();
        if (this.t[this.i++] === ']') return a;
      }
    }
    if (c === '"') return this.string();
    if (this.t.startsWith('true', this.i)) return (this.i += 4), true;
    if (this.t.startsWith('false', this.i)) return (this.i += 5), false;
    if (this.t.startsWith('null', this.i)) return (this.i += 4), null;
    const start = this.i;
    while (this.i < this.t.length && /[-+0-9.eE]/.test(this.t[this.i])) this.i++;
    this.numberText = this.t.slice(start, this.i);
    return Number(this.numberText);
  }

  private string(): string {
    const start = this.i++;
    let escaped = false;
    for (; this.t[this.i] !== '"'; this.i++) {
      if (this.t[this.i] === '\\') {
        escaped = true;
        this.i++;
      }
    }
    this.i++;
    return escaped ? (JSON.parse(this.t.slice(start, this.i)) as string) : this.t.slice(start + 1, this.i - 1);
  }
}
