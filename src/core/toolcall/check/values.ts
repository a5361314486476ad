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
 * Type check of one parameter value (BFCL's `type_checker`), `vt` being the value's own type.
 * `variable` = the value is taken as a variable of the accepted values' type, and is then compared
 * without standardisation.
 * Deviation: an int is accepted for a float also inside arrays (BFCL converts only top-level values).
 */
function bfclTypeOk(value: unknown, vt: PyType, want: PyType, itemsWant: PyType | undefined, accepted: readonly unknown[]): { ok: boolean; variable: boolean } {
  const at = acceptedType(accepted, want);
  const variable = at !== undefined && at !== want;
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
 * picks the comparison. `language` is the language the calls are written in (bfclLanguage): Java
 * and JavaScript parameters are judged as BFCL judges them, see javaJsValue.
 */
export function bfclValue(value: unknown, literal: string | undefined, declared: unknown, itemsDeclared: unknown, accepted: readonly unknown[], language: BfclLanguage = 'python'): ValueVerdict {
  if (language !== 'python') {
    const lv = javaJsValue(value, literal, declared, itemsDeclared, accepted, language);
    if (lv) return lv;
  }
  return judge(value, pyType(value, literal), bfclType(declared), bfclType(itemsDeclared), accepted);
}

/** BFCL's judgement of a value of type `vt` (its type check, then the comparison its type asks for). */
function judge(value: unknown, vt: PyType, want: PyType | undefined, itemsWant: PyType | undefined, accepted: readonly unknown[], typeName?: string): ValueVerdict {
  let variable = false;
  if (want !== undefined) {
    const t = bfclTypeOk(value, vt, want, itemsWant, accepted);
    if (!t.ok) {
      const named = typeName && typeName !== pyTypeName(want) ? `${typeName} (${pyTypeName(want)})` : pyTypeName(want);
      const detail = vt === want ? `expected an array of ${pyTypeName(itemsWant ?? 'other')}, got ${show(value)}` : `expected ${named}, got ${pyTypeName(vt)} ${show(value)}`;
      return { ok: false, kind: 'wrong_type', detail };
    }
    variable = t.variable;
  }
  if (!variable) {
    const t = want ?? vt;
    if (t === 'dict') return dictCheck(value as Record<string, unknown>, accepted);
    if (t === 'list' && itemsWant === 'dict') return listDictCheck(value as unknown[], accepted);
    if (t === 'str') return stdList(accepted).includes(standardize(value as string)) ? OK : { ok: false, kind: 'wrong_value' };
    if (t === 'list') return listCheck(value as unknown[], accepted) ? OK : { ok: false, kind: 'wrong_value' };
  }
  for (const a of accepted) if (pyEq(value, a)) return OK;
  return { ok: false, kind: 'wrong_value' };
}

// ---- BFCL: Java and JavaScript ----------------------------------------------------------------
//
// BFCL reads a Java or JavaScript call with a parser of that language and hands the checker every
// argument as its source text, a string literal without its quotes: `to=30.0` arrives as "30.0",
// `flag=true` as "true", `to="30.0"` as "30.0" too. A converter then reads the text by the declared
// type — Java `long` wants `42L`, Java `float` `1.5f`, Java `double` and JavaScript `float` plain
// decimals, `integer` plain digits, booleans true/false, collections their constructor or literal
// syntax — and leaves text that does not fit as a string, which the type check rejects unless the
// accepted values are strings too (a "variable"). `any`, `String` and `char` stay text, so for an
// `any` parameter whose accepted values are 30.0 and "30.0" BFCL compares the text "30.0".
// Read from ast_checker.py and java_type_converter.py / js_type_converter.py (facts, not code).
//
// Deviations, each because our outputs are read by a Python/JSON grammar, not by Java's:
// - A number, boolean, list or dict the grammar decoded is also judged as the converted value
//   itself (BFCL's rules for Python, int taken for float): `id=42` passes for a `long` answered 42
//   (BFCL wants `42L`, which the grammar cannot read), `to=30` for an `any` answered 30.0 (BFCL
//   compares the text "30", and JSON answer files cannot tell 30 from 30.0), `[1, 2]` for a Java
//   array (BFCL wants `new int[]{1, 2}`), Python's `True` for Java's `true`.
// - Collection elements are split at top-level commas only (BFCL splits inside strings too), and
//   an element of an `any` or String collection is read as a Java/JavaScript value (quotes
//   stripped, numbers and booleans decoded) where BFCL keeps some of them as raw text that no
//   accepted value can equal; the elements of an `any` collection may then be of any type.

/** The language a BFCL sample's calls are written in. */
export type BfclLanguage = 'python' | 'java' | 'javascript';

/** The language of a BFCL sample other than Python, from its id: BFCL's simple_java and simple_javascript categories. */
export function bfclLanguage(id: string): 'java' | 'javascript' | undefined {
  return /^simple_javascript(?:_|$)/.test(id) ? 'javascript' : /^simple_java(?:_|$)/.test(id) ? 'java' : undefined;
}

/** Declared Java/JavaScript types → the Python type their converted value has (BFCL's tables). */
const JAVA_TYPES = new Map<string, PyType>([
  ['byte', 'int'], ['short', 'int'], ['integer', 'int'], ['long', 'int'], ['float', 'float'], ['double', 'float'], ['boolean', 'bool'],
  ['char', 'str'], ['String', 'str'], ['any', 'str'], ['Array', 'list'], ['ArrayList', 'list'], ['Queue', 'list'], ['Stack', 'list'], ['Set', 'list'],
  ['HashMap', 'dict'], ['Hashtable', 'dict'],
]);
const JS_TYPES = new Map<string, PyType>([
  ['String', 'str'], ['any', 'str'], ['integer', 'int'], ['Bigint', 'int'], ['float', 'float'], ['Boolean', 'bool'], ['dict', 'dict'], ['array', 'list'],
]);

/** How a value of a type that needs more than its plain text is written, for messages. */
const JAVA_SPELLING: Record<string, string> = { long: '42L', float: '1.5f', Array: 'new int[]{1, 2}', ArrayList: 'new ArrayList<>(Arrays.asList(1, 2))', HashMap: 'new HashMap<>() {{ put("k", 1); }}' };
const JS_SPELLING: Record<string, string> = { Bigint: '42n' };

type Converted = { value: unknown; type: PyType };
const asText = (s: string): Converted => ({ value: s, type: 'str' });
const INT_RE = /^-?\d+$/;
const DECIMAL_RE = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const quoted = (s: string): boolean => s.length >= 2 && (s[0] === '"' || s[0] === "'" || s[0] === '`') && s[s.length - 1] === s[0];

/** Offsets of `sep` in `s` outside strings and brackets. */
function topIndexes(s: string, sep: string): number[] {
  const at: number[] = [];
  let depth = 0;
  let quote = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === sep && depth === 0) at.push(i);
  }
  return at;
}

