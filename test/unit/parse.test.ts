// Tool-call parsers: exact spans per syntax, BFCL ground truths round-tripped, fuzzing (never throws,
// spans in bounds) and a print→parse property over every syntax.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { detectSyntax, parseCalls, parseValue } from '../../src/core/toolcall/parse/index';
import type { CallSyntax, ParseResult, ParsedCall, Span } from '../../src/core/toolcall/types';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BFCL = [process.env.BFCL_DATA, join(ROOT, '..', 'shared', 'data', 'bfcl'), join(ROOT, 'demo', 'datasets', 'bfcl')].find((d) => d && existsSync(d))!;

const cut = (text: string, s: Span): string => text.slice(s.start, s.end);

/** Each call as [name fragment, whole call, [key fragment, value fragment, arg fragment] per arg]. */
function frags(text: string, calls: ParsedCall[]): unknown[] {
  return calls.map((c) => [cut(text, c.nameSpan), cut(text, c.span), c.args.map((a) => [cut(text, a.keySpan), cut(text, a.valueSpan), cut(text, a.span)])]);
}
function ok(text: string, syntax?: CallSyntax): ParsedCall[] {
  const r = parseCalls(text, syntax);
  assert.ok(r.ok, `expected ok, got ${r.ok ? '' : r.error}`);
  return r.calls;
}
function bad(text: string, syntax?: CallSyntax): Extract<ParseResult, { ok: false }> {
  const r = parseCalls(text, syntax);
  assert.equal(r.ok, false, `expected a parse error for ${JSON.stringify(text)}`);
  return r as Extract<ParseResult, { ok: false }>;
}

describe('python calls', () => {
  it('parses a call list with exact spans and decoded values', () => {
    const t = '[f(a=1, b="x"), pkg.g(c=[1, {"k": 2}], d=None)]';
    const calls = ok(t);
    assert.deepEqual(frags(t, calls), [
      ['f', 'f(a=1, b="x")', [['a', '1', 'a=1'], ['b', '"x"', 'b="x"']]],
      ['pkg.g', 'pkg.g(c=[1, {"k": 2}], d=None)', [['c', '[1, {"k": 2}]', 'c=[1, {"k": 2}]'], ['d', 'None', 'd=None']]],
    ]);
    assert.deepEqual(calls.map((c) => [c.name, c.arguments]), [['f', { a: 1, b: 'x' }], ['pkg.g', { c: [1, { k: 2 }], d: null }]]);
    assert.deepEqual(calls[0].args[1], { key: 'b', value: 'x', keySpan: { start: 8, end: 9 }, valueSpan: { start: 10, end: 13 }, span: { start: 8, end: 13 } });
  });

  it('reads every literal form', () => {
    const t = `f(s='it\\'s', d="q\\"\\n\\u00e9\\x41\\101", r=r'a\\b', tq="""x\n'y'""", i=-12, x=1.5e-3, u=1_000, h=0x1F, e=.5, ` +
      `t=(1, 2), one=(3), st={4}, em={}, b=True, n=None, j=false, nest=[[{"a": (None,)}]], )`;
    const [c] = ok(t);
    assert.deepEqual(c.arguments, {
      s: "it's", d: 'q"\néAA', r: 'a\\b', tq: "x\n'y'", i: -12, x: 0.0015, u: 1000, h: 31, e: 0.5,
      t: [1, 2], one: 3, st: [4], em: {}, b: true, n: null, j: false, nest: [[{ a: [null] }]],
    });
    assert.equal(cut(t, c.args[3].valueSpan), `"""x\n'y'"""`);
    assert.equal(cut(t, c.args.at(-1)!.valueSpan), '[[{"a": (None,)}]]');
  });

  it('accepts bare calls, code fences, whitespace, empty lists, ** and names with spaces', () => {
    assert.deepEqual(frags('  f(a=1)\n', ok('  f(a=1)\n')), [['f', 'f(a=1)', [['a', '1', 'a=1']]]]);
    const fenced = '```python\n[get_weather(city="Paris")]\n```\n';
    assert.equal(detectSyntax(fenced), 'python');
    const [w] = ok(fenced);
    assert.equal(w.nameSpan.start, 11);
    assert.deepEqual(frags(fenced, [w]), [['get_weather', 'get_weather(city="Paris")', [['city', '"Paris"', 'city="Paris"']]]]);
    assert.deepEqual(ok('[]'), []);
    assert.deepEqual(ok('```\nf()\n```').map((c) => c.name), ['f']);
    const spread = 'req(url="u", **{"Content-Type": "json"})';
    assert.deepEqual(frags(spread, ok(spread))[0], ['req', spread, [['url', '"u"', 'url="u"'], ['"Content-Type"', '"json"', '"Content-Type": "json"']]]);
    const tool = '[Get Stock Price(symbol="AAPL"), g(x=1)]';
    assert.deepEqual(ok(tool).map((c) => [c.name, cut(tool, c.nameSpan)]), [['Get Stock Price', 'Get Stock Price'], ['g', 'g']]);
    assert.deepEqual(ok('f(a=1)\ng(b=2)').map((c) => c.name), ['f', 'g']);
  });

  it('reports errors with their offset and keeps the calls before', () => {
    let r = bad('[f(a=1), g(1)]');
    assert.equal(r.offset, 11);
    assert.match(r.error, /^positional argument at offset 11 in the call to 'g'/);
    assert.deepEqual(r.calls.map((c) => c.name), ['f']);
    r = bad('[f(a=1 b=2)]');
    assert.equal(r.error, `expected ',' or ')' after argument 'a' at offset 7 (found "b")`);
    r = bad('[f(a="x)]');
    assert.equal(r.error, 'unterminated string at offset 5: no closing quote before the end of input');
    assert.equal(bad('f(a=[1, 2 3])').error, `expected ',' or ']' at offset 10 (found "3") in the list opened at offset 4`);
    assert.match(bad('f(a=x)').error, /unknown name 'x'/);
    assert.match(bad('f(a=1, a=2)').error, /duplicate argument 'a' at offset 7/);
    assert.match(bad('[f(a=1)] trailing').error, /unexpected text after the call list at offset 9/);
    assert.match(bad('[f(a=1)').error, /expected ',' or '\]' after the call at offset 7 \(found end of input\)/);
    const deep = `f(a=${'['.repeat(5000)}${']'.repeat(5000)})`;
    assert.match(bad(deep).error, /nesting deeper than 200 levels/);
    assert.equal(bad('x'.repeat(100000) + '(', 'python').offset, 100001);
  });
});

