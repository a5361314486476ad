// `itool calibrate DATASET --model DIR|--endpoint URL [--ratio 0.3] -o OUT`: perplexity of every
// reference answer under the policy, difficulty tiers, and the deficient samples selected for
// this round's search, written to OUT (the selection file `itool explore --selection` reads).
// Results are journaled beside the dataset as they come: an interrupted run resumes. A server that
// stops answering (or rejects the key) stops the run with its error and exit code 1; a rerun resumes.
import { Dataset } from '../core/dataset/dataset';
import type { TurnsMode } from '../core/dataset/answers';
import { calibrate, calibrationPath, CalibrationRefused, skipSummary, type CalibrationResult } from '../core/calibrate/calibrate';
import type { CallRenderingSetting } from '../core/model/callRendering';
import { selectDeficient, tierCuts, tierOf } from '../core/calibrate/select';
import { selectionFile, writeSelection } from '../core/calibrate/selectionFile';
import type { Policy } from '../core/model/policy';
import { EndpointUnavailableError, ServerRejectedError } from '../core/model/openai/endpointErrors';
import { openPolicy, type PolicySpec } from '../core/model/policyFactory';
import { numberArg, turnsArg, UsageError, whole } from './args';
import { callsArg } from './callsArg';
import { defineCommand } from './command';
import { policyArgs, POLICY_OPTIONS, type PolicyFlags } from './policyOptions';

export interface CalibrateCommandOptions extends PolicyFlags {
  dataset: string;
  /** Every assistant answer a sample (default), or each record's last answer only. */
  turns?: TurnsMode;
  ratio: number;
  round: number;
  batch: number;
  tiers?: { easyBelow: number; hardFrom: number };
  out: string;
  calls?: CallRenderingSetting;
  maxSkipShare?: number;
}

/** A backend error that ends a run (RemotePolicy's open circuit breaker, a rejected key, no such model). */
export function endpointDown(e: unknown): e is EndpointUnavailableError | ServerRejectedError {
  return e instanceof EndpointUnavailableError || (e instanceof ServerRejectedError && e.fatal);
}

/** The policy the flags describe, as the factory takes it (the key stays out: it comes from the environment). */
export function policySpecFromArgs(o: Pick<CalibrateCommandOptions, 'model' | 'endpoint' | 'servedModel' | 'chatTemplate' | 'executionProvider' | 'timeout' | 'maxRetries'>): PolicySpec {
  if (!!o.model === !!o.endpoint) throw new Error('give exactly one of --model DIR (local ONNX) or --endpoint URL (OpenAI-compatible server)');
  if (o.model && (o.timeout !== undefined || o.maxRetries !== undefined)) throw new Error('--timeout and --max-retries are for --endpoint (a local model has no requests to time out)');
  if (o.model) return { backend: 'onnx', modelDir: o.model, executionProvider: o.executionProvider };
  if (!o.servedModel) throw new Error('--endpoint needs --served-model NAME (the model name on the server)');
  return { backend: 'endpoint', baseURL: o.endpoint!, model: o.servedModel, chatTemplate: o.chatTemplate, timeoutMs: o.timeout === undefined ? undefined : o.timeout * 1000, maxRetries: o.maxRetries };
}

export async function openPolicyFromArgs(o: Pick<CalibrateCommandOptions, 'model' | 'endpoint' | 'servedModel' | 'chatTemplate' | 'apiKeyEnv' | 'executionProvider' | 'timeout' | 'maxRetries'>): Promise<Policy> {
  const spec = policySpecFromArgs(o);
  // The key comes from the environment, never from an argument (arguments end up in shell history and ps).
  const p = await openPolicy(spec, { apiKey: spec.backend === 'endpoint' ? process.env[o.apiKeyEnv ?? 'OPENAI_API_KEY'] : undefined });
  if (p.warning) process.stderr.write(`itool: ${p.warning}\n`);
  return p;
}

/**
 * A long CLI run over one dataset with one policy: both are closed however the run ends, and
 * Ctrl+C aborts it through `signal` (what was journaled so far stays for a rerun to resume).
 */
