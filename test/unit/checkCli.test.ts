// `itool check` as a user runs it (the built dist/cli.js), and its agreement with checkOutput — the
// function the panel calls — on the same rows. Also the predictions reader.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { before, describe, it } from 'node:test';
import { Dataset } from '../../src/core/dataset/dataset';
import { callsFromGroundTruth } from '../../src/core/dataset/formats/bfcl';
import { encodePythonCalls } from '../../src/core/dataset/pythonCalls';
import { referenceTurn, type Sample } from '../../src/core/dataset/sample';
import { checkOutput, expectationFor } from '../../src/core/toolcall/check/index';
import { parsePredictionLine, parsePredictions } from '../../src/core/toolcall/predictions';
import { ensureBuiltCli } from '../support/builtCli';

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const DEMO = join(ROOT, 'demo', 'datasets');
const BFCL = [process.env.BFCL_DATA, join(ROOT, '..', 'shared', 'data', 'bfcl'), join(DEMO, 'bfcl')].find((d) => d && existsSync(d))!;
const FIXTURES = join(ROOT, 'test', 'fixtures', 'datasets', 'bfcl');

function itool(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

async function samples(path: string): Promise<Map<string, Sample>> {
  const ds = await Dataset.open(path);
  const out = new Map<string, Sample>();
  try {
    for (let i = 0; i < ds.count; i++) {
      const r = await ds.sample(i);
      // Every answer of a record is a sample of its own (ID#k when there are several).
      if (r.ok) for (const s of r.samples) out.set(s.id, s);
    }
  } finally {
    await ds.close();
  }
  return out;
}

interface JsonRow {
  id: string | null;
  line?: number;
  valid: boolean;
  errors: { kind: string; function?: string; param?: string; span?: { start: number; end: number }; expected?: unknown; got?: unknown; message: string }[];
  score: number | null;
  problem?: string;
}
const jsonRows = (out: string): JsonRow[] => out.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as JsonRow);

/** What the CLI must print for a judged row: checkOutput's verdict, field for field (JSON drops undefined). */
function expectedRow(id: string, line: number, output: string, sample: Sample): JsonRow {
  const v = checkOutput(output, expectationFor(sample));
  return JSON.parse(JSON.stringify({ id, line, valid: v.valid, errors: v.errors.map((e) => ({ kind: e.kind, function: e.function, param: e.param, span: e.span, expected: e.expected, got: e.got, message: e.message })), score: v.score })) as JsonRow;
}

before(() => {
  ensureBuiltCli();
});

