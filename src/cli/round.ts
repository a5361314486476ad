// `itool round start|follow|cancel|status|evaluate DATASET`: a training round from the command line,
// through the same round service as the palette (src/core/rounds/roundService.ts): the reviewed
// pairs exported for a trainer and launched as a detached job (it outlives this process), followed
// with progress on stderr, finished and evaluated, everything in the dataset's round registry
// (DATASET.itool/rounds/rounds.json). Each subcommand has its own usage and options; status and
// evaluate are in roundReport.ts.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readRegistry, runningRound } from '../core/rounds/registry';
import { Dataset } from '../core/dataset/dataset';
import { cancelRound, explorePairs, finishRound, followRound, leftOutText, openAIClient, progressText, projectModelOf, ROUND_BACKENDS, RoundError, startRound, type RoundBackend, type TrainerSettings } from '../core/rounds/roundService';
import type { JobRecord, RoundTraining } from '../core/rounds/types';
import { trainingDefaults } from '../core/rounds/roundExport';
import { objectiveFor } from '../core/rounds/trainingForm';
import { PREF_LOSSES, type PrefLoss } from '../core/pairs/export/index';
import { numberArg, UsageError, whole } from './args';
import { callsArg } from './callsArg';
import { defineCommand } from './command';
import { policyArgs, POLICY_OPTIONS } from './policyOptions';
import { roundEvaluateCommand, roundStatusCommand, type RoundIo } from './roundReport';

const START = `  itool round start DATASET --backend local|llamafactory|trl|openai [--round N] [--detach]
                  [--model DIR] [--python PY] [--base-model M] [--template T] [--pref-loss simpo|sigmoid|orpo|ipo]
                  [--calls auto|text|template] [--llamafactory CMD] [--accelerate CMD] [--num-processes N]
                  [--openai-base-url URL] [--key-env VAR] [--beta B] [--gamma G] [--lr RATE] [--epochs N]
      Train a round on the reviewed pairs: the accepted and edited ones (edits applied) of the newest
      search beside DATASET and the hand-made pairs, exported for the backend into
      DATASET.itool/rounds/round-N and launched as a detached job, recorded in the round registry.
      Follows the job to its end with progress on stderr; Ctrl-C stops following, not the job
      (itool round follow / cancel). --detach: start and return. local: the project's own trainer
      continues --model DIR (default: the model the search ran with, when the project made it) with
      --python (default python3). openai: the API key is read from the environment variable
      --key-env names (default OPENAI_API_KEY), never from the command line. --round defaults to
      the search's round. --beta, --gamma (SimPO's margin), --lr and --epochs override the
      method's defaults for the objective (--pref-loss), as the palette's start form does; the values
      used are printed and recorded with the round. Exit 1 when the job fails or no pair is accepted.
`;
const FOLLOW = `  itool round follow DATASET [--key-env VAR]
      Follow the dataset's training job again (after Ctrl-C or --detach) and record its end.
`;
const CANCEL = `  itool round cancel DATASET [--key-env VAR]
      Cancel the dataset's training job (the trainer's whole process group, or the remote job).
`;
const STATUS = `  itool round status DATASET [--json] [--key-env VAR]
      The round registry: each round's policy, pairs, export, job state and progress, trained
      model, and held-out numbers. A job that ended since it was last followed is recorded now.
      --json: the registry as JSON (rounds with their job and evaluations).
`;
const EVALUATE = `  itool round evaluate DATASET [--round N] [--held-out H.jsonl] [--model DIR | --endpoint URL --served-model M]
                  [--chat-template T] [--api-key-env VAR] [--ep cpu|cuda] [--limit N] [--baseline] [--json]
      Evaluate a policy on the held-out split with the checker and record it in the round (default
      the newest trained round): the round's trained model unless --model or --endpoint names one
      (then recorded as its result); --baseline records the round's starting policy instead.
      --held-out defaults to the registry's (and is remembered there when it has none).
`;

const SUBCOMMANDS = { start: START, follow: FOLLOW, cancel: CANCEL, status: STATUS, evaluate: EVALUATE } as const;
type Sub = keyof typeof SUBCOMMANDS;

/** Each subcommand's own options; the command's table is their union (command.ts refuses anything else). */
const ALLOWED: Record<Sub, readonly string[]> = {
  start: ['backend', 'round', 'detach', 'model', 'python', 'base-model', 'template', 'pref-loss', 'calls', 'llamafactory', 'accelerate', 'num-processes', 'openai-base-url', 'key-env', 'beta', 'gamma', 'lr', 'epochs'],
  follow: ['key-env'],
  cancel: ['key-env'],
  status: ['json', 'key-env'],
  evaluate: ['round', 'held-out', ...Object.keys(POLICY_OPTIONS), 'limit', 'baseline', 'json'],
};