/** `s` split at the commas (or `sep`) outside strings and brackets, each part trimmed, empty parts dropped. */
function splitTop(s: string, sep = ','): string[] {
  const parts: string[] = [];
  let from = 0;
  for (const i of topIndexes(s, sep)) {
    parts.push(s.slice(from, i).trim());
    from = i + 1;
  }
  parts.push(s.slice(from).trim());
  return parts.filter((p) => p !== '');
}

/** A Java or JavaScript literal without a declared type: boolean, quoted text, number (Java suffixes L/f read), else the text. */
function plainLiteral(e: string, java: boolean): unknown {
  if (e === 'true' || e === 'false') return e === 'true';
  if (quoted(e)) return e.slice(1, -1);
  if (java && /^-?\d+[lL]$/.test(e)) return Number(e.slice(0, -1));
  if (java && /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[fF]$/.test(e)) return Number(e.slice(0, -1));
  if (/^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(e)) return Number(e);
  return e;
}

/** A collection element: converted by the declared item type when it has one, else read as a plain literal. */
function element(e: string, items: string | undefined, java: boolean): unknown {
  if (quoted(e) || items === undefined || items === 'any' || items === 'String' || items === 'char' || !(java ? JAVA_TYPES : JS_TYPES).has(items)) return plainLiteral(e, java);
  return (java ? convertJava(e, items, undefined) : convertJs(e, items, undefined)).value;
}

