// The closed loop on the project's own tiny model (METHOD.md, "Pipeline"), through the same parts
// the product uses: warm-up SFT with the easy → medium → hard curriculum from the model's own
// calibration, then per round calibrate → select deficient samples → explore (MCTS) → pairs
// accepted by a rule (as a reviewer would in bulk) → SimPO on the local trainer → held-out
// evaluation with the checker. Variants for the evidence table share the warm-up model:
//   itool   fragment pairs from the search on the samples with the highest perplexity
//   sft     continued SFT on the same samples' references, capped at the iTool round's optimizer steps
//   whole   whole-response pairs (the search's best vs worst complete answer) instead of fragments
//   random  fragment pairs, but on randomly selected samples instead of perplexity-selected ones
//   grpo    online RL on the same samples: GRPO with the checker's partial credit as the reward, as
//           many completions sampled as the iTool round's search sampled continuations (grpo.ts)
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { calibrate } from '../calibrate/calibrate';
import { selectDeficient } from '../calibrate/select';
import { selectionFile, selectionPath, writeSelection } from '../calibrate/selectionFile';
import { tierCuts, tierOf } from '../calibrate/select';
import { Dataset } from '../dataset/dataset';
import { sampleKey, type Sample } from '../dataset/sample';
import type { OnnxPolicy } from '../model/onnx/onnxPolicy';
import { openOnnxPolicy } from '../model/policyFactory';
import { mulberry32, shuffle } from '../random';
import { explore, type ExploreResult } from '../search/explore';
import { drawGroups, GRPO_DEFAULTS, writeGrpoFile, type GrpoDraw } from './grpo';
import { exportLocal, type LocalExportOptions } from './localExport';
import { localTrainerCommand, localTrainerOutputs, runLocalTrainer, writeTrainerConfig, type GrpoConfig, type SftConfig } from './localTrainer';
import { VARIANT_LABELS, type LoopOptions, type LoopVariant } from './loopOptions';
import { loopPairs } from './loopPairs';
import { accuracyText, timed, warmupLine, type GrpoRoundStats, type LoopResult, type RoundResult } from './loopResult';
import { pplSummary, recordRound, updateRegistry } from './registry';
import { evaluateSpec } from './roundEvaluate';
import { trainedResult } from './roundJob';
import { TrainingEncoder, writeCurriculumFiles, writeSftFile, writeTokenizerFolder } from './trainingData';
import type { JobRecord, RoundEvaluation, RoundRecord } from './types';


/**
 * The loop runs the project's own small models (1,024 positions), which cannot see a fifth of the
 * synthetic corpus's longest samples: those are skipped as too long (counted by the calibration as
 * 'score-failed', README "The closed loop") and the loop goes on with the rest. Anything else that
 * leaves nothing scored still stops it.
 */
const LOOP_MAX_SKIP_SHARE = 1;

export { PAIR_SCOPES, type PairScope } from './trainingData';

export { ACCEPT_RULES, LOOP_DEFAULTS, LOOP_VARIANTS, VARIANT_LABELS, loopOptions, type AcceptRule, type LoopOptions, type LoopOverrides, type LoopVariant } from './loopOptions';

export { acceptPair } from './loopPairs';
export type { GrpoRoundStats, LoopResult, RoundResult } from './loopResult';

class Loop {
  private readonly train: Dataset;
  private readonly heldOut: Dataset;
  private readonly samples = new Map<string, Sample>();
  /** The iTool rounds' calibration, PPL summary, selection and search files, for the round registry. */
  readonly artefacts = new Map<number, Pick<RoundRecord, 'calibration' | 'ppl' | 'selection' | 'explore'>>();
  /** The runtime's fallback (CUDA asked for, none there) is said once, not for every policy opened. */
  private warned = false;

  constructor(
    private readonly o: LoopOptions,
    train: Dataset,
    heldOut: Dataset,
  ) {
    this.train = train;
    this.heldOut = heldOut;
  }

  /** A training sample by record and, for a record with several answers, answer (dataset/answers.ts). */
  private async sample(i: number, answer?: number): Promise<Sample | undefined> {
    const key = sampleKey({ index: i, answer });
    if (!this.samples.has(key)) {
      const r = await this.train.sample(i, answer);
      if (r.ok) this.samples.set(key, r.sample);
    }
    return this.samples.get(key);
  }