/** The job runner beside the bundle (dist/jobRunner.js) and the package root holding scripts/train/. */
function bundled(): { runner: string[]; root: string } {
  const runner = join(__dirname, 'jobRunner.js');
  if (!existsSync(runner)) throw new Error(`round: the job runner ${runner} is missing: build the package (npm run build)`);
  return { runner: [process.execPath, runner], root: resolve(__dirname, '..') };
}

/** The key an OpenAI job needs, from the environment variable named (never from the command line). */
export function keyFromEnv(name: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const v = env[name ?? 'OPENAI_API_KEY'];
  if (name !== undefined && !v) throw new UsageError(`round: --key-env ${name}: that environment variable is ${v === undefined ? 'not set' : 'empty'}`);
  return v || undefined;
}

export interface RoundStartArgs {
  dataset: string;
  backend: RoundBackend;
  round?: number;
  detach?: boolean;
  settings: TrainerSettings;
  apiKey?: string;
  /** Aborted on Ctrl-C: following stops, the job goes on. */
  signal?: AbortSignal;
  /** Between polls of the job (default 500 ms). */
  intervalMs?: number;
}

/** Follow `job` with progress lines on stderr until it ends (recorded) or `signal` detaches. Exit 0 succeeded, 1 failed or cancelled, 0 detached. */
export async function followCommand(dataset: string, round: number, job: JobRecord, io: RoundIo, o: { signal?: AbortSignal; apiKey?: string; baseURL?: string; intervalMs?: number }): Promise<number> {
  io.stderr(`itool round: following round ${round} (${job.backend}); Ctrl-C stops following, the job goes on (itool round follow ${dataset} to follow it again, itool round cancel ${dataset} to stop it)\n`);
  // A remote job is read on the server it was started on (its record says which).
  const client = job.backend === 'openai' ? openAIClient(o.apiKey, job.baseURL ?? o.baseURL) : undefined;
  let last = 0;
  let final: JobRecord;
  try {
    final = await followRound(dataset, round, job, {
      signal: o.signal,
      client,
      intervalMs: o.intervalMs,
      onProgress: (p) => {
        // A line a second at most (a trainer logs every step), and always the last one.
        if (Date.now() - last < 1000 && p.percentage < 100) return;
        last = Date.now();
        io.stderr(`[round ${round}] ${progressText(p)}\n`);
      },
    });
  } catch (err) {
    if (!o.signal?.aborted) throw err;
    io.stderr(`itool round: detached; round ${round} keeps training (itool round status ${dataset})\n`);
    return 0;
  }
  await finishRound(dataset, round, final);
  if (final.status === 'succeeded') {
    io.stdout(`round ${round}: trained (${final.backend}): ${final.resultModel ?? final.outputDir}\n`);
    return 0;
  }
  if (final.status === 'failed') io.stderr(`itool round: round ${round} training failed: ${final.error ?? '(no message)'}${final.logPath ? `\n  log: ${final.logPath}` : ''}\n`);
  else io.stderr(`itool round: round ${round} training was cancelled\n`);
  return 1;
}

export async function roundStartCommand(a: RoundStartArgs, io: RoundIo): Promise<number> {
  if (!existsSync(a.dataset)) throw new Error(`round start: dataset not found: ${a.dataset}`);
  if (a.backend === 'local' && !a.settings.local?.modelDir) {
    // Said in the command's words before anything is exported: which model the trainer would continue.
    const ds = await Dataset.open(a.dataset);
    const searched = await explorePairs(ds).finally(() => ds.close());
    if (!projectModelOf(searched?.header.model)) {
      throw new UsageError(`round start: --backend local needs --model DIR, a model the project made (with model.pt) for its trainer to continue${searched ? `: the search ran with ${searched.header.modelLabel}, which it did not make` : ''}`);
    }
  }
  const started = await startRound(a.dataset, { backend: a.backend, round: a.round, settings: a.settings, apiKey: a.apiKey }).catch((err: unknown) => {
    throw err instanceof RoundError ? new RoundError(`round start: ${err.message}`) : err;
  });
  const { trained, exported, job } = started;
  const left = leftOutText(trained.leftOut);
  io.stderr(`itool round: ${trained.pairs.length} accepted pair(s)${trained.manual ? ` (${trained.manual} hand-made)` : ''}${left ? `; left out: ${left}` : ''}${trained.skipped.length ? `; ${trained.skipped.length} without their sample (${trained.skipped[0].sampleId}: ${trained.skipped[0].reason})` : ''}\n`);
  for (const d of trained.damaged) io.stderr(`itool round: note: review journal ${d.line !== undefined ? `line ${d.line}` : `entry ${d.entry}`}: ${d.reason} (skipped)\n`);
  for (const w of exported.warnings) io.stderr(`itool round: warning: ${w}\n`);
  for (const k of exported.skipped) io.stderr(`itool round: skipped ${k.sampleId}: ${k.reason}\n`);
  if (a.backend === 'local') io.stderr(`itool round: the local trainer continues ${started.settings.local?.modelDir}\n`);
  if (started.previous) io.stderr(`itool round: note: round ${exported.round} was trained before (${started.previous.backend}, ${started.previous.status}); this job replaces it, its result and its evaluation (--round N trains another round)\n`);
  const t = exported.training;
  io.stderr(`itool round: ${t.objective}, β ${t.beta}${t.gamma !== undefined ? `, γ ${t.gamma}` : ''}${t.learningRate !== undefined ? `, learning rate ${t.learningRate}` : ''}, ${t.epochs} epoch(s)\n`);
  io.stdout(`round ${exported.round}: ${a.backend} training started on ${exported.records} pair(s); export ${exported.dir}; job ${job.jobDir}${job.logPath ? `; log ${job.logPath}` : ''}\n`);
  if (a.detach) return 0;
  return followCommand(a.dataset, exported.round, job, io, { signal: a.signal, apiKey: a.apiKey, baseURL: a.settings.openai?.baseURL, intervalMs: a.intervalMs });
}

