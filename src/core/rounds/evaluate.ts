// Held-out evaluation of a policy (METHOD.md, step 3): its greedy answer to every held-out sample,
// judged by the same checker as everything else, summed up as accuracy and error kinds, with the
// outcome of every sample (so two policies can be compared sample by sample: stats.ts). The
// predictions file is kept (beside the held-out dataset, keyed by model) so the user can open it
// in the panel and see every verdict behind the number.
import { createHash } from 'node:crypto';
import type { Dataset } from '../dataset/dataset';
import type { Policy } from '../model/policy';
import { checkPredictions, sampleIds, type RowResult, type SampleAt } from '../toolcall/datasetCheck';
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

/** The held-out sample ids in outcome order (record, then answer), of the first `limit` records. */
export function outcomeOrder(ids: ReadonlyMap<string, SampleAt>, limit?: number): string[] {
  return [...ids]
    .filter(([, at]) => limit === undefined || at.index < limit)
    .sort(([, x], [, y]) => x.index - y.index || (x.answer ?? -1) - (y.answer ?? -1))
    .map(([id]) => id);
}

/** The fingerprint of an ordered id list (RoundEvaluation.outcomeIds): `COUNT:HASH`. */
export function idsFingerprint(ids: readonly string[]): string {
  return `${ids.length}:${createHash('sha256').update(ids.join('\n')).digest('hex').slice(0, 16)}`;
}

/** The sample ids a held-out evaluation's `outcomes` stand for, in order (its first `limit` records). */
export async function heldOutKeys(heldOut: Dataset, limit?: number): Promise<string[]> {
  return outcomeOrder(await sampleIds(heldOut), limit);
}

/** One character per id: '1' valid, '0' judged not valid, '-' not judged (no row, or no verdict). */
export function outcomeString(order: readonly string[], results: readonly RowResult[]): string {
  const byId = new Map<string, RowResult>();
  for (const r of results) if (!byId.has(r.row.id)) byId.set(r.row.id, r);
  return order.map((id) => {
    const v = byId.get(id)?.verdict;
    return v ? (v.valid ? '1' : '0') : '-';
  }).join('');
}

/**
 * How the wrong answers are wrong (issue 16: is the policy "mostly right, wrong at one fragment"?):
 * of the judged answers that are not valid, how many have exactly one fragment error that is not a
 * parse error (`oneFragment`), how many do not parse at all (`unparsed`), and the mean number of
 * errors per wrong answer.
 */
export function wrongAnswerShape(results: readonly RowResult[]): NonNullable<RoundEvaluation['wrong']> {
  const wrong = results.filter((r) => r.verdict && !r.verdict.valid).map((r) => r.verdict!);
  const errors = wrong.reduce((n, v) => n + v.errors.length, 0);
  return {
    answers: wrong.length,
    oneFragment: wrong.filter((v) => v.errors.length === 1 && v.errors[0].kind !== 'parse_error').length,
    unparsed: wrong.filter((v) => v.errors.some((e) => e.kind === 'parse_error')).length,
    errorsPerAnswer: wrong.length ? Math.round((errors / wrong.length) * 100) / 100 : 0,
  };
}

export async function evaluatePolicy(heldOut: Dataset, policy: Policy, opts: EvaluateOptions = {}): Promise<RoundEvaluation> {
  const out = outputsPath(heldOut.path, policy.id);
  let skipped = 0;
  let truncated = 0;
  const indices = opts.limit !== undefined ? Array.from({ length: Math.min(opts.limit, heldOut.count) }, (_, i) => i) : undefined;
  const rows = await generateOutputs(heldOut, policy, out, { ...opts, indices, onSkip: () => skipped++, onTruncated: () => truncated++ });
  const { results, totals, ids } = await checkPredictions(heldOut, rows.map((r, i) => ({ ...r, line: i + 1, field: 'output' as const })), { signal: opts.signal });
  const kinds: RoundEvaluation['kinds'] = {};
  for (const [k, n] of Object.entries(totals.byKind)) if (n > 0) kinds[k as keyof typeof kinds] = n;
  const order = outcomeOrder(ids, indices?.length);
  return {
    heldOut: heldOut.path,
    policyLabel: policy.label,
    total: totals.checked,
    valid: totals.valid,
    accuracy: totals.checked ? totals.valid / totals.checked : 0,
    kinds,
    predictions: out,
    ...(skipped ? { skipped } : {}),
    ...(truncated ? { truncated } : {}),
    wrong: wrongAnswerShape(results),
    outcomes: outcomeString(order, results),
    outcomeIds: idsFingerprint(order),
    at: new Date().toISOString(),
  };
}
