// Value judgements of BFCL's rules for Python: Python's view of a value (int vs float, equality),
// the type per the function doc, accepted-value lists, string standardisation, dicts and lists of
// dicts. Written from BFCL's documented behaviour (ast_checker.py), not from its code; deviations
// are named where they happen. Java and JavaScript values: javaJs.ts; reference mode: reference.ts;
// values.ts puts them together.

/** What a value judgement says: right, or which kind of wrong and a short detail for the message. */
export type ValueVerdict = { ok: true } | { ok: false; kind: 'wrong_value' | 'wrong_type'; detail?: string; expected?: unknown };

export const OK: ValueVerdict = { ok: true };

// ---- Python's view of a value ------------------------------------------------------------------

/** The Python type a decoded literal had: Python tells `1` from `1.0`; JS numbers need the source text. */
export type PyType = 'str' | 'int' | 'float' | 'bool' | 'list' | 'dict' | 'none' | 'other';

/**
 * `literal` is the value as written (from the parser's valueSpan): a number written with a `.` or
 * an exponent is a float even when integral (`5.0`), as Python's ast would decode it. Without the
 * literal (nested values, possible answers read by JSON.parse) an integral number counts as int.
 */
export function pyType(v: unknown, literal?: string): PyType {
  switch (typeof v) {
    case 'string':
      return 'str';
    case 'boolean':
      return 'bool';
    case 'number':
      if (!Number.isInteger(v)) return 'float';
      return literal !== undefined && /[.eE]/.test(literal) && !/^\s*-?0[xXoObB]/.test(literal) ? 'float' : 'int';
    case 'object':
      return v === null ? 'none' : Array.isArray(v) ? 'list' : 'dict';
    default:
      return 'other';
  }
}

/** BFCL's type names (function docs) → Python types. "number" is not BFCL's, but other datasets use it. */
const BFCL_TYPES: Record<string, PyType> = {
  string: 'str',
  integer: 'int',
  float: 'float',
  number: 'float',
  boolean: 'bool',
  array: 'list',
  tuple: 'list',
  dict: 'dict',
  object: 'dict',
  // BFCL maps "any" to str (its data only uses it for code given as text).
  any: 'str',
};

export function bfclType(declared: unknown): PyType | undefined {
  return typeof declared === 'string' ? BFCL_TYPES[declared] : undefined;
}

const PY_NAMES: Record<PyType, string> = { str: 'string', int: 'integer', float: 'float', bool: 'boolean', list: 'array', dict: 'dict', none: 'None', other: 'value' };
export const pyTypeName = (t: PyType): string => PY_NAMES[t];

/**
 * Equality of parsed values, deep: numbers by value (1 == 1.0), lists by position, dicts by their
 * own keys; two strings are equal when identical, or when `sameText` says so. The one walk under
 * pyEq (BFCL) and refEq (reference answers, reference.ts), which differ only in their strings.
 */
export function deepEq(a: unknown, b: unknown, sameText?: (a: string, b: string) => boolean): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return sameText !== undefined && typeof a === 'string' && typeof b === 'string' && sameText(a, b);
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEq(a[i], b[i], sameText)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i];
    if (!Object.prototype.hasOwnProperty.call(b, k) || !deepEq((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], sameText)) return false;
  }
  return true;
}

/** Python equality as `x in accepted` uses it: 1 == 1.0; lists and dicts by content. Unlike Python, True != 1. */
export const pyEq = (a: unknown, b: unknown): boolean => deepEq(a, b);

// Loops over arrays in this file are indexed: most outputs are judged once, in code the JIT has
// not optimised yet, where `for...of` allocates an iterator result per element.

// ---- BFCL -------------------------------------------------------------------------------------

