// `itool loop`: the closed loop on the project's tiny model, from one command (src/core/rounds/loop.ts),
// printing each stage as it finishes and, at the end, the evidence table (markdown) with held-out
// accuracy and error kinds after warm-up and after each round, per variant. Results are also
// written to WORKDIR/loop-results.json.
import { setMaxListeners } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { EXECUTION_PROVIDERS, type ExecutionProvider } from '../core/model/policyFactory';
import { GRPO_DEFAULTS } from '../core/rounds/grpo';
import { defaultPython } from '../core/rounds/localTrainer';
import { ACCEPT_RULES, LOOP_DEFAULTS, LOOP_VARIANTS, PAIR_SCOPES, loopOptions, runLoop, type AcceptRule, type LoopOptions, type LoopVariant, type PairScope } from '../core/rounds/loop';
import { writeLoopReport } from '../core/rounds/loopReport';
import { numberArg, UsageError, whole } from './args';
import { defineCommand } from './command';

const D = LOOP_DEFAULTS;
/** 1e-5 as a user types it, not 0.00001. */
const rate = (x: number): string => (x < 1e-3 ? x.toExponential() : String(x));
/** The usage lines of `itool loop`; the defaults shown are the ones it runs with (LOOP_DEFAULTS). */
export const LOOP_USAGE = `  itool loop --train TRAIN.json --held-out HELDOUT.json -w WORKDIR [--rounds ${D.rounds}] [--python ${defaultPython()}]
                  [--variants ${LOOP_VARIANTS.join(',')}] [--base-model DIR] [--warmup-epochs ${D.warmup.epochs}] [--warmup-prompt-loss] [--eval-limit N]
                  [--explore-max ${D.exploreMax}] [--iters ${D.search.iterations}] [--actions ${D.search.numActions}] [--max-new-tokens ${D.search.maxNewTokens}] [--temperature ${D.search.temperature}]
                  [--pref-lr ${rate(D.pref.learningRate)}] [--pref-epochs ${D.pref.epochs}] [--sft-lr ${rate(D.pref.learningRate)}] [--accept ${ACCEPT_RULES.join('|')}]
                  [--pair-scope ${PAIR_SCOPES.join('|')}] [--grpo-group ${GRPO_DEFAULTS.group}] [--grpo-lr ${rate(D.pref.learningRate)}] [--seed ${D.seed}] [--ep ${EXECUTION_PROVIDERS.join('|')}] [--arch JSON]
      The closed loop on the project's own tiny model (PyTorch on the CPU, scripts/train/):
      warm-up SFT with the calibration curriculum, then per round calibrate, select, explore,
      accept pairs by rule, SimPO, and held-out evaluation with the checker; prints the table.
      Variant grpo: online RL instead of the search, GRPO with the checker's partial credit as the
      reward, groups of --grpo-group completions per selected prompt sampled at --temperature, as
      many completions as the itool round's search sampled (else --explore-max × the group).
`;

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
  numActions?: number;
  maxNewTokens?: number;
  executionProvider?: string;
  model?: string;
}


/**
 * The loop's options from the command line, with no side effects (a unit test compares them with
 * the palette's for the same inputs); a string says what is wrong with the arguments.
 */
export function loopOptionsFromArgs(a: LoopCommandArgs, log: (line: string) => void, signal?: AbortSignal): LoopOptions | string {
  const variants = (a.variants ?? LOOP_DEFAULTS.variants.join(',')).split(',').map((v) => v.trim()) as LoopVariant[];
  const bad = variants.filter((v) => !LOOP_VARIANTS.includes(v));
  if (bad.length) return `loop: unknown variant(s) ${bad.join(', ')}; expected ${LOOP_VARIANTS.join(', ')}`;
  if (a.accept !== undefined && !ACCEPT_RULES.includes(a.accept as AcceptRule)) return `loop: --accept must be ${ACCEPT_RULES.join(', ')}, not "${a.accept}"`;
  if (a.pairScope !== undefined && !PAIR_SCOPES.includes(a.pairScope as PairScope)) return `loop: --pair-scope must be ${PAIR_SCOPES.join(', ')}, not "${a.pairScope}"`;
  if (a.executionProvider !== undefined && !(EXECUTION_PROVIDERS as readonly string[]).includes(a.executionProvider)) return `loop: --ep must be ${EXECUTION_PROVIDERS.join(' or ')}, not "${a.executionProvider}"`;
  return loopOptions(
    { train: resolve(a.train), heldOut: resolve(a.heldOut), workDir: resolve(a.workDir), trainer: { python: a.python ?? defaultPython(), root: a.root }, log, signal },
    {
      variants,
      rounds: a.rounds,
      seed: a.seed,
      baseModel: a.baseModel ? resolve(a.baseModel) : undefined,
      model: a.model ? (JSON.parse(a.model) as LoopOptions['model']) : undefined,
      warmupEpochs: a.warmupEpochs,
      warmupPromptLoss: a.warmupPromptLoss,
      exploreMax: a.exploreMax,
      evalLimit: a.evalLimit,
      iterations: a.iterations,
      numActions: a.numActions,
      maxNewTokens: a.maxNewTokens,
      temperature: a.temperature,
      prefLr: a.prefLr,
      prefEpochs: a.prefEpochs,
      accept: a.accept as AcceptRule | undefined,
      pairScope: a.pairScope as PairScope | undefined,
      sftLr: a.sftLr,
      grpoGroup: a.grpoGroup,
      grpoLr: a.grpoLr,
      executionProvider: a.executionProvider as ExecutionProvider | undefined,
    },
  );
}