  /** Run one trainer step to its end; its summary line, or an error with the trainer's own message. */
  private async step(kind: 'init' | 'sft' | 'pref' | 'grpo', configPath: string): Promise<Record<string, unknown>> {
    const cmd = localTrainerCommand(kind, configPath, this.o.trainer);
    const r = await runLocalTrainer(cmd, { signal: this.o.signal });
    if (r.code !== 0) throw new Error(`itool_train.py ${kind} failed (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    return (r.result ?? {}) as Record<string, unknown>;
  }

  /** Every policy the loop opens (calibration, search, GRPO's draw, evaluation): one spec, one runtime. */
  private async open(modelDir: string): Promise<OnnxPolicy> {
    const policy = await openOnnxPolicy({ backend: 'onnx', modelDir, executionProvider: this.o.executionProvider });
    if (policy.warning) this.warnOnce(policy.warning);
    return policy;
  }

  private warnOnce(warning: string): void {
    if (this.warned) return;
    this.warned = true;
    this.o.log(`warning: ${warning}`);
  }

  /** The held-out evaluation every round's model gets, as the round service evaluates (one spec, the loop's runtime). */
  private evaluate(modelDir: string, seconds: Record<string, number>): Promise<RoundEvaluation> {
    const spec = { backend: 'onnx' as const, modelDir, executionProvider: this.o.executionProvider };
    return timed(seconds, 'evaluate', () => evaluateSpec(this.heldOut, spec, { signal: this.o.signal, limit: this.o.evalLimit, onWarning: (w) => this.warnOnce(w) }));
  }

  /** init → calibration of the new model → curriculum SFT → evaluation. */
  async warmup(): Promise<LoopResult['warmup']> {
    const seconds: Record<string, number> = {};
    if (this.o.baseModel) {
      this.o.log(`warm-up: starting from ${this.o.baseModel}`);
      const evaluation = await this.evaluate(this.o.baseModel, seconds);
      this.o.log(warmupLine(evaluation));
      return { model: this.o.baseModel, evaluation, seconds };
    }
    const dir = join(this.o.workDir, 'warmup');
    const tokDir = join(dir, 'tokenizer');
    // Room for the longest synthetic prompts (a few tools, ~1,300 tokens); longer ones are skipped with their reason.
    const maxPos = this.o.model?.max_pos ?? 2048;
    await writeTokenizerFolder(tokDir, { maxPos });
    const init = join(dir, 'init');
    await timed(seconds, 'init', async () => this.step('init', await writeTrainerConfig(join(dir, 'init.json'), 'init', { tokenizer_dir: tokDir, output_dir: init, model: { ...this.o.model, max_pos: maxPos }, seed: this.o.seed })));
    // The curriculum's tiers come from the policy's own perplexities (here: the initial model's).
    await timed(seconds, 'export-init', async () => {
      const cfg = await writeTrainerConfig(join(dir, 'export-init.json'), 'export', { model_dir: init });
      const r = await runLocalTrainer(localTrainerCommand('export', cfg, this.o.trainer), { signal: this.o.signal });
      if (r.code !== 0) throw new Error(`export of the initial model failed: ${r.stderr.slice(-500)}`);
    });
    const policy = await this.open(init);
    let stages: { easy: Sample[]; medium: Sample[]; hard: Sample[] };
    try {
      const cal = await timed(seconds, 'calibrate', () => calibrate(this.train, policy, { round: 0, signal: this.o.signal, maxSkipShare: LOOP_MAX_SKIP_SHARE }));
      const cuts = tierCuts(cal.entries);
      stages = { easy: [], medium: [], hard: [] };
      for (const e of cal.entries) {
        const t = tierOf(e.ppl, cuts);
        const s = t ? await this.sample(e.index, e.answer) : undefined;
        if (t && s) stages[t].push(s);
      }
    } finally {
      await policy.close();
    }
    const enc = await TrainingEncoder.open(tokDir);
    const files = await writeCurriculumFiles(join(dir, 'curriculum'), stages, enc);
    this.o.log(`warm-up: curriculum ${files.results.map((r, k) => `${['easy', 'medium', 'hard'][k]} ${r.records}`).join(', ')}`);
    const out = join(dir, 'model');
    const sft: SftConfig = { model_dir: init, output_dir: out, stages: files.stages, epochs: this.o.warmup.epochs, learning_rate: this.o.warmup.learningRate, seed: this.o.seed };
    if (this.o.warmup.maxSteps) sft.max_steps = this.o.warmup.maxSteps;
    if (this.o.warmup.promptLoss) sft.prompt_loss = true;
    const summary = await timed(seconds, 'sft', async () => this.step('sft', await writeTrainerConfig(join(dir, 'sft.json'), 'sft', sft)));
    this.o.log(`warm-up: SFT done ${JSON.stringify(summary)}`);
    const evaluation = await this.evaluate(out, seconds);
    this.o.log(warmupLine(evaluation));
    return { model: out, evaluation, seconds };
  }

  /** The samples a round searches (or GRPO answers): top-PPL per group (itool, sft, whole, grpo) or a random draw of as many (random). */
  private async select(variant: LoopVariant, policy: OnnxPolicy, round: number, seconds: Record<string, number>): Promise<{ index: number; answer?: number }[]> {
    const cal = await timed(seconds, 'calibrate', () => calibrate(this.train, policy, { round, signal: this.o.signal, maxSkipShare: LOOP_MAX_SKIP_SHARE }));
    const sel = selectDeficient(cal.entries, this.o.ratio);
    if (variant === 'itool') {
      // What the round registry shows for a round made by hand: its calibration, PPL histogram and selection file.
      const selection = selectionPath(this.train.path, policy.id, round);
      await writeSelection(selection, selectionFile(cal, sel));
      this.artefacts.set(round, { calibration: cal.path, ppl: pplSummary(cal), selection });
    }
    let picked = sel.selected.map((e) => ({ index: e.index, answer: e.answer }));
    if (variant === 'random') {
      const pool = shuffle(cal.entries.map((e) => ({ index: e.index, answer: e.answer })), mulberry32(this.o.seed * 7919 + round));
      picked = pool.slice(0, picked.length);
    }
    return picked.slice(0, this.o.exploreMax);
  }

  /**
   * `stepBudget`: the optimizer steps the iTool variant's round of the same number took (continued
   * SFT gets as many); `sampleBudget`: the policy samples its search drew (GRPO draws as many).
   */
  async round(variant: LoopVariant, round: number, from: string, stepBudget?: number, sampleBudget?: number): Promise<RoundResult> {
    const seconds: Record<string, number> = {};
    const dir = join(this.o.workDir, variant, `round-${round}`);
    await mkdir(dir, { recursive: true });
    const policy = await this.open(from);
    let targets: { index: number; answer?: number }[];
    let run: ExploreResult | undefined;
    let draw: GrpoDraw | undefined;
    const group = this.o.grpo?.group ?? GRPO_DEFAULTS.group;
    const budget = sampleBudget ?? this.o.exploreMax * group;
    try {
      targets = await this.select(variant, policy, round, seconds);
      if (variant === 'grpo') {
        // The selected samples answered in groups, round-robin, until the budget is drawn.
        const samples = (await Promise.all(targets.map((t) => this.sample(t.index, t.answer)))).filter((s): s is Sample => !!s);
        draw = await timed(seconds, 'sample', () =>
          drawGroups(policy, samples, { group, budget, temperature: this.o.search.temperature, maxTokens: this.o.grpo?.maxTokens ?? GRPO_DEFAULTS.maxTokens, seed: this.o.seed + round, concurrency: 4, signal: this.o.signal }),
        );
        for (const s of draw.skipped) this.o.log(`grpo round ${round}: a group of ${s.sampleId} was not drawn: ${s.reason}`);
      } else if (variant !== 'sft') {
        run = await timed(seconds, 'explore', () =>
          explore(this.train, policy, targets, { ...this.o.search, seed: this.o.seed + round, round, signal: this.o.signal, concurrency: 4 }),
        );
        const a = this.artefacts.get(round);
        if (variant === 'itool' && a) a.explore = run.path;
      }
    } finally {
      await policy.close();
    }
    const enc = await TrainingEncoder.open(from);
    const out = join(dir, 'model');
    const base = { model_dir: from, output_dir: out, seed: this.o.seed + round };
    let found = 0;
    let accepted = 0;
    let summary: Record<string, unknown>;
    let grpo: GrpoRoundStats | undefined;
    const samplesDrawn = draw ? draw.drawn : run?.samples;
    if (variant === 'grpo') {
      const file = await writeGrpoFile(join(dir, 'grpo.jsonl'), draw!.groups, enc);
      accepted = file.records;
      grpo = {
        budget,
        budgetFrom: sampleBudget === undefined ? 'explore-max' : 'itool-search',
        group,
        prompts: new Set(draw!.groups.map((g) => g.sample.id)).size,
        groups: file.groups,
        withSignal: file.groups - file.zeroStd,
        zeroStd: file.zeroStd,
        meanReward: file.meanReward,
        tokens: draw!.tokens,
      };
      const source = grpo.budgetFrom === 'itool-search' ? `the iTool round's search samples` : `explore-max ${this.o.exploreMax} × group ${group}: no iTool round ${round} search count to match`;
      this.o.log(
        `grpo round ${round}: prompts ${grpo.prompts}, completions ${draw!.drawn} drawn (${draw!.tokens} tokens; budget ${budget}, ${source}), groups ${grpo.groups}: ${grpo.withSignal} with signal, ${grpo.zeroStd} zero-std dropped, mean reward ${grpo.meanReward.toFixed(3)}, ${accepted} records${file.retokenized ? ` (${file.retokenized} retokenized to another token count)` : ''}${file.skipped.length ? ` (${file.skipped.length} skipped: ${file.skipped[0].reason})` : ''}`,
      );
      if (!accepted) {
        this.o.log(`grpo round ${round}: no group carried a signal; the policy is carried over unchanged`);
        const evaluation = await this.evaluate(from, seconds);
        return { variant, round, model: from, selected: targets.length, explored: 0, pairsFound: 0, pairsAccepted: 0, samplesDrawn, grpo, evaluation, seconds };
      }
      // One epoch: each completion is trained on once (grpo.py: the importance ratio taken as 1).
      const cfg: GrpoConfig = { ...base, grpo_file: file.path, learning_rate: this.o.grpo?.learningRate ?? this.o.pref.learningRate, epochs: 1 };
      if (this.o.grpo?.beta !== undefined) cfg.beta = this.o.grpo.beta;
      summary = await timed(seconds, 'train', async () => this.step('grpo', await writeTrainerConfig(join(dir, 'grpo.json'), 'grpo', cfg)));
    } else if (variant === 'sft') {
      // Continued SFT for the same compute: the selected samples' references, as many optimizer steps as a pref round takes.
      const samples = (await Promise.all(targets.map((t) => this.sample(t.index, t.answer)))).filter((s): s is Sample => !!s);
      const file = await writeSftFile(join(dir, 'sft.jsonl'), samples, enc);
      accepted = file.records;
      const cfg: SftConfig = { ...base, train_file: file.path, epochs: this.o.pref.epochs, learning_rate: this.o.sftLearningRate ?? this.o.pref.learningRate };
      if (stepBudget) cfg.max_steps = stepBudget;
      summary = await timed(seconds, 'train', async () => this.step('sft', await writeTrainerConfig(join(dir, 'sft.json'), 'sft', cfg)));
    } else {
      const { found: f, edited, items } = await loopPairs(variant, run!, enc, this.o, (i, answer) => this.sample(i, answer));
      found = f;
      if (edited) this.o.log(`${variant} round ${round}: ${edited} of the pairs got the reviewer's edit (the reference from the shared prefix on)`);
      const p = this.o.pref;
      // The round's pairs as the interactive round exports them for the local trainer, with the loop's own training settings.
      const pref: LocalExportOptions['pref'] = { loss: p.loss, learning_rate: p.learningRate, epochs: p.epochs, seed: base.seed };
      if (p.beta !== undefined) pref.beta = p.beta;
      if (p.gamma !== undefined) pref.gamma = p.gamma;
      if (p.sftWeight !== undefined) pref.sft_weight = p.sftWeight;
      const exp = await exportLocal([], from, dir, out, { items, encoder: enc, pref });
      accepted = exp.records;
      if (!accepted) {
        this.o.log(`${variant} round ${round}: no pair met the rule; the policy is carried over unchanged`);
        const evaluation = await this.evaluate(from, seconds);
        return { variant, round, model: from, selected: targets.length, explored: run?.entries.length ?? 0, pairsFound: found, pairsAccepted: 0, samplesDrawn, evaluation, seconds };
      }
      summary = await timed(seconds, 'train', async () => this.step('pref', exp.configFile));
    }
    if (!existsSync(localTrainerOutputs(out).onnxPath)) throw new Error(`${variant} round ${round}: the trainer wrote no ONNX model in ${out}`);
    const evaluation = await this.evaluate(out, seconds);
    const steps = typeof summary.steps === 'number' ? summary.steps : typeof summary.global_step === 'number' ? summary.global_step : undefined;
    const used = variant === 'grpo' ? `completions ${samplesDrawn} drawn / ${accepted} trained on` : `explored ${run?.entries.length ?? 0}${samplesDrawn === undefined ? '' : ` (${samplesDrawn} policy samples)`}, pairs ${found} found / ${accepted} used`;
    this.o.log(`${variant} round ${round}: selected ${targets.length}, ${used}, held-out ${accuracyText(evaluation)} · ${JSON.stringify(seconds)}`);
    const res: RoundResult = { variant, round, model: out, selected: targets.length, explored: run?.entries.length ?? 0, pairsFound: found, pairsAccepted: accepted, trainSteps: steps, evaluation, seconds };
    if (samplesDrawn !== undefined) res.samplesDrawn = samplesDrawn;
    if (grpo) res.grpo = grpo;
    return res;
  }
}

