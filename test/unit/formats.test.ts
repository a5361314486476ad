import { Dataset } from '../../src/core/dataset/dataset';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { FORMATS, detectFormat } from '../../src/core/dataset/formats/index';
import { attachPossibleAnswers, bfclGroundTruth } from '../../src/core/dataset/formats/bfcl';
import { decodePythonCalls, encodePythonCalls, parsePythonLiteral } from '../../src/core/dataset/pythonCalls';
import { FORMAT_IDS, FormatError, referenceTurn, type FormatId, type PossibleAnswer, type Sample, type ToolDef } from '../../src/core/dataset/sample';

const ROOT = resolve(import.meta.dirname, '..', '..');
const DEMO = join(ROOT, 'demo', 'datasets');
// The full BFCL sample beside the repository when there is one, else the slice shipped as a demo.
const BFCL = [process.env.BFCL_DATA, join(ROOT, '..', 'shared', 'data', 'bfcl'), join(DEMO, 'bfcl')].find((d) => d && existsSync(d))!;

const DEMO_FILES: Record<Exclude<FormatId, 'bfcl'>, string> = {
  toolace: 'toolace_sample.json',
  llamafactory: 'llamafactory_sample.json',
  llamafactory_v1: 'llamafactory_v1_sample.jsonl',
  xlam: 'xlam_sample.jsonl',
  openai: 'openai_sample.jsonl',
  hermes: 'hermes_sample.jsonl',
  glaive: 'glaive_sample.jsonl',
};

/** A .json file may be one array or JSON Lines; .jsonl is JSON Lines. */
function records(path: string): unknown[] {
  const text = readFileSync(path, 'utf8');
  if (text.trimStart().startsWith('[')) return JSON.parse(text) as unknown[];
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as unknown);
}
const demo = (id: Exclude<FormatId, 'bfcl'>): unknown[] => records(join(DEMO, DEMO_FILES[id]));
const bfclFiles = (): string[] => readdirSync(BFCL).filter((f) => f.endsWith('.json')).sort();
function bfclAnswers(file: string): Map<string, PossibleAnswer[]> | undefined {
  const p = join(BFCL, 'possible_answer', file);
  if (!existsSync(p)) return undefined;
  return new Map(records(p).map((r) => [(r as { id: string }).id, (r as { ground_truth: PossibleAnswer[] }).ground_truth]));
}

/** Lossless means value-identical with the same key order. */
const assertSameRecord = (actual: unknown, expected: unknown, msg?: string): void => assert.equal(JSON.stringify(actual), JSON.stringify(expected), msg);
const refCalls = (s: Sample): unknown => referenceTurn(s)?.calls?.map((c) => ({ name: c.name, arguments: c.arguments }));

// Formats spell types differently ("dict"/"object", "str, optional"); compare the meaning.
const ALIAS: Record<string, string> = { dict: 'object', float: 'number', tuple: 'array', str: 'string', int: 'integer', bool: 'boolean', list: 'array' };
function canonSchema(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonSchema);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([k, x]) => !(k === 'type' && x === 'any')).map(([k, x]) => [k, k === 'type' && typeof x === 'string' ? (ALIAS[x] ?? x) : canonSchema(x)]));
}
const canonTools = (tools: ToolDef[]): unknown =>
  tools.map((t) => ({ name: t.name, description: t.description, properties: canonSchema(t.parameters?.properties ?? {}), required: [...((t.parameters?.required as string[]) ?? [])].sort() }));

function throwsFormat(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (err: unknown) => err instanceof FormatError && re.test(err.message), `expected FormatError matching ${re}`);
}