describe('itool check on BFCL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'itool-check-'));
  const file = readdirSync(BFCL).find((f) => f.includes('parallel_multiple'))!;
  // Questions and answers apart, under other names: only --answers can find them.
  const q = join(dir, 'questions.json');
  const a = join(dir, 'answers', 'gt.json');
  mkdirSync(join(dir, 'answers'));
  copyFileSync(join(BFCL, file), q);
  copyFileSync(join(BFCL, 'possible_answer', file), a);

  it('--json prints one line per input row, in order, with checkOutput verdicts', async () => {
    const byId = await samples(join(BFCL, file));
    const lines: string[] = [];
    const rows: { id: string; output: string }[] = [];
    for (const s of byId.values()) {
      const right = encodePythonCalls(callsFromGroundTruth(s.possibleAnswers!));
      rows.push({ id: s.id, output: right }, { id: s.id, output: right.replace(/\)\]$/, ', zz_invented=1)]') });
    }
    const s0 = byId.get(rows[0].id)!;
    rows.push({ id: s0.id, output: encodePythonCalls(callsFromGroundTruth(s0.possibleAnswers!).reverse()) }, { id: s0.id, output: 'I cannot do that.' });
    for (const r of rows) lines.push(JSON.stringify(r));
    lines.splice(3, 0, '{"id": "no_such_id", "output": "[f()]"}', 'this is not json', '', '{"output": "x"}');
    const outputs = join(dir, 'outputs.jsonl');
    writeFileSync(outputs, `${lines.join('\n')}\n`);

    const r = itool('check', '--questions', q, '--answers', a, '--outputs', outputs, '--json');
    assert.equal(r.code, 0, r.err);
    const got = jsonRows(r.out);
    assert.equal(got.length, lines.filter((l) => l.trim()).length);
    assert.deepEqual(got[3], { id: 'no_such_id', line: 4, valid: false, errors: [], score: null, problem: `no sample with id "no_such_id" in ${q}` });
    assert.equal(got[4].id, null);
    assert.equal(got[4].line, 5);
    assert.match(got[4].problem!, /^line 5: not JSON/);
    assert.match(got[5].problem!, /^line 7: no "id"/);
    const judged = got.filter((g) => g.score !== null);
    assert.equal(judged.length, rows.length);
    // Lines 4-7 are the four inserted above.
    judged.forEach((g, k) => assert.deepEqual(g, expectedRow(rows[k].id, k < 3 ? k + 1 : k + 5, rows[k].output, byId.get(rows[k].id)!), `row ${k}`));
    // Ground truths valid (but the few BFCL's own rules reject), invented parameters caught, the
    // reordered one valid, text not.
    const n = byId.size;
    assert.ok(judged.filter((g, k) => k < 2 * n && k % 2 === 0 && g.valid).length >= n - 3);
    assert.ok(judged.slice(0, 2 * n).every((g, k) => k % 2 === 0 || g.errors.some((e) => e.kind === 'unexpected_param')));
    assert.equal(judged[2 * n].valid, true);
    assert.deepEqual(judged[2 * n + 1].errors.map((e) => e.kind), ['should_call']);
  });

  it('text report: accuracy, counts per kind, first invalid rows; exit 0 with wrong outputs', () => {
    const outputs = join(dir, 'few.jsonl');
    const first = JSON.parse(readFileSync(q, 'utf8').split('\n')[0]) as { id: string };
    writeFileSync(outputs, [JSON.stringify({ id: first.id, output: 'nothing' }), JSON.stringify({ id: first.id, result: '[f(' })].join('\n'));
    const r = itool('check', '--questions', q, '--answers', a, '--outputs', outputs);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /checked {5}2 output\(s\): 0 valid, 2 invalid, accuracy 0\.0%/);
    assert.match(r.out, /should_call +1 +1/);
    assert.match(r.out, /parse_error +1 +1/);
    assert.match(r.out, /first 2 invalid output\(s\) of 2:/);
  });

  it('--category overrides the category of the ids', () => {
    const outputs = join(dir, 'cat.jsonl');
    const first = JSON.parse(readFileSync(q, 'utf8').split('\n')[0]) as { id: string };
    writeFileSync(outputs, `${JSON.stringify({ id: first.id, output: 'No function fits.' })}\n`);
    const r = itool('check', '--questions', q, '--answers', a, '--outputs', outputs, '--category', 'irrelevance', '--json');
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(jsonRows(r.out)[0], { id: first.id, line: 1, valid: true, errors: [], score: 1 });
  });

  it('fails with a clear message only when it cannot run', () => {
    let r = itool('check', '--questions', q, '--outputs', join(dir, 'missing.jsonl'));
    assert.equal(r.code, 1);
    assert.match(r.err, /outputs file not found: .*missing\.jsonl/);
    r = itool('check', '--questions', q);
    assert.equal(r.code, 2);
    assert.match(r.err, /--outputs O\.jsonl is required/);
    r = itool('check', '--questions', q, '--outputs', q, '--category', 'nonsense');
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown BFCL category "nonsense"/);
    r = itool('check', '--questions', q, '--answers', q, '--outputs', q);
    assert.equal(r.code, 1);
    assert.match(r.err, /no BFCL possible answers/);
    const notData = join(dir, 'plain.jsonl');
    writeFileSync(notData, '{"a": 1}\n');
    r = itool('check', notData, '--outputs', notData);
    assert.equal(r.code, 1);
    assert.match(r.err, /not a format I read \(closest: OpenAI chat \+ tools, because line 1: messages is missing, expected an array\)/);
  });
});

describe('itool check DATASET (any format)', () => {
  for (const name of ['toolace_sample.json', 'xlam_sample.jsonl', 'hermes_sample.jsonl', 'llamafactory_sample.json']) {
    it(`${name}: references valid, perturbed ones not, same verdicts as checkOutput`, async () => {
      const path = join(DEMO, name);
      const byId = await samples(path);
      const rows: { id: string; output: string }[] = [];
      for (const s of byId.values()) {
        const ref = referenceTurn(s);
        rows.push({ id: s.id, output: ref?.content || 'Just text.' });
        rows.push({ id: s.id, output: ref?.calls?.length ? 'Just text.' : '[f(a=1)]' });
      }
      const dir = mkdtempSync(join(tmpdir(), 'itool-check-'));
      const outputs = join(dir, 'o.jsonl');
      writeFileSync(outputs, rows.map((r) => JSON.stringify(r)).join('\n'));
      const r = itool('check', path, '--outputs', outputs, '--json');
      assert.equal(r.code, 0, r.err);
      const got = jsonRows(r.out);
      assert.equal(got.length, rows.length);
      got.forEach((g, k) => {
        assert.deepEqual(g, expectedRow(rows[k].id, k + 1, rows[k].output, byId.get(rows[k].id)!), `row ${k}`);
        assert.equal(g.valid, k % 2 === 0, `row ${k}: ${JSON.stringify(g)}`);
      });
    });
  }
});

