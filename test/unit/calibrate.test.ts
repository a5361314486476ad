// Calibration end to end on real backends: the tiny ONNX model the tests generate, and an
// OpenAI-protocol endpoint (the stand-in server) — PPL equals the policy's own logprobs, an
// aborted run resumes from its journal to the same numbers, a changed dataset starts fresh.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Dataset } from '../../src/core/dataset/dataset';
import { calibrate, calibrationPath, loadCalibration, perplexity } from '../../src/core/calibrate/calibrate';
import { scoreRequestFor } from '../../src/core/model/prompt';
import { OnnxPolicy } from '../../src/core/model/onnx/onnxPolicy';
import { RemotePolicy } from '../../src/core/model/openai/remotePolicy';
import { writeTinyModel } from '../../src/core/model/testModels';
import { readJournal } from '../../src/core/store/journal';
import { OpenAIStandIn } from '../support/openaiStandIn';

const DEMO = resolve(__dirname, '..', '..', 'demo', 'datasets');

function copyOf(rel: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'itool-cal-'));
  cpSync(join(DEMO, 'bfcl'), join(dir, 'bfcl'), { recursive: true });
  cpSync(join(DEMO, 'toolace_sample.json'), join(dir, 'toolace_sample.json'));
  return join(dir, rel);
}

describe('calibrate', () => {
  let modelDir: string;
  let policy: OnnxPolicy;
  before(async () => {
    modelDir = join(mkdtempSync(join(tmpdir(), 'itool-model-')), 'tiny');
    await writeTinyModel(modelDir, { layers: 2, hidden: 32, heads: 4, withKvCache: true, seed: 5 });
    policy = await OnnxPolicy.open(modelDir, { executionProvider: 'cpu' });
  });
  after(async () => {
    await policy?.close();
  });

  it('scores every reference answer: PPL = exp(-mean logprob) of the answer tokens only', async () => {
    const ds = await Dataset.open(copyOf('toolace_sample.json'));
    try {
      const r = await calibrate(ds, policy, { batch: 4 });
      // Every answer of a conversation is a sample (dataset/answers.ts): each is scored with its own prompt.
      let withRef = 0;
      let multi = 0;
      for (let i = 0; i < ds.count; i++) {
        const x = await ds.sample(i);
        assert.ok(x.ok);
        withRef += x.samples.filter((y) => y.referenceIndex >= 0).length;
        if (x.samples.length > 1) multi++;
      }
      assert.ok(multi > 0, 'the sample file has conversations with several answers');
      assert.equal(r.entries.length, withRef);
      assert.equal(new Set(r.entries.map((e) => e.id)).size, r.entries.length, 'each answer has its own id');
      const several = r.entries.filter((e) => e.answer !== undefined);
      assert.ok(several.length > 0 && several.every((e) => e.id.endsWith(`#${e.answer}`)));
      assert.ok(r.entries.some((e) => e.group === 'calls') && r.entries.some((e) => e.group === 'text'));
      // One sample recomputed by hand through the same policy.
      const e = several[1];
      const s = await ds.sample(e.index, e.answer);
      assert.ok(s.ok && s.sample.id === e.id);
      assert.ok(s.ok);
      const req = (await scoreRequestFor(policy, s.sample))!;
      assert.ok(!req.prompt.endsWith(req.response) && req.response.length > 0, 'the prompt is masked: only the answer is scored');
      const [scored] = await policy.score([req]);
      assert.equal(e.tokens, scored.tokens.length);
      assert.ok(Math.abs(e.ppl! - perplexity(scored.tokens.map((t) => t.logprob))!) < 1e-9 * e.ppl!);
      // The journal beside the dataset holds the same results.
      const again = await loadCalibration(ds, policy.id, 1);
      assert.deepEqual(again?.entries, r.entries);
    } finally {
      await ds.close();
    }
  });

  it('a sample longer than the model’s context is skipped with the reason; past 5% skipped the run refuses, else the others are scored', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'itool-model-')), 'short');
    await writeTinyModel(dir, { layers: 1, hidden: 16, heads: 2, withKvCache: true, seed: 3, maxPos: 900 });
    const short = await OnnxPolicy.open(dir, { executionProvider: 'cpu' });
    const ds = await Dataset.open(copyOf('bfcl/BFCL_v4_simple_python.json'));
    try {
      // Which samples the model refuses on their own (longer than its 900 positions).
      const long: number[] = [];
      for (let i = 0; i < ds.count; i++) {
        const s = await ds.sample(i);
        assert.ok(s.ok);
        const req = (await scoreRequestFor(short, s.sample))!;
        await short.score([req]).catch(() => long.push(i));
      }
      assert.ok(long.length > 0 && long.length < ds.count, 'some samples exceed the context, some fit');
      // More than 5% skipped: by default the run refuses to go on to a selection, and says why.
      await assert.rejects(calibrate(ds, short, { batch: 8 }), (e: Error) => {
        assert.equal(e.name, 'CalibrationRefused');
        assert.match(e.message, new RegExp(`^${ds.count - long.length} samples scored, ${long.length} of ${ds.count} skipped \\(score-failed ${long.length}\\)`));
        assert.match(e.message, /exceed the model's max_position_embeddings \(900\)/);
        return true;
      });
      // Allowed to skip that many, it keeps the rest; the skips carry their reason and kind.
      const r = await calibrate(ds, short, { batch: 8, maxSkipShare: 1 });
      assert.deepEqual(r.skipped.map((k) => k.index).sort((a, b) => a - b), long);
      assert.match(r.skipped[0].reason, /exceed the model's max_position_embeddings \(900\)/);
      assert.equal(r.skipped[0].kind, 'score-failed');
      assert.equal(r.entries.length, ds.count - long.length);
    } finally {
      await ds.close();
      await short.close();
    }
  });

  it('an aborted run resumes from its journal and ends with the numbers of an uninterrupted run', async () => {
    const a = await Dataset.open(copyOf('bfcl/BFCL_v4_simple_python.json'));
    const b = await Dataset.open(copyOf('bfcl/BFCL_v4_simple_python.json'));
    try {
      const full = await calibrate(b, policy, { batch: 8 });
      const ctl = new AbortController();
      await assert.rejects(
        calibrate(a, policy, { batch: 8, signal: ctl.signal, onProgress: (done) => done >= 16 && ctl.abort() }),
        (e: Error) => e.name === 'AbortError',
      );
      const partial = (await readJournal<{ type: string }>(calibrationPath(a.path, policy.id, 1))).entries.filter((e) => e.type === 'result');
      assert.equal(partial.length, 16, 'two batches were journaled before the abort');
      const resumed = await calibrate(a, policy, { batch: 8 });
      assert.equal(resumed.resumed, 16);
      assert.deepEqual(resumed.entries.map((e) => [e.index, e.ppl]), full.entries.map((e) => [e.index, e.ppl]));
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a dataset changed since the journal was written is calibrated afresh', async () => {
    const path = copyOf('bfcl/BFCL_v4_simple_python.json');
    let ds = await Dataset.open(path);
    await calibrate(ds, policy, { batch: 16 });
    await ds.close();
    utimesSync(path, new Date(), new Date(Date.now() + 60_000));
    ds = await Dataset.open(path);
    try {
      assert.equal(await loadCalibration(ds, policy.id, 1), undefined);
      const r = await calibrate(ds, policy, { batch: 16 });
      assert.equal(r.resumed, 0);
      assert.equal(r.entries.length, 40);
    } finally {
      await ds.close();
    }
  });

  it('calibrates through an OpenAI-compatible endpoint (stand-in server) with the model’s chat template', async () => {
    const server = await OpenAIStandIn.start({ flavor: 'vllm' });
    const remote = new RemotePolicy({ baseURL: server.url, model: server.modelName, chatTemplatePath: modelDir, maxInFlight: 3 });
    const ds = await Dataset.open(copyOf('bfcl/BFCL_v4_simple_python.json'));
    try {
      const r = await calibrate(ds, remote, { batch: 8 });
      assert.equal(r.entries.length, 40);
      // Recompute one sample's PPL from the stand-in's own model over the answer's tokens.
      const e = r.entries[3];
      const s = await ds.sample(e.index);
      assert.ok(s.ok);
      const req = (await scoreRequestFor(remote, s.sample))!;
      const toks = server.model.tokenize(req.prompt + req.response);
      let at = 0;
      const lps: number[] = [];
      toks.forEach((t, k) => {
        if (at >= req.prompt.length) lps.push(server.model.logprob(k ? toks[k - 1].text : '', t.text));
        at += t.text.length;
      });
      assert.ok(Math.abs(e.ppl! - perplexity(lps)!) / e.ppl! < 1e-6, `${e.ppl} vs ${perplexity(lps)}`);
      assert.ok(server.maxInFlight <= 3);
    } finally {
      await ds.close();
      await remote.close();
      await server.close();
    }
  });
});

