// A smoke run of the whole closed loop on a very small model for a few steps: the synthetic
// corpus, the warm-up curriculum from the model's own calibration, one round of every variant,
// and held-out evaluation. Asserts that every artefact of every stage exists and parses and that
// the numbers in the results are the checker's (recomputed here from the predictions). Needs
// Debian's python3-torch (scripts/ensure.mjs installs it); without it the test says so and skips.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { readJournal } from '../../src/core/store/journal';
import { Dataset } from '../../src/core/dataset/dataset';
import { readRegistry } from '../../src/core/rounds/registry';
import { readSelection } from '../../src/core/calibrate/selectionFile';
import { parseTrainerLogLine } from '../../src/core/rounds/jobs/trainerLog';
import { localTrainerCommand, localTrainerOutputs, pythonHasTorch } from '../../src/core/rounds/localTrainer';
import { exportLocal } from '../../src/core/rounds/localExport';
import { startLocalJob, watchJob } from '../../src/core/rounds/jobs/index';
import { manualPair } from '../../src/core/pairs/manualPairs';
import { referenceTurn } from '../../src/core/dataset/sample';
import { acceptPair, runLoop, type LoopResult } from '../../src/core/rounds/loop';
import type { PreferencePair } from '../../src/core/search/types';
import { generateCorpus, writeCorpus } from '../../src/core/synth/index';
import { checkPredictions } from '../../src/core/toolcall/datasetCheck';
import { readPredictions } from '../../src/core/toolcall/predictions';

const ROOT = resolve(__dirname, '..', '..');
const PYTHON = process.env.ITOOL_TRAIN_PYTHON ?? '/usr/bin/python3';
const skip = pythonHasTorch(PYTHON) ? false : `${PYTHON} cannot import torch (apt-get install python3-torch)`;

function trainerLog(dir: string): void {
  const lines = readFileSync(join(dir, 'trainer_log.jsonl'), 'utf8').trim().split('\n');
  assert.ok(lines.length > 0);
  for (const l of lines) assert.ok(parseTrainerLogLine(l), `a LLaMA-Factory progress line: ${l}`);
  const last = JSON.parse(lines.at(-1)!) as { current_steps: number; total_steps: number };
  assert.equal(last.current_steps, last.total_steps, 'the run reached its last step');
}

