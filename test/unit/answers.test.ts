// Every assistant answer of a conversation is a sample (src/core/dataset/answers.ts), on a real
// file: LLaMA-Factory's glaive tool-call demo, whose last turns are all text, so that before this
// its 211 function_call turns were never counted, scored, searched or checked.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { inspectDataset } from '../../src/cli/inspect';
import { convertDataset } from '../../src/core/dataset/convert';
import { Dataset } from '../../src/core/dataset/dataset';
import { promptTurns, referenceTurn } from '../../src/core/dataset/sample';
import { checkPredictions } from '../../src/core/toolcall/datasetCheck';
import type { PredictionRow } from '../../src/core/toolcall/predictions';

const GLAIVE = resolve(__dirname, '..', 'fixtures', 'datasets', 'llamafactory', 'glaive_toolcall_en_demo.json');

describe('every answer a sample', () => {
  it('counts every answer of the glaive demo, as a Python script over the file does', async () => {
    // python3 scripts/datasets/count_sharegpt.py test/fixtures/datasets/llamafactory/glaive_toolcall_en_demo.json
    // {"records": 300, "roles": {"human": 746, "gpt": 746, "function_call": 211, "observation": 211},
    //  "answers": 957, "multi_answer_records": 261, "calls": 211, "empty_tools": 109}
    const each = await inspectDataset(GLAIVE);
    assert.equal(each.records, 300);
    assert.equal(each.malformed.length, 0);
    assert.equal(each.samples, 957);
    assert.equal(each.multiAnswer, 261);
    assert.deepEqual(each.answers, { calls: 211, text: 746, none: 0 });
    assert.equal(each.calls.total, 211);
    // --turns last: one sample per record, its last answer (always text in this file).
    const last = await inspectDataset(GLAIVE, { turns: 'last' });
    assert.equal(last.samples, 300);
    assert.deepEqual(last.answers, { calls: 0, text: 300, none: 0 });
  });

  it('answer k of a record is a sample with id ID#k whose prompt is everything before that answer', async () => {
    const ds = await Dataset.open(GLAIVE);
    try {
      let checked = 0;
      for (let i = 0; i < ds.count; i++) {
        const r = await ds.sample(i);
        assert.ok(r.ok);
        if (r.samples.length < 2) {
          assert.equal(r.samples[0].id, r.sample.id, 'a one-answer record keeps its own id');
          continue;
        }
        const assistants = r.sample.turns.flatMap((t, j) => (t.role === 'assistant' ? [j] : []));
        assert.equal(r.samples.length, assistants.length);
        r.samples.forEach((s, k) => {
          assert.equal(s.id, `${r.sample.id}#${k}`);
          assert.equal(s.answer, k);
          assert.equal(s.recordId, r.sample.id);
          assert.equal(s.referenceIndex, assistants[k]);
          assert.deepEqual(promptTurns(s), r.sample.turns.slice(0, assistants[k]));
          assert.equal(referenceTurn(s), r.sample.turns[assistants[k]]);
        });
        // The same sample comes back when asked for by record and answer.
        const again = await ds.sample(i, 1);
        assert.ok(again.ok && again.sample.id === `${r.sample.id}#1`);
        checked++;
      }
      assert.equal(checked, 261);
      const none = await ds.sample(0, 99);
      assert.ok(!none.ok && /has no answer 99/.test(none.reason));
    } finally {
      await ds.close();
    }
  });

  it('check judges the output for each answer against that answer, and says which ids a conversation has', async () => {
    const ds = await Dataset.open(GLAIVE);
    try {
      // The first record whose first answer calls a tool.
      let rec: { id: string; call: string; answers: number } | undefined;
      for (let i = 0; i < ds.count && !rec; i++) {
        const r = await ds.sample(i);
        assert.ok(r.ok);
        const first = r.samples[0];
        if (r.samples.length > 1 && referenceTurn(first)?.calls?.length) rec = { id: r.sample.id, call: referenceTurn(first)!.content, answers: r.samples.length };
      }
      assert.ok(rec);
      const rows: PredictionRow[] = [
        { id: `${rec.id}#0`, output: rec.call, line: 1, field: 'output' },
        { id: `${rec.id}#0`, output: 'I cannot help with that.', line: 2, field: 'output' },
        { id: rec.id, output: rec.call, line: 3, field: 'output' },
      ];
      const { results } = await checkPredictions(ds, rows);
      assert.equal(results[0].verdict?.valid, true, 'the reference call of answer 0 is valid for answer 0');
      assert.equal(results[0].answer, 0);
      assert.equal(results[1].verdict?.valid, false, 'a text answer where answer 0 calls a tool is not');
      assert.match(results[2].problem ?? '', new RegExp(`conversation with ${rec.answers} answers: .*#0 … .*#${rec.answers - 1}, or check with --turns last`));
    } finally {
      await ds.close();
    }
  });

  it('a record with one answer is one sample with its own id in both modes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'itool-answers-'));
    const file = join(dir, 'one.json');
    writeFileSync(file, JSON.stringify([{ conversations: [{ from: 'human', value: 'hi' }, { from: 'gpt', value: 'hello' }], tools: '[]' }]));
    for (const turns of ['each', 'last'] as const) {
      const ds = await Dataset.open(file, { turns });
      try {
        const r = await ds.sample(0);
        assert.ok(r.ok);
        assert.deepEqual(r.samples.map((s) => [s.id, s.answer]), [['1', undefined]]);
      } finally {
        await ds.close();
      }
    }
  });
});