describe('python calls', () => {
  it('decodes dotted and spaced names, both quotes, Python literals, tuples and nesting', () => {
    assert.deepEqual(decodePythonCalls(`[math.hypot(x=4, y=-5.5), Get Stock Price(symbol='AAPL', extra=None, ok=True, t=(1, 2), d={'a': [1, {"b": False}]})]`), [
      { name: 'math.hypot', arguments: { x: 4, y: -5.5 } },
      { name: 'Get Stock Price', arguments: { symbol: 'AAPL', extra: null, ok: true, t: [1, 2], d: { a: [1, { b: false }] } } },
    ]);
    assert.deepEqual(decodePythonCalls(`f(s="a\\"b\\n\\u00e9\\x41", r=r'\\d+', big=1_000, e=1e-3,)`), [{ name: 'f', arguments: { s: 'a"b\né\x41', r: '\\d+', big: 1000, e: 0.001 } }]);
    assert.deepEqual(decodePythonCalls(`[requests.get(url="u", **{"Content-Type": "json"})]`), [{ name: 'requests.get', arguments: { url: 'u', 'Content-Type': 'json' } }]);
    assert.equal(encodePythonCalls([{ name: 'g', arguments: { 'a-b': 1, ok: true } }]), '[g(ok=True, **{"a-b": 1})]');
    assert.deepEqual(parsePythonLiteral(`{'arguments': {'n': 3}, 'name': 'g'}`), { arguments: { n: 3 }, name: 'g' });
  });

  it('returns undefined for text that is not a call list', () => {
    for (const t of ['Sure, here you go.', '[f(a=1)', '[f(1, 2)]', 'f(a=1) and more', '[]', "[f(a='x)]", 'Sure (see below)']) assert.equal(decodePythonCalls(t), undefined, t);
  });

  it('encode then decode is the identity on argument objects (property)', () => {
    // Names that are not Python identifiers travel as **{...}.
    const key = fc.oneof(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/), fc.string({ unit: 'binary', maxLength: 6 }));
    const value = fc.jsonValue({ stringUnit: 'binary', maxDepth: 3 });
    const call = fc.record({ name: fc.stringMatching(/^[A-Za-z_][\w.]{0,12}$/), arguments: fc.dictionary(key, value, { noNullPrototype: true }) }, { noNullPrototype: true });
    fc.assert(fc.property(fc.array(call, { minLength: 1, maxLength: 3 }), (calls) => {
      assert.deepStrictEqual(decodePythonCalls(encodePythonCalls(calls)), calls);
    }), { numRuns: 300 });
  });
});