/** Java's array and list spellings: `new T[]{…}` for Array, `new ArrayList<>(Arrays.asList(…))`, `new ArrayList<>() {{ add(…); }}` and `new ArrayList<>()` for ArrayList. */
function javaList(s: string, type: string, items: string | undefined): unknown[] | undefined {
  let m: RegExpExecArray | null;
  if (type === 'Array') {
    m = /^new\s+[\w.]+\s*\[\s*\]\s*\{([\s\S]*)\}$/.exec(s);
    return m ? splitTop(m[1]).map((e) => element(e, items, true)) : undefined;
  }
  if ((m = /^new\s+ArrayList\s*<[^>]*>\s*\(\s*Arrays\s*\.\s*asList\s*\(([\s\S]*)\)\s*\)$/.exec(s))) return splitTop(m[1]).map((e) => element(e, items, true));
  if ((m = /^new\s+ArrayList\s*<[^>]*>\s*\(\s*\)\s*\{\s*\{([\s\S]*)\}\s*\}$/.exec(s))) {
    const out: unknown[] = [];
    for (const st of splitTop(m[1], ';')) {
      const add = /^add\s*\(([\s\S]*)\)$/.exec(st);
      if (!add) return undefined;
      out.push(element(add[1].trim(), items, true));
    }
    return out;
  }
  return /^new\s+ArrayList\s*<[^>]*>\s*\(\s*\)$/.test(s) ? [] : undefined;
}

