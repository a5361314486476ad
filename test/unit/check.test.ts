// The AST checker against the whole BFCL sample: every ground truth rendered as an output is valid,
// and one perturbation per error kind is invalid with exactly that kind, pointing at exactly the
// perturbed text. Then BFCL's leniencies, reference mode on the demo datasets, and the score.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { Dataset } from '../../src/core/dataset/dataset';
import { referenceTurn, type PossibleAnswer, type Sample, type ToolCall, type ToolDef } from '../../src/core/dataset/sample';
import { assign } from '../../src/core/toolcall/check/assign';
import { bfclCategory, checkOutput, expectationFor, type Expectation } from '../../src/core/toolcall/check/index';
import type { ErrorKind, Span, Verdict } from '../../src/core/toolcall/types';

const ROOT = resolve(__dirname, '..', '..');
const DEMO = join(ROOT, 'demo', 'datasets');
const BFCL = [process.env.BFCL_DATA, join(ROOT, '..', 'shared', 'data', 'bfcl'), join(DEMO, 'bfcl')].find((d) => d && existsSync(d))!;

// ---- rendering calls with known offsets ------------------------------------------------------------

function py(v: unknown): string {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string' || typeof v === 'number') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(py).join(', ')}]`;
  return `{${Object.entries(v as object).map(([k, x]) => `${JSON.stringify(k)}: ${py(x)}`).join(', ')}}`;
}

interface RCall {
  name: string;
  args: [key: string, literal: string][];
}
interface Rendered {
  text: string;
  calls: { span: Span; nameSpan: Span; args: { span: Span; valueSpan: Span }[] }[];
}

/** `[f(a=1, b="x"), g()]`, with the offsets of every call, name, argument and value. */
function render(calls: RCall[]): Rendered {
  let text = '[';
  const out: Rendered['calls'] = [];
  calls.forEach((c, i) => {
    if (i) text += ', ';
    const start = text.length;
    text += `${c.name}(`;
    const args: Rendered['calls'][number]['args'] = [];
    c.args.forEach(([k, lit], j) => {
      if (j) text += ', ';
      const a = text.length;
      text += `${k}=`;
      const v = text.length;
      text += lit;
      args.push({ span: { start: a, end: text.length }, valueSpan: { start: v, end: text.length } });
    });
    text += ')';
    out.push({ span: { start, end: text.length }, nameSpan: { start, end: start + c.name.length }, args });
  });
  return { text: `${text}]`, calls: out };
}

const slice = (text: string, s: Span | undefined): string | undefined => (s ? text.slice(s.start, s.end) : undefined);
const std = (s: string): string => s.replace(/[ ,./\-_*^]/g, '').toLowerCase().replace(/'/g, '"');

// ---- BFCL ground truths ------------------------------------------------------------------------------

function firstAccepted(acc: unknown[]): { v: unknown } | undefined {
  const i = acc.findIndex((a) => a !== '');
  return i < 0 ? undefined : { v: resolveAccepted(acc[i]) };
}
function resolveAccepted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(resolveAccepted);
  if (v && typeof v === 'object' && Object.values(v).every(Array.isArray)) {
    const o: Record<string, unknown> = {};
    for (const [k, a] of Object.entries(v)) {
      const f = firstAccepted(a as unknown[]);
      if (f) o[k] = f.v;
    }
    return o;
  }
  return v;
}

type Props = Record<string, { type?: string; items?: { type?: string } }>;
interface GtCall extends RCall {
  accepted: Record<string, unknown[]>;
  props: Props;
  required: string[];
}

/**
 * The ground truth as calls: each parameter at its first accepted non-"" value; a parameter with
 * only "" is left out (written as "" when the function requires it), and so is an omittable one the
 * function does not declare (BFCL would call it unexpected).
 */
function groundTruthCalls(gt: PossibleAnswer[], tools: ToolDef[]): GtCall[] {
  return gt.map((entry) => {
    const [name, accepted] = Object.entries(entry)[0];
    const params = (tools.find((t) => t.name === name)?.parameters ?? {}) as { properties?: Props; required?: string[] };
    const props = params.properties ?? {};
    const required = params.required ?? [];
    const args: [string, string][] = [];
    for (const [k, acc] of Object.entries(accepted)) {
      const f = firstAccepted(acc);
      if (f && !(acc.includes('') && !(k in props))) args.push([k, py(f.v)]);
      else if (!f && required.includes(k)) args.push([k, '""']);
    }
    return { name, args, accepted, props, required };
  });
}

/**
 * Ground truths BFCL's own rules reject (data errors in the answer files): a parameter whose
 * accepted list is empty, or one the function does not declare and that may not be omitted.
 */
function unsatisfiable(calls: GtCall[]): ErrorKind | undefined {
  for (const c of calls) {
    for (const [k, acc] of Object.entries(c.accepted)) {
      if (acc.length === 0) return 'wrong_type';
      if (!(k in c.props) && !acc.includes('')) return 'unexpected_param';
    }
  }
  return undefined;
}

interface BfclCase {
  sample: Sample;
  exp: Expectation;
  calls: GtCall[];
}

async function loadBfcl(file: string): Promise<BfclCase[]> {
  const ds = await Dataset.open(join(BFCL, file));
  const out: BfclCase[] = [];
  try {
    await ds.scan((i, text) =>
      ds.fromText(i, text).then((r) => {
        assert.ok(r.ok, `${file} record ${i}: ${r.ok ? '' : r.reason}`);
        const exp = expectationFor(r.sample);
        out.push({ sample: r.sample, exp, calls: r.sample.possibleAnswers ? groundTruthCalls(r.sample.possibleAnswers, r.sample.tools) : [] });
      }),
    );
  } finally {
    await ds.close();
  }
  return out;
}

/** Asserts a verdict holds exactly one error, of `kind`, whose span covers exactly `text` (undefined: no span). */
function expectOne(v: Verdict, output: string, kind: ErrorKind, text: string | undefined, where: string): void {
  assert.equal(v.valid, false, `${where}: should be invalid\n${output}`);
  assert.deepEqual(
    v.errors.map((e) => [e.kind, slice(output, e.span)]),
    [[kind, text]],
    `${where}: ${v.errors.map((e) => e.message).join(' | ')}\n${output}`,
  );
  assert.ok(v.score < 1 && v.score >= -1, `${where}: score ${v.score}`);
}