describe('reading known records', () => {
  it('toolace: multi-turn with a tool result, python calls, tools from the system prose', () => {
    const s = FORMATS.toolace.read(demo('toolace')[2], 2);
    assert.deepEqual(s.turns.map((t) => t.role), ['system', 'user', 'assistant', 'tool_result', 'assistant', 'user', 'assistant']);
    assert.deepEqual(s.tools.map((t) => t.name), ['search_flights', 'set_reminder']);
    assert.equal(s.tools[0].parameters?.type, 'dict');
    assert.equal(s.referenceIndex, 6);
    assert.deepEqual(s.turns[2].calls, [{ name: 'search_flights', arguments: { origin: 'AMS', destination: 'LIS', date: '2025-06-14', passengers: { adults: 2, children: 1 }, max_stops: 0 } }]);
    assert.deepEqual(refCalls(s), [{ name: 'set_reminder', arguments: { message: 'Book TAP flight TP663 Amsterdam → Lisbon for 14 June', time: '2025-06-01T09:00:00' } }]);
    const spaced = FORMATS.toolace.read(demo('toolace')[6], 6);
    assert.deepEqual(refCalls(spaced), [{ name: 'Exchange Rate Lookup', arguments: { base: 'CHF', symbols: ['EUR', 'USD'] } }]);
    const text = FORMATS.toolace.read(demo('toolace')[3], 3);
    assert.equal(referenceTurn(text)?.calls, undefined);
  });

  it('llamafactory: function_call JSON (single and parallel), observation, system and tools fields', () => {
    const s = FORMATS.llamafactory.read(demo('llamafactory')[0], 0);
    assert.deepEqual(s.turns.map((t) => t.role), ['user', 'assistant', 'tool_result', 'assistant']);
    assert.deepEqual(s.turns[1].calls, [{ name: 'convert_currency', arguments: { amount: 250, from_currency: 'CAD', to_currency: 'MXN' } }]);
    assert.equal(s.referenceIndex, 3);
    assert.deepEqual(s.tools.map((t) => t.name), ['convert_currency', 'get_stock_quote']);
    const par = FORMATS.llamafactory.read(demo('llamafactory')[1], 1);
    assert.deepEqual(refCalls(par), [{ name: 'get_weather', arguments: { city: 'Berlin', days: 3 } }, { name: 'get_weather', arguments: { city: 'Madrid', days: 3 } }]);
    const sys = FORMATS.llamafactory.read(demo('llamafactory')[3], 3);
    assert.equal(sys.turns[0].role, 'system');
    assert.deepEqual(sys.tools, []);
  });

  it('xlam: query, answers and xLAM parameter maps read as JSON schema', () => {
    const s = FORMATS.xlam.read(demo('xlam')[3], 3);
    assert.equal(s.id, '3');
    assert.deepEqual(s.turns.map((t) => t.role), ['user', 'assistant']);
    assert.deepEqual(refCalls(s), [{ name: 'sort_numbers', arguments: { numbers: [3.5, -2, 10, 0.25, 7], descending: true } }]);
    assert.deepEqual(s.tools[0].parameters, {
      type: 'object',
      properties: { numbers: { description: 'The numbers to sort.', type: 'array' }, descending: { description: 'Sort from largest to smallest.', type: 'boolean', default: false } },
      required: ['numbers'],
    });
  });

  it('openai: tool_calls with ids, tool results with tool_call_id', () => {
    const s = FORMATS.openai.read(demo('openai')[1], 1);
    assert.deepEqual(s.turns.map((t) => t.role), ['user', 'assistant', 'tool_result', 'tool_result', 'assistant']);
    assert.deepEqual(s.turns[1].calls?.map((c) => [c.id, c.name, c.arguments.symbol]), [['call_a1', 'get_stock_quote', 'ASML'], ['call_a2', 'get_stock_quote', 'ADYEN']]);
    assert.equal(s.turns[3].toolCallId, 'call_a2');
    assert.equal(s.referenceIndex, 4);
    assert.deepEqual(s.tools.map((t) => t.name), ['get_stock_quote', 'convert_currency']);
  });

  it('hermes: <tools> in the system turn, several <tool_call> blocks, Python-dict calls', () => {
    const s = FORMATS.hermes.read(demo('hermes')[1], 1);
    assert.deepEqual(s.tools.map((t) => t.name), ['get_weather', 'convert_currency']);
    assert.deepEqual(s.turns[2].calls?.map((c) => c.name), ['get_weather', 'convert_currency']);
    assert.equal(s.turns[3].role, 'tool_result');
    assert.equal(s.turns[3].name, 'get_weather');
    const py = FORMATS.hermes.read(demo('hermes')[2], 2);
    assert.deepEqual(refCalls(py), [{ name: 'calculate_loan_payment', arguments: { principal: 15000, annual_rate: 6.9, years: 4 } }]);
    const objs = FORMATS.hermes.read(demo('hermes')[7], 7);
    assert.deepEqual(objs.tools.map((t) => t.name), ['plan_route', 'get_weather']);
  });

  it('hermes: a tool turn answering parallel calls converts to one payload per line, no tags left', () => {
    const s = FORMATS.hermes.read(demo('hermes')[1], 1);
    assert.equal((s.turns[3].content.match(/<tool_response>/g) ?? []).length, 2, 'the demo turn answers two calls');
    const lf = FORMATS.llamafactory.write(s) as { conversations: { from: string; value: string }[] };
    const obs = lf.conversations.find((c) => c.from === 'observation')!.value;
    assert.doesNotMatch(obs, /tool_response/);
    assert.equal(obs.split('\n').length, 2);
    for (const line of obs.split('\n')) JSON.parse(line);
  });

  it('glaive: chat segments, single-quoted arguments, FUNCTION RESPONSE turns', () => {
    const s = FORMATS.glaive.read(demo('glaive')[6], 6);
    assert.deepEqual(s.turns.map((t) => t.role), ['system', 'user', 'assistant', 'tool_result', 'assistant']);
    assert.deepEqual(s.turns[2].calls, [{ name: 'set_reminder', arguments: { message: "Let's pack the tent and the kids' sleeping bags", time: '2025-08-09T07:00:00' } }]);
    assert.equal(s.turns[4].content, 'Reminder set for 9 August at 07:00.');
    assert.deepEqual(s.tools.map((t) => t.name), ['set_reminder']);
    assert.deepEqual(FORMATS.glaive.read(demo('glaive')[1], 1).tools, []);
  });

  it('bfcl: flattened question, no reference until answers are attached', () => {
    const file = 'BFCL_v4_simple_python.json';
    const rec = records(join(BFCL, file))[0];
    const s = FORMATS.bfcl.read(rec, 0);
    assert.equal(s.id, 'simple_python_0');
    assert.equal(s.referenceIndex, -1);
    attachPossibleAnswers(s, bfclAnswers(file)!.get(s.id)!);
    assert.equal(referenceTurn(s)?.content, '[calculate_triangle_area(base=10, height=5, unit="units")]');
    assertSameRecord(FORMATS.bfcl.write(s, rec), rec, 'the synthetic reference stays out of the question');
  });

  it('bfcl: nested ground truth resolves to the first accepted non-"" values', () => {
    const s = FORMATS.bfcl.read({ id: 'x', question: [[{ role: 'user', content: 'q' }]], function: [] }, 0);
    attachPossibleAnswers(s, { ground_truth: [{ 'ChaDri.change_drink': { drink_id: ['', 'latte'], new_preferences: [{ size: ['large'], sweetness_level: ['', 'extra'], special_instructions: [''] }], opt: [''] } }] });
    assert.deepEqual(refCalls(s), [{ name: 'ChaDri.change_drink', arguments: { drink_id: 'latte', new_preferences: { size: 'large', sweetness_level: 'extra' } } }]);
  });
});