/** The running round of a dataset, or an error saying there is none. */
async function running(dataset: string): Promise<{ round: number; job: JobRecord }> {
  if (!existsSync(dataset)) throw new Error(`round: dataset not found: ${dataset}`);
  const r = runningRound(await readRegistry(dataset));
  if (!r?.job) throw new Error(`round: no round of ${dataset} is training (itool round status ${dataset} lists its rounds)`);
  return { round: r.round, job: r.job };
}

/** Ctrl-C aborts the returned signal (and is then let go, so a second Ctrl-C ends the process). */
function interrupt(): { signal: AbortSignal; done: () => void } {
  const ctl = new AbortController();
  const on = () => ctl.abort(new Error('interrupted'));
  process.once('SIGINT', on);
  return { signal: ctl.signal, done: () => process.off('SIGINT', on) };
}

const OPTIONS = {
  backend: { type: 'string' },
  round: { type: 'string' },
  detach: { type: 'boolean' },
  python: { type: 'string' },
  'base-model': { type: 'string' },
  template: { type: 'string' },
  'pref-loss': { type: 'string' },
  calls: { type: 'string' },
  llamafactory: { type: 'string' },
  accelerate: { type: 'string' },
  'num-processes': { type: 'string' },
  'openai-base-url': { type: 'string' },
  'key-env': { type: 'string' },
  beta: { type: 'string' },
  gamma: { type: 'string' },
  lr: { type: 'string' },
  epochs: { type: 'string' },
  json: { type: 'boolean' },
  'held-out': { type: 'string' },
  limit: { type: 'string' },
  baseline: { type: 'boolean' },
  ...POLICY_OPTIONS,
} as const;

/**
 * --beta, --gamma, --lr and --epochs, checked as the start form checks them (β > 0, γ ≥ 0, 0 < rate
 * < 1, whole epochs ≥ 1); one the backend's objective does not take is refused, not ignored.
 */
function trainingArgs(backend: RoundBackend, loss: PrefLoss | undefined, v: Partial<Record<'beta' | 'gamma' | 'lr' | 'epochs', string>>): Partial<RoundTraining> {
  const objective = objectiveFor(backend, loss);
  const d = trainingDefaults(backend, objective);
  const finite = (ok: (x: number) => boolean) => (x: number) => Number.isFinite(x) && ok(x);
  const t: Partial<RoundTraining> = {
    beta: numberArg('round start', 'beta', v.beta, finite((x) => x > 0)),
    gamma: numberArg('round start', 'gamma', v.gamma, finite((x) => x >= 0)),
    learningRate: numberArg('round start', 'lr', v.lr, (x) => x > 0 && x < 1),
    epochs: numberArg('round start', 'epochs', v.epochs, whole(1)),
  };
  if (t.gamma !== undefined && d.gamma === null) throw new UsageError(`round start: --gamma is SimPO's margin; ${objective} on ${backend} has none`);
  if (t.learningRate !== undefined && d.learningRate === null) throw new UsageError(`round start: --lr: ${backend} picks its own learning rate`);
  return Object.fromEntries(Object.entries(t).filter(([, x]) => x !== undefined)) as Partial<RoundTraining>;
}