describe('answers the trainer skips', () => {
  // LLaMA-Factory trains on no message whose loss_weight is 0, OpenAI on no assistant message
  // whose weight is 0: such a turn is context for the answers after it, not a sample.
  const record = {
    messages: [
      { role: 'user', content: [{ type: 'text', value: 'Weather in Paris?' }], loss_weight: 0.0 },
      { role: 'assistant', content: [{ type: 'text', value: 'Which day?' }], loss_weight: 0.0 },
      { role: 'user', content: [{ type: 'text', value: 'Today.' }], loss_weight: 0.0 },
      { role: 'assistant', content: [{ type: 'tool_call', value: '{"name": "weather", "arguments": {"city": "Paris"}}' }], loss_weight: 1.0 },
    ],
    tools: '[{"type": "function", "function": {"name": "weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]',
  };

  it('is not a sample, and conversion keeps the mark where the target can hold it or reports it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'itool-weight-'));
    const file = join(dir, 'v1.jsonl');
    writeFileSync(file, `${JSON.stringify(record)}\n`);
    const ds = await Dataset.open(file);
    try {
      const r = await ds.sample(0);
      assert.ok(r.ok);
      assert.equal(r.sample.turns[1].trained, false);
      assert.deepEqual(r.samples.map((s) => [s.id, s.referenceIndex]), [['1', 3]], 'only the trained answer is a sample');
    } finally {
      await ds.close();
    }
    // The only trained answer need not be the last assistant turn; with none trained, no reference.
    const tail = { ...record, messages: [...record.messages, { role: 'user', content: [{ type: 'text', value: 'Thanks' }] }, { role: 'assistant', content: [{ type: 'text', value: 'Bye' }], loss_weight: 0 }] };
    const none = { ...record, messages: record.messages.slice(0, 2) };
    const file2 = join(dir, 'v1b.jsonl');
    writeFileSync(file2, `${JSON.stringify(tail)}\n${JSON.stringify(none)}\n`);
    const ds2 = await Dataset.open(file2, { format: 'llamafactory_v1' });
    try {
      const a = await ds2.sample(0);
      const b = await ds2.sample(1);
      assert.ok(a.ok && b.ok);
      assert.deepEqual(a.samples.map((s) => [s.id, s.referenceIndex]), [['1', 3]]);
      // Asked for by record alone (as a journal entry of a one-answer record is), the same sample.
      assert.equal(a.sample.referenceIndex, 3);
      assert.deepEqual(b.samples.map((s) => [s.id, s.referenceIndex]), [['2', -1]]);
    } finally {
      await ds2.close();
    }
    // OpenAI holds it as weight 0 and reads it back.
    const oa = await convertDataset(file, { to: 'openai', out: join(dir, 'oa.jsonl') });
    assert.deepEqual(oa.report.dropped, []);
    const written = JSON.parse(readFileSync(join(dir, 'oa.jsonl'), 'utf8').split('\n')[0]) as { messages: { role: string; weight?: number }[] };
    assert.deepEqual(written.messages.filter((m) => m.role === 'assistant').map((m) => m.weight), [0, undefined]);
    // sharegpt has no field for it: the report names it (and the side field keeps it for the trip back).
    const lf = await convertDataset(file, { to: 'llamafactory', out: join(dir, 'lf.json') });
    assert.ok([...lf.report.dropped, ...lf.report.sideField].some((l) => l.kind === 'untrained'), JSON.stringify(lf.report));
  });
});