const pyType = (v: unknown): string => (v === null ? 'none' : Array.isArray(v) ? 'list' : typeof v === 'number' ? (Number.isInteger(v) ? 'int' : 'float') : typeof v);

/** A literal for `key` that BFCL does not accept but that has the declared type, or undefined. */
function otherValue(c: GtCall, key: string, value: unknown): string | undefined {
  const acc = c.accepted[key];
  const type = c.props[key]?.type;
  if (typeof value === 'string') return acc.some((a) => typeof a === 'string' && std(a) === std(`zqx${value}`)) ? undefined : py(`zqx${value}`);
  if (typeof value === 'number' && type === 'integer') return acc.includes(value + 7919) ? undefined : String(value + 7919);
  if (typeof value === 'number' && type === 'float') {
    const x = value + 0.5;
    return acc.includes(x) ? undefined : Number.isInteger(x) ? `${x}.0` : String(x);
  }
  if (typeof value === 'boolean' && type === 'boolean') return acc.includes(!value) ? undefined : py(!value);
  return undefined;
}

/** A literal of another type than `key` declares, which is not the accepted values' own type either. */
function otherType(c: GtCall, key: string): string | undefined {
  const type = c.props[key]?.type;
  const first = firstAccepted(c.accepted[key])?.v;
  if (type === 'string') return pyType(first) === 'int' ? undefined : '12345';
  if (type === 'integer' || type === 'float' || type === 'boolean' || type === 'array' || type === 'dict') return typeof first === 'string' ? undefined : '"zqx"';
  return undefined;
}

const withArgs = (calls: RCall[], i: number, args: RCall['args']): RCall[] => calls.map((c, k) => (k === i ? { ...c, args } : c));
const valueOf = (lit: string): unknown => JSON.parse(lit.replace(/\bNone\b/g, 'null').replace(/\bTrue\b/g, 'true').replace(/\bFalse\b/g, 'false'));

