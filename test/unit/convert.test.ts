// The conversion engine over real files (core/dataset/convert.ts): what is byte-identical, what the
// loss report says and when it is given, --strict, the side field (written where the target
// tolerates it, used only while the record still says what it said), and numbers' written form.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { ConversionRefused, convertDataset } from '../../src/core/dataset/convert';
import { formatLossReport } from '../../src/core/dataset/convertLoss';
import { FORMATS } from '../../src/core/dataset/formats/index';
import { SIDE_FIELD } from '../../src/core/dataset/sideField';
import type { FormatId } from '../../src/core/dataset/sample';
import { cloneJson, parseJsonKeepingNumbers } from '../../src/core/dataset/numberForm';
import { COMPACT_STYLE, PYTHON_STYLE, serializeRecord } from '../../src/core/dataset/jsonStyle';
import { decodePythonCalls, encodePythonCalls } from '../../src/core/dataset/pythonCalls';
import { tempDirs } from '../support/tempDirs';

const ROOT = resolve(__dirname, '..', '..');
const LF = join(ROOT, 'test', 'fixtures', 'datasets', 'llamafactory', 'glaive_toolcall_en_demo.json');
const BFCL_DIR = [join(ROOT, '..', 'shared', 'data', 'bfcl'), join(ROOT, 'demo', 'datasets', 'bfcl')].find((d) => existsSync(join(d, 'possible_answer', 'BFCL_v4_simple_python.json')))!;
const BFCL = join(BFCL_DIR, 'BFCL_v4_simple_python.json');
const LABELS = Object.fromEntries(Object.values(FORMATS).map((f) => [f.id, f.label])) as Record<FormatId, string>;

/** Temporary folders of this file, removed when its tests end. */
const tempDir = tempDirs();
const fresh = (name: string): string => tempDir(`itool-convert-${name}-`);
const read = (p: string): string => readFileSync(p, 'utf8');

describe('same-format conversion is byte-identical', () => {
  it('a pretty-printed JSON array (LLaMA-Factory glaive demo): brackets, separators and indentation kept', async () => {
    const out = join(fresh('lf'), 'same.json');
    const r = await convertDataset(LF, { to: 'llamafactory', out });
    assert.equal(r.written, 300);
    assert.ok(read(out) === read(LF), 'byte-identical');
  });

  it('JSON Lines without a final line break, and BFCL possible_answer beside it (numbers as 2.0, "" markers)', async () => {
    const out = join(fresh('bfcl'), 'BFCL_v4_simple_python.json');
    await convertDataset(BFCL, { to: 'bfcl', out });
    assert.ok(read(out) === read(BFCL), 'questions byte-identical');
    assert.ok(read(join(out, '..', 'possible_answer', 'BFCL_v4_simple_python.json')) === read(join(BFCL_DIR, 'possible_answer', 'BFCL_v4_simple_python.json')), 'answers byte-identical');
  });
});