describe('malformed output rows through itool check', () => {
  // The real simple_java record: its possible answer lists `to` as 30.0 or "30.0" (a Java `any`).
  const dataset = join(FIXTURES, 'BFCL_v4_simple_java.json');
  const right = '[dvRangeQuery(field="temperature", queryType="FLOAT", from=20.5, to=30.0, includeFrom=true, includeTo=false)]';
  const lines: [text: string, reason: RegExp | null][] = [
    [JSON.stringify({ id: 'simple_java_62', output: right }), null],
    ['{"id": "simple_java_62", "output": "[dvRangeQuery(field=', /not JSON \(/],
    ['{"output": "[f()]"}', /^no "id"$/],
    ['{"id": 3, "output": {"a": 1}}', /^"output" must be a string \(the model's text\) or a list \(BFCL function-calling calls\), got an object$/],
    ['{"id": "simple_java_0", "output": 42}', /^"output" must be .*, got the number 42$/],
    ['{"id": "simple_java_0", "result": null}', /^"result" must be .*, got null$/],
    ['{"id": true, "output": "x"}', /^"id" must be a string or a number, got true$/],
    ['{"id": "", "output": "x"}', /^"id" is an empty string$/],
    ['{"id": null}', /^"id" must be a string or a number, got null; no "output" \(or BFCL "result"\) field$/],
    ['[{"id": "simple_java_0", "output": "x"}]', /^expected an object \{"id", "output"\}, got an array$/],
  ];
  const dir = mkdtempSync(join(tmpdir(), 'itool-check-'));
  const outputs = join(dir, 'malformed.jsonl');
  // A number id that names no sample: judged as the text "3", and the message says so.
  const text = [...lines.map(([l]) => l), '{"id": 3, "output": "[f()]"}'].join('\n');
  writeFileSync(outputs, `${text}\n`);

  it('--json: every malformed row with its line and its real reason, not "no sample with id"', () => {
    const r = itool('check', dataset, '--outputs', outputs, '--json');
    // 10 of the 11 lines cannot be judged: every row is still reported, and the run fails, saying so.
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, /^itool check: 10 of 11 line\(s\) of .*malformed\.jsonl could not be judged \(9 malformed, 1 without a usable sample\); the figures above are not the whole file\n$/);
    const got = jsonRows(r.out);
    assert.equal(got.length, lines.length + 1);
    assert.deepEqual(got[0], { id: 'simple_java_62', line: 1, valid: true, errors: [], score: 1 });
    lines.forEach(([, reason], k) => {
      if (!reason) return;
      const g = got[k];
      assert.deepEqual([g.id, g.line, g.valid, g.errors, g.score], [null, k + 1, false, [], null], `line ${k + 1}`);
      assert.ok(g.problem!.startsWith(`line ${k + 1}: `), g.problem);
      assert.match(g.problem!.slice(`line ${k + 1}: `.length), reason, `line ${k + 1}`);
    });
    const last = got[lines.length];
    assert.deepEqual([last.id, last.line, last.score], ['3', lines.length + 1, null]);
    assert.equal(last.problem, `no sample with id "3" in ${dataset} ("id" is the number 3, matched as the text "3")`);
  });

  it('a file with no output rows fails, saying so; one whose rows mostly judge passes', () => {
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '');
    const r = itool('check', dataset, '--outputs', empty);
    assert.equal(r.code, 1);
    assert.match(r.err, /empty\.jsonl holds no output rows; the figures above are not the whole file/);
    const most = join(dir, 'most.jsonl');
    writeFileSync(most, `${lines[0][0]}\n${lines[0][0]}\n${lines[1][0]}\n`);
    const ok = itool('check', dataset, '--outputs', most);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /not judged {2}0 row\(s\) without a usable sample, 1 malformed line\(s\)/);
  });

  it('text report: the same reasons, each on its line', () => {
    const r = itool('check', dataset, '--outputs', outputs);
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, /10 of 11 line\(s\) of .* could not be judged/);
    assert.match(r.out, /outputs {5}.*: 2 row\(s\), 9 malformed line\(s\)/);
    assert.match(r.out, /checked {5}1 output\(s\): 1 valid, 0 invalid/);
    assert.match(r.out, /not judged {2}1 row\(s\) without a usable sample, 9 malformed line\(s\)/);
    const listed = r.out.split('\n').filter((l) => /^ {2}line \d+: /.test(l));
    assert.equal(listed.length, 10);
    lines.forEach(([, reason], k) => {
      if (!reason) return;
      const l = listed.find((x) => x.startsWith(`  line ${k + 1}: `));
      assert.ok(l, `line ${k + 1} listed`);
      assert.match(l.slice(`  line ${k + 1}: `.length), reason);
    });
    assert.ok(listed.includes(`  line ${lines.length + 1}: no sample with id "3" in ${dataset} ("id" is the number 3, matched as the text "3")`), listed.join('\n'));
  });

  it('a number id matches the sample with that id as text, on purpose (record ids and record numbers are text)', () => {
    // xlam records carry numeric ids ("id": 0); glaive records none, so their ids are record
    // numbers (record 2 has one answer, so its sample id is "2", not "2#k").
    for (const [file, id] of [['xlam_sample.jsonl', 0], ['glaive_sample.jsonl', 2]] as const) {
      const out = join(dir, `num-${file}`);
      writeFileSync(out, `${JSON.stringify({ id, output: 'Just text.' })}\n`);
      const r = itool('check', join(DEMO, file), '--outputs', out, '--json');
      assert.equal(r.code, 0, r.err);
      const [row] = jsonRows(r.out);
      assert.equal(row.id, String(id), file);
      assert.equal(row.problem, undefined, `${file}: ${row.problem}`);
      assert.equal(typeof row.score, 'number', file);
    }
  });

  it('a whole JSON document instead of JSON Lines is said to be one, once', () => {
    const out = join(dir, 'array.json');
    writeFileSync(out, JSON.stringify([{ id: 'simple_java_62', output: right }, { id: 'simple_java_0', output: 'x' }], null, 2));
    const got = jsonRows(itool('check', dataset, '--outputs', out, '--json').out);
    assert.deepEqual(got, [{ id: null, line: 1, valid: false, errors: [], score: null, problem: 'line 1: the file is one JSON array (of 2 items), not JSON Lines: write one {"id", "output"} object per line' }]);
  });
});