describe('checker on BFCL data', async () => {
  const files = readdirSync(BFCL).filter((f) => /^BFCL_v\d+_.*\.json$/.test(f)).sort();
  assert.ok(files.length >= 4, `BFCL data in ${BFCL}`);
  const counts = new Map<string, number>();
  const bump = (k: string) => counts.set(k, (counts.get(k) ?? 0) + 1);

  for (const file of files) {
    const cases = await loadBfcl(file);
    const irrelevance = /irrelevance/.test(file);

    it(`${file}: categories and expectations (${cases.length} samples)`, () => {
      for (const { sample, exp } of cases) {
        assert.ok(bfclCategory(sample.id), sample.id);
        assert.equal(exp.kind, irrelevance ? 'no_call' : 'bfcl', sample.id);
      }
    });

    if (irrelevance) {
      it(`${file}: a text answer is valid, any call is should_not_call on that call`, () => {
        for (const { sample, exp } of cases) {
          const text = checkOutput('I cannot help with that: none of the functions fits.', exp);
          assert.deepEqual([text.valid, text.errors, text.score], [true, [], 1], sample.id);
          // The first listed function with its required parameters (some samples list none: a made-up one).
          const tool = sample.tools[0] ?? { name: 'lookup' };
          const req = ((tool.parameters as { required?: string[] } | undefined)?.required ?? []).map((k): [string, string] => [k, '"x"']);
          const r = render([{ name: tool.name, args: req }]);
          const v = checkOutput(r.text, exp);
          expectOne(v, r.text, 'should_not_call', slice(r.text, r.calls[0].span), sample.id);
          assert.equal(v.score, -1);
          bump('should_not_call');
        }
      });
      continue;
    }

    it(`${file}: every ground truth rendered as an output is valid`, () => {
      let rejected = 0;
      for (const { sample, exp, calls } of cases) {
        const out = render(calls).text;
        const v = checkOutput(out, exp);
        const bad = unsatisfiable(calls);
        if (bad) {
          // BFCL itself rejects these answers; the checker must agree, with the kind BFCL names.
          assert.equal(v.valid, false, sample.id);
          assert.ok(v.errors.some((e) => e.kind === bad), `${sample.id}: ${v.errors.map((e) => e.kind)}`);
          rejected++;
          continue;
        }
        assert.deepEqual([v.valid, v.errors.map((e) => e.message), v.score], [true, [], 1], `${sample.id}\n${out}`);
        bump('valid');
      }
      assert.ok(rejected <= 4, `${rejected} unsatisfiable ground truths`);
    });

    it(`${file}: one perturbation per error kind is invalid with that kind and span`, () => {
      for (const { sample, exp, calls } of cases) {
        if (unsatisfiable(calls)) continue;
        const id = sample.id;
        const base = render(calls);
        const check = (rc: RCall[]) => {
          const r = render(rc);
          return { r, v: checkOutput(r.text, exp) };
        };
        // wrong_value: the first argument that can take an unaccepted value of its own type.
        const wv = calls.flatMap((c, i) => c.args.map(([k, lit], j) => ({ i, j, k, lit: otherValue(c, k, valueOf(lit)) }))).find((x) => x.lit);
        if (wv) {
          const { r, v } = check(withArgs(calls, wv.i, calls[wv.i].args.map((a, j) => (j === wv.j ? [a[0], wv.lit!] : a))));
          expectOne(v, r.text, 'wrong_value', wv.lit, `${id} wrong_value ${wv.k}`);
          assert.equal(v.errors[0].param, wv.k);
          bump('wrong_value');
        }
        // wrong_type: a value of another type.
        const wt = calls.flatMap((c, i) => c.args.map(([k], j) => ({ i, j, k, lit: otherType(c, k) }))).find((x) => x.lit);
        if (wt) {
          const { r, v } = check(withArgs(calls, wt.i, calls[wt.i].args.map((a, j) => (j === wt.j ? [a[0], wt.lit!] : a))));
          expectOne(v, r.text, 'wrong_type', wt.lit, `${id} wrong_type ${wt.k}`);
          bump('wrong_type');
        }
        // missing_required_param: drop an argument that must be written; the span is the call.
        const mr = calls.flatMap((c, i) => c.args.map(([k], j) => ({ i, j, k, must: c.required.includes(k) || !c.accepted[k]?.includes('') }))).find((x) => x.must);
        if (mr) {
          const { r, v } = check(withArgs(calls, mr.i, calls[mr.i].args.filter((_, j) => j !== mr.j)));
          expectOne(v, r.text, 'missing_required_param', slice(r.text, r.calls[mr.i].span), `${id} missing ${mr.k}`);
          assert.equal(v.errors[0].param, mr.k);
          bump('missing_required_param');
        }
        // unexpected_param: an invented argument; the span is the whole `key=value`.
        {
          const { r, v } = check(withArgs(calls, 0, [...calls[0].args, ['zz_invented', '"zqx"']]));
          expectOne(v, r.text, 'unexpected_param', 'zz_invented="zqx"', `${id} unexpected`);
          bump('unexpected_param');
        }
        // wrong_function: a renamed function, and another function of the tool list.
        {
          const { r, v } = check(calls.map((c, i) => (i === 0 ? { ...c, name: `${c.name}_zz` } : c)));
          expectOne(v, r.text, 'wrong_function', `${calls[0].name}_zz`, `${id} renamed`);
          bump('wrong_function');
          const other = sample.tools.find((t) => !calls.some((c) => c.name === t.name));
          if (other) {
            const o = check(calls.map((c, i) => (i === 0 ? { ...c, name: other.name } : c)));
            expectOne(o.v, o.r.text, 'wrong_function', other.name, `${id} other function`);
            bump('wrong_function_other');
          }
        }
        // wrong_call_count: a duplicated call (the copy is the extra one), a dropped call (no span).
        {
          const { r, v } = check([...calls, calls[0]]);
          expectOne(v, r.text, 'wrong_call_count', slice(base.text, base.calls[0].span), `${id} duplicate`);
          assert.equal(v.errors[0].span!.start, r.calls[calls.length].span.start);
          bump('wrong_call_count');
          if (calls.length > 1) {
            const d = check(calls.slice(0, -1));
            expectOne(d.v, d.r.text, 'wrong_call_count', undefined, `${id} dropped`);
            bump('wrong_call_count_dropped');
          }
        }
        // parse_error: truncated (breaks at the end), and a stray character (breaks on it).
        {
          const cut = base.text.slice(0, -2);
          expectOne(checkOutput(cut, exp), cut, 'parse_error', '', `${id} truncated`);
          const at = base.calls[0].nameSpan.end + 1;
          const stray = `${base.text.slice(0, at)}@${base.text.slice(at)}`;
          const v = checkOutput(stray, exp);
          expectOne(v, stray, 'parse_error', '@', `${id} stray`);
          assert.equal(v.score, -1);
          bump('parse_error');
        }
        // should_call: text where a call is expected; nothing was written, so no span.
        {
          const v = checkOutput('Sorry, I cannot do that.', exp);
          expectOne(v, '', 'should_call', undefined, `${id} text`);
          assert.equal(v.score, -1);
          bump('should_call');
        }
      }
    });

    it(`${file}: BFCL leniencies — string standardisation, int for float, call order, omitted "" params`, () => {
      for (const { sample, exp, calls } of cases) {
        if (unsatisfiable(calls)) continue;
        // Case, spaces and , . / - _ * ^ do not matter in strings (ASCII values, so case maps 1:1).
        const loud = calls.map((c) => ({
          ...c,
          args: c.args.map(([k, lit]): [string, string] => {
            const v = valueOf(lit);
            return typeof v === 'string' && /^[\x20-\x7e]+$/.test(v) && c.props[k]?.type === 'string' ? [k, py(`${v.toUpperCase().replace(/ /g, '_')}.`)] : [k, lit];
          }),
        }));
        assert.equal(checkOutput(render(loud).text, exp).valid, true, `${sample.id} standardised\n${render(loud).text}`);
        // An integral float written as an int.
        for (const c of calls) for (const [k, lit] of c.args) if (c.props[k]?.type === 'float' && /^-?\d+$/.test(lit)) bump('int_for_float');
        // Any order of parallel calls.
        if (calls.length > 1) {
          assert.equal(checkOutput(render([...calls].reverse()).text, exp).valid, true, `${sample.id} reversed`);
          bump('reordered');
        }
        // Parameters that may be omitted ("" accepted), left out.
        const lean = calls.map((c) => ({ ...c, args: c.args.filter(([k]) => c.required.includes(k) || !c.accepted[k]?.includes('')) }));
        if (lean.some((c, i) => c.args.length < calls[i].args.length)) {
          assert.equal(checkOutput(render(lean).text, exp).valid, true, `${sample.id} lean\n${render(lean).text}`);
          bump('optional_omitted');
        }
      }
    });
  }

  it('exercised every error kind and leniency', (t) => {
    t.diagnostic(JSON.stringify(Object.fromEntries(counts)));
    const need = ['valid', 'wrong_value', 'wrong_type', 'missing_required_param', 'unexpected_param', 'wrong_function', 'wrong_function_other', 'wrong_call_count', 'wrong_call_count_dropped', 'parse_error', 'should_call', 'should_not_call', 'int_for_float', 'reordered', 'optional_omitted'];
    for (const k of need) assert.ok((counts.get(k) ?? 0) > 0, `${k}: ${counts.get(k) ?? 0}`);
  });
});

// ---- BFCL rules in detail ------------------------------------------------------------------------------

const tool = (name: string, props: Record<string, unknown>, required: string[] = Object.keys(props)): ToolDef => ({ name, parameters: { type: 'dict', properties: props, required } });
const bfcl = (gt: PossibleAnswer[], tools: ToolDef[], category: 'simple' | 'parallel' = 'simple'): Expectation => ({ kind: 'bfcl', category, possibleAnswers: gt, tools });

