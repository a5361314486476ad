// How hard a synthetic sample is: a score summed from the knobs it carries (and a little more for
// more distractors, calls, functions or derived values), normalised to a difficulty in [0, 1],
// and a level by score. The rule in words goes into the manifest (LEVEL_RULE).
import type { Knob, Level } from './corpus';

/** Knob weights of the difficulty score (see difficultyOf). */
const WEIGHTS: Record<Knob, number> = { multi_param: 1, optional_given: 0.5, optional_omitted: 0.5, distractor: 1, parallel: 1, derived: 1.5 };
const MAX_SCORE = 1 + 0.5 + 0.5 + 1.5 + 2 + 2;
/** Levels by score: easy below EASY_BELOW, hard from HARD_FROM. */
export const EASY_BELOW = 1.5;
export const HARD_FROM = 3;

export function difficultyOf(tags: readonly Knob[], distractors: number, calls: number, derived: number, distinctFns: number): { score: number; difficulty: number; level: Level } {
  let score = 0;
  for (const t of tags) score += WEIGHTS[t];
  if (distractors >= 2) score += 0.5;
  if (calls >= 3) score += 0.5;
  if (distinctFns >= 2) score += 0.5;
  if (derived >= 2) score += 0.5;
  const level: Level = score < EASY_BELOW ? 'easy' : score >= HARD_FROM ? 'hard' : 'medium';
  return { score, difficulty: Math.round((score / MAX_SCORE) * 1000) / 1000, level };
}

/** The rule of difficultyOf, as the manifest states it. */
export const LEVEL_RULE = `score = sum of knob weights ${JSON.stringify(WEIGHTS)} + 0.5 each for >=2 distractors, >=3 calls, >=2 distinct functions, >=2 derived values; difficulty = score / ${MAX_SCORE}; easy: score < ${EASY_BELOW}, hard: score >= ${HARD_FROM}, else medium`;
