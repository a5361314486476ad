// `itool`: the command line over the same core the extension uses (no VS Code needed).
//   itool inspect FILE [--format F] [--json]
//   itool convert FILE --to FORMAT -o OUT [--container jsonl|json-array] [--strict]
//   itool check (DATASET | --questions Q.json [--answers A.json] | --questions DIR) --outputs O.jsonl [--category C] [--json]
//   itool reward serve --dataset DATASET [--host 127.0.0.1] [--port N] [--token-env VAR]
//   itool calibrate DATASET (--model DIR | --endpoint URL --served-model M) [--ratio 0.3] -o OUT
//   itool explore DATASET (--model DIR | --endpoint URL --served-model M) --selection FILE -o PAIRS
//   itool export PAIRS --dataset FILE --target llamafactory|trl|openai -o DIR
//   itool export --curriculum SELECTION --dataset FILE --target llamafactory|trl|openai -o DIR
//   itool review DATASET [--pairs PAIRS.jsonl] [--state S] [--json]
//   itool review DATASET --pairs PAIRS.jsonl [--accept ID…] [--reject ID…] [--json]
//   itool loop --train T.json --held-out H.json -w WORKDIR [--rounds 3] [--variants itool,sft,whole,random,grpo]
//   itool loop-report DIR [DIR…]
//   itool synth -o OUT [--seed 1] [--train 4000] [--held-out 400] [--bfcl-dir DIR] [--profile default|tiny] [--rename-share P] [--skip N] [--seen N]
//   itool train-data DATASET --tokenizer DIR -o OUT.jsonl
import { parseArgs } from 'node:util';
import { calibrateCommand } from './calibrate';
import { renderCommand } from './render';
import { parseCallRendering, type CallRenderingSetting } from '../core/calibrate/messages';
import { exploreCommand } from './explore';
import { inspectCommand } from './inspect';
import { convertCommand } from './convert';
import { CHECK_USAGE, checkMain } from './check';
import { REWARD_USAGE, rewardMain } from './reward';
import { formatArg, numberArg, runCli, turnsArg, UsageError, whole } from './args';
import { reviewCommand } from './review';
import { exportCommand, exportCurriculumCommand } from './export';
import { synthCommand } from './synth';
import { trainDataCommand } from './trainData';
import { LOOP_USAGE, loopCommand } from './loop';
import { loopReportCommand } from './loopReport';
import { dirname, join, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import type { ReviewItemState } from '../core/pairs/review';
import { FORMAT_IDS } from '../core/dataset/sample';

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
${CHECK_USAGE}${REWARD_USAGE}  itool render DATASET (--model DIR | --chat-template FILE) [--calls auto|text|template] [--index N] [--json]
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
                  [--calls auto|text|template]
      Preference pairs (JSON Lines from itool explore -o) as training data for a trainer:
      LLaMA-Factory (sharegpt ranking + dataset_info.json + a stage: dpo YAML, SimPO with the
      authors' beta 2.5, gamma 0.5, lr 1e-6 by default), TRL (conversational JSONL + config +
      launch script for TRL 0.24 to 1.x), OpenAI preference fine-tuning JSONL. --calls: the
      rendering calibration used (default auto): calls in prompts and pair sides are written
      that way (text: as written; template: LLaMA-Factory function_call / TRL tool_calls).
      LLaMA-Factory needs a template: --template, or a --base-model whose name gives it (qwen,
      llama3, ...); without either the YAML has none and a warning says so.
  itool export --curriculum SELECTION --dataset DATASET --target llamafactory|trl|openai -o DIR
                  [--base-model M] [--template T] [--name N] [--calls auto|text|template]
      The warm-up curriculum: every calibrated sample in its perplexity tier (the cuts of the
      SELECTION itool calibrate -o wrote), as easy -> medium -> hard SFT stages, each starting
      from the one before, and curriculum.json with the order. --calls defaults to the selection's.
  itool review DATASET [--pairs PAIRS.jsonl] [--state pending|accepted|rejected|edited|skipped] [--json]
      The review journal beside DATASET (decisions made in the editor, undos included, fragment
      annotations): with --pairs, every pair's id, review state, sample, gap, fragment diff and a
      rejection's reason and comment; without, the decision counts and the annotations (sample,
      span, kind, correction, note).
  itool review DATASET --pairs PAIRS.jsonl [--accept ID [ID…]] [--reject ID [ID…]] [--json]
      Record decisions in the same journal the editor writes: each pair id (from the listing)
      accepted or rejected (accepted ones first); each decision is on disk (fsynced) before its
      line "accepted ID" / "rejected ID" is printed. Ids not in PAIRS are refused (exit 2,
      nothing written); a pair already in that state is left as it is. --accept and --reject take
      any number of ids, and may be repeated or given as ID,ID.
${LOOP_USAGE}  itool loop-report DIR [DIR…]
      The report of one or more itool loop work folders (their loop-results.json; one per seed):
      held-out accuracy with Wilson 95% intervals; each round against the warm-up model and each
      variant's last round against iTool's, on the same samples (Δ points, paired bootstrap 95%
      interval, exact McNemar p, whether the difference is real), per seed and pooled over seeds;
      and the seconds each stage took per variant.
  itool synth -o OUT [--seed 1] [--train 4000] [--held-out 400] [--bfcl-dir DIR] [--profile default|tiny]
                  [--rename-share P] [--skip N] [--seen N]
      A synthetic tool-use corpus from BFCL's function documentation (BFCL format with possible
      answers): templated queries with several/optional parameters, look-alike distractor
      functions, parallel calls and values to derive; train / held-out split by function.
      --profile tiny: short prompts (2 tools), no parallel_multiple, and train samples under
      drilled names (copying names from the prompt), for the demo model. --rename-share sets
      that share (0..1); --skip N leaves out the first N train samples (more data, no repeats).
      --seen N: a second held-out split (OUT/seen/) of new requests over the train functions
      (new values, phrasings, derived values, optional parameters; real names; no train query).
  itool train-data DATASET --tokenizer DIR -o OUT.jsonl
      SFT records for scripts/train (prompt + reference answer as token ids, rendered with the
      chat template and tokenizer of DIR, a model or tokenizer folder); too-long samples skipped.