describe('BFCL rules', () => {
  const weather = tool('get_weather', { city: { type: 'string' }, unit: { type: 'string' }, days: { type: 'integer' }, ratio: { type: 'float' }, tags: { type: 'array', items: { type: 'string' } } }, ['city']);
  const exp = bfcl([{ get_weather: { city: ['San Francisco, CA'], unit: ['', 'celsius'], days: ['', 3], ratio: ['', 2.0], tags: ['', ['a b', 'C']] } }], [weather]);

  it('accepts standardised strings, int for float, omitted "" params, lists with standardised strings', () => {
    for (const out of ['[get_weather(city="san francisco ca")]', "[get_weather(city='SAN-FRANCISCO,CA', unit='Celsius', days=3, ratio=2)]", '[get_weather(city="San Francisco, CA", ratio=2.0, tags=["AB", "c"])]']) {
      assert.deepEqual(checkOutput(out, exp).errors, [], out);
    }
  });

  it('a float literal is not an integer, a bool is not a string; None is accepted only where listed', () => {
    const v = checkOutput('[get_weather(city="SF", days=3.0)]', exp);
    assert.deepEqual(v.errors.map((e) => e.kind).sort(), ['wrong_type', 'wrong_value']);
    assert.equal(checkOutput('[get_weather(city=True)]', exp).errors[0].kind, 'wrong_type');
    const none = bfcl([{ f: { n: [null, ''] } }], [tool('f', { n: { type: 'integer' } }, [])]);
    assert.equal(checkOutput('[f(n=None)]', none).valid, true);
    assert.equal(checkOutput('[f()]', none).valid, true);
  });

  it('a param the function declares but the answer does not list is unexpected; a listed one without "" is needed', () => {
    const v = checkOutput('[get_weather(city="San Francisco, CA", humidity=1)]', exp);
    assert.deepEqual(v.errors.map((e) => [e.kind, e.param]), [['unexpected_param', 'humidity']]);
    const e2 = bfcl([{ f: { a: [1], b: [2] } }], [tool('f', { a: { type: 'integer' }, b: { type: 'integer' } }, ['a'])]);
    assert.deepEqual(checkOutput('[f(a=1)]', e2).errors.map((e) => [e.kind, e.param]), [['missing_required_param', 'b']]);
  });

  it('dicts key by key, lists of dicts in order', () => {
    const t = tool('order', { prefs: { type: 'dict' }, items: { type: 'array', items: { type: 'dict' } } }, []);
    const e = bfcl([{ order: { prefs: [{ size: ['large'], milk: ['', 'oat'] }], items: ['', [{ n: ['a'] }, { n: ['b'] }]] } }], [t]);
    assert.equal(checkOutput('[order(prefs={"size": "Large"}, items=[{"n": "a"}, {"n": "b"}])]', e).valid, true);
    const v = checkOutput('[order(prefs={"size": "small"})]', e);
    assert.deepEqual(v.errors.map((x) => x.message), ['`prefs`: key "size": expected "large", got "small"']);
    assert.equal(checkOutput('[order(prefs={"size": "large"}, items=[{"n": "b"}, {"n": "a"}])]', e).errors[0].kind, 'wrong_value');
  });

  it('messages name param, expected and got', () => {
    const v = checkOutput('[get_weather(city="SF", unit="kelvin")]', bfcl([{ get_weather: { city: ['SF'], unit: ['celsius'] } }], [weather]));
    assert.equal(v.errors[0].message, '`unit`: expected "celsius", got "kelvin"');
    assert.deepEqual([v.errors[0].function, v.errors[0].param, v.errors[0].expected, v.errors[0].got], ['get_weather', 'unit', 'celsius', 'kelvin']);
  });

  it('parallel: order-insensitive, errors attributed to the closest call', () => {
    const e = bfcl([{ get_weather: { city: ['Paris'], days: [1] } }, { get_weather: { city: ['Rome'], days: [2] } }, { get_weather: { city: ['Oslo'], days: [3] } }], [weather], 'parallel');
    const out = '[get_weather(city="Oslo", days=3), get_weather(city="Paris", days=1), get_weather(city="Rome", days=9)]';
    const v = checkOutput(out, e);
    assert.deepEqual(v.errors.map((x) => [x.kind, x.param, slice(out, x.span)]), [['wrong_value', 'days', '9']]);
  });

  it('categories from ids', () => {
    const ids: [string, string | undefined][] = [
      ['simple_python_12', 'simple'],
      ['multiple_3', 'multiple'],
      ['parallel_7', 'parallel'],
      ['parallel_multiple_3', 'parallel_multiple'],
      ['irrelevance_9', 'irrelevance'],
      ['live_simple_7-3-0', 'live_simple'],
      ['live_multiple_1-0-1', 'live_multiple'],
      ['live_parallel_2-1-0', 'live_parallel'],
      ['live_parallel_multiple_0-0-0', 'live_parallel_multiple'],
      ['live_irrelevance_0-0-0', 'live_irrelevance'],
      ['my_sample', undefined],
    ];
    for (const [id, c] of ids) assert.equal(bfclCategory(id), c, id);
  });
});

// ---- BFCL Java and JavaScript ------------------------------------------------------------------------
//
// BFCL judges a Java or JavaScript argument as its source text converted by the declared type
// (values.ts explains; deviations named there). The real records: test/fixtures/datasets/bfcl.

const FIXTURES = join(ROOT, 'test', 'fixtures', 'datasets', 'bfcl');

/** A JSON value with the text it was written as, so that an answer's `30.0` is rendered as `30.0`, not `30`. */
interface RawJson {
  text: string;
  items?: RawJson[];
  entries?: [string, RawJson][];
}
function rawJson(s: string): RawJson {
  let i = 0;
  const ws = () => {
    while (i < s.length && /\s/.test(s[i])) i++;
  };
  const value = (): RawJson => {
    ws();
    const start = i;
    if (s[i] === '[' || s[i] === '{') {
      const close = s[i] === '[' ? ']' : '}';
      const items: RawJson[] = [];
      const entries: [string, RawJson][] = [];
      i++;
      ws();
      while (s[i] !== close) {
        if (close === '}') {
          const k = value();
          ws();
          i++; // ':'
          entries.push([JSON.parse(k.text) as string, value()]);
        } else items.push(value());
        ws();
        if (s[i] === ',') i++;
        ws();
      }
      i++;
      return close === ']' ? { text: s.slice(start, i), items } : { text: s.slice(start, i), entries };
    }
    if (s[i] === '"') {
      for (i++; s[i] !== '"'; i++) if (s[i] === '\\') i++;
      i++;
    } else while (i < s.length && !/[\s,\]}]/.test(s[i])) i++;
    return { text: s.slice(start, i) };
  };
  return value();
}

