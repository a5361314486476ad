// BFCL v4's multi-turn, memory and web_search categories on the real files shipped as fixtures
// (test/fixtures/datasets/bfcl, Apache-2.0): reading them with the class docs beside them, one
// sample per BFCL turn, checking outputs (calls in order per turn, text answers by BFCL's agentic
// rule), and writing them back BFCL → BFCL unchanged.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { convertDataset } from '../../src/cli/convert';
import { runCheck } from '../../src/cli/check';
import { Dataset } from '../../src/core/dataset/dataset';
import { FORMATS } from '../../src/core/dataset/formats/index';
import { attachPossibleAnswers } from '../../src/core/dataset/formats/bfcl';
import { FormatError, promptTurns, referenceTurn, type Sample, type ToolDef } from '../../src/core/dataset/sample';
import { agenticMatch } from '../../src/core/toolcall/check/agentic';
import { bfclCategory, checkOutput, expectationFor } from '../../src/core/toolcall/check/index';
import { tempDirs } from '../support/tempDirs';

/** Temporary folders of this file, removed when its tests end. */
const tempDir = tempDirs();

const ROOT = resolve(__dirname, '..', '..');
const DIR = join(ROOT, 'test', 'fixtures', 'datasets', 'bfcl');
const MT_BASE = 'BFCL_v4_multi_turn_base.json';
const MT_MISS = 'BFCL_v4_multi_turn_miss_func.json';
const MEMORY = 'BFCL_v4_memory.json';
const WEB = 'BFCL_v4_web_search.json';
const JAVA = 'BFCL_v4_simple_java.json';

type Rec = Record<string, unknown> & { id: string };
const jsonl = (path: string): Rec[] => readFileSync(path, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Rec);

/** Every record's samples (answers.ts), opening the file as the product does. */
async function allSamples(file: string, dir = DIR): Promise<{ records: Sample[]; samples: Sample[]; problems: string[] }> {
  const ds = await Dataset.open(join(dir, file));
  const records: Sample[] = [];
  const samples: Sample[] = [];
  const problems: string[] = [];
  try {
    for (let i = 0; i < ds.count; i++) {
      const r = await ds.sample(i);
      if (!r.ok) problems.push(r.reason);
      else {
        records.push(r.sample);
        samples.push(...r.samples);
      }
    }
  } finally {
    await ds.close();
  }
  return { records, samples, problems };
}