describe('lossless round trip', () => {
  for (const id of Object.keys(DEMO_FILES) as Exclude<FormatId, 'bfcl'>[]) {
    it(`${id}: every demo record, and unknown fields survive`, () => {
      const f = FORMATS[id];
      demo(id).forEach((r, i) => {
        assertSameRecord(f.write(f.read(r, i), r), r, `${id} record ${i}`);
        const extra = JSON.parse(JSON.stringify(r)) as Record<string, unknown>;
        extra.x_added = { note: 'kept', list: [1, 'two'] };
        for (const key of ['conversations', 'messages']) {
          const list = extra[key];
          if (Array.isArray(list)) (list[0] as Record<string, unknown>).x_turn = 'kept too';
        }
        assertSameRecord(f.write(f.read(extra, i), extra), extra, `${id} record ${i} with unknown fields`);
      });
    });
  }

  it('bfcl: every record of every file, with and without possible answers', () => {
    for (const file of bfclFiles()) {
      const answers = bfclAnswers(file);
      records(join(BFCL, file)).forEach((r, i) => {
        const s = FORMATS.bfcl.read(r, i);
        assertSameRecord(FORMATS.bfcl.write(s, r), r, `${file} record ${i}`);
        if (!answers) return;
        attachPossibleAnswers(s, answers.get(s.id)!);
        assert.ok(s.referenceIndex >= 0 && referenceTurn(s)?.calls?.length, `${file} ${s.id} has reference calls`);
        assert.deepEqual(decodePythonCalls(referenceTurn(s)!.content), referenceTurn(s)!.calls);
        assertSameRecord(FORMATS.bfcl.write(s, r), r, `${file} record ${i} with answers`);
      });
      const extra = { ...(records(join(BFCL, file))[0] as Record<string, unknown>), x_added: true };
      assertSameRecord(FORMATS.bfcl.write(FORMATS.bfcl.read(extra, 0), extra), extra);
    }
  });

  it('edits are written in the format, the rest of the record kept', () => {
    const r = demo('toolace')[0] as { conversations: { value: string }[]; system: string };
    const s = FORMATS.toolace.read(r, 0);
    s.turns[2].calls![0].arguments.city = 'Grenoble, France';
    s.tools[0].description = 'Edited description.';
    const w = FORMATS.toolace.write(s, r) as typeof r;
    assert.equal(w.conversations[1].value, '[get_weather(city="Grenoble, France", unit="celsius", days=2)]');
    assert.ok(w.system.startsWith(r.system.slice(0, 100)) && w.system.includes('"description": "Edited description."'));
    assert.deepEqual(FORMATS.toolace.read(w, 0).tools[0].description, 'Edited description.');

    const o = demo('openai')[0] as { messages: { tool_calls?: { function: { arguments: string } }[] }[] };
    const so = FORMATS.openai.read(o, 0);
    so.turns[2].calls![0].arguments.unit = 'fahrenheit';
    const wo = FORMATS.openai.write(so, o) as typeof o;
    assert.equal(wo.messages[2].tool_calls![0].function.arguments, '{"city":"Bergen, Norway","unit":"fahrenheit"}');
  });
});