/** BFCL's standardisation: drop spaces and `,./-_*^`, lowercase, and read ' as ". */
export function standardize(s: string): string {
  return s.replace(/[ ,./\-_*^]/g, '').toLowerCase().replace(/'/g, '"');
}

const stdItem = (v: unknown): unknown => (typeof v === 'string' ? standardize(v) : v);

/** Whether a standardised list holds `v` (Python's `in`, pyEq). */
function stdIncludes(list: readonly unknown[], v: unknown): boolean {
  for (let i = 0; i < list.length; i++) if (pyEq(v, list[i])) return true;
  return false;
}

/** Standardised accepted lists, cached per list: the same expectation is checked against many outputs. */
const stdCache = new WeakMap<readonly unknown[], unknown[]>();
function stdList(list: readonly unknown[]): unknown[] {
  let out = stdCache.get(list);
  if (!out) stdCache.set(list, (out = list.map(stdItem)));
  return out;
}

/** The first accepted value that is not "" ("" means "may be omitted"). */
export function firstAccepted(accepted: readonly unknown[]): unknown {
  for (let i = 0; i < accepted.length; i++) if (accepted[i] !== '') return accepted[i];
  return undefined;
}

/** An accepted value as a plain value (nested `{k: [accepted]}` dicts resolved to their first choice), for messages. */
export function plainAccepted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plainAccepted);
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, acc] of Object.entries(v)) {
    if (!Array.isArray(acc)) out[k] = acc;
    else {
      const a = firstAccepted(acc);
      if (a !== undefined) out[k] = plainAccepted(a);
    }
  }
  return out;
}

/** The type of the first accepted value: BFCL takes a value of that type as a "variable" (e.g. "dontcare" for an integer). */
function acceptedType(accepted: readonly unknown[], want: PyType | undefined): PyType | undefined {
  const a = firstAccepted(accepted);
  if (a === undefined) return undefined;
  const t = pyType(a);
  // JSON.parse loses `5.0` vs `5` in the answer file: an integral accepted number for a float
  // parameter is taken as a float, so it does not turn every float value into a "variable".
  return t === 'int' && want === 'float' ? 'float' : t;
}

/** bfclTypeOk's answers: the type is wrong; right; right, and the value is a "variable". */
const TYPE_WRONG = 0;
const TYPE_OK = 1;
const TYPE_VARIABLE = 2;

/**
 * Type check of one parameter value (BFCL's `type_checker`), `vt` being the value's own type.
 * TYPE_VARIABLE: the value is taken as a variable of the accepted values' type, and is then
 * compared without standardisation.
 * Deviation: an int is accepted for a float also inside arrays (BFCL converts only top-level values).
 */
function bfclTypeOk(value: unknown, vt: PyType, want: PyType, itemsWant: PyType | undefined, accepted: readonly unknown[]): number {
  const at = acceptedType(accepted, want);
  const right = at !== undefined && at !== want ? TYPE_VARIABLE : TYPE_OK;
  if (vt === 'int' && want === 'float') vt = 'float';
  if (vt === want) {
    if (want !== 'list' || itemsWant === undefined) return right;
    // Nested: some accepted entry (a non-list entry such as "" always passes, as in BFCL) whose
    // elements' type, or the type of its own first element, every element of the value has.
    const items = value as unknown[];
    for (let a = 0; a < accepted.length; a++) {
      const acc = accepted[a];
      if (!Array.isArray(acc)) return right;
      const elAt = acceptedType(acc, itemsWant);
      let all = true;
      for (let i = 0; i < items.length; i++) {
        let et = pyType(items[i]);
        if (et === 'int' && itemsWant === 'float') et = 'float';
        if (et !== itemsWant && et !== elAt) {
          all = false;
          break;
        }
      }
      if (all) return right;
    }
    return TYPE_WRONG;
  }
  return at !== undefined && vt === at ? TYPE_VARIABLE : TYPE_WRONG;
}

/** A value for a message, cut at 60 characters. */
export const show = (v: unknown): string => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