describe('BFCL multi-turn, memory and web_search: reading', () => {
  // Expected figures from the independent counter, run on the fixtures:
  //   $ python3 scripts/datasets/count_bfcl.py test/fixtures/datasets/bfcl
  //   BFCL_v4_memory.json:              records 155, samples 155, turns_with_calls 0,   gt_calls 0,    accepted_texts 155
  //   BFCL_v4_multi_turn_base.json:     records 200, samples 734, turns_with_calls 731, gt_calls 1142, accepted_texts 0
  //   BFCL_v4_multi_turn_miss_func.json: records 200, samples 934, turns_with_calls 731, gt_calls 1140, accepted_texts 0
  //   BFCL_v4_simple_java.json:         records 100, samples 100, turns_with_calls 100, gt_calls 100,  accepted_texts 0
  //   BFCL_v4_web_search.json:          records 100, samples 100, turns_with_calls 0,   gt_calls 0,    accepted_texts 100
  // ("problems": [] for every file.)
  const EXPECTED: Record<string, [records: number, samples: number, withCalls: number, calls: number, texts: number]> = {
    [MEMORY]: [155, 155, 0, 0, 155],
    [MT_BASE]: [200, 734, 731, 1142, 0],
    [MT_MISS]: [200, 934, 731, 1140, 0],
    [JAVA]: [100, 100, 100, 100, 0],
    [WEB]: [100, 100, 0, 0, 100],
  };
  for (const [file, [records, samples, withCalls, calls, texts]] of Object.entries(EXPECTED)) {
    it(`${file}: the counts the Python counter finds`, async () => {
      const r = await allSamples(file);
      assert.deepEqual(r.problems, []);
      assert.equal(r.records.length, records);
      assert.equal(r.samples.length, samples);
      assert.equal(r.samples.filter((s) => (s.possibleAnswers?.length ?? 0) > 0).length, withCalls);
      assert.equal(r.samples.reduce((n, s) => n + (s.possibleAnswers?.length ?? 0), 0), calls);
      assert.equal(r.samples.filter((s) => s.acceptedTexts).length, texts);
    });
  }

  /** The docs of a doc file, read here directly (one JSON function doc per line). */
  const docs = (file: string): ToolDef[] => jsonl(join(DIR, 'multi_turn_func_doc', file)).map((d) => ({ name: d.name as string, description: d.description as string, parameters: d.parameters as Record<string, unknown> }));
  const CLASS_FILE: Record<string, string> = { GorillaFileSystem: 'gorilla_file_system.json', MathAPI: 'math_api.json', MessageAPI: 'message_api.json', TwitterAPI: 'posting_api.json', TicketAPI: 'ticket_api.json', TradingBot: 'trading_bot.json', TravelAPI: 'travel_booking.json', VehicleControlAPI: 'vehicle_control.json', WebSearchAPI: 'web_search.json', MemoryAPI: 'memory_kv.json' };

  for (const file of [MT_BASE, MT_MISS, MEMORY, WEB]) {
    it(`${file}: tools are the class docs minus excluded_function, withheld ones only from their turn`, async () => {
      const byId = new Map(jsonl(join(DIR, file)).map((r) => [r.id, r]));
      const { samples } = await allSamples(file);
      for (const s of samples) {
        const rec = byId.get(s.recordId ?? s.id)!;
        const excluded = (rec.excluded_function as string[] | undefined) ?? [];
        const missed = (rec.missed_function as Record<string, string[]> | undefined) ?? {};
        const turn = s.answer ?? (rec.question as unknown[]).length - 1;
        const withheld = Object.entries(missed).flatMap(([t, names]) => (Number(t) > turn ? names : []));
        const want = (rec.involved_classes as string[]).flatMap((c) => docs(CLASS_FILE[c])).filter((t) => !excluded.includes(t.name) && !withheld.includes(t.name));
        assert.ok(s.tools.length > 0, `${s.id} has tools`);
        assert.deepEqual(s.tools, want, `${s.id}: tools at turn ${turn}`);
      }
    });
  }

  it('multi-turn: one sample per BFCL turn, prompts without tool turns, positional arguments named', async () => {
    const { samples } = await allSamples(MT_BASE);
    const base0 = samples.filter((s) => s.recordId === 'multi_turn_base_0');
    assert.deepEqual(base0.map((s) => s.id), ['multi_turn_base_0#0', 'multi_turn_base_0#1', 'multi_turn_base_0#2', 'multi_turn_base_0#3']);
    const s1 = base0[1];
    assert.deepEqual(promptTurns(s1).map((t) => t.role), ['user', 'assistant', 'user']);
    assert.deepEqual(promptTurns(s1)[1].calls?.map((c) => c.name), ['cd', 'mkdir', 'mv']);
    assert.ok(samples.every((s) => s.turns.every((t) => t.role !== 'tool_result')));
    // "sort('final_report.pdf')": sort's first parameter in gorilla_file_system.json is file_name.
    assert.deepEqual(referenceTurn(base0[2])?.calls, [{ name: 'sort', arguments: { file_name: 'final_report.pdf' } }]);
    assert.deepEqual(base0[2].possibleAnswers, [{ sort: { file_name: ['final_report.pdf'] } }]);
  });

  it('miss_func: the empty question turn adds no user message; its turn gets the function back', async () => {
    const { samples } = await allSamples(MT_MISS);
    // missed_function {"3": ["sort"]}; ground truth [[cd, mkdir, mv], [cd, grep], [], [sort], [cd, mv, cd, diff]].
    const m0 = samples.filter((s) => s.recordId === 'multi_turn_miss_func_0');
    assert.equal(m0.length, 5);
    assert.deepEqual(m0.map((s) => s.tools.some((t) => t.name === 'sort')), [false, false, false, true, true]);
    assert.deepEqual(m0[2].possibleAnswers, [], 'turn 2 expects no call (sort is not offered yet)');
    assert.equal(referenceTurn(m0[2])?.content, '');
    assert.deepEqual(promptTurns(m0[3]).map((t) => t.role), ['user', 'assistant', 'user', 'assistant', 'user', 'assistant']);
    assert.deepEqual(referenceTurn(m0[3])?.calls, [{ name: 'sort', arguments: { file_name: 'final_report.pdf' } }]);
  });

  it('memory and web_search: the first accepted answer is the reference, all of them acceptedTexts', async () => {
    const { samples } = await allSamples(MEMORY);
    const m1 = samples.find((s) => s.id === 'memory_1-customer-1')!;
    assert.deepEqual(m1.acceptedTexts, ['35', 'thirty five']);
    assert.equal(m1.possibleAnswers, undefined);
    assert.deepEqual(referenceTurn(m1), { role: 'assistant', content: '35' });
    assert.deepEqual(m1.tools.map((t) => t.name).slice(0, 2), ['archival_memory_add', 'archival_memory_clear']);
    const web = (await allSamples(WEB)).samples[0];
    assert.deepEqual([web.id, web.acceptedTexts, referenceTurn(web)?.content], ['web_search_0', ['Zhang Yiming'], 'Zhang Yiming']);
  });

  it('categories from ids', () => {
    const ids = ['multi_turn_base_0#2', 'multi_turn_miss_func_12', 'multi_turn_long_context_3#0', 'multi_turn_miss_param_9', 'memory_0-customer-0', 'memory_kv_3-student-1', 'web_search_7', 'simple_java_4', 'live_parallel_3-1-0'];
    assert.deepEqual(ids.map(bfclCategory), ['multi_turn_base', 'multi_turn_miss_func', 'multi_turn_long_context', 'multi_turn_miss_param', 'memory', 'memory', 'web_search', 'simple', 'live_parallel']);
  });

  it('without the class docs a record fails naming what is missing, in the list and in a full check', async () => {
    const dir = tempDir('bfcl-nodocs-');
    copyFileSync(join(DIR, MT_BASE), join(dir, MT_BASE));
    // Opened as it comes, no record reads: the refusal names what is missing.
    await assert.rejects(Dataset.open(join(dir, MT_BASE)), /closest: BFCL .*no multi_turn_func_doc\/ folder beside BFCL_v4_multi_turn_base\.json/);
    // Opened as BFCL, every record says so.
    const ds = await Dataset.open(join(dir, MT_BASE), { format: 'bfcl' });
    try {
      const r = await ds.sample(0);
      assert.ok(!r.ok && /line 1: cannot list its tools: the tools of class TwitterAPI are in multi_turn_func_doc\/posting_api\.json, and there is no multi_turn_func_doc\/ folder beside/.test(r.reason), r.ok ? 'read' : r.reason);
      const bad: string[] = [];
      assert.deepEqual(await ds.check({ onProblems: (items) => bad.push(...items.map((x) => x.reason)), workers: 1 }), { ok: 0, bad: 200 });
      assert.match(bad[0], /multi_turn_func_doc/);
    } finally {
      await ds.close();
    }
    // A folder without the class's file names that file.
    mkdirSync(join(dir, 'multi_turn_func_doc'));
    copyFileSync(join(DIR, 'multi_turn_func_doc', 'gorilla_file_system.json'), join(dir, 'multi_turn_func_doc', 'gorilla_file_system.json'));
    const ds2 = await Dataset.open(join(dir, MT_BASE));
    try {
      const r0 = await ds2.sample(0);
      assert.ok(!r0.ok && /multi_turn_func_doc\/posting_api\.json not found/.test(r0.reason), r0.ok ? 'read' : r0.reason);
      assert.ok((await ds2.sample(1)).ok, 'a record of GorillaFileSystem alone reads');
    } finally {
      await ds2.close();
    }
    // The plain format reader (no file) says where the tools would be.
    assert.throws(() => FORMATS.bfcl.read(jsonl(join(DIR, MT_BASE))[0], 0), (e: unknown) => e instanceof FormatError && /multi_turn_func_doc/.test(e.message));
  });

  it('a full check (worker threads) agrees: every record of every file reads', async () => {
    for (const file of [MT_BASE, MT_MISS, MEMORY, WEB, JAVA]) {
      const ds = await Dataset.open(join(DIR, file));
      try {
        const n = ds.count;
        assert.deepEqual(await ds.check({ workers: 2 }), { ok: n, bad: 0 }, file);
      } finally {
        await ds.close();
      }
    }
  });
});