/** An accepted value as output text: JSON literals are read by the call grammar; `{k: [accepted]}` dicts take their first value. */
function acceptedText(v: RawJson): string {
  if (v.items) return `[${v.items.map(acceptedText).join(', ')}]`;
  if (!v.entries) return v.text;
  const isAccepted = v.entries.every(([, x]) => x.items);
  const parts = v.entries.flatMap(([k, x]) => {
    const first = isAccepted ? x.items!.find((a) => a.text !== '""') : x;
    return first ? [`${JSON.stringify(k)}: ${acceptedText(first)}`] : [];
  });
  return `{${parts.join(', ')}}`;
}

/**
 * Every accepted value of every record as an output: the first accepted value of every parameter,
 * then one output per other accepted value of each parameter ("" = the parameter left out).
 */
function everyAccepted(answerLine: string): { id: string; outputs: string[] } {
  const rec = rawJson(answerLine).entries!;
  const id = JSON.parse(rec.find(([k]) => k === 'id')![1].text) as string;
  const entry = rec.find(([k]) => k === 'ground_truth')![1].items![0].entries![0];
  const [fn, params] = [entry[0], entry[1].entries!];
  const firsts = params.map(([, acc]) => acc.items!.findIndex((a) => a.text !== '""'));
  const call = (over: number, choice: number) =>
    `[${fn}(${params
      .flatMap(([k, acc], p) => {
        const c = p === over ? choice : firsts[p];
        return c < 0 || acc.items![c].text === '""' ? [] : [`${k}=${acceptedText(acc.items![c])}`];
      })
      .join(', ')})]`;
  const outputs = [call(-1, -1)];
  params.forEach(([, acc], p) => acc.items!.forEach((_, c) => c !== firsts[p] && outputs.push(call(p, c))));
  return { id, outputs };
}