/** BFCL's dict check: some accepted dict takes every given key's value, and every key it needs is given. */
function dictCheck(value: Record<string, unknown>, accepted: readonly unknown[]): ValueVerdict {
  let why: ValueVerdict = { ok: false, kind: 'wrong_value', detail: 'no accepted dict' };
  for (let a = 0; a < accepted.length; a++) {
    const acc = accepted[a];
    if (acc === '' || typeof acc !== 'object' || acc === null || Array.isArray(acc)) continue;
    const want = acc as Record<string, unknown>;
    why = OK;
    const keys = Object.keys(value);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      if (!Object.prototype.hasOwnProperty.call(want, k)) {
        why = { ok: false, kind: 'wrong_value', detail: `unexpected key ${show(k)}` };
        break;
      }
      const list = Array.isArray(want[k]) ? (want[k] as unknown[]) : [want[k]];
      if (!stdIncludes(stdList(list), stdItem(value[k]))) {
        why = { ok: false, kind: 'wrong_value', detail: `key ${show(k)}: expected ${show(plainAccepted(firstAccepted(list)))}, got ${show(value[k])}` };
        break;
      }
    }
    if (why.ok) {
      const wanted = Object.keys(want);
      for (let i = 0; i < wanted.length; i++) {
        const k = wanted[i];
        const list = Array.isArray(want[k]) ? (want[k] as unknown[]) : [want[k]];
        if (!Object.prototype.hasOwnProperty.call(value, k) && !list.includes('')) {
          why = { ok: false, kind: 'wrong_value', detail: `key ${show(k)} missing from the dict` };
          break;
        }
      }
    }
    if (why.ok) return OK;
  }
  return why;
}

/** BFCL's list-of-dicts check: same length as some accepted list, each dict matching its counterpart. */
function listDictCheck(value: unknown[], accepted: readonly unknown[]): ValueVerdict {
  let why: ValueVerdict = { ok: false, kind: 'wrong_value', detail: 'no accepted list' };
  for (let a = 0; a < accepted.length; a++) {
    const acc = accepted[a];
    const list = acc === '' ? [] : acc;
    if (!Array.isArray(list)) continue;
    if (list.length !== value.length) {
      why = { ok: false, kind: 'wrong_value', detail: `expected ${list.length} item(s), got ${value.length}` };
      continue;
    }
    why = OK;
    for (let i = 0; i < value.length && why.ok; i++) {
      const el = value[i];
      why = typeof el === 'object' && el !== null && !Array.isArray(el) ? dictCheck(el as Record<string, unknown>, [list[i]]) : { ok: false, kind: 'wrong_type', detail: `is not a dict: ${show(el)}` };
      if (!why.ok) why = { ...why, detail: `item ${i}: ${why.detail}` };
    }
    if (why.ok) return OK;
  }
  return why;
}

/** BFCL's list check: string elements standardised on both sides (one level, as BFCL does). */
function listCheck(value: unknown[], accepted: readonly unknown[]): boolean {
  const v = value.map(stdItem);
  for (let a = 0; a < accepted.length; a++) {
    const acc = accepted[a];
    const list = acc === '' ? [] : acc;
    if (Array.isArray(list) && pyEq(v, stdList(list))) return true;
  }
  return false;
}

/**
 * BFCL's judgement of a value of type `vt` (its type check, then the comparison its type asks for).
 * `typeName` is the declared type as the message names it (Java's and JavaScript's own names).
 */
export function judge(value: unknown, vt: PyType, want: PyType | undefined, itemsWant: PyType | undefined, accepted: readonly unknown[], typeName?: string): ValueVerdict {
  let variable = false;
  if (want !== undefined) {
    const t = bfclTypeOk(value, vt, want, itemsWant, accepted);
    if (t === TYPE_WRONG) {
      const named = typeName && typeName !== pyTypeName(want) ? `${typeName} (${pyTypeName(want)})` : pyTypeName(want);
      const detail = vt === want ? `expected an array of ${pyTypeName(itemsWant ?? 'other')}, got ${show(value)}` : `expected ${named}, got ${pyTypeName(vt)} ${show(value)}`;
      return { ok: false, kind: 'wrong_type', detail };
    }
    variable = t === TYPE_VARIABLE;
  }
  if (!variable) {
    const t = want ?? vt;
    if (t === 'dict') return dictCheck(value as Record<string, unknown>, accepted);
    if (t === 'list' && itemsWant === 'dict') return listDictCheck(value as unknown[], accepted);
    if (t === 'str') return stdList(accepted).includes(standardize(value as string)) ? OK : { ok: false, kind: 'wrong_value' };
    if (t === 'list') return listCheck(value as unknown[], accepted) ? OK : { ok: false, kind: 'wrong_value' };
  }
  for (let i = 0; i < accepted.length; i++) if (pyEq(value, accepted[i])) return OK;
  return { ok: false, kind: 'wrong_value' };
}
