// The loop's GRPO variant (src/core/rounds/grpo.ts, scripts/train/grpo.py): group-relative
// advantages, the exact sample budget, the trainer's data file (advantages, dropped zero-std
// groups, token ids as the product's tokenizer gives them), and `itool_train.py grpo` on a tiny
// fresh model: completions with a positive advantage become likelier, negative ones less likely.
// The trainer part is skipped where /usr/bin/python3 has no PyTorch (apt-get install python3-torch).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Tokenizer } from '@huggingface/tokenizers';
import { promptFor, scoreRequestFor } from '../../src/core/model/prompt';
import { Dataset } from '../../src/core/dataset/dataset';
import type { Sample } from '../../src/core/dataset/sample';
import type { Continuation, Policy, SampleOptions } from '../../src/core/model/policy';
import { parseTrainerLogLine } from '../../src/core/rounds/jobs/trainerLog';
import { drawGroups, groupAdvantages, groupSizes, writeGrpoFile, type GrpoGroup } from '../../src/core/rounds/grpo';
import { localTrainerCommand, localTrainerOutputs, pythonHasTorch, runLocalTrainer, writeTrainerConfig, type LocalTrainerConfigs, type LocalTrainerStep } from '../../src/core/rounds/localTrainer';
import { datasetSamples, TrainingEncoder, writeTokenizerFolder, type GrpoRecord } from '../../src/core/rounds/trainingData';
import { checkOutput, expectationFor } from '../../src/core/toolcall/check/index';

const ROOT = resolve(__dirname, '..', '..');
const PYTHON = process.env.ITOOL_TRAIN_PYTHON || '/usr/bin/python3';
const BFCL = join(ROOT, 'demo', 'datasets', 'bfcl', 'BFCL_v4_simple_python.json');
const EOS = 511; // <|im_end|>, the tiny tokenizer's eos_token

const jsonl = <T>(path: string): T[] => readFileSync(path, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as T);
const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);

/** A group's advantages by hand: unbiased std (torch.std), TRL's 1e-4. */
function expected(rewards: number[]): number[] {
  const m = rewards.reduce((s, r) => s + r, 0) / rewards.length;
  const sd = Math.sqrt(rewards.reduce((s, r) => s + (r - m) ** 2, 0) / (rewards.length - 1));
  return rewards.map((r) => (r - m) / (sd + 1e-4));
}

describe('GRPO advantages and budget', () => {
  it('normalises within the group (n − 1 std, + 1e-4) and finds no signal in equal rewards', () => {
    const a = groupAdvantages([1, 0, -1, 0])!;
    expected([1, 0, -1, 0]).forEach((x, i) => close(a[i], x, `advantage ${i}`));
    close(a[0], 1 / (Math.sqrt(2 / 3) + 1e-4), 'by hand');
    close(a.reduce((s, x) => s + x, 0), 0, 'sums to 0');
    assert.equal(groupAdvantages([-1, -1, -1, -1]), undefined);
    assert.equal(groupAdvantages([0.1, 0.1, 0.1]), undefined, 'equal rewards whose float mean is not exact');
    assert.equal(groupAdvantages([1]), undefined);
  });

  it('splits a budget into groups that draw it exactly', () => {
    assert.deepEqual(groupSizes(12, 4), [4, 4, 4]);
    assert.deepEqual(groupSizes(14, 4), [5, 5, 4]);
    assert.deepEqual(groupSizes(3, 4), [3]);
    assert.deepEqual(groupSizes(1, 4), []);
    assert.deepEqual(groupSizes(0, 4), []);
    for (const b of [2, 7, 33, 1234]) assert.equal(groupSizes(b, 4).reduce((s, n) => s + n, 0), b);
    assert.throws(() => groupSizes(8, 1), /at least 2/);
  });
});