/** Java's map spelling: `new HashMap<…>() {{ put("k", v); … }}` (one brace pair also read), or an empty `new HashMap<>()`. */
function javaMap(s: string): Record<string, unknown> | undefined {
  const m = /^new\s+HashMap\s*(?:<[^>]*>)?\s*\(\s*\)\s*(?:\{\s*\{?([\s\S]*?)\}?\s*\})?$/.exec(s);
  if (!m) return undefined;
  const out: Record<string, unknown> = {};
  for (const st of splitTop(m[1] ?? '', ';')) {
    const put = /^put\s*\(([\s\S]*)\)$/.exec(st);
    const args = put ? splitTop(put[1]) : [];
    if (args.length !== 2) return undefined;
    Object.defineProperty(out, String(plainLiteral(args[0], true)), { value: plainLiteral(args[1], true), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** The value BFCL's Java converter makes of source text `s` for a declared type. */
function convertJava(s: string, type: string, items: string | undefined): Converted {
  switch (type) {
    case 'byte':
    case 'short':
    case 'integer':
      return INT_RE.test(s) ? { value: Number(s), type: 'int' } : asText(s);
    case 'long':
      return /^-?\d+[lL]$/.test(s) ? { value: Number(s.slice(0, -1)), type: 'int' } : asText(s);
    case 'float':
      return /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[fF]$/.test(s) ? { value: Number(s.slice(0, -1)), type: 'float' } : asText(s);
    case 'double':
      return DECIMAL_RE.test(s) ? { value: Number(s), type: 'float' } : asText(s);
    case 'boolean':
      return s === 'true' || s === 'false' ? { value: s === 'true', type: 'bool' } : asText(s);
    case 'Array':
    case 'ArrayList': {
      const l = javaList(s, type, items);
      return l ? { value: l, type: 'list' } : asText(s);
    }
    case 'HashMap': {
      const m = javaMap(s);
      return m ? { value: m, type: 'dict' } : asText(s);
    }
    default:
      // char, String, any; and the collections BFCL does not convert (Set, Hashtable, Queue, Stack).
      return asText(s);
  }
}

/** JavaScript's array spellings: `[…]` (arrays of arrays too) and `new Array(…)`. */
function jsArray(s: string, items: string | undefined): unknown[] | undefined {
  const m = /^\[([\s\S]*)\]$/.exec(s) ?? /^new\s+Array\s*\(([\s\S]*)\)$/.exec(s);
  if (!m) return undefined;
  return splitTop(m[1]).map((e) => (e.startsWith('[') ? (jsArray(e, items) ?? e) : element(e, items, false)));
}

/** A JavaScript object literal `{key: value, 'k': "v"}`, nested arrays and objects read too. */
function jsObject(s: string): Record<string, unknown> | undefined {
  const m = /^\{([\s\S]*)\}$/.exec(s);
  if (!m) return undefined;
  const out: Record<string, unknown> = {};
  for (const pair of splitTop(m[1])) {
    const colon = topIndexes(pair, ':')[0];
    if (colon === undefined) return undefined;
    const k = pair.slice(0, colon).trim();
    const v = pair.slice(colon + 1).trim();
    const key = quoted(k) ? k.slice(1, -1) : k;
    const value = v.startsWith('[') ? (jsArray(v, undefined) ?? v) : v.startsWith('{') ? (jsObject(v) ?? v) : plainLiteral(v, false);
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** The value BFCL's JavaScript converter makes of source text `s` for a declared type. */
function convertJs(s: string, type: string, items: string | undefined): Converted {
  switch (type) {
    case 'String':
      return asText(quoted(s) ? s.slice(1, -1) : s);
    case 'integer':
      return INT_RE.test(s) ? { value: Number(s), type: 'int' } : asText(s);
    case 'float':
      return /^-?\d+(?:\.\d+)?$/.test(s) ? { value: Number(s), type: 'float' } : asText(s);
    case 'Bigint':
      return /^-?\d+n$/.test(s) ? { value: Number(s.slice(0, -1)), type: 'int' } : asText(s);
    case 'Boolean':
      return s === 'true' || s === 'false' ? { value: s === 'true', type: 'bool' } : asText(s);
    case 'array': {
      const l = jsArray(s, items);
      return l ? { value: l, type: 'list' } : asText(s);
    }
    case 'dict': {
      const o = s === '{}' ? {} : jsObject(s);
      return o ? { value: o, type: 'dict' } : asText(s);
    }
    default:
      return asText(s); // any
  }
}

/**
 * A Java or JavaScript parameter value as BFCL judges it (see the section comment); undefined when
 * the declared type is not one of the language's, and BFCL's Python rules apply.
 */
function javaJsValue(value: unknown, literal: string | undefined, declared: unknown, itemsDeclared: unknown, accepted: readonly unknown[], language: 'java' | 'javascript'): ValueVerdict | undefined {
  const java = language === 'java';
  const types = java ? JAVA_TYPES : JS_TYPES;
  const want = typeof declared === 'string' ? types.get(declared) : undefined;
  if (want === undefined) return undefined;
  const type = declared as string;
  const items = typeof itemsDeclared === 'string' ? itemsDeclared : undefined;
  // Items of type `any` are read as whatever they are written as (see above), so any type is theirs.
  const itemsWant = items !== undefined && items !== 'any' ? (types.get(items) ?? bfclType(items)) : undefined;
  const spelling = (java ? JAVA_SPELLING : JS_SPELLING)[type];
  const name = `${type}${spelling ? `, written like ${spelling}` : ''}`;
  // The source text BFCL's parser would hand over: a string without its quotes, a number as written.
  const source = typeof value === 'string' ? value : typeof value === 'number' ? (literal?.trim() ?? String(value)) : typeof value === 'boolean' ? String(value) : value === null ? 'null' : undefined;
  let byText: ValueVerdict | undefined;
  if (source !== undefined) {
    const c = java ? convertJava(source, type, items) : convertJs(source, type, items);
    byText = judge(c.value, c.type, want, itemsWant, accepted, name);
    if (byText.ok || typeof value === 'string') return byText;
  }
  // A value the grammar decoded (number, boolean, None, list, dict): also taken as the converted
  // value itself. Wrong both ways: a wrong value when either reading had the right type.
  const byValue = judge(value, pyType(value, literal), want, itemsWant, accepted, name);
  return byValue.ok || byValue.kind === 'wrong_value' || !byText || byText.ok || byText.kind !== 'wrong_value' ? byValue : byText;
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