describe('predictions reader', () => {
  it('rows, numeric ids, BFCL result lists, repeated ids; malformed lines with line and every reason', () => {
    const text = [
      '\uFEFF{"id": "a", "output": "[f(x=1)]"}',
      '{"id": 7, "result": "[g()]"}\r',
      '',
      '{"id": "a", "result": [{"f": "{\\"x\\": 1}"}]}',
      '{"id": "b", "result": {"odd": true}}',
      '[1, 2]',
      '{"id": "c"}',
      '{"id": {"n": 1}, "output": "x"}',
      '{"id": "d", "output": null}',
      '{"id": "e", "output": "[f(',
      '{"id": "f", "result": [["multi", "turn"]]}',
      '{"id": 2.5, "output": false}',
    ].join('\n');
    const { rows, problems } = parsePredictions(text);
    assert.deepEqual(rows, [
      { id: 'a', output: '[f(x=1)]', line: 1, field: 'output' },
      { id: '7', numericId: 7, output: '[g()]', line: 2, field: 'result' },
      { id: 'a', output: '[{"name":"f","arguments":{"x":1}}]', line: 4, field: 'result' },
      { id: 'f', output: '[["multi","turn"]]', line: 11, field: 'result' },
    ]);
    assert.deepEqual(problems.map((p) => p.line), [5, 6, 7, 8, 9, 10, 12]);
    assert.match(problems[0].reason, /^line 5: "result" must be a string \(the model's text\) or a list \(BFCL function-calling calls\), got an object$/);
    assert.match(problems[1].reason, /^line 6: expected an object/);
    assert.match(problems[2].reason, /^line 7: no "output"/);
    assert.match(problems[3].reason, /^line 8: "id" must be a string or a number, got an object$/);
    assert.match(problems[4].reason, /^line 9: "output" must be .*, got null$/);
    assert.match(problems[5].reason, /^line 10: not JSON/);
    assert.match(problems[6].reason, /^line 12: "output" must be .*, got false$/);
    assert.deepEqual(parsePredictionLine('{"id": "z", "output": "t"}', 3), { ok: true, id: 'z', output: 't', line: 3, field: 'output' });
    // A pretty-printed object is one document, not six bad lines.
    assert.deepEqual(parsePredictions('{\n  "id": "a",\n  "output": "x"\n}\n').problems, [{ line: 1, reason: 'line 1: the file is one JSON object written over several lines, not JSON Lines: write one {"id", "output"} object per line' }]);
  });

  it('a BFCL function-calling result is judged as the calls it holds', async () => {
    const byId = await samples(join(BFCL, readdirSync(BFCL).find((f) => f.includes('simple'))!));
    const s = [...byId.values()][0];
    const gt = callsFromGroundTruth(s.possibleAnswers!);
    const line = JSON.stringify({ id: s.id, result: gt.map((c) => ({ [c.name]: JSON.stringify(c.arguments) })) });
    const row = parsePredictionLine(line, 1);
    assert.ok(row.ok);
    assert.equal(checkOutput(row.output, expectationFor(s)).valid, true, row.output);
  });
});

describe('itool check --questions DIR (a whole BFCL folder)', () => {
  // A BFCL data folder: the committed fixtures (Java, JavaScript, multi-turn, memory, web_search,
  // their class docs and answers) and the demo's single-turn Python files.
  const dir = mkdtempSync(join(tmpdir(), 'itool-check-folder-'));
  const folder = join(dir, 'data');
  cpSync(FIXTURES, folder, { recursive: true });
  const demo = join(DEMO, 'bfcl');
  for (const f of ['BFCL_v4_simple_python.json', 'BFCL_v4_parallel_multiple.json', 'BFCL_v4_live_multiple.json', 'BFCL_v4_irrelevance.json']) {
    copyFileSync(join(demo, f), join(folder, f));
    if (existsSync(join(demo, 'possible_answer', f))) copyFileSync(join(demo, 'possible_answer', f), join(folder, 'possible_answer', f));
  }
  const questionFiles = readdirSync(folder).filter((f) => /^BFCL_v4_.*\.json$/.test(f)).sort();

  /** Outputs for the first samples of every file: the reference, a text answer, an invented call. */
  async function outputsByFile(): Promise<Map<string, { id: string; output: string }[]>> {
    const out = new Map<string, { id: string; output: string }[]>();
    for (const f of questionFiles) {
      const byId = await samples(join(folder, f));
      const rows: { id: string; output: string }[] = [];
      for (const s of [...byId.values()].slice(0, 6)) {
        const ref = referenceTurn(s)?.content || s.acceptedTexts?.[0] || 'No function fits.';
        rows.push({ id: s.id, output: ref }, { id: s.id, output: 'I cannot do that.' }, { id: s.id, output: '[zz_made_up(x=1)]' });
      }
      out.set(f, rows);
    }
    return out;
  }

  it('each output is judged against the file of its category, exactly as a run on that file alone', async () => {
    const byFile = await outputsByFile();
    // Interleaved across files, as a BFCL result folder concatenated in any order would be.
    const all: { id: string; output: string; file: string }[] = [];
    const lists = [...byFile].map(([file, rows]) => rows.map((r) => ({ ...r, file })));
    for (let k = 0; lists.some((l) => k < l.length); k++) for (const l of lists) if (k < l.length) all.push(l[k]);
    const lines = all.map((r) => JSON.stringify({ id: r.id, output: r.output }));
    // An id of a category the folder has no file for, one the file does not hold, a broken line.
    lines.splice(5, 0, JSON.stringify({ id: 'exec_simple_3', output: '[f()]' }), JSON.stringify({ id: 'simple_python_99999', output: '[f()]' }), '{"id": ');
    const outputs = join(dir, 'all.jsonl');
    writeFileSync(outputs, `${lines.join('\n')}\n`);
    const r = itool('check', '--questions', folder, '--outputs', outputs, '--json');
    assert.equal(r.code, 0, r.err);
    const got = jsonRows(r.out);
    assert.equal(got.length, lines.length);
    assert.match(got[5].problem!, /^no BFCL question file in .* for id "exec_simple_3" \(its categories: .*simple_java.*\)$/);
    assert.equal(got[6].problem, `no sample with id "simple_python_99999" in ${join(folder, 'BFCL_v4_simple_python.json')}`);
    assert.match(got[7].problem!, /^line 8: not JSON/);
    const judged = got.filter((_, k) => k < 5 || k > 7);
    assert.equal(judged.length, all.length);
    assert.ok(judged.every((g) => g.score !== null), JSON.stringify(judged.find((g) => g.score === null)));
    // The same rows, file by file, each file checked on its own: the same verdicts.
    for (const [file, rows] of byFile) {
      const one = join(dir, `one-${file}l`);
      writeFileSync(one, rows.map((x) => JSON.stringify(x)).join('\n'));
      const alone = itool('check', join(folder, file), '--outputs', one, '--json');
      assert.equal(alone.code, 0, alone.err);
      const expected = jsonRows(alone.out).map(({ valid, errors, score }) => ({ valid, errors, score }));
      const fromFolder = judged.filter((_, k) => all[k].file === file).map(({ valid, errors, score }) => ({ valid, errors, score }));
      assert.deepEqual(fromFolder, expected, file);
      assert.ok(expected.some((e) => e.valid) && expected.some((e) => !e.valid), `${file}: some outputs valid, some not`);
    }
  });

  it('reads only the files its outputs name; the text report says how many records', async () => {
    const byFile = await outputsByFile();
    const outputs = join(dir, 'java.jsonl');
    writeFileSync(outputs, byFile.get('BFCL_v4_simple_java.json')!.map((x) => JSON.stringify(x)).join('\n'));
    const records = readFileSync(join(folder, 'BFCL_v4_simple_java.json'), 'utf8').split('\n').filter((l) => l.trim()).length;
    // Every other question file unreadable: reading one of them would fail the run.
    const broken = join(dir, 'broken');
    cpSync(folder, broken, { recursive: true });
    for (const f of questionFiles) if (f !== 'BFCL_v4_simple_java.json') writeFileSync(join(broken, f), 'not json at all\n');
    const r = itool('check', '--questions', broken, '--outputs', outputs);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`questions {3}.*broken \\(BFCL folder, ${records} records in the files the outputs name\\)`));
    assert.match(r.out, /checked {5}18 output\(s\)/);
  });

  it('--answers DIR elsewhere replaces the answers beside the questions; wrong combinations are refused', async () => {
    const byFile = await outputsByFile();
    const rows = byFile.get('BFCL_v4_simple_python.json')!;
    const outputs = join(dir, 'py.jsonl');
    writeFileSync(outputs, rows.map((x) => JSON.stringify(x)).join('\n'));
    // The same answers under another folder: the same verdicts.
    const answers = join(dir, 'answers-copy');
    cpSync(join(folder, 'possible_answer'), answers, { recursive: true });
    const same = itool('check', '--questions', folder, '--answers', answers, '--outputs', outputs, '--json');
    const beside = itool('check', '--questions', folder, '--outputs', outputs, '--json');
    assert.equal(same.code, 0, same.err);
    assert.deepEqual(jsonRows(same.out), jsonRows(beside.out));
    // A folder without that file: the answers beside do not count, and each row says so.
    const empty = join(dir, 'answers-empty');
    mkdirSync(empty);
    const none = jsonRows(itool('check', '--questions', folder, '--answers', empty, '--outputs', outputs, '--json').out);
    assert.ok(none.every((g) => g.score === null && /^no possible answer for /.test(g.problem!)), JSON.stringify(none[0]));
    let r = itool('check', '--questions', folder, '--answers', join(folder, 'possible_answer', 'BFCL_v4_simple_python.json'), '--outputs', outputs);
    assert.equal(r.code, 1);
    assert.match(r.err, /is a folder of questions, so the answers must be one too/);
    r = itool('check', folder, '--outputs', outputs);
    assert.equal(r.code, 1);
    assert.match(r.err, /is a folder: give a folder of BFCL question files as --questions DIR/);
    const twice = join(dir, 'twice');
    mkdirSync(twice);
    copyFileSync(join(folder, 'BFCL_v4_simple_python.json'), join(twice, 'BFCL_v4_simple_python.json'));
    copyFileSync(join(folder, 'BFCL_v4_simple_python.json'), join(twice, 'BFCL_v3_simple_python.json'));
    r = itool('check', '--questions', twice, '--outputs', outputs);
    assert.equal(r.code, 1);
    assert.match(r.err, /holds both BFCL_v3_simple_python\.json and BFCL_v4_simple_python\.json/);
    r = itool('check', '--questions', join(dir, 'answers-empty'), '--outputs', outputs);
    assert.equal(r.code, 1);
    assert.match(r.err, /holds no BFCL question files/);
  });
});