describe('JSON calls', () => {
  it('parses objects, lists, "parameters" and function wrappers', () => {
    const t = '{"name": "f", "arguments": {"a": 1, "b": {"c": [true, null]}}}';
    assert.equal(detectSyntax(t), 'json');
    assert.deepEqual(frags(t, ok(t)), [['"f"', t, [['"a"', '1', '"a": 1'], ['"b"', '{"c": [true, null]}', '"b": {"c": [true, null]}']]]]);
    const list = '[{"name": "f", "parameters": {"x": "y"}}, {"type": "function", "function": {"name": "g", "arguments": {}}}]';
    const calls = ok(list);
    assert.deepEqual(calls.map((c) => [c.name, c.arguments, cut(list, c.span)]), [
      ['f', { x: 'y' }, '{"name": "f", "parameters": {"x": "y"}}'],
      ['g', {}, '{"type": "function", "function": {"name": "g", "arguments": {}}}'],
    ]);
    assert.match(bad('{"arguments": {}}', 'json').error, /call object has no "name" at offset 0/);
    assert.match(bad('{"name": "f", "arguments": [1]}', 'json').error, /expected the arguments as an object or a JSON string/);
  });

  it('maps spans inside an arguments JSON string back through its escapes', () => {
    const t = '{"name": "f", "arguments": "{\\"a\\": \\"x\\\\ny\\u00e9\\", \\"b\\": [1, 2]}"}';
    const [c] = ok(t, 'json');
    assert.deepEqual(c.arguments, { a: 'x\nyé', b: [1, 2] });
    assert.deepEqual(frags(t, [c])[0], ['"f"', t, [['\\"a\\"', '\\"x\\\\ny\\u00e9\\"', '\\"a\\": \\"x\\\\ny\\u00e9\\"'], ['\\"b\\"', '[1, 2]', '\\"b\\": [1, 2]']]]);
    assert.deepEqual(ok('{"name": "f", "arguments": ""}', 'json')[0].arguments, {});
    const broken = '{"name": "f", "arguments": "{\\"a\\" 1}"}';
    const r = bad(broken, 'json');
    assert.equal(r.offset, broken.indexOf('1')); // inside the string literal
    assert.match(r.error, /^expected ':' after argument name 'a' at offset 35 \(found "1"\)$/);
  });

  it('reads OpenAI tool_calls', () => {
    const t = '[{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\\"city\\": \\"Paris\\"}"}}]';
    assert.equal(detectSyntax(t), 'openai');
    assert.deepEqual(frags(t, ok(t)), [['"get_weather"', t.slice(1, -1), [['\\"city\\"', '\\"Paris\\"', '\\"city\\": \\"Paris\\"']]]]);
  });

  it('reads Hermes blocks with prose, Python dicts and a missing final close tag', () => {
    const t = 'Let me check.\n<tool_call>\n{"name": "f", "arguments": {"a": 1}}\n</tool_call>\n<tool_call>\n{\'name\': \'g\', \'arguments\': {\'b\': True}}';
    assert.equal(detectSyntax(t), 'hermes');
    assert.deepEqual(frags(t, ok(t)), [
      ['"f"', '{"name": "f", "arguments": {"a": 1}}', [['"a"', '1', '"a": 1']]],
      ["'g'", "{'name': 'g', 'arguments': {'b': True}}", [["'b'", 'True', "'b': True"]]],
    ]);
    assert.match(bad('<tool_call>{"name": "f"} oops</tool_call>').error, /expected '<\/tool_call>' after the call at offset 25/);
    assert.deepEqual(ok('no calls here', 'hermes'), []);
  });

  it('reads Glaive calls with single-quoted JSON arguments', () => {
    const t = `ASSISTANT: <functioncall> {"name": "f", "arguments": '{"a": 1, "t": "Rock 'n' roll"}'} <|endoftext|>`;
    assert.equal(detectSyntax(t), 'glaive');
    assert.deepEqual(frags(t, ok(t)), [['"f"', t.slice(26, -14), [['"a"', '1', '"a": 1'], ['"t"', `"Rock 'n' roll"`, `"t": "Rock 'n' roll"`]]]]);
    const esc = `<functioncall> {"name": "f", "arguments": '{\\'a\\': 1}'}`; // Python-escaped instead of verbatim
    assert.deepEqual(frags(esc, ok(esc))[0], ['"f"', esc.slice(15), [["\\'a\\'", '1', "\\'a\\': 1"]]]);
  });
});