describe('BFCL multi-turn, memory and web_search: checking', () => {
  // Each sample's own reference as the output. Every one is valid (as on the four multi-turn files
  // of the full BFCL v4 data: 734 + 734 + 934 + 934 samples).
  for (const [file, n] of [[MT_BASE, 734], [MT_MISS, 934], [MEMORY, 155], [WEB, 100], [JAVA, 100]] as const) {
    it(`${file}: the references themselves are valid (${n})`, async () => {
      const { samples } = await allSamples(file);
      const invalid = samples.filter((s) => !checkOutput(referenceTurn(s)?.content ?? '', expectationFor(s)).valid).map((s) => s.id);
      assert.deepEqual(invalid, []);
      assert.equal(samples.length, n);
    });
  }

  it('multi-turn: wrong arguments, calls out of order, a call where none is expected are invalid with reasons', async () => {
    const { samples } = await allSamples(MT_MISS);
    const s0 = samples.find((s) => s.id === 'multi_turn_miss_func_0#0')!;
    const exp = expectationFor(s0);
    assert.equal(exp.kind === 'bfcl' && exp.ordered, true);
    const wrong = checkOutput('[cd(folder="documents"), mkdir(dir_name="temp"), mv(source="final_report.pdf", destination="temp")]', exp);
    assert.equal(wrong.valid, false);
    assert.deepEqual(wrong.errors.map((e) => [e.kind, e.param]), [['wrong_value', 'folder']]);
    const swapped = checkOutput('[mkdir(dir_name="temp"), cd(folder="document"), mv(source="final_report.pdf", destination="temp")]', exp);
    assert.deepEqual(swapped.errors.map((e) => e.kind), ['wrong_function', 'wrong_function']);
    const missing = checkOutput('[cd(folder="document"), mv(source="final_report.pdf", destination="temp")]', exp);
    assert.deepEqual(missing.errors.map((e) => [e.kind, e.function]), [['wrong_call_count', 'mkdir']]);
    // Turn 2 (sort withheld) expects no call; any text is fine.
    const s2 = samples.find((s) => s.id === 'multi_turn_miss_func_0#2')!;
    assert.equal(checkOutput('I cannot sort: there is no function for it.', expectationFor(s2)).valid, true);
    assert.deepEqual(checkOutput('[sort(file_name="final_report.pdf")]', expectationFor(s2)).errors.map((e) => e.kind), ['should_not_call']);
    // A default written out is accepted (ls's `a` defaults to False); another value is not.
    const ls = samples.find((s) => s.id === 'multi_turn_miss_func_1#0')!; // ground truth ["ls(a=True)"]
    assert.equal(checkOutput('[ls(a=True)]', expectationFor(ls)).valid, true);
    assert.equal(checkOutput('[ls()]', expectationFor(ls)).valid, false);
    const tail = samples.find((s) => s.id === 'multi_turn_miss_func_1#4')!; // ["tail(file_name='log.txt',lines=20)"]
    assert.equal(checkOutput('[tail(file_name="log.txt", lines=20)]', expectationFor(tail)).valid, true);
  });

  it('memory and web_search: BFCL agentic rule, and a call is not an answer', async () => {
    const m1 = (await allSamples(MEMORY)).samples.find((s) => s.id === 'memory_1-customer-1')!;
    const exp = expectationFor(m1);
    assert.equal(exp.kind, 'agentic');
    assert.equal(checkOutput("{'answer': 'Thirty five', 'context': 'you said so'}", exp).valid, true);
    const wrong = checkOutput('You are 36.', exp);
    assert.deepEqual([wrong.valid, wrong.score, wrong.errors[0].kind], [false, -1, 'wrong_value']);
    assert.match(wrong.errors[0].message, /none of the accepted answers \("35", "thirty five"\)/);
    assert.deepEqual(checkOutput('[core_memory_retrieve_all()]', exp).errors.map((e) => e.kind), ['should_not_call']);
  });

  it("agentic rule cases, as BFCL's agentic_checker.py answers them", () => {
    // [response, accepted, BFCL's verdict] — each verdict from running agentic_checker.py (BFCL v4).
    const cases: [string, string, boolean][] = [
      ['The date is April 1, 2024.', 'april 1 2024', true],
      ['april 1 2024', 'April 1, 2024', true],
      ['April 1,2024', 'April 1, 2024', false], // whitespace is kept: "april 12024"
      ['I am 350 years old', '35', false], // word boundary
      ['I am 35.', '35', true],
      ['thirty-five', 'thirty five', false], // "-" is removed, not made a space
      ['Thirty Five', 'thirty five', true],
      ["{'answer': 'Zhang Yiming', 'context': 'x'}", 'Zhang Yiming', true],
      ['costs $5 now', '$5', false], // `\b` before "$" needs a word character before it
      ['ZhangYiming', 'Zhang Yiming', false],
      ['(35)', '35', true],
      ['x_35', '35', false], // "_" is removed: "x35"
      ['über35', '35', false], // Unicode letters are word characters
      ['35', '', true],
      ['', '', false],
      ['New York City', 'york', true],
    ];
    for (const [response, accepted, valid] of cases) assert.equal(agenticMatch(response, [accepted]) !== undefined, valid, `${JSON.stringify(response)} vs ${JSON.stringify(accepted)}`);
  });

  it('itool check DATASET --outputs: multi-turn outputs are judged per turn id', async () => {
    const dir = tempDir('bfcl-check-');
    const outputs = join(dir, 'o.jsonl');
    const rows = [
      { id: 'multi_turn_base_0#0', output: '[cd(folder="document"), mkdir(dir_name="temp"), mv(source="final_report.pdf", destination="temp")]' },
      { id: 'multi_turn_base_0#2', output: '[sort(file_name="final_report.pdf")]' },
      { id: 'multi_turn_base_0#3', output: '[sort(file_name="final_report.pdf")]' },
    ];
    writeFileSync(outputs, rows.map((r) => JSON.stringify(r)).join('\n'));
    const run = await runCheck({ dataset: join(DIR, MT_BASE), outputs, json: true });
    assert.deepEqual(run.results.map((r) => [r.row.id, r.verdict?.valid, r.problem]), [
      ['multi_turn_base_0#0', true, undefined],
      ['multi_turn_base_0#2', true, undefined],
      ['multi_turn_base_0#3', false, undefined],
    ]);
  });
});

