// The project's own trainer (scripts/train/, PyTorch on the CPU) end to end on a very small model:
// training files rendered and tokenized by trainingData.ts from BFCL samples, then init → SFT (a
// curriculum too) → SimPO → export through the one entry point, each run as an argument array.
// The exported folder must open in the product's OnnxPolicy unchanged and give PyTorch's own
// numbers: response logprobs within 1e-3, and the same greedy continuation with and without the
// KV cache. Skipped where /usr/bin/python3 has no PyTorch (Debian: apt-get install python3-torch).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Tokenizer } from '@huggingface/tokenizers';
import { promptFor } from '../../src/core/model/prompt';
import { Dataset } from '../../src/core/dataset/dataset';
import type { Sample } from '../../src/core/dataset/sample';
import { OnnxPolicy } from '../../src/core/model/onnx/onnxPolicy';
import { parseTrainerLogLine } from '../../src/core/rounds/jobs/trainerLog';
import {
  localTrainerCommand,
  localTrainerOutputs,
  pythonHasTorch,
  runLocalTrainer,
  writeTrainerConfig,
  type LocalTrainerConfigs,
  type LocalTrainerStep,
} from '../../src/core/rounds/localTrainer';
import { datasetSamples, TrainingEncoder, writeCurriculumFiles, writePrefFile, writeSftFile, writeTokenizerFolder, type SftRecord } from '../../src/core/rounds/trainingData';

const ROOT = resolve(__dirname, '..', '..');
// Debian's python3-torch lives in /usr/bin/python3 (a pyenv python3 on PATH cannot see it).
const PYTHON = process.env.ITOOL_TRAIN_PYTHON || '/usr/bin/python3';
const BFCL = join(ROOT, 'demo', 'datasets', 'bfcl', 'BFCL_v4_simple_python.json');
const HAVE_TORCH = pythonHasTorch(PYTHON);
const SKIP = HAVE_TORCH ? false : `${PYTHON} cannot import torch (Debian: apt-get install python3-torch libopenblas0-pthread; or set ITOOL_TRAIN_PYTHON)`;
// Small enough to train in seconds, with grouped KV heads so that path is exercised too.
const MODEL = { layers: 2, hidden: 64, heads: 4, kv_heads: 2, ffn: 128, max_pos: 1024 };
/** LLaMA-Factory's LogCallback keys, in its order. */
const LOG_KEYS = ['current_steps', 'total_steps', 'loss', 'eval_loss', 'predict_loss', 'reward', 'accuracy', 'lr', 'epoch', 'percentage', 'elapsed_time', 'remaining_time', 'throughput', 'total_tokens'];

const jsonl = (path: string): Record<string, unknown>[] => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

