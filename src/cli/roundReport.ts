// `itool round status` and `itool round evaluate` (round.ts holds the command and the other
// subcommands): the round registry as a person or a script reads it, and a held-out evaluation
// recorded in a round, both through the round service (src/core/rounds/roundService.ts).
import { existsSync } from 'node:fs';
import { describePolicy, openPolicy, type PolicySpec } from '../core/model/policyFactory';
import { readRegistry, registryPath } from '../core/rounds/registry';
import { evaluateRound, finishRound, openAIClient, pollRoundJob, progressText, trainedPolicySpec } from '../core/rounds/roundService';
import type { RoundEvaluation, RoundRecord, RoundRegistry } from '../core/rounds/types';
import { UsageError } from './args';
import { policySpecFromArgs } from './calibrate';
import type { PolicyFlags } from './policyOptions';

export interface RoundIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const pct = (e: RoundEvaluation): string => `${(100 * e.accuracy).toFixed(1)}% (${e.valid}/${e.total})${e.truncated ? `, ${e.truncated} cut off` : ''}${e.skipped ? `, ${e.skipped} too long` : ''}`;

/** A round as a few labelled lines. */
function roundLines(r: RoundRecord): string[] {
  const out = [`round ${r.round}  from ${r.policy.label}`];
  if (r.pairs) out.push(`  pairs      ${r.pairs.accepted} accepted of ${r.pairs.found}${r.pairs.manual ? ` (${r.pairs.manual} hand-made)` : ''}`);
  if (r.export) out.push(`  export     ${r.export.target}  ${r.export.dir}`);
  const j = r.job;
  if (j) {
    const progress = j.lastProgress ? `  ${progressText(j.lastProgress)}` : '';
    out.push(`  job        ${j.status} (${j.backend})${progress}${j.endedAt ? `  ended ${j.endedAt}` : `  started ${j.startedAt}`}`);
    if (j.status === 'failed' && j.error) out.push(`  error      ${j.error.trim().split('\n').pop()}${j.logPath ? `  (log ${j.logPath})` : ''}`);
  }
  if (r.result) out.push(`  model      ${r.result.modelDir ?? r.result.endpointModel ?? r.result.label}`);
  if (r.evaluation || r.baseline) out.push(`  held-out   ${r.evaluation ? pct(r.evaluation) : 'not evaluated'}${r.baseline ? `  baseline ${pct(r.baseline)}` : ''}`);
  return out;
}

/**
 * The registry with every running job looked at once: one that ended since it was last followed
 * is finished (recorded) here, so a job started with --detach is recorded by the next status.
 * An OpenAI job is looked at only with the API key.
 */
async function refreshed(dataset: string, apiKey: string | undefined, io: RoundIo): Promise<RoundRegistry> {
  const reg = await readRegistry(dataset);
  let changed = false;
  for (const r of reg.rounds) {
    if (r.job?.status !== 'running') continue;
    if (r.job.backend === 'openai' && !apiKey) {
      io.stderr(`itool round: note: round ${r.round} is an OpenAI job: its state is as last recorded (give --key-env VAR to ask the service)\n`);
      continue;
    }
    const now = await pollRoundJob(r.job, r.job.backend === 'openai' ? openAIClient(apiKey, r.job.baseURL) : undefined);
    if (now.status === 'running') r.job = now;
    else {
      await finishRound(dataset, r.round, now);
      changed = true;
    }
  }
  if (!changed) return reg;
  // Running jobs keep the progress just read; ended ones are as finishRound recorded them.
  const again = await readRegistry(dataset);
  for (const r of again.rounds) if (r.job?.status === 'running') r.job = reg.rounds.find((x) => x.round === r.round)?.job ?? r.job;
  return again;
}

export async function roundStatusCommand(a: { dataset: string; json: boolean; apiKey?: string }, io: RoundIo): Promise<number> {
  if (!existsSync(a.dataset)) throw new Error(`round status: dataset not found: ${a.dataset}`);
  const reg = await refreshed(a.dataset, a.apiKey, io);
  if (a.json) {
    io.stdout(`${JSON.stringify(reg, null, 2)}\n`);
    return 0;
  }
  if (!reg.rounds.length) {
    io.stdout(`no rounds yet in ${registryPath(a.dataset)} (itool round start ${a.dataset} --backend … starts one)\n`);
    return 0;
  }
  const head = [`rounds of ${a.dataset}${reg.heldOut ? ` (held-out: ${reg.heldOut})` : ''}`];
  io.stdout(`${[...head, ...reg.rounds.flatMap(roundLines)].join('\n')}\n`);
  return 0;
}