describe('itool loop (smoke)', { skip, timeout: 600_000 }, () => {
  let warmModel = '';
  let trainFile = '';
  it('runs warm-up and one round of every variant, leaving every artefact and checker-made numbers', async () => {
    const work = mkdtempSync(join(tmpdir(), 'itool-loop-'));
    const corpus = join(work, 'corpus');
    // The bundled BFCL documentation, so the test runs the same on a clean clone.
    await writeCorpus(corpus, generateCorpus({ seed: 3, train: 24, heldOut: 8, bfclDir: join(work, 'none') }));
    const train = join(corpus, 'train', 'BFCL_v4_synth_train.json');
    const heldOut = join(corpus, 'heldout', 'BFCL_v4_synth_heldout.json');
    trainFile = train;
    const logs: string[] = [];
    const result: LoopResult = await runLoop({
      train,
      heldOut,
      workDir: join(work, 'run'),
      trainer: { python: PYTHON, root: ROOT },
      variants: ['itool', 'sft', 'whole', 'random', 'grpo'],
      rounds: 1,
      seed: 1,
      model: { layers: 1, hidden: 32, heads: 2, kv_heads: 1, ffn: 64 },
      warmup: { epochs: 1, learningRate: 1e-3 },
      pref: { loss: 'simpo', learningRate: 1e-4, epochs: 1 },
      ratio: 0.3,
      exploreMax: 2,
      search: { iterations: 1, numActions: 2, temperature: 1, maxNewTokens: 8, depth: 2 },
      minGap: 0.1,
      evalLimit: 8,
      log: (l) => logs.push(l),
    });

    // Warm-up: tokenizer, initial model, curriculum stages, trained model with its ONNX export and logs.
    const warm = join(work, 'run', 'warmup');
    for (const f of ['tokenizer/tokenizer.json', 'init/config.json', 'init/onnx/model.onnx', 'model/onnx/model.onnx', 'model/config.json', 'model/train_results.json']) assert.ok(existsSync(join(warm, f)), f);
    const stages = ['easy', 'medium', 'hard'].map((t) => join(warm, 'curriculum', `${t}.jsonl`));
    const staged = stages.flatMap((f) => readFileSync(f, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { ids: number[]; start: number }));
    assert.ok(staged.length > 0 && staged.every((r) => r.start > 0 && r.start < r.ids.length), 'curriculum records with a response to learn');
    trainerLog(join(warm, 'model'));
    assert.ok(logs.some((l) => /^warm-up: curriculum easy \d+, medium \d+, hard \d+/.test(l)));

    // One round per variant; each result's numbers are the checker's over its predictions file.
    assert.deepEqual(result.rounds.map((r) => r.variant), ['itool', 'sft', 'whole', 'random', 'grpo']);
    const ds = await Dataset.open(heldOut);
    try {
      for (const r of [result.warmup, ...result.rounds]) {
        const ev = r.evaluation;
        const { rows } = await readPredictions(ev.predictions);
        const { totals } = await checkPredictions(ds, rows);
        assert.equal(ev.total, totals.checked);
        assert.equal(ev.valid, totals.valid);
        assert.equal(ev.accuracy, totals.checked ? totals.valid / totals.checked : 0);
      }
    } finally {
      await ds.close();
    }
    // Continued SFT trained a new model; the search variants left their calibration and exploration journals.
    const sft = result.rounds.find((r) => r.variant === 'sft')!;
    assert.ok(existsSync(join(sft.model, 'onnx', 'model.onnx')));
    trainerLog(sft.model);
    const itool = result.rounds.find((r) => r.variant === 'itool')!;
    assert.equal(itool.explored, itool.selected);
    const metaDir = `${train}.itool`;
    for (const kind of ['calibration', 'explore']) {
      const dir = join(metaDir, kind);
      assert.ok(existsSync(dir), kind);
    }
    const cal = await readJournal<{ type: string }>(join(metaDir, 'calibration', readdirSync(join(metaDir, 'calibration')).find((f) => f.endsWith('-r1.jsonl'))!));
    assert.ok(cal.entries.some((e) => e.type === 'result'), 'round 1 calibration results');
    // A round that trained on pairs left them and its model; one that found none kept the policy, and said so.
    if (itool.pairsAccepted > 0) {
      assert.ok(existsSync(join(work, 'run', 'itool', 'round-1', 'pairs.jsonl')));
      trainerLog(itool.model);
    } else assert.ok(logs.some((l) => /^itool round 1: no pair met the rule/.test(l)));
    // GRPO drew as many completions as the iTool round's search sampled continuations, in groups of 4.
    const grpo = result.rounds.find((r) => r.variant === 'grpo')!;
    assert.ok(itool.samplesDrawn! > 0, 'the search counted its policy samples');
    assert.equal(grpo.samplesDrawn, itool.samplesDrawn);
    assert.deepEqual([grpo.grpo?.budget, grpo.grpo?.budgetFrom, grpo.grpo?.group], [itool.samplesDrawn, 'itool-search', 4]);
    assert.equal(grpo.grpo!.withSignal + grpo.grpo!.zeroStd, grpo.grpo!.groups);
    assert.ok(logs.some((l) => new RegExp(`^grpo round 1: prompts \\d+, completions ${itool.samplesDrawn} drawn`).test(l)), logs.join('\n'));
    if (grpo.pairsAccepted > 0) {
      const recs = readFileSync(join(work, 'run', 'grpo', 'round-1', 'grpo.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { advantage: number; ids: number[]; start: number });
      assert.equal(recs.length, grpo.pairsAccepted);
      assert.ok(recs.every((r) => Number.isFinite(r.advantage) && r.start > 0 && r.start < r.ids.length));
      trainerLog(grpo.model);
    } else assert.ok(logs.some((l) => /^grpo round 1: no group carried a signal/.test(l)));
    // The iTool variant's rounds are in the dataset's round registry, for the dashboard.
    const reg = await readRegistry(train);
    assert.equal(reg.heldOut, heldOut);
    assert.equal(reg.rounds[0].evaluation?.accuracy, itool.evaluation.accuracy);
    assert.equal(reg.rounds[0].baseline?.accuracy, result.warmup.evaluation.accuracy);
    // With what a round made by hand shows: its calibration's PPL histogram, selection and search.
    const r1 = reg.rounds[0];
    assert.equal(r1.ppl?.values.length, cal.entries.filter((e) => e.type === 'result' && Number.isFinite((e as { ppl?: number }).ppl)).length);
    assert.ok(r1.ppl!.values.length > 0 && Number.isFinite(r1.ppl!.median));
    const selected = (await readSelection(r1.selection!)).selected.length;
    assert.ok(selected >= itool.selected, `selection file holds ${selected}, ${itool.selected} explored`);
    assert.ok(r1.explore && existsSync(r1.explore) && r1.explore.startsWith(join(metaDir, 'explore')), r1.explore);
    // The ablations are on the dashboard's accuracy chart beside them.
    assert.deepEqual(reg.comparisons?.map((c) => c.points.map((p) => p.accuracy)), ['sft', 'whole', 'random', 'grpo'].map((v) => [result.warmup.evaluation.accuracy, result.rounds.find((x) => x.variant === v)!.evaluation.accuracy]));
    warmModel = result.warmup.model;
  });

  it('the local backend: reviewed pairs → SimPO as a detached job with LLaMA-Factory progress → a new ONNX model', async () => {
    assert.ok(warmModel, 'the loop test made a model');
    const ds = await Dataset.open(trainFile);
    try {
      // A pair made by hand, as the review queue makes one: the reference with one value marked wrong and corrected.
      const r = await ds.sample(0);
      assert.ok(r.ok);
      const ref = referenceTurn(r.sample)!.content;
      const m = /=(\d+|"[^"]*")/.exec(ref)!;
      const start = m.index + 1;
      const end = start + m[1].length;
      const wrong = m[1].startsWith('"') ? '"zzz"' : String(Number(m[1]) + 1);
      const text = ref.slice(0, start) + wrong + ref.slice(end);
      const pair = manualPair({ type: 'annotation', id: 'a1', sampleId: r.sample.id, index: 0, source: 'text', text, start, end: start + wrong.length, kind: 'wrong_value', correction: m[1], at: new Date().toISOString() }, r.sample)!;
      assert.ok(pair && pair.chosen.verdict.valid && !pair.rejected.verdict.valid);
      const dir = mkdtempSync(join(tmpdir(), 'itool-local-'));
      const exp = await exportLocal([{ pair, sample: r.sample }], warmModel, join(dir, 'export'), join(dir, 'output'));
      assert.equal(exp.records, 1);
      const cmd = localTrainerCommand('pref', exp.configFile, { python: PYTHON, root: ROOT });
      const job = await startLocalJob({ backend: 'local', jobDir: join(dir, 'job'), ...cmd, outputDir: exp.outputDir, trainerLogPath: localTrainerOutputs(exp.outputDir).trainerLogPath, runnerCommand: RUNNER });
      const seen: number[] = [];
      const done = await watchJob(job, (p) => seen.push(p.percentage), undefined, { intervalMs: 200 });
      assert.equal(done.status, 'succeeded', done.error);
      assert.equal(seen.at(-1), 100);
      trainerLog(exp.outputDir);
      assert.ok(existsSync(localTrainerOutputs(exp.outputDir).onnxPath), 'the trained policy is an ONNX model folder');
    } finally {
      await ds.close();
    }
  });

  it('the local backend refuses a model it did not make, saying why', async () => {
    await assert.rejects(exportLocal([], join(ROOT, 'demo'), tmpdir(), tmpdir()), /has no model\.pt: the local trainer trains the models it made itself/);
  });
});

const RUNNER = [process.execPath, '-e', `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(join(ROOT, 'src', 'core', 'rounds', 'jobs', 'runner.ts'))})`];

describe('the loop\'s bulk-review rule (acceptPair)', () => {
  const side = (valid: boolean, score: number) => ({ verdict: { valid, score, syntax: 'hermes' as const, errors: [] } }) as unknown as PreferencePair['chosen'];
  const pair = (gap: number, chosen: PreferencePair['chosen'], rejected: PreferencePair['chosen']) => ({ gap, chosen, rejected });
  it('by default keeps a pair only when its chosen answer is right, the checker prefers it and the gap is wide enough', () => {
    assert.equal(acceptPair(pair(0.5, side(true, 1), side(false, -0.4)), 0.1, 'valid'), true);
    // A less-wrong chosen answer (the common case with a weak policy) is not taught by default…
    assert.equal(acceptPair(pair(0.5, side(false, 0.2), side(false, -0.6)), 0.1, 'valid'), false);
    // …but is under 'better', the rule the first measured run used.
    assert.equal(acceptPair(pair(0.5, side(false, 0.2), side(false, -0.6)), 0.1, 'better'), true);
    assert.equal(acceptPair(pair(0.05, side(true, 1), side(false, -1)), 0.1, 'valid'), false, 'gap under the threshold');
    assert.equal(acceptPair(pair(0.5, side(true, 1), side(true, 1)), 0.1, 'better'), false, 'the checker must prefer the chosen side');
  });
});