describe('the loss report', () => {
  it('LLaMA-Factory → xLAM: multi-turn conversations and text answers are held in the side field, counted with examples', async () => {
    const dir = fresh('lf-xlam');
    const out = join(dir, 'x.jsonl');
    let seenBeforeWrite: boolean | undefined;
    const r = await convertDataset(LF, { to: 'xlam', out, onReport: () => void (seenBeforeWrite = !existsSync(out)) });
    assert.equal(seenBeforeWrite, true, 'the report comes before OUT is written');
    assert.deepEqual(r.report.dropped, []);
    const side = Object.fromEntries(r.report.sideField.map((c) => [c.kind, c.records]));
    assert.deepEqual(side, { conversation: 261, answer_text: 300 });
    assert.equal(r.report.sideFieldRecords, 300);
    const conv = r.report.sideField.find((c) => c.kind === 'conversation')!;
    assert.equal(conv.examples.length, 3);
    assert.match(conv.examples[0].detail, /^\d+ turn\(s\) \(ua[uat]+\) became 1 \(u\)$/);
    assert.ok(conv.examples.every((e) => e.line > 0 && e.id !== ''));
    const text = formatLossReport(r.report, LABELS, SIDE_FIELD);
    assert.match(text, /held only in the "itool_source" field of 300 of 300 record\(s\)/);
    assert.match(text, /conversation turns \(merged, collapsed or cut\): 261 record\(s\)\n {4}line 2 \(id "1"\): /);
    // Back: every record as it was (the JSON array's layout is the source's, as JSONL it is one per line).
    const back = join(dir, 'back.json');
    const home = await convertDataset(out, { to: 'llamafactory', out: back, container: 'json-array' });
    assert.equal(home.report.sideFieldRecords + home.report.lossyRecords, 0);
    assert.deepEqual(JSON.parse(read(back)), JSON.parse(read(LF)));
  });

  it('BFCL → OpenAI (no side field): ids, alternatives and "" markers reported as lost, with line and id', async () => {
    const out = join(fresh('bfcl-openai'), 'o.jsonl');
    const r = await convertDataset(BFCL, { to: 'openai', out });
    const lost = Object.fromEntries(r.report.dropped.map((c) => [c.kind, c.records]));
    assert.equal(lost.id, r.written);
    assert.ok(lost.alternatives > 0 && lost.omittable > 0);
    assert.deepEqual(r.report.sideField, []);
    assert.equal(r.report.dropped.find((c) => c.kind === 'id')!.examples[0].line, 1);
    assert.equal(r.report.dropped.find((c) => c.kind === 'id')!.examples[0].id, 'simple_python_0');
    assert.ok(!read(out).includes(SIDE_FIELD), 'OpenAI records get no side field');
    assert.match(formatLossReport(r.report, LABELS, SIDE_FIELD), /^lost converting BFCL .* to OpenAI chat \+ tools: \d+ of \d+ record\(s\)/);
  });

  it('--strict refuses a lossy conversion: the report is given, nothing is written, an old OUT stays', async () => {
    const dir = fresh('strict');
    const out = join(dir, 'o.json');
    writeFileSync(out, 'old\n');
    let reported = false;
    await assert.rejects(convertDataset(BFCL, { to: 'openai', out, strict: true, onReport: () => void (reported = true) }), (e: unknown) => e instanceof ConversionRefused && e.report.lossyRecords > 0);
    assert.equal(reported, true);
    assert.equal(read(out), 'old\n');
    assert.deepEqual(readdirSync(dir), ['o.json'], 'no temp file left');
    // A conversion that loses nothing, or keeps it in the side field, goes through.
    await convertDataset(LF, { to: 'openai', out: join(dir, 'ok.jsonl'), strict: true });
    await convertDataset(LF, { to: 'xlam', out: join(dir, 'side.jsonl'), strict: true });
  });

  it('writes into folders that do not exist yet, and a refused run leaves none of them behind', async () => {
    const dir = fresh('folders');
    const mid = join(dir, 'a', 'b', 'x.jsonl');
    await convertDataset(BFCL, { to: 'xlam', out: mid });
    const back = join(dir, 'c', 'BFCL_v4_simple_python.json');
    const r = await convertDataset(mid, { to: 'bfcl', out: back });
    assert.equal(r.answersFile, join(dir, 'c', 'possible_answer', 'BFCL_v4_simple_python.json'));
    assert.equal(read(back), read(BFCL), 'BFCL → xLAM → BFCL gives the questions byte for byte');
    assert.equal(read(r.answersFile), read(join(BFCL_DIR, 'possible_answer', 'BFCL_v4_simple_python.json')), 'and the answers');
    await assert.rejects(convertDataset(BFCL, { to: 'openai', out: join(dir, 'd', 'e', 'o.jsonl'), strict: true }), ConversionRefused);
    assert.deepEqual(readdirSync(dir).sort(), ['a', 'c'], 'the refused run made no folder that stays');
  });
});

describe('the side field', () => {
  it('is used only while the record says what it said: an edited record is converted as it is now, and the report says so', async () => {
    const dir = fresh('stale');
    const mid = join(dir, 'x.jsonl');
    await convertDataset(LF, { to: 'xlam', out: mid, container: 'jsonl' });
    const lines = read(mid).trimEnd().split('\n');
    const edited = JSON.parse(lines[1]) as Record<string, unknown>;
    edited.query = 'an edited question';
    lines[1] = JSON.stringify(edited);
    writeFileSync(mid, `${lines.join('\n')}\n`);
    const back = join(dir, 'back.jsonl');
    const r = await convertDataset(mid, { to: 'llamafactory', out: back });
    assert.equal(r.report.staleCount, 1);
    assert.equal(r.report.stale[0].line, 2);
    const out = read(back).trimEnd().split('\n').map((l) => JSON.parse(l) as { conversations: { value: string }[] });
    assert.equal(out[1].conversations[0].value, 'an edited question', 'the edit is kept');
    assert.deepEqual(out[0], (JSON.parse(read(LF)) as unknown[])[0], 'the others come back whole');
    assert.match(formatLossReport(r.report, LABELS, SIDE_FIELD), /1 record\(s\) changed since they were converted/);
  });

  it('comes back whatever format the record went through on the way (LLaMA-Factory → xLAM → BFCL → LLaMA-Factory)', async () => {
    const dir = fresh('chain');
    const x = join(dir, 'x.jsonl');
    const b = join(dir, 'b.jsonl');
    const back = join(dir, 'back.json');
    await convertDataset(LF, { to: 'xlam', out: x });
    await convertDataset(x, { to: 'bfcl', out: b });
    await convertDataset(b, { to: 'llamafactory', out: back, container: 'json-array' });
    assert.deepEqual(JSON.parse(read(back)), JSON.parse(read(LF)));
  });
});

