// `itool loop`: the closed loop on the project's tiny model, from one command (src/core/rounds/loop.ts),
// printing each stage as it finishes and, at the end, the evidence table (markdown) with held-out
// accuracy and error kinds after warm-up and after each round, per variant. Results are also
// written to WORKDIR/loop-results.json.
import { setMaxListeners } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ACCEPT_RULES, LOOP_DEFAULTS, LOOP_VARIANTS, PAIR_SCOPES, loopOptions, runLoop, type AcceptRule, type LoopOptions, type LoopVariant, type PairScope } from '../core/rounds/loop';
import { writeLoopReport } from '../core/rounds/loopReport';

export interface LoopCommandArgs {
  train: string;
  heldOut: string;
  workDir: string;
  python?: string;
  root: string;
  rounds?: number;
  variants?: string;
  seed?: number;
  baseModel?: string;
  warmupEpochs?: number;
  warmupPromptLoss?: boolean;
  evalLimit?: number;
  exploreMax?: number;
  iterations?: number;
  prefLr?: number;
  prefEpochs?: number;
  accept?: string;
  pairScope?: string;
  sftLr?: number;
  grpoGroup?: number;
  grpoLr?: number;
  temperature?: number;
  model?: string;
}


export async function loopCommand(a: LoopCommandArgs, io: { stdout: (s: string) => void; stderr: (s: string) => void }): Promise<number> {
  const variants = (a.variants ?? 'itool').split(',').map((v) => v.trim()) as LoopVariant[];
  const bad = variants.filter((v) => !LOOP_VARIANTS.includes(v));
  if (bad.length) {
    io.stderr(`loop: unknown variant(s) ${bad.join(', ')}; expected ${LOOP_VARIANTS.join(', ')}\n`);
    return 2;
  }
  if (a.accept !== undefined && !ACCEPT_RULES.includes(a.accept as AcceptRule)) {
    io.stderr(`loop: --accept must be ${ACCEPT_RULES.join(', ')}, not "${a.accept}"\n`);
    return 2;
  }
  if (a.pairScope !== undefined && !PAIR_SCOPES.includes(a.pairScope as PairScope)) {
    io.stderr(`loop: --pair-scope must be ${PAIR_SCOPES.join(', ')}, not "${a.pairScope}"\n`);
    return 2;
  }
  const workDir = resolve(a.workDir);
  await mkdir(workDir, { recursive: true });
  const ctl = new AbortController();
  // The search keeps a few model calls in flight per sample, each listening for the abort: more
  // than Node's default of 10 listeners, all removed when their call settles (not a leak).
  setMaxListeners(64, ctl.signal);
  process.once('SIGINT', () => ctl.abort(new Error('interrupted')));
  const o: LoopOptions = loopOptions({
    train: resolve(a.train),
    heldOut: resolve(a.heldOut),
    workDir,
    trainer: { python: a.python ?? 'python3', root: a.root },
    variants,
    rounds: a.rounds ?? LOOP_DEFAULTS.rounds,
    seed: a.seed ?? LOOP_DEFAULTS.seed,
    baseModel: a.baseModel ? resolve(a.baseModel) : undefined,
    model: a.model ? (JSON.parse(a.model) as LoopOptions['model']) : undefined,
    warmup: { ...LOOP_DEFAULTS.warmup, epochs: a.warmupEpochs ?? LOOP_DEFAULTS.warmup.epochs, promptLoss: a.warmupPromptLoss },
    pref: { ...LOOP_DEFAULTS.pref, learningRate: a.prefLr ?? LOOP_DEFAULTS.pref.learningRate, epochs: a.prefEpochs ?? LOOP_DEFAULTS.pref.epochs },
    exploreMax: a.exploreMax ?? LOOP_DEFAULTS.exploreMax,
    search: { ...LOOP_DEFAULTS.search, iterations: a.iterations ?? LOOP_DEFAULTS.search.iterations, temperature: a.temperature ?? LOOP_DEFAULTS.search.temperature },
    evalLimit: a.evalLimit,
    accept: (a.accept as AcceptRule | undefined) ?? LOOP_DEFAULTS.accept,
    pairScope: a.pairScope as PairScope | undefined,
    sftLearningRate: a.sftLr,
    grpo: a.grpoGroup !== undefined || a.grpoLr !== undefined ? { group: a.grpoGroup, learningRate: a.grpoLr } : undefined,
    log: (line) => io.stdout(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`),
    signal: ctl.signal,
  });
  const started = Date.now();
  const result = await runLoop(o);
  const report = await writeLoopReport(o, result, (Date.now() - started) / 1000);
  io.stdout(`\n${report.table}\n\nTotal ${((Date.now() - started) / 60000).toFixed(1)} min; results in ${report.json} and ${report.markdown}\n`);
  return 0;
}
