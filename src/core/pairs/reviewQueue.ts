// The review queue (METHOD.md, "Pairs"): the pairs a reviewer works through, each in the state
// the review journal gives it (reviewEntries.ts), with hand-made pairs from corrected marks and
// edits applied and judged again (manualPairs.ts); the counts, the filter, and bulk decisions.
import type { Tier } from '../calibrate/select';
import type { Sample } from '../dataset/sample';
import type { PairVerdict, PreferencePair, StepKind } from '../search/types';
import { expectationFor, type Expectation } from '../toolcall/check/index';
import type { ErrorKind } from '../toolcall/types';
import { editedPair, manualPair } from './manualPairs';
import type { RejectReason } from './reasons';
import { pairId, type DecisionNote, type DecisionState, type ReviewItemState, type ReviewState } from './reviewEntries';
import type { ReviewJournal } from './reviewJournal';

export interface ReviewItem {
  id: string;
  /** The pair as it is exported: with the edit applied (and re-checked) when edited. */
  pair: PreferencePair;
  /** The pair as the search (or the annotation) made it. */
  original: PreferencePair;
  state: ReviewItemState;
  manual: boolean;
  /** Edited, but no expectation was at hand to judge the edit: the chosen verdict is the original's. */
  unchecked?: boolean;
  /** Why it was rejected, and the comment (state 'rejected'). */
  reason?: RejectReason;
  comment?: string;
  /** The checker finds the (exported) chosen side wrong: what is wrong with it (chosenProblem). */
  chosenFails?: string;
}

/**
 * What is wrong with a side by its verdict, in a few words, or undefined when it is valid:
 * "does not parse" (a parse error), else its error kinds ("wrong_value, unexpected_param").
 */
export function chosenProblem(v: PairVerdict): string | undefined {
  if (v.valid) return undefined;
  if (v.errors.some((e) => e.kind === 'parse_error')) return 'does not parse';
  const kinds = [...new Set(v.errors.map((e) => e.kind))];
  return kinds.length ? `has errors: ${kinds.join(', ')}` : `not valid (score ${v.score.toFixed(2)})`;
}

export interface QueueContext {
  /** Samples by record index: manual pairs are made from them, and edits judged against them. */
  samples?: ReadonlyMap<number, Sample>;
  /** What the checker expects for a record; default expectationFor(samples.get(index)). */
  expectation?: (index: number) => Expectation | undefined;
}

/**
 * The review queue: every pair once (repeats by id dropped, first kept, order kept), then the
 * manual pairs of the live corrected annotations whose sample is in `samples` (annotation order).
 * Decisions about ids not in the list are ignored. An edit identical to the original continuation
 * reads as plain 'accepted'. A pair without a decision is 'pending', except a manual pair whose
 * chosen side the checker finds valid: 'accepted' (one whose chosen side fails stays pending, and
 * is flagged by chosenFails like any pair whose chosen side fails).
 */
export function reviewQueue(pairs: readonly PreferencePair[], state: ReviewState, ctx: QueueContext | ReadonlyMap<number, Sample> = {}): ReviewItem[] {
  const c: QueueContext = ctx instanceof Map ? { samples: ctx } : (ctx as QueueContext);
  const expOf = (index: number): Expectation | undefined => {
    const e = c.expectation?.(index);
    if (e) return e;
    const s = c.samples?.get(index);
    return s ? expectationFor(s) : undefined;
  };
  const out: ReviewItem[] = [];
  const seen = new Set<string>();
  const add = (original: PreferencePair, manual: boolean): void => {
    const id = pairId(original);
    if (seen.has(id)) return;
    seen.add(id);
    const d = state.decisions.get(id);
    let st: ReviewItemState = d?.state ?? (manual && original.chosen.verdict.valid ? 'accepted' : 'pending');
    let pair = original;
    let unchecked = false;
    if (st === 'edited' && d?.chosenText === original.chosen.text) st = 'accepted';
    else if (st === 'edited' && d?.chosenText !== undefined) {
      const exp = expOf(original.index);
      pair = editedPair(original, d.chosenText, exp);
      unchecked = !exp;
    }
    const item: ReviewItem = { id, pair, original, state: st, manual };
    if (unchecked) item.unchecked = true;
    if (st === 'rejected' && d?.reason !== undefined) item.reason = d.reason;
    if (st === 'rejected' && d?.comment !== undefined) item.comment = d.comment;
    const fails = chosenProblem(pair.chosen.verdict);
    if (fails) item.chosenFails = fails;
    out.push(item);
  };
  for (const p of pairs) add(p, p.manual !== undefined);
  for (const a of state.annotations) {
    const s = c.samples?.get(a.index);
    const p = s && a.correction !== undefined ? manualPair(a, s, expOf(a.index)) : undefined;
    if (p) add(p, true);
  }
  return out;
}