describe('the trainer in scripts/train', { skip: SKIP }, () => {
  let root: string;
  let enc: TrainingEncoder;
  let samples: Sample[];
  let sftRecords: SftRecord[];
  const dir = (name: string) => join(root, name);

  async function train<S extends LocalTrainerStep>(step: S, name: string, config: LocalTrainerConfigs[S]): Promise<string> {
    const cfgPath = await writeTrainerConfig(join(root, `${name}.json`), step, config);
    const r = await runLocalTrainer(localTrainerCommand(step, cfgPath, { python: PYTHON, root: ROOT }), { timeoutMs: 180_000 });
    assert.equal(r.code, 0, `${step} ${name} failed:\n${r.stderr.slice(-3000)}`);
    return r.stdout;
  }

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'itool-train-'));
    await writeTokenizerFolder(dir('tokenizer'), { vocab: 512, maxPos: MODEL.max_pos });
    enc = await TrainingEncoder.open(dir('tokenizer'));
    const ds = await Dataset.open(BFCL);
    samples = [];
    for await (const s of datasetSamples(ds)) if (samples.length < 8) samples.push(s);
    await ds.close();
    const sft = await writeSftFile(dir('sft.jsonl'), samples.slice(0, 4), enc);
    assert.equal(sft.records, 4, JSON.stringify(sft.skipped));
    sftRecords = jsonl(sft.path) as unknown as SftRecord[];
    // Preference pairs: the reference call against the same call naming the wrong function.
    const items = sftRecords.map((r, i) => {
      const chosen = r.response.slice(0, r.response.indexOf('<|im_end|>'));
      return { sample: samples[i], chosen, rejected: chosen.replace(/"name": "[^"]+"/, '"name": "no_such_function"') };
    });
    assert.equal((await writePrefFile(dir('pref.jsonl'), items, enc)).records, 4);
    const curriculum = await writeCurriculumFiles(dir('curriculum'), { easy: samples.slice(4, 5), medium: samples.slice(5, 6), hard: samples.slice(6, 8) }, enc);
    assert.deepEqual(curriculum.stages.map((s) => s.name), ['easy', 'medium', 'hard']);

    await train('init', 'init', { tokenizer_dir: dir('tokenizer'), output_dir: dir('m0'), model: MODEL, seed: 3 });
    // Overfit four samples: one sample per optimizer step, 24 steps.
    const common = { seed: 3, batch_size: 1, grad_accum: 1, learning_rate: 3e-3, warmup_ratio: 0.1, logging_steps: 1, export: false };
    await train('sft', 'sft', { ...common, model_dir: dir('m0'), output_dir: dir('sft'), train_file: dir('sft.jsonl'), epochs: 6 });
    const stages = { ...common, model_dir: dir('sft'), stages: curriculum.stages, epochs: 2, batch_size: 2 };
    await train('sft', 'curriculum', { ...stages, output_dir: dir('curriculum-out') });
    await train('sft', 'curriculum-again', { ...stages, output_dir: dir('curriculum-again') });
    await train('pref', 'simpo', { ...common, model_dir: dir('curriculum-out'), output_dir: dir('simpo'), pref_file: dir('pref.jsonl'), loss: 'simpo', learning_rate: 1e-3, epochs: 2, batch_size: 2, grad_accum: 1 });
    await train('pref', 'dpo', { ...common, model_dir: dir('curriculum-out'), output_dir: dir('dpo'), pref_file: dir('pref.jsonl'), loss: 'dpo', sft_weight: 0.5, max_steps: 2, epochs: 2 });
    await train('export', 'export', { model_dir: dir('simpo'), output_dir: dir('exported') });
    await train('export', 'export-nocache', { model_dir: dir('simpo'), output_dir: dir('exported-nocache'), kv_cache: false });
  });
  after(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('writes training records whose ids are the product tokenizer on the product template', async () => {
    const tok = new Tokenizer(JSON.parse(readFileSync(dir('tokenizer/tokenizer.json'), 'utf8')), JSON.parse(readFileSync(dir('tokenizer/tokenizer_config.json'), 'utf8')));
    for (const [i, r] of sftRecords.entries()) {
      assert.equal(r.prompt, await promptFor(enc.renderer, samples[i]));
      assert.ok(r.prompt.endsWith('<|im_start|>assistant\n') && r.response.startsWith('<tool_call>\n{"name": ') && r.response.endsWith('</tool_call><|im_end|>\n'), r.response);
      assert.deepEqual(r.ids, tok.encode(r.prompt + r.response, { add_special_tokens: false }).ids);
      assert.equal(tok.decode(r.ids.slice(r.start), { skip_special_tokens: false, clean_up_tokenization_spaces: false }), r.response);
    }
  });

  it('writes every artefact, in a folder OnnxPolicy reads', () => {
    for (const d of ['m0', 'sft', 'curriculum-out', 'simpo', 'exported']) {
      const out = localTrainerOutputs(dir(d));
      if (d !== 'exported') assert.ok(statSync(out.weightsPath).size > 0, `${d}: model.pt`);
      const config = JSON.parse(readFileSync(join(out.outputDir, 'config.json'), 'utf8'));
      assert.equal(config.model_type, 'itool_tiny');
      assert.equal(config.num_hidden_layers, MODEL.layers);
      assert.equal(config.num_key_value_heads, MODEL.kv_heads);
      assert.equal(config.vocab_size, 512);
      JSON.parse(readFileSync(join(out.outputDir, 'generation_config.json'), 'utf8'));
      // The tokenizer files travel unchanged: the template and ids are the ones trained on.
      for (const f of ['tokenizer.json', 'tokenizer_config.json']) assert.equal(readFileSync(join(out.outputDir, f), 'utf8'), readFileSync(dir(`tokenizer/${f}`), 'utf8'), `${d}/${f}`);
    }
    for (const d of ['sft', 'curriculum-out', 'simpo']) JSON.parse(readFileSync(localTrainerOutputs(dir(d)).resultsPath, 'utf8'));
    assert.ok(statSync(localTrainerOutputs(dir('exported')).onnxPath).size > 100_000);
    assert.equal(JSON.parse(readFileSync(dir('exported-nocache/config.json'), 'utf8')).use_cache, false);
    assert.ok(!existsSync(join(dir('sft'), 'onnx')), 'export: false writes no onnx/');
  });

  it('logs progress in LLaMA-Factory trainer_log.jsonl format', () => {
    for (const d of ['sft', 'curriculum-out', 'simpo', 'dpo']) {
      const text = readFileSync(localTrainerOutputs(dir(d)).trainerLogPath, 'utf8');
      const lines = text.trimEnd().split('\n');
      assert.ok(text.endsWith('\n'));
      lines.forEach((line, i) => {
        const o = JSON.parse(line) as Record<string, unknown>;
        const keys = Object.keys(o);
        // Known keys only, in LLaMA-Factory's order, none of them null.
        assert.deepEqual(keys, LOG_KEYS.filter((k) => keys.includes(k)), line);
        for (const k of ['current_steps', 'total_steps', 'loss', 'lr', 'epoch', 'percentage', 'elapsed_time', 'remaining_time']) assert.ok(o[k] !== undefined && o[k] !== null, `${d}: ${k} in ${line}`);
        assert.equal(o.current_steps, i + 1);
        assert.equal(o.total_steps, lines.length);
        assert.equal(o.percentage, Math.round(((i + 1) / lines.length) * 100 * 100) / 100);
        assert.match(o.elapsed_time as string, /^\d+:\d\d:\d\d$/);
        assert.match(o.remaining_time as string, /^\d+:\d\d:\d\d$/);
        assert.ok(Number.isFinite(o.loss) && (o.lr as number) > 0);
        const p = parseTrainerLogLine(line);
        assert.ok(p && p.currentSteps === i + 1 && p.loss === o.loss, line);
      });
      if (d === 'simpo' || d === 'dpo') assert.ok(lines.every((l) => typeof JSON.parse(l).accuracy === 'number'));
    }
  });

  it('SFT loss falls on a tiny overfit set', () => {
    const losses = jsonl(localTrainerOutputs(dir('sft')).trainerLogPath).map((o) => o.loss as number);
    assert.equal(losses.length, 24);
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    const first = mean(losses.slice(0, 4));
    const last = mean(losses.slice(-4));
    assert.ok(last < 0.75 * first, `loss ${first.toFixed(3)} → ${last.toFixed(3)}: ${losses.map((l) => l.toFixed(2)).join(' ')}`);
  });

  it('trains curriculum stages in order, one loss each, repeatably for a seed', () => {
    const results = JSON.parse(readFileSync(localTrainerOutputs(dir('curriculum-out')).resultsPath, 'utf8'));
    assert.deepEqual(results.stages.map((s: { name: string }) => s.name), ['easy', 'medium', 'hard']);
    // easy and medium: one sample, one step per epoch; hard: two samples in one batch.
    assert.deepEqual(results.stages.map((s: { steps: number }) => s.steps), [2, 2, 2]);
    assert.ok(results.stages.every((s: { loss: number }) => Number.isFinite(s.loss)));
    const again = JSON.parse(readFileSync(localTrainerOutputs(dir('curriculum-again')).resultsPath, 'utf8'));
    assert.deepEqual(again.stages, results.stages);
    assert.deepEqual(readFileSync(localTrainerOutputs(dir('curriculum-again')).weightsPath), readFileSync(localTrainerOutputs(dir('curriculum-out')).weightsPath));
  });

  it('packs a trained folder at half the weight size; it scores the same and trains on', async () => {
    // A folder as training leaves it: weights, logs and (exported in place) onnx/.
    await train('export', 'export-in-place', { model_dir: dir('simpo') });
    await train('pack', 'pack', { model_dir: dir('simpo'), output_dir: dir('packed') });
    const full = statSync(localTrainerOutputs(dir('simpo')).weightsPath).size;
    const half = statSync(localTrainerOutputs(dir('packed')).weightsPath).size;
    assert.ok(half < 0.6 * full, `model.pt ${full} → ${half} bytes`);
    assert.ok(!existsSync(join(dir('packed'), 'trainer_log.jsonl')), 'training logs stay behind');
    assert.deepEqual(readFileSync(join(dir('packed'), 'onnx', 'model.onnx')), readFileSync(join(dir('simpo'), 'onnx', 'model.onnx')));
    writeFileSync(dir('one.jsonl'), JSON.stringify(sftRecords[0]));
    const lp = async (m: string) => (JSON.parse((await train('score', `one-${m}`, { model_dir: dir(m), input: dir('one.jsonl') })).trim()) as { logprobs: number[] }).logprobs;
    const [a, b] = [await lp('simpo'), await lp('packed')];
    a.forEach((x, k) => assert.ok(Math.abs(x - b[k]) < 0.05, `token ${k}: ${x} vs ${b[k]} (float16 rounding only)`));
    // The packed folder is a checkpoint the trainer continues from (as the demo model is).
    await train('sft', 'from-packed', { model_dir: dir('packed'), output_dir: dir('from-packed'), train_file: dir('sft.jsonl'), max_steps: 2, export: false });
    assert.ok(existsSync(localTrainerOutputs(dir('from-packed')).weightsPath));
  });

  it('SimPO widens the length-normalised margin of chosen over rejected', async () => {
    // Both sides of every pair as score records: chosen first, then rejected.
    const pairs = jsonl(dir('pref.jsonl'));
    const sides = [...pairs.map((p) => ({ ids: p.chosen_ids, start: p.chosen_start })), ...pairs.map((p) => ({ ids: p.rejected_ids, start: p.rejected_start }))];
    writeFileSync(dir('sides.jsonl'), sides.map((r) => JSON.stringify(r)).join('\n'));
    const margin = async (model: string) => {
      const out = await train('score', `sides-${model}`, { model_dir: dir(model), input: dir('sides.jsonl') });
      const avg = out.trim().split('\n').map((l) => {
        const lp = (JSON.parse(l) as { logprobs: number[] }).logprobs;
        return lp.reduce((a, b) => a + b, 0) / lp.length;
      });
      return pairs.reduce((m, _, i) => m + avg[i] - avg[i + pairs.length], 0) / pairs.length;
    };
    const before = await margin('curriculum-out');
    const after = await margin('simpo');
    assert.ok(after > before, `margin ${before} → ${after}`);
    const results = JSON.parse(readFileSync(localTrainerOutputs(dir('simpo')).resultsPath, 'utf8'));
    assert.deepEqual([results.loss_type, results.beta, results.gamma], ['simpo', 2.5, 0.5]);
    assert.deepEqual([JSON.parse(readFileSync(localTrainerOutputs(dir('dpo')).resultsPath, 'utf8')).beta], [0.1]);
  });

  it('scores responses with PyTorch’s own logprobs (1e-3), cached export or not', async () => {
    const requests = sftRecords.map((r) => ({ prompt: r.prompt, response: r.response }));
    writeFileSync(dir('score.jsonl'), sftRecords.map((r) => JSON.stringify(r)).join('\n'));
    const out = await train('score', 'score', { model_dir: dir('simpo'), input: dir('score.jsonl') });
    const expected = out.trim().split('\n').map((l) => (JSON.parse(l) as { logprobs: number[] }).logprobs);
    for (const d of ['exported', 'exported-nocache']) {
      // The cached export scores all requests in one right-padded batch (attention_mask zeros),
      // the other one request at a time.
      const policy = await OnnxPolicy.open(dir(d), d === 'exported' ? { maxBatch: 8, maxBatchCells: Infinity } : { maxBatch: 1 });
      try {
        assert.equal(policy.hasKvCache, d === 'exported');
        const results = await policy.score(requests);
        results.forEach((res, i) => {
          assert.equal(res.tokens.length, expected[i].length, `${d} request ${i}: token count`);
          res.tokens.forEach((t, k) => assert.ok(Math.abs(t.logprob - expected[i][k]) <= 1e-3, `${d} request ${i} token ${k}: ${t.logprob} vs ${expected[i][k]}`));
          assert.equal(res.tokens.map((t) => t.token).join(''), requests[i].response);
        });
      } finally {
        await policy.close();
      }
    }
  });

  it('decodes greedily as PyTorch does, with and without the KV cache', async () => {
    const N = 12;
    const prompts = sftRecords.slice(0, 2).map((r) => r.prompt);
    writeFileSync(dir('gen.jsonl'), prompts.map((p) => JSON.stringify({ ids: enc.encode(p) })).join('\n'));
    const reference: { ids: number[]; logprobs: number[] }[][] = [];
    for (const useCache of [false, true]) {
      const out = await train('generate', `generate-${useCache}`, { model_dir: dir('simpo'), input: dir('gen.jsonl'), max_tokens: N, use_cache: useCache });
      reference.push(out.trim().split('\n').map((l) => JSON.parse(l)));
    }
    assert.deepEqual(reference[1].map((r) => r.ids), reference[0].map((r) => r.ids), 'PyTorch: cache and full recomputation agree');
    const tok = new Tokenizer(JSON.parse(readFileSync(dir('exported/tokenizer.json'), 'utf8')), JSON.parse(readFileSync(dir('exported/tokenizer_config.json'), 'utf8')));
    for (const d of ['exported', 'exported-nocache']) {
      const policy = await OnnxPolicy.open(dir(d));
      try {
        for (const [i, prompt] of prompts.entries()) {
          const [c] = await policy.sample(prompt, '', { n: 1, temperature: 0, maxTokens: N });
          const ref = reference[0][i];
          assert.ok(ref.ids.length > 0);
          assert.equal(c.text, tok.decode(ref.ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false }), `${d} prompt ${i}`);
          assert.equal(c.tokens.length, ref.ids.length);
          c.tokens.forEach((t, k) => assert.ok(Math.abs(t.logprob - ref.logprobs[k]) <= 1e-3, `${d} prompt ${i} token ${k}`));
        }
      } finally {
        await policy.close();
      }
    }
  });

  it('refuses a data file without token ids, with a one-line reason', async () => {
    writeFileSync(dir('bad.jsonl'), `${JSON.stringify({ prompt: 'p', response: 'r' })}\n`);
    const cfgPath = await writeTrainerConfig(dir('bad.json'), 'sft', { model_dir: dir('m0'), output_dir: dir('bad'), train_file: dir('bad.jsonl') });
    const r = await runLocalTrainer(localTrainerCommand('sft', cfgPath, { python: PYTHON, root: ROOT }), { timeoutMs: 60_000 });
    assert.equal(r.code, 1);
    assert.match(r.stderr.trim(), /^error: .*bad\.jsonl:1: missing 'ids'/);
    // A misspelt setting is refused rather than silently ignored.
    const typo = await writeTrainerConfig(dir('typo.json'), 'sft', { model_dir: dir('m0'), output_dir: dir('bad'), train_file: dir('sft.jsonl'), learning_rat: 1 } as never);
    const t = await runLocalTrainer(localTrainerCommand('sft', typo, { python: PYTHON, root: ROOT }), { timeoutMs: 60_000 });
    assert.equal(t.code, 1);
    assert.equal(t.stderr.trim(), 'error: sft: unknown config key(s) learning_rat');
  });
});