describe('detectSyntax', () => {
  it('decides from the text', () => {
    const cases: [string, CallSyntax][] = [
      ['[f(a=1)]', 'python'], ['  \n[]', 'python'], ['pkg.f(x=1)', 'python'], ['```python\nf()\n```', 'python'],
      ['{"name": "f", "arguments": {}}', 'json'], ['[{"name": "f"}]', 'json'], ['```json\n{"name": "f"}\n```', 'json'],
      ['[{"type": "function", "function": {"name": "f", "arguments": "{}"}}]', 'openai'],
      ['x <tool_call>{}</tool_call>', 'hermes'], ['<functioncall> {}', 'glaive'],
      ['Paris (France) is the capital.', 'text'], ['The answer is 42', 'text'], ['', 'text'], ['```\n```', 'text'],
    ];
    for (const [t, s] of cases) assert.equal(detectSyntax(t), s, t);
    assert.deepEqual(parseCalls('The answer is 42'), { ok: true, syntax: 'text', calls: [] });
  });
});

// ---------- BFCL ground truths rendered as model output ----------

/** Python repr-like rendering (single quotes preferred, as Python prints). */
function py(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') {
    const q = v.includes("'") && !v.includes('"') ? '"' : "'";
    let out = q;
    for (const ch of v) {
      if (ch === q || ch === '\\') out += '\\' + ch;
      else if (ch === '\n') out += '\\n';
      else if (ch < ' ') out += '\\x' + ch.charCodeAt(0).toString(16).padStart(2, '0');
      else out += ch;
    }
    return out + q;
  }
  if (Array.isArray(v)) return `[${v.map(py).join(', ')}]`;
  return `{${Object.entries(v as object).map(([k, x]) => `${py(k)}: ${py(x)}`).join(', ')}}`;
}

