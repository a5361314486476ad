// Held-out evaluation of a policy (METHOD.md, step 3): its greedy answer to every held-out sample,
// judged by the same checker as everything else, summed up as accuracy and error kinds. The
// predictions file is kept (beside the held-out dataset, keyed by model) so the user can open it
// in the panel and see every verdict behind the number.
import type { Dataset } from '../dataset/dataset';
import type { Policy } from '../model/policy';
import { checkPredictions } from '../toolcall/datasetCheck';
import { generateOutputs, outputsPath } from '../toolcall/generate';
import type { RoundEvaluation } from './types';

export interface EvaluateOptions {
  maxTokens?: number;
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** Evaluate only the first `limit` held-out records. */
  limit?: number;
}

export async function evaluatePolicy(heldOut: Dataset, policy: Policy, opts: EvaluateOptions = {}): Promise<RoundEvaluation> {
  const out = outputsPath(heldOut.path, policy.id);
  let skipped = 0;
  const indices = opts.limit !== undefined ? Array.from({ length: Math.min(opts.limit, heldOut.count) }, (_, i) => i) : undefined;
  const rows = await generateOutputs(heldOut, policy, out, { ...opts, indices, onSkip: () => skipped++ });
  const { totals } = await checkPredictions(heldOut, rows.map((r, i) => ({ ...r, line: i + 1, field: 'output' as const })), { signal: opts.signal });
  const kinds: RoundEvaluation['kinds'] = {};
  for (const [k, n] of Object.entries(totals.byKind)) if (n > 0) kinds[k as keyof typeof kinds] = n;
  return {
    heldOut: heldOut.path,
    policyLabel: policy.label,
    total: totals.checked,
    valid: totals.valid,
    accuracy: totals.checked ? totals.valid / totals.checked : 0,
    kinds,
    predictions: out,
    ...(skipped ? { skipped } : {}),
    at: new Date().toISOString(),
  };
}
