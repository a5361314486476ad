// Difficulty tiers (the warm-up curriculum's easy → medium → hard) and deficiency selection (the
// samples this round's search explores), both from calibration perplexities.
import type { CalibrationEntry } from './calibrate';

export type Tier = 'easy' | 'medium' | 'hard';

export interface TierCuts {
  /** PPL below this is easy. */
  easyBelow: number;
  /** PPL at or above this is hard; in between is medium. */
  hardFrom: number;
  /** Where the cuts came from: tertiles of this run, or thresholds the user set. */
  source: 'tertiles' | 'thresholds';
}

/** Value at quantile q of sorted values (linear interpolation, as numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function tierCuts(entries: readonly CalibrationEntry[], thresholds?: { easyBelow: number; hardFrom: number }): TierCuts {
  if (thresholds) {
    if (!(thresholds.easyBelow <= thresholds.hardFrom)) throw new Error(`tier thresholds must satisfy easyBelow ≤ hardFrom (got ${thresholds.easyBelow} and ${thresholds.hardFrom})`);
    return { ...thresholds, source: 'thresholds' };
  }
  const ppl = entries.flatMap((e) => (e.ppl === null ? [] : [e.ppl])).sort((a, b) => a - b);
  return { easyBelow: quantile(ppl, 1 / 3), hardFrom: quantile(ppl, 2 / 3), source: 'tertiles' };
}

export function tierOf(ppl: number | null, cuts: TierCuts): Tier | undefined {
  if (ppl === null) return undefined;
  return ppl < cuts.easyBelow ? 'easy' : ppl >= cuts.hardFrom ? 'hard' : 'medium';
}

export interface Selection {
  ratio: number;
  /** Per group: how many samples had a perplexity, and how many were selected. */
  groups: Record<'calls' | 'text', { scored: number; selected: number }>;
  /** Selected samples, highest PPL first within each group (calls first, then text). */
  selected: CalibrationEntry[];
}

/**
 * The samples the policy is most deficient on now: within "calls a tool" and within "answers in
 * text" separately, the top `ratio` by PPL, highest first. ceil(ratio · n) per group, so a small
 * group with a positive ratio still contributes.
 */
export function selectDeficient(entries: readonly CalibrationEntry[], ratio = 0.3): Selection {
  if (!(ratio >= 0 && ratio <= 1)) throw new Error(`ratio must be within [0, 1], got ${ratio}`);
  const groups = { calls: { scored: 0, selected: 0 }, text: { scored: 0, selected: 0 } };
  const selected: CalibrationEntry[] = [];
  for (const group of ['calls', 'text'] as const) {
    const scored = entries.filter((e) => e.group === group && e.ppl !== null).sort((a, b) => b.ppl! - a.ppl! || a.index - b.index);
    const k = Math.ceil(ratio * scored.length);
    groups[group] = { scored: scored.length, selected: k };
    selected.push(...scored.slice(0, k));
  }
  return { ratio, groups, selected };
}