describe('BFCL ground truths', () => {
  it('render as python call lists and parse back to the same calls', () => {
    const dir = join(BFCL, 'possible_answer');
    let n = 0;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
        if (!line.trim()) continue;
        const rec = JSON.parse(line) as { id: string; ground_truth: Record<string, Record<string, unknown[]>>[] };
        const want = rec.ground_truth.map((c) => {
          const [name, params] = Object.entries(c)[0];
          const args: Record<string, unknown> = {};
          for (const [k, accepted] of Object.entries(params)) {
            const v = accepted.find((x) => x !== '');
            if (v !== undefined) args[k] = v;
          }
          return { name, args };
        });
        const text = `[${want.map((c) => `${c.name}(${Object.entries(c.args).map(([k, v]) => `${k}=${py(v)}`).join(', ')})`).join(', ')}]`;
        assert.equal(detectSyntax(text), 'python', rec.id);
        const calls = ok(text);
        assert.deepEqual(calls.map((c) => ({ name: c.name, args: c.arguments })), want, rec.id);
        for (const c of calls) {
          assert.equal(cut(text, c.nameSpan), c.name);
          for (const a of c.args) {
            assert.equal(cut(text, a.keySpan), a.key);
            assert.equal(cut(text, a.valueSpan), py(a.value), rec.id);
          }
        }
        n++;
      }
    }
    assert.ok(n > 50, `only ${n} ground truths in ${dir}`);
  });
});

// ---------- fuzzing ----------

const ALL: (CallSyntax | undefined)[] = [undefined, 'python', 'json', 'openai', 'hermes', 'glaive', 'text'];

/** The invariants every result keeps, whatever the input. */
function checkResult(text: string, r: ParseResult): void {
  const inBounds = (s: Span, what: string): void => {
    assert.ok(Number.isInteger(s.start) && Number.isInteger(s.end) && s.start >= 0 && s.start <= s.end && s.end <= text.length, `${what} ${JSON.stringify(s)} out of [0, ${text.length}]`);
  };
  if (!r.ok) assert.ok(r.offset >= 0 && r.offset <= text.length && r.error.length > 0, `bad error ${r.error} @${r.offset}`);
  for (const c of r.calls) {
    inBounds(c.span, 'call');
    inBounds(c.nameSpan, 'name');
    assert.ok(c.span.start <= c.nameSpan.start && c.nameSpan.end <= c.span.end, 'name inside call');
    for (const a of c.args) {
      inBounds(a.span, 'arg');
      inBounds(a.keySpan, 'key');
      inBounds(a.valueSpan, 'value');
      assert.ok(a.span.start === a.keySpan.start && a.span.end === a.valueSpan.end && a.keySpan.end <= a.valueSpan.start, 'arg span = key..value');
      assert.ok(c.span.start <= a.span.start && a.span.end <= c.span.end, 'arg inside call');
      if (r.ok) assert.ok(reparses(cut(text, a.valueSpan), a.value), `value ${cut(text, a.valueSpan)} does not re-parse to ${JSON.stringify(a.value)}`);
    }
  }
}

/** A value's text re-parses to the value: directly, or (inside an arguments string) once unescaped. */
function reparses(frag: string, value: unknown): boolean {
  const same = (r: ReturnType<typeof parseValue>): boolean => r.ok && isDeepStrictEqual(r.value, value);
  if (same(parseValue(frag)) || same(parseValue(frag, true))) return true;
  for (const q of ['"', "'"]) {
    const unescaped = parseValue(q + frag + q, true);
    if (unescaped.ok && typeof unescaped.value === 'string' && same(parseValue(unescaped.value, true))) return true;
  }
  return false;
}
function parseAll(text: string): void {
  for (const syn of ALL) checkResult(text, parseCalls(text, syn));
}

const TOKENS = ['[', ']', '(', ')', '{', '}', ',', '=', ':', '"', "'", '\\', '\\"', '\n', ' ', 'f', 'a', 'pkg.g', '1', '-2.5e3', '_', '.', 'True', 'None',
  '"""', 'x=', '**', '"name"', '"arguments"', '"function"', '<tool_call>', '</tool_call>', '<functioncall>', '```', '\\u00e9', '\\x', 'é', '\u{1F600}'];

