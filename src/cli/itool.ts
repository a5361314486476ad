// `itool`: the command line over the same core the extension uses (no VS Code needed).
//   itool inspect FILE [--format F] [--json]
//   itool convert FILE --to FORMAT -o OUT [--container jsonl|json-array] [--strict]
//   itool check (DATASET | --questions Q.json [--answers A.json]) --outputs O.jsonl [--category C] [--json]
//   itool calibrate DATASET (--model DIR | --endpoint URL --served-model M) [--ratio 0.3] -o OUT
//   itool explore DATASET (--model DIR | --endpoint URL --served-model M) --selection FILE -o PAIRS
//   itool export PAIRS --dataset FILE --target llamafactory|trl|openai -o DIR
//   itool review DATASET [--pairs PAIRS.jsonl] [--state S] [--json]
//   itool review DATASET --pairs PAIRS.jsonl [--accept ID…] [--reject ID…] [--json]
//   itool loop --train T.json --held-out H.json -w WORKDIR [--rounds 3] [--variants itool,sft,whole,random]
//   itool synth -o OUT [--seed 1] [--train 4000] [--held-out 400] [--bfcl-dir DIR] [--profile default|tiny] [--rename-share P] [--skip N]
//   itool train-data DATASET --tokenizer DIR -o OUT.jsonl
import { parseArgs } from 'node:util';
import { calibrateCommand } from './calibrate';
import { renderCommand } from './render';
import { parseCallRendering, type CallRenderingSetting } from '../core/calibrate/messages';
import { exploreCommand } from './explore';
import { inspectCommand } from './inspect';
import { convertCommand } from './convert';
import { checkCommand } from './check';
import { reviewCommand } from './review';
import { exportCommand } from './export';
import { synthCommand } from './synth';
import { trainDataCommand } from './trainData';
import { loopCommand } from './loop';
import { dirname, resolve } from 'node:path';
import type { ReviewItemState } from '../core/pairs/review';
import { BFCL_CATEGORIES, bfclCategory, type BfclCategory } from '../core/toolcall/check/index';
import { FORMAT_IDS } from '../core/dataset/sample';
import { TURNS_MODES, type TurnsMode } from '../core/dataset/answers';