describe('GRPO data', () => {
  let root: string;
  let enc: TrainingEncoder;
  let samples: Sample[];
  /** The reference answer of a sample as the policy writes it (no end-of-turn marker). */
  const answer = async (s: Sample) => {
    const r = (await scoreRequestFor(enc.renderer, s))!;
    return r.response.slice(0, r.response.indexOf('<|im_end|>'));
  };

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'itool-grpo-'));
    await writeTokenizerFolder(join(root, 'tokenizer'), { vocab: 512, maxPos: 1024 });
    enc = await TrainingEncoder.open(join(root, 'tokenizer'));
    const ds = await Dataset.open(BFCL);
    samples = [];
    for await (const s of datasetSamples(ds)) if (samples.length < 3) samples.push(s);
    await ds.close();
  });
  after(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('draws exactly the budget, round-robin over the prompts, rewarded by the checker', async () => {
    const calls: { prompt: string; n: number; seed?: number; temperature: number; maxTokens: number }[] = [];
    const answers = await Promise.all(samples.map(answer));
    const prompts = await Promise.all(samples.map((s) => promptFor(enc.renderer, s)));
    // A policy whose k-th completion of a call is the reference, the call with a wrong name, or a cut start.
    const policy: Policy = {
      id: 'fake',
      label: 'fake',
      chatTemplate: (m, t, o) => enc.renderer.chatTemplate(m, t, o),
      score: async () => [],
      sample: async (prompt: string, _prefix: string, o: SampleOptions): Promise<Continuation[]> => {
        calls.push({ prompt, n: o.n, seed: o.seed, temperature: o.temperature, maxTokens: o.maxTokens });
        const i = prompts.indexOf(prompt);
        const texts = [answers[i], answers[i].replace(/"name": "[^"]+"/, '"name": "nope"'), answers[i].slice(0, 10)];
        return Array.from({ length: o.n }, (_, k) => ({ text: texts[k % 3], tokens: [{ token: 'x', logprob: -1 }], finishReason: k % 3 === 2 ? 'length' : 'stop' }));
      },
      close: async () => {},
    };
    const draw = await drawGroups(policy, samples.slice(0, 2), { group: 4, budget: 14, temperature: 0.7, maxTokens: 33, seed: 5 });
    assert.equal(draw.drawn, 14);
    assert.deepEqual(draw.groups.map((g) => g.completions.length), [5, 5, 4]);
    assert.deepEqual(draw.groups.map((g) => g.sample.id), [samples[0].id, samples[1].id, samples[0].id]);
    assert.deepEqual(calls.map((c) => [c.n, c.temperature, c.maxTokens]).sort(), [[4, 0.7, 33], [5, 0.7, 33], [5, 0.7, 33]]);
    assert.equal(new Set(calls.map((c) => c.seed)).size, 3, 'each group its own seed');
    for (const g of draw.groups) {
      const exp = expectationFor(g.sample);
      assert.equal(g.completions[0].reward, 1, 'the reference is valid');
      for (const c of g.completions) assert.equal(c.reward, checkOutput(c.text, exp).score);
      assert.ok(g.completions[1].reward < 1 && g.completions[2].reward === -1);
      assert.deepEqual(g.completions.slice(0, 3).map((c) => c.finished), [true, true, false]);
    }
    // The same seed draws the same groups.
    const again = await drawGroups(policy, samples.slice(0, 2), { group: 4, budget: 14, temperature: 0.7, maxTokens: 33, seed: 5 });
    assert.deepEqual(calls.slice(3).map((c) => c.seed).sort(), calls.slice(0, 3).map((c) => c.seed).sort());
    assert.deepEqual(again.groups.map((g) => g.completions.map((c) => c.reward)), draw.groups.map((g) => g.completions.map((c) => c.reward)));
  });

  it('writes group-normalised advantages and the product tokenizer’s ids; zero-std groups are dropped', async () => {
    const [a0, a1] = [await answer(samples[0]), await answer(samples[1])];
    const groups: GrpoGroup[] = [
      {
        sample: samples[0],
        completions: [
          { text: a0, finished: true, reward: 1, tokens: 0 },
          { text: a0.replace(/"name": "[^"]+"/, '"name": "nope"'), finished: true, reward: -0.5, tokens: 0 },
          { text: 'I cannot help.', finished: true, reward: -1, tokens: 0 },
          { text: a0.slice(0, 12), finished: false, reward: -1, tokens: 0 },
        ],
      },
      // Every completion as bad as the others: no signal.
      { sample: samples[1], completions: [0, 1, 2, 3].map((k) => ({ text: `no ${k}`, finished: true, reward: -1, tokens: 0 })) },
      {
        sample: samples[1],
        completions: [
          { text: a1, finished: true, reward: 1, tokens: 0 },
          { text: 'x', finished: false, reward: -1, tokens: 0 },
          { text: '', finished: true, reward: -1, tokens: 0 },
        ],
      },
    ];
    const r = await writeGrpoFile(join(root, 'grpo.jsonl'), groups, enc);
    assert.deepEqual([r.records, r.groups, r.zeroStd, r.skipped.length], [7, 3, 1, 0]);
    close(r.meanReward, (1 - 0.5 - 1 - 1 - 4 + 1 - 1 - 1) / 11, 'mean reward over every completion');
    const recs = jsonl<GrpoRecord>(r.path);
    assert.deepEqual(recs.map((x) => x.group), [0, 0, 0, 0, 2, 2, 2]);
    assert.deepEqual(recs.map((x) => x.sample_id), [...Array(4).fill(samples[0].id), ...Array(3).fill(samples[1].id)]);
    const adv = [...expected([1, -0.5, -1, -1]), ...expected([1, -1, -1])];
    recs.forEach((x, i) => close(x.advantage, adv[i], `record ${i} advantage`));
    assert.deepEqual(recs.map((x) => x.reward), [1, -0.5, -1, -1, 1, -1, -1]);
    const tok = new Tokenizer(JSON.parse(readFileSync(join(root, 'tokenizer/tokenizer.json'), 'utf8')), JSON.parse(readFileSync(join(root, 'tokenizer/tokenizer_config.json'), 'utf8')));
    const written = [groups[0].completions, groups[2].completions].flatMap((cs, g) => cs.map((c) => ({ ...c, sample: g ? samples[1] : samples[0] })));
    for (const [i, x] of recs.entries()) {
      const c = written[i];
      assert.equal(x.prompt, await promptFor(enc.renderer, c.sample));
      assert.ok(x.prompt.endsWith('<|im_start|>assistant\n'));
      // The end-of-sequence token the policy stopped at, and nothing the template adds after it.
      assert.equal(x.completion, c.finished ? `${c.text}<|im_end|>` : c.text);
      assert.deepEqual(x.ids, tok.encode(x.prompt + x.completion, { add_special_tokens: false }).ids);
      assert.deepEqual(x.ids.slice(0, x.start), tok.encode(x.prompt, { add_special_tokens: false }).ids);
      assert.equal(tok.decode(x.ids.slice(x.start), { skip_special_tokens: false, clean_up_tokenization_spaces: false }), x.completion);
      assert.equal(x.ids.at(-1) === EOS, c.finished, `record ${i}: ends with <|im_end|> only when finished`);
    }
    // An empty completion cut at max tokens has nothing to learn from: skipped with its reason.
    const cut = await writeGrpoFile(join(root, 'cut.jsonl'), [{ sample: samples[0], completions: [{ text: '', finished: false, reward: -1, tokens: 0 }, { text: a0, finished: true, reward: 1, tokens: 0 }] }], enc);
    assert.deepEqual([cut.records, cut.skipped.map((s) => s.reason)], [1, ['the response is empty']]);
  });
});

const SKIP = pythonHasTorch(PYTHON) ? false : `${PYTHON} cannot import torch (Debian: apt-get install python3-torch libopenblas0-pthread; or set ITOOL_TRAIN_PYTHON)`;

describe('itool_train.py grpo', { skip: SKIP, timeout: 120_000 }, () => {
  let root: string;
  let enc: TrainingEncoder;
  const dir = (name: string) => join(root, name);

  async function run<S extends LocalTrainerStep>(step: S, name: string, config: LocalTrainerConfigs[S]) {
    const cfg = await writeTrainerConfig(dir(`${name}.json`), step, config);
    return runLocalTrainer(localTrainerCommand(step, cfg, { python: PYTHON, root: ROOT, threads: 1 }), { timeoutMs: 90_000 });
  }
  async function ok<S extends LocalTrainerStep>(step: S, name: string, config: LocalTrainerConfigs[S]): Promise<string> {
    const r = await run(step, name, config);
    assert.equal(r.code, 0, `${step} ${name} failed:\n${r.stderr.slice(-3000)}`);
    return r.stdout;
  }
  /** Mean log-probability of each record's completion tokens under a model. */
  const meanLogps = async (model: string) =>
    (await ok('score', `score-${model}`, { model_dir: dir(model), input: dir('grpo.jsonl') }))
      .trim()
      .split('\n')
      .map((l) => {
        const lp = (JSON.parse(l) as { logprobs: number[] }).logprobs;
        return lp.reduce((a, b) => a + b, 0) / lp.length;
      });

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'itool-grpo-train-'));
    await writeTokenizerFolder(dir('tokenizer'), { vocab: 512, maxPos: 1024 });
    enc = await TrainingEncoder.open(dir('tokenizer'));
    const ds = await Dataset.open(BFCL);
    const samples: Sample[] = [];
    for await (const s of datasetSamples(ds)) if (samples.length < 2) samples.push(s);
    await ds.close();
    // Per prompt, the reference answer (valid) against texts that share little with it.
    const groups: GrpoGroup[] = [];
    for (const s of samples) {
      const r = (await scoreRequestFor(enc.renderer, s))!;
      const ref = r.response.slice(0, r.response.indexOf('<|im_end|>'));
      groups.push({
        sample: s,
        completions: [
          { text: ref, finished: true, reward: 1, tokens: 0 },
          { text: 'I am sorry, I cannot do that.', finished: true, reward: -1, tokens: 0 },
          { text: 'Which one?', finished: true, reward: -1, tokens: 0 },
          { text: 'zzzz qqqq', finished: false, reward: -1, tokens: 0 },
        ],
      });
    }
    assert.equal((await writeGrpoFile(dir('grpo.jsonl'), groups, enc)).records, 8);
    await ok('init', 'init', { tokenizer_dir: dir('tokenizer'), output_dir: dir('m0'), model: { layers: 1, hidden: 32, heads: 2, kv_heads: 1, ffn: 64, max_pos: 1024 }, seed: 3 });
  });
  after(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('makes positive-advantage completions likelier and negative ones less likely', async () => {
    const before_ = await meanLogps('m0');
    // Four completions per optimizer step, each group's own: 6 steps, 3 epochs over the file.
    const out = await ok('grpo', 'grpo', { model_dir: dir('m0'), output_dir: dir('g'), grpo_file: dir('grpo.jsonl'), learning_rate: 3e-3, warmup_ratio: 0, epochs: 3, batch_size: 2, grad_accum: 2, seed: 1, export: false });
    const summary = JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown>;
    assert.deepEqual([summary.global_step, summary.loss_type, summary.beta, summary.records, summary.groups, summary.mean_kl], [6, 'dapo', 0, 8, 2, null]);
    const after_ = await meanLogps('g');
    const recs = jsonl<GrpoRecord>(dir('grpo.jsonl'));
    recs.forEach((r, i) => {
      const what = `record ${i} (advantage ${r.advantage.toFixed(2)}): mean logp ${before_[i].toFixed(4)} → ${after_[i].toFixed(4)}`;
      if (r.advantage > 0) assert.ok(after_[i] > before_[i], what);
      else assert.ok(after_[i] < before_[i], what);
    });
    const lines = readFileSync(localTrainerOutputs(dir('g')).trainerLogPath, 'utf8').trim().split('\n');
    assert.equal(lines.length, 6);
    for (const l of lines) {
      assert.ok(parseTrainerLogLine(l), l);
      assert.equal(typeof (JSON.parse(l) as { reward?: unknown }).reward, 'number', l);
    }
    assert.ok(!existsSync(join(dir('g'), 'onnx')));
  });

  it('adds the k3 KL to a frozen reference with beta, the sequence-mean loss, and exports ONNX', async () => {
    const out = await ok('grpo', 'grpo-kl', { model_dir: dir('m0'), output_dir: dir('kl'), grpo_file: dir('grpo.jsonl'), learning_rate: 3e-3, loss_type: 'grpo', beta: 0.04, grad_accum: 1, max_steps: 2, seed: 1 });
    const summary = JSON.parse(out.trim().split('\n').at(-1)!) as { global_step: number; loss_type: string; beta: number; mean_kl: number };
    assert.deepEqual([summary.global_step, summary.loss_type, summary.beta], [2, 'grpo', 0.04]);
    // The first step's policy is the reference itself (KL 0), the second's has moved (KL > 0).
    assert.ok(summary.mean_kl > 0 && summary.mean_kl < 1, `mean KL ${summary.mean_kl}`);
    assert.ok(existsSync(localTrainerOutputs(dir('kl')).onnxPath), 'onnx/model.onnx');
  });

  it('refuses unknown config keys and a bad loss type, with a one-line reason', async () => {
    const base = { model_dir: dir('m0'), output_dir: dir('bad'), grpo_file: dir('grpo.jsonl') };
    const typo = await run('grpo', 'typo', { ...base, num_generations: 4 } as never);
    assert.equal(typo.code, 1);
    assert.equal(typo.stderr.trim(), 'error: grpo: unknown config key(s) num_generations');
    const loss = await run('grpo', 'loss', { ...base, loss_type: 'bnpo' } as never);
    assert.equal(loss.code, 1);
    assert.equal(loss.stderr.trim(), "error: grpo: loss_type must be dapo or grpo, not 'bnpo'");
  });
});