describe('fuzzing', () => {
  it('random strings: no throw, spans in bounds', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 80 }), parseAll), { numRuns: 1500 });
    fc.assert(fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }).map((a) => a.join('')), parseAll), { numRuns: 3000 });
  });

  it('large and pathological inputs finish in linear time', () => {
    const big = [
      '['.repeat(1e6), '{"a":'.repeat(2e5), `[f(a=${'"x'.repeat(5e5)}`, '<tool_call>'.repeat(1e5), `<functioncall> {"name": "f", "arguments": '${'{"a": 1'.repeat(1e5)}`,
      'f(a=1), '.repeat(1e5), '`'.repeat(1e5), `${'a '.repeat(5e5)}(`, `[${'a '.repeat(5e5)}`, `[f(a="${'\\n'.repeat(3e5)}")]`, `{"name": "f", "arguments": "${'\\"'.repeat(3e5)}"}`,
    ];
    for (const t of big) {
      const t0 = performance.now();
      parseAll(t);
      assert.ok(performance.now() - t0 < 3000, `${t.slice(0, 30)}... took ${performance.now() - t0} ms`);
    }
  });

  it('mutated valid calls: no throw, spans in bounds, values re-parse', () => {
    const mutation = fc.tuple(fc.nat(), fc.nat(3), fc.constantFrom(...TOKENS));
    fc.assert(
      fc.property(printedCalls, fc.array(mutation, { minLength: 1, maxLength: 4 }), ({ text }, muts) => {
        let t = text;
        for (const [pos, op, tok] of muts) {
          const i = pos % (t.length + 1);
          if (op === 0) t = t.slice(0, i) + t.slice(i + 1 + (pos % 3)); // delete
          else if (op === 1) t = t.slice(0, i) + tok + t.slice(i); // insert
          else if (op === 2) t = t.slice(0, i) + tok + t.slice(i + 1); // replace
          else t = t.slice(0, i); // truncate
        }
        parseAll(t);
      }),
      { numRuns: 1500 },
    );
  });
});

// ---------- print → parse property ----------

interface Expect { name: string; nameSpan: Span; span: Span; args: { key: string; value: unknown; keySpan: Span; valueSpan: Span; span: Span }[] }

/** Appends fragments, recording where each lands. */
class Builder {
  t = '';
  put(s: string): Span {
    const start = this.t.length;
    this.t += s;
    return { start, end: this.t.length };
  }
}
const join2 = (a: Span, b: Span): Span => ({ start: a.start, end: b.end });
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

type GenCall = { name: string; args: [string, unknown][] };
type Style = 'python' | 'json' | 'openai' | 'hermes' | 'hermes-py' | 'glaive';

/** Writes a JSON (or Python-dict) object of arguments into `b`, collecting the spans. */
function writeArgs(b: Builder, args: [string, unknown][], lit: (v: unknown) => string, out: Expect['args']): void {
  b.put('{');
  args.forEach(([k, v], i) => {
    if (i) b.put(', ');
    const keySpan = b.put(lit(k));
    b.put(': ');
    const valueSpan = b.put(lit(v));
    out.push({ key: k, value: v, keySpan, valueSpan, span: join2(keySpan, valueSpan) });
  });
  b.put('}');
}

function print(calls: GenCall[], style: Style, bare: boolean): { text: string; expect: Expect[] } {
  const b = new Builder();
  const expect: Expect[] = [];
  const json = (v: unknown): string => JSON.stringify(v);
  if (style === 'python') {
    if (!bare) b.put('[');
    calls.forEach((c, i) => {
      if (i) b.put(', ');
      const e: Expect = { name: c.name, nameSpan: b.put(c.name), span: { start: 0, end: 0 }, args: [] };
      b.put('(');
      const named = c.args.filter(([k]) => IDENT.test(k));
      const other = c.args.filter(([k]) => !IDENT.test(k));
      named.forEach(([k, v], j) => {
        if (j) b.put(', ');
        const keySpan = b.put(k);
        b.put('=');
        const valueSpan = b.put(py(v));
        e.args.push({ key: k, value: v, keySpan, valueSpan, span: join2(keySpan, valueSpan) });
      });
      if (other.length) {
        b.put(named.length ? ', **' : '**');
        writeArgs(b, other, py, e.args);
      }
      e.span = join2(e.nameSpan, b.put(')'));
      expect.push(e);
    });
    if (!bare) b.put(']');
    return { text: b.t, expect };
  }
  const lit = style === 'hermes-py' ? py : json;
  calls.forEach((c, i) => {
    if (style === 'hermes' || style === 'hermes-py') b.put(i ? '\n<tool_call>\n' : 'Calling.\n<tool_call>\n');
    else if (style === 'glaive') b.put(i ? ' <|endoftext|>\n<functioncall> ' : '<functioncall> ');
    else b.put(i ? ', ' : bare ? '' : '[');
    const start = b.put(style === 'openai' ? '{"id": "call_1", "type": "function", "function": {"name": ' : `{${lit('name')}: `);
    const e: Expect = { name: c.name, nameSpan: b.put(lit(c.name)), span: start, args: [] };
    b.put(`, ${lit('arguments')}: `);
    if (style === 'openai' || style === 'glaive') {
      // The arguments are JSON text inside a string: write it, then escape it code point by code point
      // (OpenAI: a JSON string; Glaive: verbatim between single quotes), mapping every offset.
      const inner = new Builder();
      const innerArgs: Expect['args'] = [];
      writeArgs(inner, c.args, json, innerArgs);
      const base = b.put(style === 'openai' ? '"' : "'").end;
      const map: number[] = [];
      let acc = '';
      for (const ch of inner.t) {
        for (let u = 0; u < ch.length; u++) map.push(base + acc.length);
        acc += style === 'openai' ? JSON.stringify(ch).slice(1, -1) : ch;
      }
      map.push(base + acc.length);
      const m = (s: Span): Span => ({ start: map[s.start], end: map[s.end] });
      for (const a of innerArgs) e.args.push({ ...a, keySpan: m(a.keySpan), valueSpan: m(a.valueSpan), span: m(a.span) });
      b.put(acc + (style === 'openai' ? '"' : "'"));
    } else {
      writeArgs(b, c.args, lit, e.args);
    }
    e.span = join2(start, b.put(style === 'openai' ? '}}' : '}'));
    expect.push(e);
    if (style === 'hermes' || style === 'hermes-py') b.put('\n</tool_call>');
  });
  if (style === 'json' && !bare) b.put(calls.length ? ']' : '[]');
  if (style === 'openai') b.put(calls.length ? ']' : '[]');
  if (style === 'glaive') b.put(' <|endoftext|>');
  return { text: b.t, expect };
}