describe('numbers keep their written form', () => {
  it('BFCL → OpenAI → BFCL: ground truth written 1.0 and 2.0 stays so (OpenAI holds them in its arguments)', async () => {
    const dir = fresh('numbers');
    mkdirSync(join(dir, 'b'));
    const src = join(dir, 'q.json');
    writeFileSync(src, `${JSON.stringify({ id: 'simple_1', question: [[{ role: 'user', content: 'Area?' }]], function: [{ name: 'area', parameters: { type: 'dict', properties: { r: { type: 'float' }, span: { type: 'array' } }, required: ['r'] } }] })}\n`);
    mkdirSync(join(dir, 'possible_answer'));
    writeFileSync(join(dir, 'possible_answer', 'q.json'), '{"id": "simple_1", "ground_truth": [{"area": {"r": [2.0], "span": [[1.0, 3.5]]}}]}\n');
    const mid = join(dir, 'o.jsonl');
    await convertDataset(src, { to: 'openai', out: mid });
    assert.match(read(mid), /\{\\"r\\":2\.0,\\"span\\":\[1\.0,3\.5\]\}/);
    const back = join(dir, 'b', 'q.json');
    await convertDataset(mid, { to: 'bfcl', out: back });
    assert.match(read(join(dir, 'b', 'possible_answer', 'q.json')), /"r":\[2\.0\],"span":\[\[1\.0,3\.5\]\]/);
    // Through ToolACE's python calls too.
    const t = join(dir, 't.jsonl');
    await convertDataset(mid, { to: 'toolace', out: t });
    assert.match(read(t), /area\(r=2\.0, span=\[1\.0, 3\.5\]\)/);
  });
});

describe('numberForm: spellings beside plain values', () => {
  it('JSON text: values are plain numbers, written back as they were spelled (2.0, 1e-05, a 20-digit integer)', () => {
    const text = '{"a": 2.0, "b": [1.0, {"c": 3.50}], "d": 12345678901234567890, "e": "2.0", "f": 1e-05, "g": 7}';
    const v = parseJsonKeepingNumbers(text) as Record<string, unknown>;
    assert.deepEqual(v, JSON.parse(text), 'the same values JSON.parse gives');
    assert.equal(serializeRecord(v, PYTHON_STYLE), text);
    // An edited value is written fresh; a repeated key keeps the last value and its spelling.
    v.a = 3;
    assert.match(serializeRecord(v, COMPACT_STYLE), /^\{"a":3,"b":\[1\.0,/);
    assert.equal(serializeRecord(parseJsonKeepingNumbers('{"x": 1.0, "x": 2}'), COMPACT_STYLE), '{"x":2}');
    assert.equal(serializeRecord(cloneJson(parseJsonKeepingNumbers('[1.0, [2.0]]')), COMPACT_STYLE), '[1.0,[2.0]]');
  });

  it('Python calls: floats stay floats (2.0, and Python-only spellings as Python prints them)', () => {
    const calls = decodePythonCalls('[f(a=2.0, b=[1.0, 2], c={"k": 1e-05}, d=2., e=.5, g=1_000.0)]')!;
    assert.deepEqual(calls[0].arguments, { a: 2, b: [1, 2], c: { k: 0.00001 }, d: 2, e: 0.5, g: 1000 });
    assert.equal(encodePythonCalls(calls), '[f(a=2.0, b=[1.0, 2], c={"k": 1e-05}, d=2.0, e=0.5, g=1000.0)]');
    assert.equal(serializeRecord(calls[0].arguments, COMPACT_STYLE), '{"a":2.0,"b":[1.0,2],"c":{"k":1e-05},"d":2.0,"e":0.5,"g":1000.0}');
  });
});