export async function withPolicyRun<T>(
  o: Parameters<typeof openPolicyFromArgs>[0] & { dataset: string; turns?: TurnsMode },
  run: (ds: Dataset, policy: Policy, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const policy = await openPolicyFromArgs(o);
  const ctl = new AbortController();
  const onSigint = () => ctl.abort();
  process.once('SIGINT', onSigint);
  let ds: Dataset | undefined;
  try {
    ds = await Dataset.open(o.dataset, { turns: o.turns });
    return await run(ds, policy, ctl.signal);
  } finally {
    process.off('SIGINT', onSigint);
    await ds?.close();
    await policy.close();
  }
}

export async function calibrateCommand(o: CalibrateCommandOptions): Promise<number> {
  return withPolicyRun(o, async (ds, policy, signal) => {
    const started = Date.now();
    let lastLine = 0;
    let result: CalibrationResult;
    try {
      result = await calibrate(ds, policy, {
      round: o.round,
      batch: o.batch,
      calls: o.calls,
      maxSkipShare: o.maxSkipShare,
      signal,
      onProgress: (done, total) => {
        const now = Date.now();
        if (now - lastLine < 1000 && done < total) return;
        lastLine = now;
        process.stderr.write(`[calibrate] ${done}/${total} samples, ${((now - started) / 1000).toFixed(1)} s\n`);
      },
    });
    } catch (e) {
      if (endpointDown(e)) {
        // The server, not a sample: stop with its error; what was scored stays journaled.
        process.stderr.write(`itool: calibration stopped: ${e.message}\n  journal ${calibrationPath(ds.path, policy.id, o.round)} keeps what was scored: a rerun resumes\n`);
        return 1;
      }
      if (!(e instanceof CalibrationRefused)) throw e;
      // No selection from what is left: say what was skipped and why, and fail.
      const r = e.result;
      process.stderr.write(
        [
          `itool: calibration refused: ${e.message}`,
          ...r.skipped.slice(0, 10).map((s) => `  record ${s.index + 1}${s.id ? ` (${s.id})` : ''}: [${s.kind ?? 'other'}] ${s.reason}`),
          `  journal ${r.path}; see what is scored with: itool render ${o.dataset} ${o.model ? `--model ${o.model}` : `--chat-template ${o.chatTemplate ?? 'FILE'}`}`,
          '',
        ].join('\n'),
      );
      return 1;
    }
    // Entries hold only results with a possible PPL (calibrate.ts keeps no other).
    if (result.entries.length === 0) {
      // Nothing to cut into tiers or select from (no sample has a reference answer): no NaN cut-offs, no OUT.
      process.stderr.write(`itool: no sample was scored (${result.noReference} without a reference answer, ${result.skipped.length} skipped); no selection written\n`);
      return 1;
    }
    const cuts = tierCuts(result.entries, o.tiers);
    const sel = selectDeficient(result.entries, o.ratio);
    await writeSelection(o.out, selectionFile(result, sel, cuts));
    const tiers = { easy: 0, medium: 0, hard: 0 };
    for (const e of result.entries) {
      const t = tierOf(e.ppl, cuts);
      if (t) tiers[t]++;
    }
    const lines = [
      `model       ${policy.label} (round ${o.round})`,
      `scored      ${result.entries.length} samples${result.resumed ? ` (${result.resumed} resumed)` : ''}, ${result.noReference} without a reference answer, ${result.skipped.length} skipped${result.skipped.length ? ` (${skipSummary(result.skipped)})` : ''}`,
      `calls       rendered as ${o.calls ?? 'auto'} (auto: text for toolace, llamafactory, hermes, glaive; template for openai, xlam, bfcl)`,
      ...result.skipped.slice(0, 10).map((s) => `  record ${s.index + 1}: ${s.reason}`),
      `tiers       easy ${tiers.easy}, medium ${tiers.medium}, hard ${tiers.hard} (cut-offs ${cuts.easyBelow.toFixed(3)} / ${cuts.hardFrom.toFixed(3)}, ${cuts.source})`,
      `selected    ${sel.selected.length} (ratio ${o.ratio}): ${sel.groups.calls.selected} of ${sel.groups.calls.scored} that call a tool, ${sel.groups.text.selected} of ${sel.groups.text.scored} that answer in text`,
      `journal     ${result.path}`,
      `selection   ${o.out}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  });
}

export const calibrateCli = defineCommand({
  name: 'calibrate',
  usage: `  itool calibrate DATASET --model DIR [--ep cpu|cuda] [--ratio 0.3] [--round N] [--batch 16] -o OUT
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
`,
  options: {
    ...POLICY_OPTIONS,
    ratio: { type: 'string' },
    round: { type: 'string' },
    batch: { type: 'string' },
    tiers: { type: 'string' },
    out: { type: 'string', short: 'o' },
    calls: { type: 'string' },
    turns: { type: 'string' },
    'max-skip-share': { type: 'string' },
  },
  run(values, [dataset]) {
    if (!dataset) throw new UsageError('calibrate: missing DATASET');
    if (!values.out) throw new UsageError('calibrate: -o OUT is required');
    let tiers: { easyBelow: number; hardFrom: number } | undefined;
    if (values.tiers !== undefined) {
      const [a, b] = values.tiers.split(',').map(Number);
      if (!(a <= b)) throw new UsageError(`calibrate: --tiers wants EASY_BELOW,HARD_FROM with EASY_BELOW ≤ HARD_FROM, not "${values.tiers}"`);
      tiers = { easyBelow: a, hardFrom: b };
    }
    return calibrateCommand({
      dataset,
      ...policyArgs('calibrate', values),
      ratio: numberArg('calibrate', 'ratio', values.ratio, (x) => x >= 0 && x <= 1) ?? 0.3,
      round: numberArg('calibrate', 'round', values.round, whole(1)) ?? 1,
      batch: numberArg('calibrate', 'batch', values.batch, whole(1)) ?? 16,
      tiers,
      out: values.out,
      calls: callsArg('calibrate', values.calls),
      turns: turnsArg(values.turns),
      maxSkipShare: numberArg('calibrate', 'max-skip-share', values['max-skip-share'], (x) => x >= 0 && x <= 1),
    });
  },
});
