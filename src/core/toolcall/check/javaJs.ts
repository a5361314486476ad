// BFCL's Java and JavaScript value rules (simple_java, simple_javascript), judged in the end by
// BFCL's Python rules (pyValues.ts).
import { bfclType, judge, pyType, type PyType, type ValueVerdict } from './pyValues';

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
export function javaJsValue(value: unknown, literal: string | undefined, declared: unknown, itemsDeclared: unknown, accepted: readonly unknown[], language: 'java' | 'javascript'): ValueVerdict | undefined {
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