export interface RoundEvaluateArgs extends PolicyFlags {
  dataset: string;
  round?: number;
  heldOut?: string;
  limit?: number;
  baseline?: boolean;
  json?: boolean;
  signal?: AbortSignal;
}

export async function roundEvaluateCommand(a: RoundEvaluateArgs, io: RoundIo): Promise<number> {
  if (!existsSync(a.dataset)) throw new Error(`round evaluate: dataset not found: ${a.dataset}`);
  const reg = await readRegistry(a.dataset);
  if (!reg.rounds.length) throw new Error(`round evaluate: no round in ${registryPath(a.dataset)} yet (itool round start ${a.dataset} --backend … starts one)`);
  // Default: the newest round that trained a policy, else the newest round (its baseline, say).
  const newest = [...reg.rounds].reverse();
  const rec = a.round !== undefined ? reg.rounds.find((r) => r.round === a.round) : (newest.find((r) => r.job?.status === 'succeeded') ?? newest[0]);
  if (!rec) throw new Error(`round evaluate: round ${a.round} is not in ${registryPath(a.dataset)} (rounds: ${reg.rounds.map((r) => r.round).join(', ')})`);
  const heldOut = a.heldOut ?? reg.heldOut;
  if (!heldOut) throw new UsageError('round evaluate: --held-out H is required: the registry names no held-out split yet');
  if (!existsSync(heldOut)) throw new Error(`round evaluate: held-out split not found: ${heldOut}`);
  const as = a.baseline ? 'baseline' : 'evaluation';
  let spec: PolicySpec;
  let result: RoundRecord['result'];
  if (a.model !== undefined || a.endpoint !== undefined) {
    spec = policySpecFromArgs({ ...a, servedModel: a.servedModel ?? (a.endpoint ? rec.result?.endpointModel : undefined) });
    if (!a.baseline) result = spec.backend === 'onnx' ? { label: `round ${rec.round}: ${spec.modelDir}`, modelDir: spec.modelDir } : { label: `round ${rec.round}: ${spec.model}`, endpointModel: spec.model };
  } else {
    if (a.baseline) throw new UsageError(`round evaluate: --baseline needs the policy round ${rec.round} started from: --model DIR or --endpoint URL --served-model M`);
    spec = trainedPolicySpec(rec, { executionProvider: a.executionProvider });
  }
  // The key comes from the environment, never from an argument.
  const policy = await openPolicy(spec, { apiKey: spec.backend === 'endpoint' ? process.env[a.apiKeyEnv ?? 'OPENAI_API_KEY'] : undefined });
  if (policy.warning) io.stderr(`itool round: ${policy.warning}\n`);
  io.stderr(`itool round: evaluating ${describePolicy(spec)} on ${heldOut} as round ${rec.round}'s ${as}\n`);
  let last = 0;
  let evaluation: RoundEvaluation;
  try {
    evaluation = await evaluateRound(a.dataset, {
      round: rec.round,
      heldOut,
      policy,
      as,
      result,
      limit: a.limit,
      signal: a.signal,
      onProgress: (done, total) => {
        if (Date.now() - last < 1000 && done < total) return;
        last = Date.now();
        io.stderr(`[evaluate] ${done}/${total} held-out samples\n`);
      },
    });
  } finally {
    await policy.close();
  }
  if (a.json) io.stdout(`${JSON.stringify(evaluation)}\n`);
  else {
    const kinds = Object.entries(evaluation.kinds).map(([k, n]) => `${k} ${n}`).join(', ');
    io.stdout(`round ${rec.round} ${as}: held-out accuracy ${pct(evaluation)}${kinds ? `; error kinds: ${kinds}` : ''}\npredictions ${evaluation.predictions}\n`);
  }
  return 0;
}