export function reviewCounts(items: readonly ReviewItem[]): Record<ReviewItemState | 'total', number> {
  const n = { pending: 0, accepted: 0, rejected: 0, edited: 0, skipped: 0, total: items.length };
  for (const it of items) n[it.state]++;
  return n;
}

/** The pairs to export: accepted and edited ones, edits applied (never pending, rejected or skipped ones). */
export function acceptedPairs(items: readonly ReviewItem[]): PreferencePair[] {
  return items.filter((it) => it.state === 'accepted' || it.state === 'edited').map((it) => it.pair);
}

export interface ReviewFilter {
  /** The rejected side's verdict has an error of this kind. */
  errorKind?: ErrorKind;
  /** Inclusive bounds on the pair's gap. */
  minGap?: number;
  maxGap?: number;
  /** The sample's calibration tier (needs tierOf). */
  tier?: Tier;
  state?: ReviewItemState;
  /** The fragment kind of the pair. */
  kind?: StepKind;
  round?: number;
  manual?: boolean;
}

const GAP_EPS = 1e-9;

export function matchesFilter(item: ReviewItem, f: ReviewFilter, tierOf?: (index: number) => Tier | undefined): boolean {
  const p = item.pair;
  if (f.errorKind !== undefined && !p.rejected.verdict.errors.some((e) => e.kind === f.errorKind)) return false;
  if (f.minGap !== undefined && p.gap < f.minGap - GAP_EPS) return false;
  if (f.maxGap !== undefined && p.gap > f.maxGap + GAP_EPS) return false;
  if (f.tier !== undefined) {
    if (!tierOf) throw new Error('filtering by tier needs tierOf (the calibration tiers of the samples)');
    if (tierOf(p.index) !== f.tier) return false;
  }
  if (f.state !== undefined && item.state !== f.state) return false;
  if (f.kind !== undefined && p.kind !== f.kind) return false;
  if (f.round !== undefined && p.round !== f.round) return false;
  if (f.manual !== undefined && item.manual !== f.manual) return false;
  return true;
}

/**
 * Whether deciding `state` (with `note`) would leave the item as it is: already in that state (a
 * rejection with the same reason and comment), or an edited one being accepted.
 */
export function decisionUnchanged(it: ReviewItem, state: DecisionState, note: DecisionNote = {}): boolean {
  if (state === 'accepted') return it.state === 'accepted' || it.state === 'edited';
  if (state === 'rejected') return it.state === 'rejected' && it.reason === note.reason && it.comment === note.comment;
  return it.state === state;
}

/**
 * Bulk accept / reject / skip / undo: one decision for every matching item that it would change
 * (decisionUnchanged items are left alone), all in one write and one fsync — the batch is
 * acknowledged as a whole. Returns the number of decisions written.
 */
export async function bulkDecide(
  journal: ReviewJournal,
  items: readonly ReviewItem[],
  filter: ReviewFilter,
  state: DecisionState,
  tierOf?: (index: number) => Tier | undefined,
): Promise<number> {
  const ids = items.filter((it) => matchesFilter(it, filter, tierOf) && !decisionUnchanged(it, state)).map((it) => it.id);
  if (ids.length) await journal.decideMany(ids, state);
  return ids.length;
}