describe('BFCL Java and JavaScript: values as BFCL reads them', () => {
  for (const [file, records] of [['BFCL_v4_simple_java.json', 100], ['BFCL_v4_simple_javascript.json', 50]] as const) {
    it(`${file}: every accepted value of every record, rendered as an output, is valid (${records} records)`, async () => {
      const ds = await Dataset.open(join(FIXTURES, file));
      const byId = new Map<string, Sample>();
      try {
        for (let i = 0; i < ds.count; i++) {
          const r = await ds.sample(i);
          if (r.ok) byId.set(r.sample.id, r.sample);
        }
      } finally {
        await ds.close();
      }
      const answers = readFileSync(join(FIXTURES, 'possible_answer', file), 'utf8').split('\n').filter((l) => l.trim());
      assert.equal(answers.length, records);
      let valid = 0;
      const bad: string[] = [];
      for (const line of answers) {
        const { id, outputs } = everyAccepted(line);
        const exp = expectationFor(byId.get(id)!);
        assert.equal(exp.kind === 'bfcl' && exp.language, file.includes('javascript') ? 'javascript' : 'java', id);
        const wrong = outputs.map((o) => [o, checkOutput(o, exp)] as const).filter(([, v]) => !v.valid);
        if (wrong.length === 0) valid++;
        for (const [o, v] of wrong) bad.push(`${id}: ${o} -> ${v.errors.map((e) => e.message).join('; ')}`);
      }
      assert.deepEqual(bad, []);
      assert.equal(valid, records);
    });
  }

  it('simple_java_62: `to=30.0` (an `any` answered 30.0 or "30.0") is valid, as BFCL judges it', async () => {
    const ds = await Dataset.open(join(FIXTURES, 'BFCL_v4_simple_java.json'));
    let sample: Sample | undefined;
    try {
      for (let i = 0; i < ds.count && !sample; i++) {
        const r = await ds.sample(i);
        if (r.ok && r.sample.id === 'simple_java_62') sample = r.sample;
      }
    } finally {
      await ds.close();
    }
    assert.deepEqual(sample!.possibleAnswers![0].dvRangeQuery.to, [30, '30.0']);
    const exp = expectationFor(sample!);
    const out = (to: string, rest = 'includeFrom=true, includeTo=false') => `[dvRangeQuery(field="temperature", queryType="FLOAT", from=20.5, to=${to}, ${rest})]`;
    // BFCL reads all of these as the text "30.0".
    for (const to of ['30.0', '"30.0"', "'30.0'"]) assert.deepEqual(checkOutput(out(to), exp).errors, [], to);
    // The number 30 equals the answer 30.0 (JSON answers cannot tell them apart); BFCL compares the text "30".
    assert.equal(checkOutput(out('30'), exp).valid, true);
    assert.deepEqual(checkOutput(out('"30"'), exp).errors.map((e) => e.kind), ['wrong_value']);
    assert.deepEqual(checkOutput(out('31.0'), exp).errors.map((e) => e.kind), ['wrong_value']);
    // Booleans: Java's `true`, Python's `True`, and the text "true" BFCL's function-calling models send.
    for (const b of ['includeFrom=True, includeTo=False', 'includeFrom="true", includeTo="false"']) assert.equal(checkOutput(out('30.0', b), exp).valid, true, b);
    for (const b of ['includeFrom=1, includeTo=false', 'includeFrom="yes", includeTo=false', 'includeFrom="True", includeTo=false']) {
      assert.deepEqual(checkOutput(out('30.0', b), exp).errors.map((e) => [e.kind, e.param]), [['wrong_type', 'includeFrom']], b);
    }
  });

  const judge = (language: 'java' | 'javascript', props: Record<string, unknown>, accepted: Record<string, unknown[]>) => {
    const exp: Expectation = { kind: 'bfcl', category: 'simple', possibleAnswers: [{ f: accepted }], tools: [tool('f', props, [])], language };
    return (param: string, lit: string) => checkOutput(`[f(${param}=${lit})]`, exp);
  };
  const cases = (check: (param: string, lit: string) => Verdict, valid: Record<string, string[]>, invalid: Record<string, [lit: string, kind: ErrorKind][]>) => {
    for (const [p, lits] of Object.entries(valid)) for (const l of lits) assert.deepEqual(check(p, l).errors, [], `${p}=${l}`);
    for (const [p, list] of Object.entries(invalid)) for (const [l, kind] of list) assert.deepEqual(check(p, l).errors.map((e) => e.kind), [kind], `${p}=${l}`);
  };

  it('Java: integers, long (42L), double, float (1.5f), boolean, String, any, arrays, lists and maps', () => {
    const check = judge(
      'java',
      { i: { type: 'integer' }, l: { type: 'long' }, d: { type: 'double' }, fl: { type: 'float' }, b: { type: 'boolean' }, s: { type: 'String' }, a: { type: 'any' }, arr: { type: 'Array', items: { type: 'integer' } }, al: { type: 'ArrayList', items: { type: 'String' } }, m: { type: 'HashMap' }, v: { type: 'integer' } },
      { i: ['', 3], l: ['', 42], d: ['', 0.5], fl: ['', 1.5], b: ['', true], s: ['', 'abc'], a: ['', 30, '30.0'], arr: ['', [1, 2]], al: ['', ['x', 'y']], m: ['', { k: [1] }], v: ['', 'ResultSet.TYPE_SCROLL_INSENSITIVE'] },
    );
    cases(
      check,
      {
        i: ['3', '"3"'],
        l: ['42', '"42L"', '"42l"'],
        d: ['0.5', '"0.5"', '"5e-1"'],
        fl: ['1.5', '"1.5f"', '"1.5F"'],
        b: ['true', 'True', '"true"'],
        s: ['"abc"', '"A-B-C"'],
        a: ['30.0', '"30.0"', '30'],
        arr: ['[1, 2]', '"new int[]{1, 2}"', '"new int[] { 1, 2 }"'],
        al: ['["x", "y"]', '"new ArrayList<>(Arrays.asList(\\"x\\", \\"y\\"))"', '"new ArrayList<String>() {{ add(\\"x\\"); add(\\"y\\"); }}"'],
        m: ['{"k": 1}', '"new HashMap<String, Integer>() {{ put(\\"k\\", 1); }}"'],
        v: ['"ResultSet.TYPE_SCROLL_INSENSITIVE"'],
      },
      {
        i: [['3.0', 'wrong_type'], ['"3.0"', 'wrong_type'], ['"three"', 'wrong_type'], ['True', 'wrong_type'], ['4', 'wrong_value']],
        l: [['"42"', 'wrong_type'], ['42.0', 'wrong_type'], ['43', 'wrong_value']],
        d: [['"abc"', 'wrong_type'], ['"0.5f"', 'wrong_type'], ['0.6', 'wrong_value']],
        fl: [['"1.5"', 'wrong_type']],
        b: [['1', 'wrong_type'], ['"yes"', 'wrong_type'], ['"True"', 'wrong_type'], ['false', 'wrong_value']],
        s: [['5', 'wrong_value'], ['"abd"', 'wrong_value'], ['[1]', 'wrong_type']],
        a: [['31.0', 'wrong_value'], ['"30"', 'wrong_value']],
        arr: [['5', 'wrong_type'], ['"x"', 'wrong_type'], ['[1, "x"]', 'wrong_value'], ['"new int[]{2, 1}"', 'wrong_value'], ['"new ArrayList<>(Arrays.asList(1, 2))"', 'wrong_type']],
        al: [['"x"', 'wrong_type'], ['["y", "x"]', 'wrong_value']],
        m: [['5', 'wrong_type'], ['{"k": 2}', 'wrong_value'], ['"new HashMap<>() {{ put(\\"k\\", 2); }}"', 'wrong_value']],
        v: [['"ResultSet.CONCUR_READ_ONLY"', 'wrong_value']],
      },
    );
    // Messages name the Java type and how BFCL wants it written.
    assert.equal(check('l', '"42"').errors[0].message, '`l`: expected long, written like 42L (integer), got string "42"');
  });

  it('JavaScript: integer, float, Bigint (42n), Boolean, String, any, arrays and objects in JS syntax', () => {
    const check = judge(
      'javascript',
      { i: { type: 'integer' }, f: { type: 'float' }, bi: { type: 'Bigint' }, b: { type: 'Boolean' }, s: { type: 'String' }, a: { type: 'any' }, arr: { type: 'array', items: { type: 'String' } }, nums: { type: 'array', items: { type: 'float' } }, d: { type: 'dict' } },
      { i: ['', 3], f: ['', 4.0], bi: ['', 7], b: ['', true], s: ['', 'abc'], a: ['', 'x'], arr: ['', ['p', 'q']], nums: ['', [60, 30]], d: ['', { method: ['GET'] }] },
    );
    cases(
      check,
      {
        i: ['3', '"3"'],
        f: ['4', '4.0', '"4"', '"4.0"'],
        bi: ['7', '"7n"'],
        b: ['true', '"true"'],
        s: ['"abc"', `"'abc'"`],
        a: ['"x"'],
        arr: ['["p", "q"]', `"['p', 'q']"`, `"new Array('p', 'q')"`],
        nums: ['[60, 30]', '[60.0, 30.0]', '"[60, 30]"', '"[60.0, 30.0]"'],
        d: ['{"method": "GET"}', `"{method: 'GET'}"`, '"{\\"method\\": \\"GET\\"}"', `"{method: 'GET', }"`],
      },
      {
        i: [['3.0', 'wrong_type'], ['"3.5"', 'wrong_type']],
        f: [['"4e0"', 'wrong_type'], ['true', 'wrong_type'], ['"abc"', 'wrong_type'], ['5.0', 'wrong_value']],
        bi: [['"7"', 'wrong_type']],
        b: [['"yes"', 'wrong_type'], ['1', 'wrong_type']],
        arr: [['"p, q"', 'wrong_type'], ['["q", "p"]', 'wrong_value']],
        // Strings in a float array: BFCL's nested type check lets the "" (may be omitted) entry pass them.
        nums: [['"[60, 31]"', 'wrong_value'], ['["60", "30"]', 'wrong_value'], ['60', 'wrong_type']],
        d: [[`"{method: 'POST'}"`, 'wrong_value'], ['5', 'wrong_type']],
      },
    );
  });

  it('Python samples keep Python rules: "3" is not an integer there', () => {
    const exp = bfcl([{ f: { n: [3] } }], [tool('f', { n: { type: 'integer' } })]);
    assert.equal(exp.kind === 'bfcl' && exp.language, undefined);
    assert.deepEqual(checkOutput('[f(n="3")]', exp).errors.map((e) => e.kind), ['wrong_type']);
  });
});

