// The closed loop's bulk reviewer (loop.ts): which of a round's search pairs it accepts, and the
// edit it makes where a reviewer would (the E key): the chosen side replaced by the reference
// answer from the shared prefix on. Also the whole-response pairs of variant (b).
import { scoreRequestFor } from '../model/prompt';
import type { Sample } from '../dataset/sample';
import { editedPair } from '../pairs/manualPairs';
import type { ExploreResult } from '../search/explore';
import type { PreferencePair } from '../search/types';
import type { LoopOptions, LoopVariant } from './loopOptions';
import { scopedItem, type PrefItem, type TrainingEncoder } from './trainingData';

/** The bulk reviewer's rule for a fragment pair (LoopOptions.minGap and .accept). */
export function acceptPair(p: Pick<PreferencePair, 'gap' | 'chosen' | 'rejected'>, minGap: number, accept: 'valid' | 'better'): boolean {
  return p.gap >= minGap - 1e-9 && p.chosen.verdict.score > p.rejected.verdict.score && (accept === 'better' || p.chosen.verdict.valid);
}

/** The sample's reference answer as the model writes a response (the template's rendering, without the end-of-turn marker). */
async function reference(sample: Sample, enc: TrainingEncoder): Promise<string | undefined> {
  const req = await scoreRequestFor(enc.renderer, sample);
  if (!req) return undefined;
  const end = await enc.endMarker();
  return end && req.response.endsWith(end) ? req.response.slice(0, -end.length) : req.response;
}

/**
 * Fragment pairs kept by the rule, or whole-response pairs from the same trees. Under 'edit' a
 * pair whose chosen side is still wrong gets the reviewer's edit: the reference answer from the
 * shared prefix on, when the prefix agrees with the reference (else the pair is dropped).
 */
export async function loopPairs(
  variant: LoopVariant,
  run: ExploreResult,
  enc: TrainingEncoder,
  o: Pick<LoopOptions, 'accept' | 'minGap' | 'pairScope'>,
  sampleOf: (index: number, answer?: number) => Promise<Sample | undefined>,
): Promise<{ found: number; edited: number; items: PrefItem[] }> {
  const items: PrefItem[] = [];
  const mode = o.accept ?? 'edit';
  let edited = 0;
  if (variant === 'whole') {
    let found = 0;
    for (const e of run.entries) {
      const root = e.tree.nodes[0];
      if (!root.best || !root.worst || root.best.reward === null || root.worst.reward === null) continue;
      found++;
      const sample = await sampleOf(e.index, e.answer);
      if (!sample || root.best.reward - root.worst.reward < o.minGap - 1e-9) continue;
      // A valid response is the only one that scores exactly 1 (checkOutput).
      let chosen: string | undefined = mode === 'better' || root.best.reward >= 1 ? root.best.text : undefined;
      if (!chosen && mode === 'edit' && root.worst.reward < 1) {
        chosen = await reference(sample, enc);
        if (chosen) edited++;
      }
      if (chosen) items.push({ sample, chosen, rejected: root.worst.text });
    }
    return { found, edited, items };
  }
  // The published thresholds made the pair (gap ≥ 0.1, chosen value ≥ −0.3); the bulk reviewer
  // then applies LoopOptions.accept (acceptPair).
  for (const p of run.pairs) {
    const sample = await sampleOf(p.index, p.answer);
    if (!sample) continue;
    if (acceptPair(p, o.minGap, mode === 'better' ? 'better' : 'valid')) {
      items.push(scopedItem(sample, p.prefix, p.chosen, p.rejected, o.pairScope));
      continue;
    }
    if (mode !== 'edit' || p.gap < o.minGap - 1e-9 || p.rejected.verdict.valid) continue;
    const ref = await reference(sample, enc);
    if (ref && ref.startsWith(p.prefix) && ref !== p.prefix + p.rejected.text) {
      // The reviewer's edit as the review panel makes it (E key): fragment and completion re-cut.
      const e = editedPair(p, ref.slice(p.prefix.length));
      items.push(scopedItem(sample, e.prefix, e.chosen, e.rejected, o.pairScope));
      edited++;
    }
  }
  return { found: run.pairs.length, edited, items };
}
