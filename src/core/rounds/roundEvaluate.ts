// A round's held-out evaluation, for every front door and the loop: the trained policy (or the
// round's starting one, as its baseline) answers the held-out split greedily, the checker judges
// every answer (evaluate.ts), and the numbers go into the round registry. The policy is opened
// from a spec that carries the caller's runtime (execution provider, in-flight limit), so a
// baseline and a round are measured alike.
import { Dataset } from '../dataset/dataset';
import { isModelFolder } from '../model/onnx/folder';
import type { Policy } from '../model/policy';
import { openPolicy, type EndpointPolicySpec, type ExecutionProvider, type PolicySecrets, type PolicySpec } from '../model/policyFactory';
import { evaluatePolicy, type EvaluateOptions } from './evaluate';
import { readRegistry, registryPath, updateRegistry } from './registry';
import { RoundError } from './roundExport';
import type { RoundEvaluation, RoundRecord } from './types';

/** The runtime a trained policy is opened with: the configured policy's. */
export interface PolicyRuntime {
  executionProvider?: ExecutionProvider;
  /** The server a trained model is served from (its fine-tuned or LoRA name is the round's). */
  endpoint?: Omit<EndpointPolicySpec, 'backend' | 'model'>;
}

/** The spec of the policy round `r` trained: its ONNX output, or its served name on the endpoint. */
export function trainedPolicySpec(r: RoundRecord, runtime: PolicyRuntime = {}): PolicySpec {
  const res = r.result;
  if (isModelFolder(res?.modelDir)) return { backend: 'onnx', modelDir: res.modelDir, executionProvider: runtime.executionProvider };
  if (res?.endpointModel && runtime.endpoint) return { backend: 'endpoint', ...runtime.endpoint, model: res.endpointModel };
  if (!res) throw new RoundError(`round ${r.round} has no trained policy yet${r.job ? ` (its job is ${r.job.status})` : ''}`);
  if (res.endpointModel) throw new RoundError(`round ${r.round} trained ${res.endpointModel} on a server: give the endpoint it is served from`);
  throw new RoundError(`round ${r.round}'s trained model ${res.modelDir ?? '(no folder)'} is not an ONNX export (config.json and onnx/model.onnx): merge and export it, or serve it and evaluate it on its endpoint`);
}

export interface SpecEvaluateOptions extends EvaluateOptions {
  secrets?: PolicySecrets;
  /** The runtime's fallback (CUDA asked for, CPU given), said by whoever shows messages. */
  onWarning?: (warning: string) => void;
}

/** Open the policy `spec` describes, evaluate it on `heldOut`, close it. Records nothing. */
export async function evaluateSpec(heldOut: Dataset, spec: PolicySpec, o: SpecEvaluateOptions = {}): Promise<RoundEvaluation> {
  const policy = await openPolicy(spec, o.secrets);
  if (policy.warning) o.onWarning?.(policy.warning);
  try {
    return await evaluatePolicy(heldOut, policy, o);
  } finally {
    await policy.close();
  }
}

export interface EvaluateRoundOptions extends EvaluateOptions {
  round: number;
  /** The held-out split: a path (opened and closed here) or an open Dataset. */
  heldOut: string | Dataset;
  /** The policy to evaluate, opened by the caller (with its runtime) and left open. */
  policy: Policy;
  /** 'evaluation' (default): the round's trained policy; 'baseline': the policy it started from. */
  as?: 'evaluation' | 'baseline';
  /** What the evaluated policy is, recorded as the round's result with an evaluation (a model pointed at by hand). */
  result?: RoundRecord['result'];
}

/**
 * Evaluate a policy on the held-out split and record it in round `round` of the dataset's registry
 * (which must hold the round). The registry remembers the held-out split when it has none yet.
 */
export async function evaluateRound(datasetPath: string, o: EvaluateRoundOptions): Promise<RoundEvaluation> {
  const reg = await readRegistry(datasetPath);
  if (!reg.rounds.some((r) => r.round === o.round)) {
    const have = reg.rounds.map((r) => r.round);
    throw new RoundError(`round ${o.round} is not in ${registryPath(datasetPath)} (${have.length ? `rounds: ${have.join(', ')}` : 'no round yet'})`);
  }
  const heldOut = typeof o.heldOut === 'string' ? await Dataset.open(o.heldOut) : o.heldOut;
  let evaluation: RoundEvaluation;
  try {
    evaluation = await evaluatePolicy(heldOut, o.policy, o);
  } finally {
    if (typeof o.heldOut === 'string') await heldOut.close();
  }
  await updateRegistry(datasetPath, (r) => {
    const round = r.rounds.find((x) => x.round === o.round)!;
    if (o.as === 'baseline') round.baseline = evaluation;
    else Object.assign(round, { evaluation, ...(o.result ? { result: o.result } : {}) });
    r.heldOut ??= heldOut.path;
  });
  return evaluation;
}