// ---- reference mode ----------------------------------------------------------------------------------

const DEMO_FILES = ['toolace_sample.json', 'llamafactory_sample.json', 'xlam_sample.jsonl', 'openai_sample.jsonl', 'hermes_sample.jsonl', 'glaive_sample.jsonl'];

async function demoSamples(file: string): Promise<Sample[]> {
  const ds = await Dataset.open(join(DEMO, file));
  try {
    const out: Sample[] = [];
    for (let i = 0; i < ds.count; i++) {
      const r = await ds.sample(i);
      if (r.ok) out.push(r.sample);
    }
    return out;
  } finally {
    await ds.close();
  }
}

/** Reference calls as a JSON call list, with each argument's value span. */
function renderJson(calls: ToolCall[]): Rendered {
  let text = '[';
  const out: Rendered['calls'] = [];
  calls.forEach((c, i) => {
    if (i) text += ', ';
    const start = text.length;
    text += `{"name": ${JSON.stringify(c.name)}, "arguments": {`;
    const args: Rendered['calls'][number]['args'] = [];
    Object.entries(c.arguments).forEach(([k, v], j) => {
      if (j) text += ', ';
      const a = text.length;
      text += `${JSON.stringify(k)}: `;
      const vs = text.length;
      text += JSON.stringify(v);
      args.push({ span: { start: a, end: text.length }, valueSpan: { start: vs, end: text.length } });
    });
    text += '}}';
    out.push({ span: { start, end: text.length }, nameSpan: { start: start + 9, end: start + 11 + c.name.length }, args });
  });
  return { text: `${text}]`, calls: out };
}

describe('reference mode on the demo datasets', () => {
  for (const file of DEMO_FILES) {
    it(`${file}: references are valid, perturbations name their kind and span`, async () => {
      const samples = await demoSamples(file);
      let calls = 0;
      let texts = 0;
      for (const s of samples) {
        const exp = expectationFor(s);
        const ref = referenceTurn(s);
        if (!ref?.calls?.length) {
          assert.equal(exp.kind, 'no_call', s.id);
          assert.equal(checkOutput(ref?.content || 'Hello.', exp).valid, true, s.id);
          const tool = s.tools[0];
          if (tool) expectOne(checkOutput(`[${tool.name}()]`, exp), `[${tool.name}()]`, 'should_not_call', `${tool.name}()`, s.id);
          texts++;
          continue;
        }
        calls++;
        assert.equal(exp.kind, 'reference', s.id);
        if (ref.content) assert.deepEqual(checkOutput(ref.content, exp).errors, [], `${s.id} raw reference\n${ref.content}`);
        const r = renderJson(ref.calls);
        assert.deepEqual(checkOutput(r.text, exp).errors, [], `${s.id}\n${r.text}`);
        expectOne(checkOutput('I will not call anything.', exp), '', 'should_call', undefined, s.id);
        // A changed value: the value's span.
        const [k0, v0] = Object.entries(ref.calls[0].arguments)[0] ?? [];
        if (k0 !== undefined && (typeof v0 === 'string' || typeof v0 === 'number')) {
          const changed = [{ ...ref.calls[0], arguments: { ...ref.calls[0].arguments, [k0]: typeof v0 === 'string' ? `${v0}zqx` : v0 + 7919 } }, ...ref.calls.slice(1)];
          const c = renderJson(changed);
          expectOne(checkOutput(c.text, exp), c.text, 'wrong_value', JSON.stringify(changed[0].arguments[k0]), `${s.id} wrong_value`);
        }
        // An invented parameter: the whole argument.
        const inv = renderJson([{ ...ref.calls[0], arguments: { ...ref.calls[0].arguments, zz_invented: 1 } }, ...ref.calls.slice(1)]);
        expectOne(checkOutput(inv.text, exp), inv.text, 'unexpected_param', '"zz_invented": 1', `${s.id} unexpected`);
        // Another function name: the name as written (with its JSON quotes).
        const ren = renderJson([{ ...ref.calls[0], name: 'zz_other' }, ...ref.calls.slice(1)]);
        expectOne(checkOutput(ren.text, exp), ren.text, 'wrong_function', '"zz_other"', `${s.id} renamed`);
      }
      assert.ok(calls > 0 && texts >= 0, file);
    });
  }
});

describe('reference rules', () => {
  const t = tool('convert', { amount: { type: 'number' }, to: { type: 'string' }, round: { type: 'integer', default: 2 }, note: { type: 'string' } }, ['amount', 'to']);
  const exp: Expectation = { kind: 'reference', calls: [{ name: 'convert', arguments: { amount: 1, to: 'EUR', note: 'x' } }], tools: [t] };

  it('numbers by value, strings trimmed, optional reference params may be left out', () => {
    assert.equal(checkOutput('[convert(amount=1.0, to=" EUR ", note="x")]', exp).valid, true);
    assert.equal(checkOutput('[convert(amount=1, to="EUR")]', exp).valid, true);
    assert.equal(checkOutput('[convert(amount=1, to="eur")]', exp).errors[0].kind, 'wrong_value');
  });

  it('an optional schema param absent from the reference is accepted only at its default', () => {
    assert.equal(checkOutput('[convert(amount=1, to="EUR", round=2)]', exp).valid, true);
    const out = '[convert(amount=1, to="EUR", round=3)]';
    const v = checkOutput(out, exp);
    assert.deepEqual(v.errors.map((e) => [e.kind, e.param, slice(out, e.span), e.expected]), [['wrong_value', 'round', '3', 2]]);
    assert.deepEqual(checkOutput('[convert(amount=1, to="EUR", other=3)]', exp).errors.map((e) => e.kind), ['unexpected_param']);
  });

  it('types: the schema type or the reference value type', () => {
    const out = '[convert(amount="1", to="EUR")]';
    assert.deepEqual(checkOutput(out, exp).errors.map((e) => [e.kind, slice(out, e.span)]), [['wrong_type', '"1"']]);
  });

  it('an unknown function makes every reference param required', () => {
    const e: Expectation = { kind: 'reference', calls: [{ name: 'mystery', arguments: { a: 1, b: 2 } }], tools: [] };
    const out = '[mystery(a=1)]';
    assert.deepEqual(checkOutput(out, e).errors.map((x) => [x.kind, x.param, slice(out, x.span)]), [['missing_required_param', 'b', 'mystery(a=1)']]);
  });

  it('expectationFor: text reference and no reference expect no call', () => {
    const base: Sample = { id: '1', index: 0, format: 'openai', turns: [{ role: 'user', content: 'hi' }], referenceIndex: -1, tools: [] };
    assert.equal(expectationFor(base).kind, 'no_call');
    const text: Sample = { ...base, turns: [...base.turns, { role: 'assistant', content: 'hello' }], referenceIndex: 1 };
    assert.equal(expectationFor(text).kind, 'no_call');
    const call: Sample = { ...base, turns: [...base.turns, { role: 'assistant', content: '', calls: [{ name: 'f', arguments: {} }] }], referenceIndex: 1 };
    assert.equal(expectationFor(call).kind, 'reference');
    const irr: Sample = { ...base, id: 'irrelevance_3', format: 'bfcl' };
    assert.equal(expectationFor(irr).kind, 'no_call');
    const gt: Sample = { ...base, id: 'parallel_3', format: 'bfcl', possibleAnswers: [{ f: {} }, { f: {} }] };
    assert.deepEqual(expectationFor(gt), { kind: 'bfcl', category: 'parallel', possibleAnswers: gt.possibleAnswers, tools: [] });
    assert.equal((expectationFor(gt, { category: 'live_parallel' }) as { category: string }).category, 'live_parallel');
  });
});