Formats: ${FORMAT_IDS.join(', ')} (detected when --format is not given)
`;

/** The commands the usage lists, in its order. */
const COMMANDS = [...USAGE.matchAll(/^ {2}itool ([a-z-]+)/gm)].map((m) => m[1]).filter((c, i, all) => all.indexOf(c) === i);

/** The usage lines of one command: each entry that starts `  itool COMMAND`, with its description. */
export function commandUsage(command: string): string {
  const lines = USAGE.split('\n');
  const out: string[] = [];
  let inside = false;
  for (const line of lines) {
    if (/^ {2}itool /.test(line)) inside = line.startsWith(`  itool ${command} `) || line === `  itool ${command}`;
    else if (!/^ {3,}/.test(line)) inside = false;
    if (inside) out.push(line);
  }
  return `Usage:\n${out.join('\n')}\n`;
}

/** The version in the package.json beside dist/ (the repository's, or the installed extension's). */
function version(): string {
  try {
    return (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  if (command === '--version' || command === '-V') {
    process.stdout.write(`itool ${version()}\n`);
    return 0;
  }
  if (!COMMANDS.includes(command)) throw new UsageError(`unknown command "${command}"; commands: ${COMMANDS.join(', ')} (itool --help describes them)`);
  if (command !== 'check' && command !== 'reward' && (rest.includes('--help') || rest.includes('-h'))) {
    process.stdout.write(commandUsage(command));
    return 0;
  }
  if (command === 'review') return reviewMain(rest);
  if (command === 'check') return checkMain(rest);
  if (command === 'reward') return rewardMain(rest);
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
      curriculum: { type: 'string' },
      train: { type: 'string' },
      'held-out': { type: 'string' },
      'bfcl-dir': { type: 'string' },
      profile: { type: 'string' },
      'rename-share': { type: 'string' },
      skip: { type: 'string' },
      seen: { type: 'string' },
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
      'grpo-group': { type: 'string' },
      'grpo-lr': { type: 'string' },
      'explore-max': { type: 'string' },
      'pref-lr': { type: 'string' },
      'pref-epochs': { type: 'string' },
      arch: { type: 'string' },
    },
  });
  if (command === 'export') {
    const curriculum = values.curriculum;
    const pairsFile = positionals[0];
    if (curriculum !== undefined && pairsFile) throw new UsageError('export: give PAIRS or --curriculum SELECTION, not both');
    if (!pairsFile && curriculum === undefined) throw new UsageError('export: missing PAIRS (the JSON Lines itool explore -o wrote) or --curriculum SELECTION');
    if (!values.dataset) throw new UsageError(`export: --dataset FILE is required (the dataset the ${curriculum === undefined ? 'pairs were searched on' : 'selection was calibrated on'})`);
    if (!values.out) throw new UsageError('export: -o DIR is required');
    const target = values.target;
    if (target !== 'llamafactory' && target !== 'trl' && target !== 'openai') throw new UsageError(`export: --target must be llamafactory, trl or openai, not "${target ?? ''}"`);
    const loss = values['pref-loss'];
    if (loss !== undefined && !['simpo', 'sigmoid', 'orpo', 'ipo'].includes(loss)) throw new UsageError(`export: --pref-loss must be simpo, sigmoid, orpo or ipo, not "${loss}"`);
    const calls = values.calls === undefined ? undefined : callsArg('export', values.calls);
    const io = { stdout: (t: string) => void process.stdout.write(t), stderr: (t: string) => void process.stderr.write(t) };
    if (curriculum !== undefined) {
      if (!curriculum) throw new UsageError('export: --curriculum needs the selection file itool calibrate -o wrote');
      if (loss !== undefined) throw new UsageError('export: --pref-loss is for pairs; the curriculum is SFT');
      return exportCurriculumCommand({ selection: curriculum, dataset: values.dataset, target, out: values.out, baseModel: values['base-model'], template: values.template, name: values.name, calls }, io);
    }
    return exportCommand(
      { pairsFile, dataset: values.dataset, target, out: values.out, prefLoss: loss as 'simpo' | undefined, baseModel: values['base-model'], template: values.template, name: values.name, calls },
      io,
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
  }
  if (command === 'loop-report') {
    if (positionals.length === 0) throw new UsageError('loop-report: give one or more itool loop work folders (-w WORKDIR of each run)');
    return loopReportCommand(positionals, { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) });
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
        seen: numberArg('synth', 'seen', values.seen, whole(0)),
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

export { UsageError };

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

/** --calls text|template|auto (default auto: by the dataset's format). */
function callsArg(command: string, v: string | undefined): CallRenderingSetting {
  try {
    return parseCallRendering(v);
  } catch (e) {
    throw new UsageError(`${command}: ${(e as Error).message}`);
  }
}

/** Run `argv` (the arguments after `itool`) as the process (dist/cli.js loads this bundle for every command but check and reward). */
export function run(argv: string[]): void {
  runCli(main, argv, (a) => (a[0] && COMMANDS.includes(a[0]) ? `${commandUsage(a[0])}\nitool --help lists every command.\n` : a[0] && !a[0].startsWith('-') ? 'itool --help describes every command.\n' : USAGE));
}

if (require.main === module) run(process.argv.slice(2));
