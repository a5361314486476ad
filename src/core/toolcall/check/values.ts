// Value judgements for the checker: BFCL's rules (type per the function doc, accepted-value lists,
// string standardisation, dicts and lists of dicts) and the plainer rules of reference mode.
// Written from BFCL's documented behaviour (ast_checker.py), not from its code; deviations are
// named where they happen.

/** What a value judgement says: right, or which kind of wrong and a short detail for the message. */
export type ValueVerdict = { ok: true } | { ok: false; kind: 'wrong_value' | 'wrong_type'; detail?: string; expected?: unknown };

const OK: ValueVerdict = { ok: true };

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

/** Python equality as `x in accepted` uses it: 1 == 1.0; lists and dicts by content. Unlike Python, True != 1. */
export function pyEq(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!pyEq(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!Object.prototype.hasOwnProperty.call(b, k) || !pyEq((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

// ---- BFCL -------------------------------------------------------------------------------------

/** BFCL's standardisation: drop spaces and `,./-_*^`, lowercase, and read ' as ". */
export function standardize(s: string): string {
  return s.replace(/[ ,./\-_*^]/g, '').toLowerCase().replace(/'/g, '"');
}

const stdItem = (v: unknown): unknown => (typeof v === 'string' ? standardize(v) : v);

/** Standardised accepted lists, cached per list: the same expectation is checked against many outputs. */
const stdCache = new WeakMap<readonly unknown[], unknown[]>();
function stdList(list: readonly unknown[]): unknown[] {
  let out = stdCache.get(list);
  if (!out) stdCache.set(list, (out = list.map(stdItem)));
  return out;
}

/** The first accepted value that is not "" ("" means "may be omitted"). */
export function firstAccepted(accepted: readonly unknown[]): unknown {
  for (const a of accepted) if (a !== '') return a;
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

/**
 * Type check of one parameter value (BFCL's `type_checker`). `variable` = the value is taken as a
 * variable of the accepted values' type, and is then compared without standardisation.
 * Deviation: an int is accepted for a float also inside arrays (BFCL converts only top-level values).
 */
function bfclTypeOk(value: unknown, literal: string | undefined, want: PyType, itemsWant: PyType | undefined, accepted: readonly unknown[]): { ok: boolean; variable: boolean } {
  const at = acceptedType(accepted, want);
  const variable = at !== undefined && at !== want;
  let vt = pyType(value, literal);
  if (vt === 'int' && want === 'float') vt = 'float';
  if (vt === want) {
    if (want !== 'list' || itemsWant === undefined) return { ok: true, variable };
    // Nested: some accepted entry (a non-list entry such as "" always passes, as in BFCL) whose
    // elements' type, or the type of its own first element, every element of the value has.
    const items = value as unknown[];
    for (const acc of accepted) {
      if (!Array.isArray(acc)) return { ok: true, variable };
      const elAt = acceptedType(acc, itemsWant);
      let all = true;
      for (const el of items) {
        let et = pyType(el);
        if (et === 'int' && itemsWant === 'float') et = 'float';
        if (et !== itemsWant && et !== elAt) {
          all = false;
          break;
        }
      }
      if (all) return { ok: true, variable };
    }
    return { ok: false, variable };
  }
  return at !== undefined && vt === at ? { ok: true, variable: true } : { ok: false, variable };
}

const show = (v: unknown): string => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

/** BFCL's dict check: some accepted dict takes every given key's value, and every key it needs is given. */
function dictCheck(value: Record<string, unknown>, accepted: readonly unknown[]): ValueVerdict {
  let why: ValueVerdict = { ok: false, kind: 'wrong_value', detail: 'no accepted dict' };
  for (const acc of accepted) {
    if (acc === '' || typeof acc !== 'object' || acc === null || Array.isArray(acc)) continue;
    const want = acc as Record<string, unknown>;
    why = OK;
    for (const k of Object.keys(value)) {
      if (!Object.prototype.hasOwnProperty.call(want, k)) {
        why = { ok: false, kind: 'wrong_value', detail: `unexpected key ${show(k)}` };
        break;
      }
      const list = Array.isArray(want[k]) ? (want[k] as unknown[]) : [want[k]];
      const v = stdItem(value[k]);
      if (!stdList(list).some((a) => pyEq(v, a))) {
        why = { ok: false, kind: 'wrong_value', detail: `key ${show(k)}: expected ${show(plainAccepted(firstAccepted(list)))}, got ${show(value[k])}` };
        break;
      }
    }
    if (why.ok) {
      for (const k of Object.keys(want)) {
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
  for (const acc of accepted) {
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
  for (const acc of accepted) {
    const list = acc === '' ? [] : acc;
    if (Array.isArray(list) && pyEq(v, stdList(list))) return true;
  }
  return false;
}

/**
 * One parameter value against BFCL's accepted values, with the parameter's declared type (and the
 * type of its array items). An undeclared type skips the type check, and the value's own type
 * picks the comparison.
 */
export function bfclValue(value: unknown, literal: string | undefined, declared: unknown, itemsDeclared: unknown, accepted: readonly unknown[]): ValueVerdict {
  const want = bfclType(declared);
  const itemsWant = bfclType(itemsDeclared);
  let variable = false;
  if (want !== undefined) {
    const t = bfclTypeOk(value, literal, want, itemsWant, accepted);
    if (!t.ok) {
      const got = pyType(value, literal);
      const detail = got === want ? `expected an array of ${pyTypeName(itemsWant ?? 'other')}, got ${show(value)}` : `expected ${pyTypeName(want)}, got ${pyTypeName(got)} ${show(value)}`;
      return { ok: false, kind: 'wrong_type', detail };
    }
    variable = t.variable;
  }
  if (!variable) {
    const t = want ?? pyType(value);
    if (t === 'dict') return dictCheck(value as Record<string, unknown>, accepted);
    if (t === 'list' && itemsWant === 'dict') return listDictCheck(value as unknown[], accepted);
    if (t === 'str') return stdList(accepted).includes(standardize(value as string)) ? OK : { ok: false, kind: 'wrong_value' };
    if (t === 'list') return listCheck(value as unknown[], accepted) ? OK : { ok: false, kind: 'wrong_value' };
  }
  for (const a of accepted) if (pyEq(value, a)) return OK;
  return { ok: false, kind: 'wrong_value' };
}

// ---- reference mode ---------------------------------------------------------------------------

type Kind = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object' | 'null';

const SCHEMA_KINDS: Record<string, Kind | 'any'> = {
  string: 'string',
  str: 'string',
  integer: 'integer',
  int: 'integer',
  number: 'number',
  float: 'number',
  double: 'number',
  boolean: 'boolean',
  bool: 'boolean',
  array: 'array',
  list: 'array',
  tuple: 'array',
  set: 'array',
  object: 'object',
  dict: 'object',
  mapping: 'object',
  null: 'null',
  none: 'null',
  any: 'any',
};

function kindOf(v: unknown): Kind {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'boolean';
  if (v === null || v === undefined) return 'null';
  return Array.isArray(v) ? 'array' : 'object';
}

function fits(v: unknown, k: Kind | 'any'): boolean {
  if (k === 'any') return true;
  if (k === 'integer') return typeof v === 'number' && Number.isInteger(v);
  return kindOf(v) === k;
}

/** The kinds a JSON-schema `type` allows (a name or a list of names); undefined when it names none we know. */
function schemaKinds(type: unknown): (Kind | 'any')[] | undefined {
  const names = Array.isArray(type) ? type : [type];
  const kinds = names.flatMap((n) => (typeof n === 'string' && SCHEMA_KINDS[n.toLowerCase()] ? [SCHEMA_KINDS[n.toLowerCase()]] : []));
  return kinds.length ? kinds : undefined;
}

/** Reference-mode equality: numbers by value (1 == 1.0), strings trimmed, arrays and objects deeply. */
export function refEq(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a === b || a.trim() === b.trim();
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!refEq(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!Object.prototype.hasOwnProperty.call(b, k) || !refEq((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

/**
 * A value against the reference value, with the parameter's schema type when known. A value is of
 * the wrong type only when it fits neither the schema type nor the reference value's own type
 * (datasets often declare "integer" and answer "5").
 */
export function refValue(value: unknown, ref: unknown, schemaType: unknown): ValueVerdict {
  const kinds = schemaKinds(schemaType);
  if (!(kinds?.some((k) => fits(value, k)) ?? false) && !fits(value, kindOf(ref))) {
    const want = kinds ? kinds.join(' or ') : kindOf(ref);
    return { ok: false, kind: 'wrong_type', detail: `expected ${want}, got ${kindOf(value)} ${show(value)}` };
  }
  return refEq(value, ref) ? OK : { ok: false, kind: 'wrong_value' };
}

/** A value of a parameter that has no reference value: only its type is checked (against the schema). */
export function schemaTypeOk(value: unknown, schemaType: unknown): ValueVerdict {
  const kinds = schemaKinds(schemaType);
  if (!kinds || kinds.some((k) => fits(value, k))) return OK;
  return { ok: false, kind: 'wrong_type', detail: `expected ${kinds.join(' or ')}, got ${kindOf(value)} ${show(value)}` };
}

export { show };