// ---- the score ----------------------------------------------------------------------------------------

describe('partial-credit score', () => {
  const t = tool('f', { a: { type: 'integer' }, b: { type: 'integer' }, c: { type: 'integer' } });
  const exp = bfcl([{ f: { a: [1], b: [2], c: [3] } }], [t]);
  const s = (out: string) => checkOutput(out, exp).score;

  it('valid is exactly 1; text, parse errors and calls on no-call samples are -1', () => {
    assert.equal(s('[f(a=1, b=2, c=3)]'), 1);
    assert.equal(s('no'), -1);
    assert.equal(s('[f(a=1, b='), -1);
    assert.equal(checkOutput('[f(a=1)]', { kind: 'no_call', tools: [t] }).score, -1);
    assert.equal(checkOutput('no', { kind: 'no_call', tools: [t] }).score, 1);
  });

  it('weights: fragment k of K weighs 2 - k/K; an early error costs more than a late one', () => {
    // Fragments f, a, b, c with weights 2, 1.75, 1.5, 1.25 (total 6.5).
    assert.equal(s('[f(a=1, b=2, c=9)]'), Math.round(((2 + 1.75 + 1.5 - 1.25) / 6.5) * 1e4) / 1e4);
    assert.ok(s('[f(a=9, b=2, c=3)]') < s('[f(a=1, b=9, c=3)]'));
    assert.ok(s('[f(a=1, b=9, c=3)]') < s('[f(a=1, b=2, c=9)]'));
    assert.ok(s('[g(a=1, b=2, c=3)]') < s('[f(a=9, b=9, c=9)]'), 'a wrong function is worse than wrong values');
    assert.ok(s('[f(a=1, b=2, c=3, d=4)]') < 1 && s('[f(a=1, b=2, c=3, d=4)]') > s('[f(a=1, b=2)]') - 1);
  });

  it('stays in [-1, 1] and below 1 when invalid', () => {
    for (const out of ['[f()]', '[f(a=1), f(a=1), f(b=3)]', '[g(x=1, y=2)]', '[f(a="1", b=[2], c={"x": 3}, d=4, e=5)]']) {
      const v = checkOutput(out, exp);
      assert.equal(v.valid, false, out);
      assert.ok(v.score >= -1 && v.score < 1, `${out}: ${v.score}`);
    }
  });
});

describe('assignment', () => {
  it('maximises total agreement, rectangular both ways, identity on ties', () => {
    assert.deepEqual(assign([[1, 5], [5, 1]], 2), [1, 0]);
    assert.deepEqual(assign([[3, 3], [3, 3]], 2), [0, 1]);
    assert.deepEqual(assign([[1, 9, 2]], 3), [1]);
    assert.deepEqual(assign([[1], [9], [2]], 1), [-1, 0, -1]);
    assert.deepEqual(assign([[2, 1, 0], [2, 0, 0], [0, 0, 2]], 3), [1, 0, 2]);
  });
});

describe('checker messages name each expected call once, with its count', () => {
  const tool: ToolDef = { name: 'get_rectangle_property', parameters: { type: 'object', properties: { w: { type: 'integer' } }, required: ['w'] } };
  const twice = (): Sample => ({
    id: 'twice',
    index: 0,
    format: 'hermes',
    turns: [{ role: 'user', content: 'q' }, { role: 'assistant', content: '', calls: [{ name: tool.name, arguments: { w: 3 } }, { name: tool.name, arguments: { w: 4 } }] }],
    referenceIndex: 1,
    tools: [tool],
  });
  const call = (w: number) => `<tool_call>\n{"name": "get_rectangle_property", "arguments": {"w": ${w}}}\n</tool_call>`;

  it('a call made fewer times than expected is not "no call"; parallel calls of one function are counted', async () => {
    const { callsPhrase } = await import('../../src/core/toolcall/check/index');
    assert.equal(callsPhrase(['is_prime']), 'a call to `is_prime`');
    assert.equal(callsPhrase(['is_prime', 'is_prime']), '2 calls to `is_prime`');
    assert.equal(callsPhrase(['a', 'b', 'b']), 'calls to `a` and 2 × `b`');
    const exp = expectationFor(twice());
    const one = checkOutput(call(3), exp);
    assert.equal(one.valid, false);
    assert.deepEqual(one.errors.map((e) => e.message), ['expected 2 calls, got 1: only 1 of the 2 calls to `get_rectangle_property`']);
    assert.deepEqual(checkOutput('I will not.', exp).errors.map((e) => e.message), ['expected 2 calls to `get_rectangle_property`, got text']);
    assert.equal(checkOutput(`${call(3)}\n${call(4)}`, exp).valid, true);
  });
});