describe('generated outputs', () => {
  it('one greedy answer per sample from the policy, written as a predictions file the checker reads', async () => {
    const { generateOutputs, outputsPath } = await import('../../src/core/toolcall/generate');
    const { readPredictions } = await import('../../src/core/toolcall/predictions');
    const { checkPredictions } = await import('../../src/core/toolcall/datasetCheck');
    const dir = join(mkdtempSync(join(tmpdir(), 'itool-model-')), 'tiny');
    await writeTinyModel(dir, { layers: 1, hidden: 16, heads: 2, withKvCache: true, seed: 9 });
    const policy = await OnnxPolicy.open(dir, { executionProvider: 'cpu' });
    const ds = await Dataset.open(copyOf('bfcl/BFCL_v4_simple_python.json'));
    try {
      const out = outputsPath(ds.path, policy.id);
      const rows = await generateOutputs(ds, policy, out, { indices: [0, 1, 2], maxTokens: 8 });
      assert.deepEqual(rows.map((r) => r.id), ['simple_python_0', 'simple_python_1', 'simple_python_2']);
      // Greedy is deterministic: the same call gives the same text.
      const again = await generateOutputs(ds, policy, `${out}.2`, { indices: [0, 1, 2], maxTokens: 8 });
      assert.deepEqual(again, rows);
      const read = await readPredictions(out);
      assert.deepEqual(read.rows.map((r) => ({ id: r.id, output: r.output })), rows);
      const { totals } = await checkPredictions(ds, read.rows);
      assert.equal(totals.checked, 3);
    } finally {
      await ds.close();
      await policy.close();
    }
  });
});