const USAGE = `itool: tool-use dataset workbench (iTool Studio)

Usage:
  itool inspect FILE [--format FORMAT] [--turns each|last] [--json]
      Format, record and sample counts, malformed records (line and reason), tool and call statistics.
      --turns (inspect, check, render, calibrate): a conversation with several assistant answers
      is one sample per answer, ids ID#k, k from 0 (each, the default), or only its last (last).
  itool convert FILE --to FORMAT -o OUT [--container jsonl|json-array] [--format FORMAT] [--strict]
      Convert every readable sample; malformed records are listed and skipped. What the target
      cannot hold is reported first (per kind: counts, the first records by line and id); a
      target that tolerates it keeps the source record in an "itool_source" field, so converting
      back restores it. --strict: refuse (exit 1, nothing written) when anything would be lost.
  itool check --questions Q.json --answers A.json --outputs O.jsonl [--category C] [--json] [--show N]
  itool check DATASET --outputs O.jsonl [--json] [--show N]
      Judge model outputs ({"id", "output"} JSON Lines, or BFCL "result" files) with the AST
      checker: accuracy, errors per kind, the first N invalid outputs; --json: one line per row.
      BFCL categories (--category, else from each id): ${BFCL_CATEGORIES.join(', ')}.
  itool render DATASET (--model DIR | --chat-template FILE) [--calls auto|text|template] [--index N] [--json]
      Per sample, the end of the rendered prompt and the scored response exactly as calibration
      and search use them, or why the sample cannot be scored; --json: one line per sample,
      {"id","prompt","response"} or {"id","error"}. --index N: only record N (0-based).
  itool calibrate DATASET --model DIR [--ep cpu|cuda] [--ratio 0.3] [--round N] [--batch 16] -o OUT
  itool calibrate DATASET --endpoint URL --served-model NAME [--chat-template FILE]
                  [--api-key-env VAR] [--ratio 0.3] [--round N] [--batch 16] -o OUT
                  [--calls auto|text|template] [--max-skip-share 0.05] [--timeout S] [--max-retries N]
      Perplexity of every reference answer under the policy (a local ONNX export, or an
      OpenAI-compatible server that returns prompt logprobs), easy/medium/hard tiers (tertiles, or
      --tiers EASY_BELOW,HARD_FROM), and the top --ratio by perplexity per group selected as
      deficient, written to OUT. Resumes an interrupted run. The API key is read from the
      environment variable VAR (default OPENAI_API_KEY), never from the command line.
      --calls: text scores the assistant turn as the dataset writes it, template passes
      structured calls to the chat template; auto: text for toolace, llamafactory, hermes, glaive,
      template for openai, xlam, bfcl. Samples that cannot be scored are skipped with their reason;
      when nothing is scored or more than --max-skip-share are skipped, exits 1 and writes no OUT.
      --timeout: seconds per request attempt (default 300); --max-retries: per request (default 5).
      A server failing request after request (or rejecting the key) stops the run with exit 1.
  itool explore DATASET (--model DIR [--ep cpu|cuda] | --endpoint URL --served-model NAME
                  [--chat-template FILE] [--api-key-env VAR] [--timeout S] [--max-retries N]) --selection FILE -o PAIRS
                  [--iters 5] [--actions 3] [--depth 3] [--temperature 1.5] [--max-new-tokens 50]
                  [--sim-steps 2] [--exploration 1.0] [--seed 0] [--concurrency 8] [--round N]
      MCTS over response fragments for every sample in the selection (from itool calibrate -o),
      rewarded by the AST checker; fine-grained preference pairs written to PAIRS (JSON Lines).
      Trees and pairs are journaled beside the dataset per sample: an interrupted run resumes.

  itool export PAIRS --dataset DATASET --target llamafactory|trl|openai -o DIR
                  [--pref-loss simpo|sigmoid|orpo|ipo] [--base-model M] [--template T] [--name N]
      Preference pairs (JSON Lines from itool explore -o) as training data for a trainer:
      LLaMA-Factory (sharegpt ranking + dataset_info.json + a stage: dpo YAML, SimPO with the
      authors' beta 2.5, gamma 0.5, lr 1e-6 by default), TRL (conversational JSONL + config +
      launch script), OpenAI preference fine-tuning JSONL.
  itool review DATASET [--pairs PAIRS.jsonl] [--state pending|accepted|rejected|edited] [--json]
      The review journal beside DATASET (decisions made in the editor, fragment annotations):
      with --pairs, every pair's id, review state, sample, gap and fragment diff; without, the
      decision counts and the annotations (sample, span, kind, correction, note).
  itool review DATASET --pairs PAIRS.jsonl [--accept ID [ID…]] [--reject ID [ID…]] [--json]
      Record decisions in the same journal the editor writes: each pair id (from the listing)
      accepted or rejected (accepted ones first); each decision is on disk (fsynced) before its
      line "accepted ID" / "rejected ID" is printed. Ids not in PAIRS are refused (exit 2,
      nothing written); a pair already in that state is left as it is. --accept and --reject take
      any number of ids, and may be repeated or given as ID,ID.
  itool loop --train TRAIN.json --held-out HELDOUT.json -w WORKDIR [--rounds 3] [--python /usr/bin/python3]
                  [--variants itool,sft,whole,random] [--base-model DIR] [--warmup-epochs 2] [--warmup-prompt-loss] [--eval-limit N] [--explore-max 48]
                  [--iters 5] [--temperature 1.0] [--pref-lr 1e-5] [--pref-epochs 2] [--sft-lr 1e-5] [--accept edit|valid|better]
                  [--pair-scope fragment|continuation|response] [--seed 1] [--arch JSON]
      The closed loop on the project's own tiny model (PyTorch on the CPU, scripts/train/):
      warm-up SFT with the calibration curriculum, then per round calibrate, select, explore,
      accept pairs by rule, SimPO, and held-out evaluation with the checker; prints the table.
  itool synth -o OUT [--seed 1] [--train 4000] [--held-out 400] [--bfcl-dir DIR] [--profile default|tiny]
                  [--rename-share P] [--skip N]
      A synthetic tool-use corpus from BFCL's function documentation (BFCL format with possible
      answers): templated queries with several/optional parameters, look-alike distractor
      functions, parallel calls and values to derive; train / held-out split by function.
      --profile tiny: short prompts (2 tools), no parallel_multiple, and train samples under
      drilled names (copying names from the prompt), for the demo model. --rename-share sets
      that share (0..1); --skip N leaves out the first N train samples (more data, no repeats).
  itool train-data DATASET --tokenizer DIR -o OUT.jsonl
      SFT records for scripts/train (prompt + reference answer as token ids, rendered with the
      chat template and tokenizer of DIR, a model or tokenizer folder); too-long samples skipped.

Formats: ${FORMAT_IDS.join(', ')} (detected when --format is not given)
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  if (command === 'review') return reviewMain(rest);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      format: { type: 'string' },
      turns: { type: 'string' },
      to: { type: 'string' },
      out: { type: 'string', short: 'o' },
      container: { type: 'string' },
      strict: { type: 'boolean' },
      json: { type: 'boolean' },
      questions: { type: 'string' },
      answers: { type: 'string' },
      outputs: { type: 'string' },
      category: { type: 'string' },
      show: { type: 'string' },
      model: { type: 'string' },
      endpoint: { type: 'string' },
      'served-model': { type: 'string' },
      'chat-template': { type: 'string' },
      'api-key-env': { type: 'string' },
      ep: { type: 'string' },
      ratio: { type: 'string' },
      round: { type: 'string' },
      batch: { type: 'string' },
      tiers: { type: 'string' },
      selection: { type: 'string' },
      iters: { type: 'string' },
      actions: { type: 'string' },
      depth: { type: 'string' },
      temperature: { type: 'string' },
      'max-new-tokens': { type: 'string' },
      'sim-steps': { type: 'string' },
      exploration: { type: 'string' },
      seed: { type: 'string' },
      concurrency: { type: 'string' },
      pairs: { type: 'string' },
      state: { type: 'string' },
      dataset: { type: 'string' },
      calls: { type: 'string' },
      index: { type: 'string' },
      'max-skip-share': { type: 'string' },
      timeout: { type: 'string' },
      'max-retries': { type: 'string' },
      target: { type: 'string' },
      'pref-loss': { type: 'string' },
      'base-model': { type: 'string' },
      template: { type: 'string' },
      name: { type: 'string' },
      train: { type: 'string' },
      'held-out': { type: 'string' },
      'bfcl-dir': { type: 'string' },
      profile: { type: 'string' },
      'rename-share': { type: 'string' },
      skip: { type: 'string' },
      tokenizer: { type: 'string' },
      'workdir': { type: 'string', short: 'w' },
      rounds: { type: 'string' },
      variants: { type: 'string' },
      python: { type: 'string' },
      'warmup-epochs': { type: 'string' },
      'warmup-prompt-loss': { type: 'boolean' },
      'eval-limit': { type: 'string' },
      accept: { type: 'string' },
      'pair-scope': { type: 'string' },
      'sft-lr': { type: 'string' },
      'explore-max': { type: 'string' },
      'pref-lr': { type: 'string' },
      'pref-epochs': { type: 'string' },
      arch: { type: 'string' },
    },
  });
  if (command === 'export') {
    const pairsFile = positionals[0];
    if (!pairsFile) throw new UsageError('export: missing PAIRS (the JSON Lines itool explore -o wrote)');
    if (!values.dataset) throw new UsageError('export: --dataset FILE is required (the dataset the pairs were searched on)');
    if (!values.out) throw new UsageError('export: -o DIR is required');
    const target = values.target;
    if (target !== 'llamafactory' && target !== 'trl' && target !== 'openai') throw new UsageError(`export: --target must be llamafactory, trl or openai, not "${target ?? ''}"`);
    const loss = values['pref-loss'];
    if (loss !== undefined && !['simpo', 'sigmoid', 'orpo', 'ipo'].includes(loss)) throw new UsageError(`export: --pref-loss must be simpo, sigmoid, orpo or ipo, not "${loss}"`);
    return exportCommand(
      { pairsFile, dataset: values.dataset, target, out: values.out, prefLoss: loss as 'simpo' | undefined, baseModel: values['base-model'], template: values.template, name: values.name },
      { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) },
    );
  }
  if (command === 'loop') {
    if (!values.train || !values['held-out'] || !values.workdir) throw new UsageError('loop: --train, --held-out and -w WORKDIR are required');
    const n = (name: string, ok: (x: number) => boolean = (x) => x > 0 && Number.isFinite(x)) => numberArg('loop', name, values[name as keyof typeof values] as string | undefined, ok);
    return loopCommand(
      {
        train: values.train,
        heldOut: values['held-out'],
        workDir: values.workdir,
        python: values.python,
        // scripts/train/ beside dist/ (the CLI bundle) or the repository root (under tsx).
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
        temperature: n('temperature'),
        exploreMax: n('explore-max', whole(1)),
        iterations: n('iters', whole(0)),
        prefLr: n('pref-lr'),
        prefEpochs: n('pref-epochs'),
        model: values.arch,
      },
      { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) },
    );
  }
  if (command === 'synth') {
    if (!values.out) throw new UsageError('synth: -o OUT is required');
    return synthCommand(
      {
        out: values.out,
        seed: numberArg('synth', 'seed', values.seed, whole(0)),
        train: numberArg('synth', 'train', values.train, whole(0)),
        heldOut: numberArg('synth', 'held-out', values['held-out'], whole(0)),
        bfclDir: values['bfcl-dir'],
        profile: values.profile,
        renameShare: numberArg('synth', 'rename-share', values['rename-share'], (x) => x >= 0 && x <= 1),
        skip: numberArg('synth', 'skip', values.skip, whole(0)),
      },
      { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) },
    );
  }
  if (command === 'train-data') {
    const dataset = positionals[0];
    if (!dataset) throw new UsageError('train-data: missing DATASET');
    if (!values.tokenizer || !values.out) throw new UsageError('train-data: --tokenizer DIR and -o OUT.jsonl are required');
    return trainDataCommand({ dataset, tokenizer: values.tokenizer, out: values.out }, { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) });
  }
  if (command === 'render') {
    const dataset = positionals[0];
    if (!dataset) throw new UsageError('render: missing DATASET');
    return renderCommand({
      dataset,
      model: values.model,
      chatTemplate: values['chat-template'],
      calls: callsArg('render', values.calls),
      index: numberArg('render', 'index', values.index, whole(0)),
      turns: turnsArg(values.turns),
      json: !!values.json,
    });
  }
  if (command === 'calibrate') {
    const dataset = positionals[0];
    if (!dataset) throw new UsageError('calibrate: missing DATASET');
    if (!values.out) throw new UsageError('calibrate: -o OUT is required');
    if (values.ep !== undefined && values.ep !== 'cpu' && values.ep !== 'cuda') throw new UsageError(`calibrate: --ep must be cpu or cuda, not "${values.ep}"`);
    let tiers: { easyBelow: number; hardFrom: number } | undefined;
    if (values.tiers !== undefined) {
      const [a, b] = values.tiers.split(',').map(Number);
      if (!(a <= b)) throw new UsageError(`calibrate: --tiers wants EASY_BELOW,HARD_FROM with EASY_BELOW ≤ HARD_FROM, not "${values.tiers}"`);
      tiers = { easyBelow: a, hardFrom: b };
    }
    return calibrateCommand({
      dataset,
      model: values.model,
      endpoint: values.endpoint,
      servedModel: values['served-model'],
      chatTemplate: values['chat-template'],
      apiKeyEnv: values['api-key-env'],
      executionProvider: values.ep as 'cpu' | 'cuda' | undefined,
      ratio: numberArg('calibrate', 'ratio', values.ratio, (x) => x >= 0 && x <= 1) ?? 0.3,
      round: numberArg('calibrate', 'round', values.round, whole(1)) ?? 1,
      batch: numberArg('calibrate', 'batch', values.batch, whole(1)) ?? 16,
      tiers,
      out: values.out,
      calls: callsArg('calibrate', values.calls),
      turns: turnsArg(values.turns),
      maxSkipShare: numberArg('calibrate', 'max-skip-share', values['max-skip-share'], (x) => x >= 0 && x <= 1),
      timeout: numberArg('calibrate', 'timeout', values.timeout, (x) => x > 0 && Number.isFinite(x)),
      maxRetries: numberArg('calibrate', 'max-retries', values['max-retries'], whole(0)),
    });
  }
  if (command === 'explore') {
    const dataset = positionals[0];
    if (!dataset) throw new UsageError('explore: missing DATASET');
    if (!values.selection) throw new UsageError('explore: --selection FILE is required (made by itool calibrate -o)');
    if (!values.out) throw new UsageError('explore: -o PAIRS is required');
    if (values.ep !== undefined && values.ep !== 'cpu' && values.ep !== 'cuda') throw new UsageError(`explore: --ep must be cpu or cuda, not "${values.ep}"`);
    const num = (name: string, v: string | undefined, ok: (x: number) => boolean) => numberArg('explore', name, v, ok);
    return exploreCommand({
      dataset,
      selection: values.selection,
      out: values.out,
      model: values.model,
      endpoint: values.endpoint,
      servedModel: values['served-model'],
      chatTemplate: values['chat-template'],
      apiKeyEnv: values['api-key-env'],
      executionProvider: values.ep as 'cpu' | 'cuda' | undefined,
      iterations: num('iters', values.iters, whole(0)),
      numActions: num('actions', values.actions, whole(1)),
      depth: num('depth', values.depth, whole(1)),
      temperature: num('temperature', values.temperature, (x) => x >= 0 && Number.isFinite(x)),
      maxNewTokens: num('max-new-tokens', values['max-new-tokens'], whole(1)),
      maxSimulationSteps: num('sim-steps', values['sim-steps'], whole(0)),
      explorationWeight: num('exploration', values.exploration, (x) => x >= 0 && Number.isFinite(x)),
      seed: num('seed', values.seed, (x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32),
      concurrency: num('concurrency', values.concurrency, whole(1)),
      round: num('round', values.round, whole(1)),
      calls: values.calls === undefined ? undefined : callsArg('explore', values.calls),
      timeout: num('timeout', values.timeout, (x) => x > 0 && Number.isFinite(x)),
      maxRetries: num('max-retries', values['max-retries'], whole(0)),
    });
  }
  if (command === 'check') {
    if (!values.outputs) throw new UsageError('check: --outputs O.jsonl is required');
    if (!values.questions === !positionals[0]) throw new UsageError('check: give either DATASET or --questions Q.json');
    const show = values.show === undefined ? undefined : Number(values.show);
    if (show !== undefined && !(Number.isInteger(show) && show >= 0)) throw new UsageError(`check: --show must be a whole number, not "${values.show}"`);
    return checkCommand({
      dataset: positionals[0],
      questions: values.questions,
      answers: values.answers,
      outputs: values.outputs,
      category: categoryArg(values.category),
      format: formatArg(values.format),
      turns: turnsArg(values.turns),
      json: !!values.json,
      show,
    });
  }
  const file = positionals[0];
  if (!file) throw new UsageError(`${command}: missing FILE`);
  switch (command) {
    case 'inspect':
      return inspectCommand(file, { format: formatArg(values.format), turns: turnsArg(values.turns), json: !!values.json });
    case 'convert': {
      const to = formatArg(values.to);
      if (!to) throw new UsageError('convert: --to FORMAT is required');
      if (!values.out) throw new UsageError('convert: -o OUT is required');
      const container = values.container;
      if (container !== undefined && container !== 'jsonl' && container !== 'json-array') {
        throw new UsageError(`convert: --container must be jsonl or json-array, not "${container}"`);
      }
      return convertCommand(file, { to, out: values.out, container, format: formatArg(values.format), strict: !!values.strict });
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

export class UsageError extends Error {}

/**
 * `itool review`: its own arguments, since --accept and --reject each take a list of pair ids
 * (`--accept ID ID … --reject ID …`; also repeated, or `--accept=ID,ID`).
 */
function reviewMain(args: string[]): Promise<number> {
  const lists = { accept: [] as string[], reject: [] as string[] };
  const rest: string[] = [];
  let into: string[] | undefined;
  for (const a of args) {
    const m = /^--(accept|reject)(?:=(.*))?$/.exec(a);
    if (m) {
      into = lists[m[1] as 'accept' | 'reject'];
      if (m[2] !== undefined) into.push(...m[2].split(',').filter(Boolean));
      continue;
    }
    // Ids (16 hex digits, or a comma list of them) continue the list; anything else ends it.
    if (into && /^[0-9a-f]{16}(,[0-9a-f]{16})*,?$/.test(a)) {
      into.push(...a.split(',').filter(Boolean));
      continue;
    }
    into = undefined;
    rest.push(a);
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { pairs: { type: 'string' }, state: { type: 'string' }, json: { type: 'boolean' } },
  });
  const dataset = positionals[0];
  if (!dataset) throw new UsageError('review: missing DATASET');
  if (positionals.length > 1) throw new UsageError(`review: ${JSON.stringify(positionals[1])} is neither the DATASET (${dataset}) nor a pair id (16 hex digits, after --accept or --reject)`);
  const deciding = lists.accept.length > 0 || lists.reject.length > 0;
  if (!deciding && args.some((a) => /^--(accept|reject)(=|$)/.test(a))) throw new UsageError('review: --accept and --reject need pair ids');
  if (deciding && values.state !== undefined) throw new UsageError('review: --state lists pairs; it does not go with --accept or --reject');
  return reviewCommand(
    {
      dataset,
      pairsFile: values.pairs,
      state: values.state as ReviewItemState | undefined,
      json: !!values.json,
      ...(deciding ? { accept: lists.accept, reject: lists.reject } : {}),
    },
    { stdout: process.stdout, stderr: process.stderr },
  );
}

const whole = (min: number) => (x: number): boolean => Number.isInteger(x) && x >= min;

/** A numeric option: undefined when absent, else its value, or a usage error naming the command and option. */
function numberArg(command: string, name: string, v: string | undefined, ok: (x: number) => boolean): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (v.trim() === '' || !ok(x)) throw new UsageError(`${command}: --${name} "${v}" is out of range`);
  return x;
}

/** --calls text|template|auto (default auto: by the dataset's format). */
function callsArg(command: string, v: string | undefined): CallRenderingSetting {
  try {
    return parseCallRendering(v);
  } catch (e) {
    throw new UsageError(`${command}: ${(e as Error).message}`);
  }
}

/** A BFCL category name; BFCL's own file stems are accepted too (simple_python → simple). */
function categoryArg(v: string | undefined): BfclCategory | undefined {
  if (v === undefined) return undefined;
  const c = bfclCategory(v.replace(/^BFCL_v\d+_/, '').replace(/\.json$/, ''));
  if (!c) throw new UsageError(`unknown BFCL category "${v}"; expected one of ${BFCL_CATEGORIES.join(', ')}`);
  return c;
}

/** --turns each|last: every assistant answer a sample (default), or each record's last answer. */
function turnsArg(v: string | undefined): TurnsMode | undefined {
  if (v === undefined) return undefined;
  const t = TURNS_MODES.find((m) => m === v);
  if (!t) throw new UsageError(`--turns must be ${TURNS_MODES.join(' or ')}, not "${v}"`);
  return t;
}

function formatArg(v: string | undefined): (typeof FORMAT_IDS)[number] | undefined {
  if (v === undefined) return undefined;
  const f = FORMAT_IDS.find((id) => id === v);
  if (!f) throw new UsageError(`unknown format "${v}"; expected one of ${FORMAT_IDS.join(', ')}`);
  return f;
}

/**
 * Resolves once everything written to `s` so far has been handed to the OS. Writes to a pipe are
 * asynchronous: what a full pipe (64 KiB) did not take yet waits in the stream's queue, and
 * process.exit() drops it. An empty write's callback runs after every earlier write's.
 */
function flushed(s: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (s.destroyed || s.writableEnded) resolve();
    else s.write('', () => resolve());
  });
}

/** Exit with `code` once stdout and stderr are flushed, whatever command ran and whatever it left open. */
async function exitWhenFlushed(code: number): Promise<never> {
  process.exitCode = code;
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}

if (require.main === module) {
  // A reader that goes away (`itool check --json | head -1`) is not an error of the command: the
  // rest of its output has nowhere to go, and the command finishes with its own exit code.
  for (const s of [process.stdout, process.stderr]) {
    s.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
  }
  main(process.argv.slice(2)).then(
    (code) => exitWhenFlushed(code),
    (err: unknown) => {
      const msg = err instanceof Error ? err.message : String(err);
      process.stderr.write(`itool: ${msg}\n${err instanceof UsageError ? `\n${USAGE}` : ''}`);
      return exitWhenFlushed(err instanceof UsageError ? 2 : 1);
    },
  );
}