const io: RoundIo = { stdout: (t) => void process.stdout.write(t), stderr: (t) => void process.stderr.write(t) };

export const roundCli = defineCommand({
  name: 'round',
  usage: Object.values(SUBCOMMANDS).join(''),
  options: OPTIONS,
  usageFor(args) {
    return SUBCOMMANDS[args[0] as Sub];
  },
  prepare(args) {
    const [sub, ...rest] = args;
    if (!(sub in SUBCOMMANDS)) throw new UsageError(sub === undefined ? `round: say what to do: round ${Object.keys(SUBCOMMANDS).join('|')} DATASET` : `round: unknown subcommand "${sub}" (${Object.keys(SUBCOMMANDS).join(', ')})`);
    // Said before parsing, so that no message repeats what followed --key.
    if (rest.some((a) => /^--(key|api-key|token)(=|$)/.test(a))) throw new UsageError('round: a key is never taken from the command line (process lists and shell history show it): put it in an environment variable and give --key-env VAR');
    for (const a of rest) {
      const name = /^--([^=]+)/.exec(a)?.[1];
      if (name && Object.hasOwn(OPTIONS, name) && !ALLOWED[sub as Sub].includes(name)) throw new UsageError(`round ${sub} does not take --${name}`);
    }
    return [sub, ...rest];
  },
  async run(values, [sub, dataset, ...extra]) {
    const s = sub as Sub;
    if (!dataset) throw new UsageError(`round ${s}: missing DATASET (the dataset the pairs were searched and reviewed on)`);
    if (extra.length) throw new UsageError(`round ${s}: unexpected ${JSON.stringify(extra[0])}`);
    const round = numberArg(`round ${s}`, 'round', values.round, whole(1));
    if (s === 'status') return roundStatusCommand({ dataset, json: !!values.json, apiKey: keyFromEnv(values['key-env']) }, io);
    if (s === 'evaluate') {
      const stop = interrupt();
      try {
        const limit = numberArg('round evaluate', 'limit', values.limit, whole(1));
        return await roundEvaluateCommand({ dataset, round, heldOut: values['held-out'], ...policyArgs('round evaluate', values), limit, baseline: !!values.baseline, json: !!values.json, signal: stop.signal }, io);
      } finally {
        stop.done();
      }
    }
    const apiKey = keyFromEnv(values['key-env']);
    const stop = interrupt();
    try {
      if (s === 'cancel') {
        const r = await running(dataset);
        const done = await cancelRound(dataset, r.round, r.job, r.job.backend === 'openai' ? openAIClient(apiKey, r.job.baseURL) : undefined);
        io.stdout(`round ${r.round}: ${done.status}\n`);
        return 0;
      }
      if (s === 'follow') {
        const r = await running(dataset);
        return await followCommand(dataset, r.round, r.job, io, { signal: stop.signal, apiKey });
      }
      const backend = values.backend as RoundBackend;
      if (!ROUND_BACKENDS.includes(backend)) throw new UsageError(`round start: --backend must be one of ${ROUND_BACKENDS.join(', ')}, not "${values.backend ?? ''}"`);
      const loss = values['pref-loss'];
      if (loss !== undefined && !PREF_LOSSES.includes(loss as PrefLoss)) throw new UsageError(`round start: --pref-loss must be ${PREF_LOSSES.join(', ')}, not "${loss}"`);
      // The numbers first: a wrong one is said before anything about keys or models.
      const training = trainingArgs(backend, loss as PrefLoss | undefined, values);
      if (backend === 'openai' && !values['base-model']) throw new UsageError('round start: --backend openai needs --base-model (the model to fine-tune)');
      if (backend === 'openai' && !apiKey) throw new UsageError('round start: --backend openai needs the fine-tuning API key: set OPENAI_API_KEY, or name another variable with --key-env VAR');
      const { runner, root } = bundled();
      const settings: TrainerSettings = {
        training,
        baseModel: values['base-model'],
        template: values.template,
        prefLoss: loss as PrefLoss | undefined,
        calls: values.calls === undefined ? undefined : callsArg('round start', values.calls),
        local: { modelDir: values.model ? resolve(values.model) : undefined, python: values.python, root },
        llamafactory: { command: values.llamafactory ?? 'llamafactory-cli' },
        trl: { accelerate: values.accelerate ?? 'accelerate', numProcesses: numberArg('round start', 'num-processes', values['num-processes'], whole(1)) },
        openai: { baseURL: values['openai-base-url'] },
        runner: { command: runner },
      };
      return await roundStartCommand({ dataset, backend, round, detach: !!values.detach, settings, apiKey, signal: stop.signal }, io);
    } finally {
      stop.done();
    }
  },
});