it('itool check: every multi-turn turn written as its ground truth writes it (positional arguments too) is valid', async () => {
  // The outputs are built from possible_answer/ directly, not from the product's samples:
  // "[" + the turn's call strings + "]", e.g. [sort('final_report.pdf')] (positional, as BFCL runs it).
  for (const file of [MT_BASE, MT_MISS]) {
    const dir = tempDir('bfcl-mt-');
    const outputs = join(dir, 'o.jsonl');
    const rows = jsonl(join(DIR, 'possible_answer', file)).flatMap((a) => (a.ground_truth as string[][]).map((turn, k) => ({ id: `${a.id as string}#${k}`, output: `[${turn.join(', ')}]` })));
    assert.ok(rows.some((r) => /\w\('/.test(r.output)), 'some ground truth passes arguments by position');
    writeFileSync(outputs, rows.map((r) => JSON.stringify(r)).join('\n'));
    const run = await runCheck({ dataset: join(DIR, file), outputs, json: true });
    assert.equal(run.totals.checked, rows.length);
    assert.deepEqual(run.results.filter((r) => !r.verdict?.valid).map((r) => r.row.id), [], file);
  }
  // Elsewhere a positional argument is still a parse error (BFCL's AST categories score by name;
  // test/unit/parse.test.ts), and here one past the documented parameters is one.
  const dir = tempDir('bfcl-mt-');
  const outputs = join(dir, 'o.jsonl');
  writeFileSync(outputs, JSON.stringify({ id: 'multi_turn_base_0#3', output: "[sort('final_report.pdf', 'extra')]" }));
  const run = await runCheck({ dataset: join(DIR, MT_BASE), outputs, json: true });
  assert.match(run.results[0].verdict?.errors[0]?.message ?? '', /positional argument .* in the call to 'sort': it takes 1 parameter/);
});

it('itool check DATASET --outputs: memory and web_search outputs are judged by their text', async () => {
  const dir = tempDir('bfcl-check-');
  const outputs = join(dir, 'o.jsonl');
  writeFileSync(outputs, [{ id: 'memory_1-customer-1', output: 'You are thirty five.' }, { id: 'memory_2-customer-2', output: 'Portland' }].map((r) => JSON.stringify(r)).join('\n'));
  const run = await runCheck({ dataset: join(DIR, MEMORY), outputs, json: true });
  assert.deepEqual(run.results.map((r) => [r.row.id, r.verdict?.valid, r.problem]), [
    ['memory_1-customer-1', true, undefined],
    ['memory_2-customer-2', false, undefined],
  ]);
});

describe('BFCL multi-turn, memory and web_search: writing', () => {
  it('every sample (each answer too) writes its question record back unchanged', async () => {
    for (const file of [MT_BASE, MT_MISS, MEMORY, WEB]) {
      const ds = await Dataset.open(join(DIR, file));
      try {
        for (let i = 0; i < ds.count; i++) {
          const r = await ds.sample(i);
          assert.ok(r.ok);
          const rec = JSON.parse(r.text) as unknown;
          for (const s of [r.sample, ...r.samples]) assert.equal(JSON.stringify(FORMATS.bfcl.write(s, rec)), JSON.stringify(rec), `${file} ${s.id}`);
        }
      } finally {
        await ds.close();
      }
    }
  });

  it('BFCL → BFCL conversion gives value-identical questions and the ground truth back', async () => {
    for (const file of [MT_BASE, MT_MISS, MEMORY, WEB, JAVA]) {
      const out = join(tempDir('bfcl-rt-'), file);
      const r = await convertDataset(join(DIR, file), { to: 'bfcl', out });
      assert.deepEqual(r.skipped, [], file);
      const src = jsonl(join(DIR, file));
      const back = jsonl(out);
      assert.equal(back.length, src.length);
      back.forEach((rec, i) => assert.equal(JSON.stringify(rec), JSON.stringify(src[i]), `${file} record ${i}`));
      const gt = (p: string) => jsonl(p).map((a) => JSON.stringify([a.id, a.ground_truth]));
      assert.deepEqual(gt(r.answersFile!), gt(join(DIR, 'possible_answer', file)), `${file} answers`);
    }
  });

  it('an edited user message is written into its turn; an answer sample writes the same record', async () => {
    const ds = await Dataset.open(join(DIR, MT_MISS));
    try {
      const r = await ds.sample(0);
      assert.ok(r.ok);
      const rec = JSON.parse(r.text) as { question: { content: string }[][] };
      for (const s of r.samples) assert.equal(JSON.stringify(FORMATS.bfcl.write(s, rec)), JSON.stringify(rec), s.id);
      const s = r.samples[4];
      const j = s.turns.map((t) => t.role).lastIndexOf('user');
      s.turns[j] = { ...s.turns[j], content: 'Compare the two reports.' };
      const w = FORMATS.bfcl.write(s, rec) as typeof rec;
      assert.deepEqual(w.question.map((q) => q.length), [1, 1, 1, 0, 1]);
      assert.equal(w.question[4][0].content, 'Compare the two reports.');
      assert.ok(!('function' in w), 'tools stay in the class docs');
      // Re-attaching the ground truth (`check --answers`) keeps an answer's sample that answer's.
      const again = attachPossibleAnswers({ ...r.samples[3] }, jsonl(join(DIR, 'possible_answer', MT_MISS))[0].ground_truth as unknown[]);
      assert.deepEqual([again.id, again.tools.length, referenceTurn(again)?.calls?.[0].name], [r.samples[3].id, r.samples[3].tools.length, 'sort']);
    } finally {
      await ds.close();
    }
  });
});