const name = fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}(\.[a-z_][a-z0-9_]{0,8})?$/);
const key = fc.oneof(fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/), fc.string({ unit: 'binary', maxLength: 6 }));
/** String chars: those every syntax must escape or that look like syntax, plus any UTF-16 unit. */
const unit = fc.oneof(
  fc.constantFrom('"', "'", '\\', '\n', '\r', '\t', '/', ' ', 'a', 'é', '\u2028', '\u{1F600}', '{', '}', '[', ',', ':', '=', '(', ')', '<tool_call>', '\x00'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
/** JSON values (via JSON so -0 becomes 0: no syntax writes -0 back distinctly from 0). */
const value = fc.jsonValue({ maxDepth: 3, stringUnit: unit }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);
const genCalls = fc.array(fc.record({ name, args: fc.uniqueArray(fc.tuple(key, value), { selector: (t) => t[0], maxLength: 4 }) }), { minLength: 1, maxLength: 3 });
const style = fc.constantFrom<Style>('python', 'json', 'openai', 'hermes', 'hermes-py', 'glaive');
const printedCalls = fc.tuple(genCalls, style, fc.boolean(), fc.boolean()).map(([calls, s, bare, fence]) => {
  const printed = print(calls, s, bare && calls.length === 1 && s !== 'openai');
  if (!fence || s === 'hermes' || s === 'hermes-py' || s === 'glaive') return { ...printed, calls, style: s };
  // A code fence around the whole answer: spans shift but still index the full text.
  const head = s === 'python' ? '```python\n' : '```json\n';
  const shift = (sp: Span): Span => ({ start: sp.start + head.length, end: sp.end + head.length });
  const expect = printed.expect.map((e) => ({ ...e, nameSpan: shift(e.nameSpan), span: shift(e.span), args: e.args.map((a) => ({ ...a, keySpan: shift(a.keySpan), valueSpan: shift(a.valueSpan), span: shift(a.span) })) }));
  return { text: `${head}${printed.text}\n\`\`\`\n`, expect, calls, style: s };
});

describe('print → parse property', () => {
  it('calls printed in every syntax parse back to the same calls and the printed fragments', () => {
    fc.assert(
      fc.property(printedCalls, ({ text, expect, calls, style: s }) => {
        const syntax: CallSyntax = s === 'hermes-py' ? 'hermes' : s;
        const r = parseCalls(text, syntax);
        assert.ok(r.ok, `${r.ok ? '' : r.error}\n${text}`);
        assert.deepEqual(r.calls.map((c) => ({ name: c.name, nameSpan: c.nameSpan, span: c.span, args: c.args })), expect);
        assert.deepEqual(r.calls.map((c) => c.arguments), calls.map((c) => Object.fromEntries(c.args)));
        checkResult(text, r);
        if (calls.length > 0 && s !== 'json' && s !== 'openai') assert.equal(detectSyntax(text), syntax);
      }),
      { numRuns: 1500 },
    );
  });
});