export async function loopCommand(a: LoopCommandArgs, io: { stdout: (s: string) => void; stderr: (s: string) => void }): Promise<number> {
  const ctl = new AbortController();
  const o = loopOptionsFromArgs(a, (line) => io.stdout(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`), ctl.signal);
  if (typeof o === 'string') {
    io.stderr(`${o}\n`);
    return 2;
  }
  await mkdir(o.workDir, { recursive: true });
  // The search keeps a few model calls in flight per sample, each listening for the abort: more
  // than Node's default of 10 listeners, all removed when their call settles (not a leak).
  setMaxListeners(64, ctl.signal);
  process.once('SIGINT', () => ctl.abort(new Error('interrupted')));
  const started = Date.now();
  const result = await runLoop(o);
  const report = await writeLoopReport(o, result, (Date.now() - started) / 1000);
  io.stdout(`\n${report.table}\n\nTotal ${((Date.now() - started) / 60000).toFixed(1)} min; results in ${report.json} and ${report.markdown}\n`);
  return 0;
}

export const loopCli = defineCommand({
  name: 'loop',
  usage: LOOP_USAGE,
  options: {
    train: { type: 'string' },
    'held-out': { type: 'string' },
    workdir: { type: 'string', short: 'w' },
    python: { type: 'string' },
    rounds: { type: 'string' },
    variants: { type: 'string' },
    seed: { type: 'string' },
    'base-model': { type: 'string' },
    'warmup-epochs': { type: 'string' },
    'warmup-prompt-loss': { type: 'boolean' },
    'eval-limit': { type: 'string' },
    accept: { type: 'string' },
    'pair-scope': { type: 'string' },
    'sft-lr': { type: 'string' },
    'grpo-group': { type: 'string' },
    'grpo-lr': { type: 'string' },
    temperature: { type: 'string' },
    'explore-max': { type: 'string' },
    iters: { type: 'string' },
    actions: { type: 'string' },
    'max-new-tokens': { type: 'string' },
    ep: { type: 'string' },
    'pref-lr': { type: 'string' },
    'pref-epochs': { type: 'string' },
    arch: { type: 'string' },
  },
  run(values) {
    if (!values.train || !values['held-out'] || !values.workdir) throw new UsageError('loop: --train, --held-out and -w WORKDIR are required');
    const n = (name: keyof typeof values, ok: (x: number) => boolean = (x) => x > 0 && Number.isFinite(x)) => numberArg('loop', name, values[name] as string | undefined, ok);
    return loopCommand(
      {
        train: values.train,
        heldOut: values['held-out'],
        workDir: values.workdir,
        python: values.python,
        // The package root, where scripts/train/ is: the folder above dist/, which holds the CLI
        // bundle this runs in. (Under tsx it is src/, which has none: the loop runs from the build.)
        root: resolve(dirname(__filename), '..'),
        rounds: n('rounds', whole(0)),
        variants: values.variants,
        seed: n('seed', whole(0)),
        baseModel: values['base-model'],
        warmupEpochs: n('warmup-epochs'),
        warmupPromptLoss: !!values['warmup-prompt-loss'],
        evalLimit: n('eval-limit', whole(1)),
        accept: values.accept,
        pairScope: values['pair-scope'],
        sftLr: n('sft-lr'),
        grpoGroup: n('grpo-group', whole(2)),
        grpoLr: n('grpo-lr'),
        temperature: n('temperature'),
        exploreMax: n('explore-max', whole(1)),
        iterations: n('iters', whole(0)),
        numActions: n('actions', whole(1)),
        maxNewTokens: n('max-new-tokens', whole(1)),
        executionProvider: values.ep,
        prefLr: n('pref-lr'),
        prefEpochs: n('pref-epochs'),
        model: values.arch,
      },
      { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) },
    );
  },
});