/** The whole loop: the shared warm-up, then `rounds` rounds per variant; results go to the train dataset's round registry too (variant itool). */
export async function runLoop(o: LoopOptions): Promise<LoopResult> {
  const train = await Dataset.open(o.train);
  const heldOut = await Dataset.open(o.heldOut);
  try {
    const loop = new Loop(o, train, heldOut);
    const warm = await loop.warmup();
    const result: LoopResult = { warmup: warm, rounds: [] };
    await updateRegistry(o.train, (reg) => void (reg.heldOut = o.heldOut));
    for (const variant of o.variants) {
      let from = warm.model;
      let baseline = warm.evaluation;
      for (let r = 1; r <= o.rounds; r++) {
        // The iTool round of the same number sets the other variants' compute: continued SFT's optimizer steps, GRPO's policy samples.
        const itool = result.rounds.find((x) => x.variant === 'itool' && x.round === r);
        const res = await loop.round(variant, r, from, variant === 'sft' ? itool?.trainSteps : undefined, variant === 'grpo' ? itool?.samplesDrawn : undefined);
        result.rounds.push(res);
        if (variant === 'itool') {
          const job: JobRecord = { backend: 'local', jobDir: join(o.workDir, variant, `round-${r}`), startedAt: new Date().toISOString(), status: 'succeeded', outputDir: res.model };
          await recordRound(o.train, r, { id: `onnx:${from}`, label: r === 1 ? 'warm-up model' : `round ${r - 1} model` }, {
            ...loop.artefacts.get(r),
            pairs: { found: res.pairsFound, accepted: res.pairsAccepted, manual: 0 },
            job,
            result: trainedResult(job, r, 'local SimPO'),
            baseline,
            evaluation: res.evaluation,
          });
        }
        from = res.model;
        baseline = res.evaluation;
      }
      if (variant !== 'itool') {
        // The ablation's accuracy per round beside the iTool rounds on the dashboard.
        const label = VARIANT_LABELS[variant];
        const point = (round: number, e: RoundEvaluation) => ({ round, accuracy: e.accuracy, valid: e.valid, total: e.total });
        const points = [point(0, warm.evaluation), ...result.rounds.filter((x) => x.variant === variant).map((x) => point(x.round, x.evaluation))];
        await updateRegistry(o.train, (reg) => void (reg.comparisons = [...(reg.comparisons ?? []).filter((c) => c.label !== label), { label, points }]));
      }
    }
    return result;
  } finally {
    await train.close();
    await heldOut.close();
  }
}