describe('detection', () => {
  for (const id of Object.keys(DEMO_FILES) as Exclude<FormatId, 'bfcl'>[]) {
    it(`${DEMO_FILES[id]} is ${id}`, () => assert.equal(detectFormat(demo(id))?.format, id));
  }
  it('every BFCL file is bfcl', () => {
    for (const file of bfclFiles()) assert.equal(detectFormat(records(join(BFCL, file)))?.format, 'bfcl', file);
  });
  it('nothing scores on records of no known shape', () => {
    assert.equal(detectFormat([{ a: 1 }, 'text', 3]), undefined);
    assert.equal(detectFormat([]), undefined);
  });
});

describe('malformed records', () => {
  const bad: [FormatId, unknown, RegExp][] = [
    ['toolace', { system: 'x', conversations: [] }, /^conversations is empty$/],
    ['toolace', { system: 'x', conversations: [{ from: 'user', value: 'hi' }, { from: 'bot', value: 'yo' }] }, /^conversations\[1\]\.from is "bot", expected user\|assistant\|tool$/],
    ['toolace', { conversations: [{ from: 'user', value: 3 }] }, /^conversations\[0\]\.value is a number, expected a string$/],
    ['llamafactory', { conversations: [{ from: 'human', value: 'a' }, { from: 'gpt', value: 'b' }, { from: 'human', value: 'c' }, { from: 'bot', value: 'd' }] }, /^conversations\[3\]\.from is "bot", expected human\|gpt\|function_call\|observation$/],
    ['llamafactory', { conversations: [{ from: 'human', value: 'a' }], tools: [{ name: 'f' }] }, /^tools is an array, expected a string$/],
    ['llamafactory', { conversations: [{ from: 'human', value: 'a' }], tools: '[{"name": "f"' }, /^tools is not valid JSON text$/],
    ['xlam', { query: 'q', tools: 'nope', answers: '[]' }, /^tools is not valid JSON text$/],
    ['xlam', { tools: '[]', answers: '[]' }, /^query is missing, expected a string$/],
    ['openai', { messages: 'hello' }, /^messages is "hello", expected an array$/],
    ['openai', { messages: [{ role: 'user', content: 'x' }, { role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{city: Paris' } }] }] }, /^messages\[1\]\.tool_calls\[0\]\.function\.arguments is not valid JSON text$/],
    ['openai', { messages: [{ role: 'robot', content: 'x' }] }, /^messages\[0\]\.role is "robot", expected/],
    ['hermes', { conversations: [] }, /^conversations is empty$/],
    ['hermes', { conversations: [{ from: 'user', value: 'x' }] }, /^conversations\[0\]\.from is "user", expected system\|human\|gpt\|tool$/],
    ['bfcl', { id: 'b', question: [[{ role: 'bot', content: 'x' }]], function: [] }, /^question\[0\]\[0\]\.role is "bot", expected/],
    ['bfcl', { id: 'b', question: [[{ role: 'user', content: 'x' }]] }, /^function is missing, expected an array$/],
    ['glaive', { system: 'SYSTEM: hi' }, /^chat is missing, expected a string$/],
    ['glaive', { chat: 'just some text' }, /^chat has no "USER:"/],
    ['openai', 42, /^record is a number, expected an object$/],
  ];
  for (const [id, rec, re] of bad) it(`${id}: ${re.source.slice(1, 50)}`, () => throwsFormat(() => FORMATS[id].read(rec, 0), re));

  it('calls that do not decode stay as text, content intact', () => {
    const ta = FORMATS.toolace.read({ system: '', conversations: [{ from: 'user', value: 'x' }, { from: 'assistant', value: "[get_weather(city='Paris'" }] }, 0);
    assert.equal(ta.turns[2].calls, undefined);
    assert.equal(ta.turns[2].content, "[get_weather(city='Paris'");
    const h = FORMATS.hermes.read({ conversations: [{ from: 'human', value: 'x' }, { from: 'gpt', value: '<tool_call>\n{"name": "f", "arguments": {oops}\n</tool_call>' }] }, 0);
    assert.equal(h.turns[1].calls, undefined);
    const g = FORMATS.glaive.read({ chat: "USER: x\n\n\nASSISTANT: <functioncall> {\"name\": \"f\", \"arguments\": '{broken'} <|endoftext|>\n\n\n" }, 0);
    assert.equal(g.turns[1].calls, undefined);
    assert.equal(g.turns[1].content, "<functioncall> {\"name\": \"f\", \"arguments\": '{broken'}");
    const lf = FORMATS.llamafactory.read({ conversations: [{ from: 'human', value: 'x' }, { from: 'function_call', value: 'not json' }] }, 0);
    assert.equal(lf.turns[1].calls, undefined);
    for (const [f, s, r] of [[FORMATS.toolace, ta, { system: '', conversations: [{ from: 'user', value: 'x' }, { from: 'assistant', value: "[get_weather(city='Paris'" }] }]] as const) assertSameRecord(f.write(s, r), r);
  });

  it('malformed_sample.jsonl: each broken line named with its reason, the HTML payload record loads as text', async () => {
    const ds = await Dataset.open(join(DEMO, 'malformed_sample.jsonl'));
    try {
      assert.equal(ds.format.id, 'openai');
      const results = [];
      for (let i = 0; i < ds.count; i++) results.push(await ds.sample(i));
      assert.deepEqual(
        results.map((r) => (r.ok ? 'ok' : r.reason.replace(/ \(.*/, ''))),
        ['ok', 'ok', 'line 3: not JSON', 'line 4: not JSON', 'line 5: messages is "hello", expected an array', 'line 6: invalid UTF-8 at byte 75 of the record', 'ok', 'ok', 'ok'],
      );
      const xss = results[6];
      assert.ok(xss.ok);
      assert.ok(xss.sample.turns.some((t) => t.content.includes('<img src=x onerror="window.__pwned=1">')));
      assert.ok(xss.sample.turns.some((t) => t.content.includes('<script>window.__pwned=1</script>')));
    } finally {
      await ds.close();
    }
  });
});

describe('cross-format conversion', () => {
  const sources: [string, FormatId, unknown[]][] = [
    ...(Object.keys(DEMO_FILES) as Exclude<FormatId, 'bfcl'>[]).map((id): [string, FormatId, unknown[]] => [DEMO_FILES[id], id, demo(id)]),
    ...bfclFiles().map((file): [string, FormatId, unknown[]] => [file, 'bfcl', records(join(BFCL, file))]),
  ];
  for (const [name, from, recs] of sources) {
    it(`${name} to every other format reads back the same tools and reference calls`, () => {
      const answers = from === 'bfcl' ? bfclAnswers(name) : undefined;
      const samples = recs.map((r, i) => {
        const s = FORMATS[from].read(r, i);
        const gt = answers?.get(s.id);
        return gt ? attachPossibleAnswers(s, gt) : s;
      });
      for (const to of FORMAT_IDS.filter((f) => f !== from)) {
        const out = samples.map((s) => FORMATS[to].write(s));
        assert.equal(detectFormat(out)?.format, to, `${name} → ${to} detected`);
        out.forEach((rec, i) => {
          const src = samples[i];
          const back = FORMATS[to].read(JSON.parse(JSON.stringify(rec)), i);
          if (to === 'bfcl') {
            const gt = bfclGroundTruth(src);
            if (gt) attachPossibleAnswers(back, gt);
          }
          const where = `${name} #${i} → ${to}`;
          assert.deepEqual(canonTools(back.tools), canonTools(src.tools), `${where}: tools`);
          assert.deepEqual(refCalls(back), refCalls(src), `${where}: reference calls`);
          // Converting again from the target keeps the sample's own syntax valid for its reader.
          assertSameRecord(FORMATS[to].write(back, rec), rec, `${where}: round trip in the target format`);
        });
      }
    });
  }
});
