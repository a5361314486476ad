// What the closed loop (loop.ts) returns per round and for the whole run, the lines it logs about
// an evaluation, and its stage timer. Kept apart from the loop so the report (loopReport.ts) and
// the front doors read the shapes without the loop's machinery.
import type { LoopVariant } from './loopOptions';
import type { RoundEvaluation } from './types';

export interface RoundResult {
  variant: LoopVariant;
  round: number;
  model: string;
  selected: number;
  explored: number;
  pairsFound: number;
  /** Training records used: accepted pairs, SFT samples (sft), or GRPO completions from groups with signal (grpo). */
  pairsAccepted: number;
  trainSteps?: number;
  /**
   * Policy samples the round drew: the search's sampled continuations (itool, whole, random) or
   * GRPO's completions (grpo); absent for sft, or when a resumed search tree had no count.
   */
  samplesDrawn?: number;
  /** The GRPO round's draw: its budget and where the budget came from, groups, and rewards. */
  grpo?: GrpoRoundStats;
  evaluation: RoundEvaluation;
  seconds: Record<string, number>;
}

export interface GrpoRoundStats {
  /** Completions to draw, and whether that was the iTool round's search samples or the fallback explore-max × group. */
  budget: number;
  budgetFrom: 'itool-search' | 'explore-max';
  group: number;
  prompts: number;
  groups: number;
  /** Groups whose rewards differed (written) and whose rewards were all equal (dropped). */
  withSignal: number;
  zeroStd: number;
  /** Mean checker reward over every completion drawn. */
  meanReward: number;
  /** Tokens the completions took. */
  tokens: number;
}

export interface LoopResult {
  warmup: { model: string; evaluation: RoundEvaluation; seconds: Record<string, number> };
  rounds: RoundResult[];
}

/** "44.7% (152/340; 56 answers cut off (…))": an evaluation's accuracy for a log line. */
export function accuracyText(e: RoundEvaluation): string {
  const cut = e.truncated ? `; ${e.truncated} answers cut off (the token limit or the end of the model’s context)` : '';
  return `${(100 * e.accuracy).toFixed(1)}% (${e.valid}/${e.total}${cut})`;
}

/** "; of 40 wrong answers 22 wrong at one fragment, 9 unparsed, 1.6 errors each" for a log line. */
function wrongLine(e: RoundEvaluation): string {
  const w = e.wrong;
  return w && w.answers ? `; of ${w.answers} wrong answers ${w.oneFragment} wrong at one fragment, ${w.unparsed} unparsed, ${w.errorsPerAnswer} errors each` : '';
}

/** The warm-up model's evaluation as one log line, whether it was trained here or given. */
export const warmupLine = (e: RoundEvaluation): string => `warm-up: held-out accuracy ${accuracyText(e)}${wrongLine(e)}`;

export async function timed<T>(seconds: Record<string, number>, stage: string, fn: () => Promise<T>): Promise<T> {
  const t = Date.now();
  try {
    return await fn();
  } finally {
    seconds[stage] = (seconds[stage] ?? 0) + Math.round((Date.now() - t) / 100) / 10;
  }
}
