// Which pairs a round trains on, decided in one place for the panel, the round service, `itool
// export` and `itool round start`: the search's pairs (the newest exploration journal beside the
// dataset, or a pairs file) and the hand-made pairs of corrected marks, each in the state the
// review journal gives it (DATASET.itool/review/review.jsonl, pairs/reviewQueue.ts). A round
// trains on the accepted and edited ones, edits applied; pending, rejected and skipped pairs are
// left out and counted, so every caller can say how many were left out and why.
import { Dataset } from '../dataset/dataset';
import { newestJournal } from '../dataset/metadata';
import type { Sample } from '../dataset/sample';
import { samplesForPairs, type ExportPair, type SkippedRecord } from '../pairs/export/index';
import { pairId, type ReviewDamage, type ReviewItemState, type ReviewState } from '../pairs/reviewEntries';
import { readReview } from '../pairs/reviewJournal';
import { reviewCounts, reviewQueue, type ReviewItem } from '../pairs/reviewQueue';
import { pairsInRecordOrder, type ExploreEntry, type ExploreHeader, type ExploreSkip } from '../search/explore';
import type { PreferencePair } from '../search/types';

/** Which pairs to take: `accepted` (accepted and edited, edits applied: what a round trains on), every pair, or those in one state. */
export type PairStateFilter = 'accepted' | 'all' | 'pending' | 'rejected' | 'skipped';
export const PAIR_STATE_FILTERS: readonly PairStateFilter[] = ['accepted', 'all', 'pending', 'rejected', 'skipped'];

/** The review states a filter keeps. */
export function statesOf(filter: PairStateFilter): readonly ReviewItemState[] {
  if (filter === 'accepted') return ['accepted', 'edited'];
  if (filter === 'all') return ['pending', 'accepted', 'edited', 'rejected', 'skipped'];
  return [filter];
}

/** The review queue's counts by state (pairs/reviewQueue.ts reviewCounts). */
export type PairCounts = Record<ReviewItemState | 'total', number>;

/** The items a filter keeps, in queue order, and what it left out by state. Pure. */
export function pickReviewed(items: readonly ReviewItem[], state: PairStateFilter = 'accepted'): { picked: ReviewItem[]; counts: PairCounts; leftOut: Partial<Record<ReviewItemState, number>>; manual: number } {
  const keep = new Set(statesOf(state));
  const picked: ReviewItem[] = [];
  const leftOut: Partial<Record<ReviewItemState, number>> = {};
  for (const it of items) {
    if (keep.has(it.state)) picked.push(it);
    else leftOut[it.state] = (leftOut[it.state] ?? 0) + 1;
  }
  return { picked, counts: reviewCounts(items), leftOut, manual: picked.filter((it) => it.manual).length };
}

/** "3 pending, 2 rejected" of what a filter left out, or '' when it left nothing out. */
export function leftOutText(leftOut: Partial<Record<ReviewItemState, number>>): string {
  return (['pending', 'rejected', 'skipped', 'accepted', 'edited'] as const)
    .filter((s) => leftOut[s])
    .map((s) => `${leftOut[s]} ${s}`)
    .join(', ');
}

export interface TrainedPairsOptions {
  /** Default 'accepted'. */
  state?: PairStateFilter;
  /**
   * The search's pairs (a pairs file's, in its order; a pair listed twice is taken twice, as the
   * file says). Default: the newest exploration journal beside the dataset that matches this
   * version of the file, every result's pairs in record order.
   */
  pairs?: readonly PreferencePair[];
  /**
   * An already-built review queue (a panel's): then neither the exploration nor the review journal
   * is read, and `pairs` and `manual` are not used.
   */
  items?: readonly ReviewItem[];
  /** Samples already read, by record index (a panel's); the ones missing are read and added. */
  samples?: Map<number, Sample>;
  /** The hand-made pairs of corrected marks in the review journal (default true). */
  manual?: boolean;
}

export interface TrainedPairs {
  state: PairStateFilter;
  /** The pairs taken, each with its sample (pair.chosen carries the reviewer's edit): what an export takes. */
  pairs: ExportPair[];
  /** The whole queue's counts by state (the pairs looked at, the hand-made ones included). */
  counts: PairCounts;
  /** Hand-made pairs among the ones taken. */
  manual: number;
  /** Pairs left out by the filter, by review state. */
  leftOut: Partial<Record<ReviewItemState, number>>;
  /** Pairs taken whose sample is not in the dataset (any more), with the reason: not in `pairs`. */
  skipped: SkippedRecord[];
  /** The exploration journal the search's pairs came from, when it was read. */
  explore?: { path: string; header: ExploreHeader };
  /** Review journal lines that could not be read (skipped): say them, never drop them silently. */
  damaged: ReviewDamage[];
  /** The samples read, by record index (a panel keeps them). */
  samples: Map<number, Sample>;
}

/** Every pair of the newest exploration journal of `ds`, in record order (answer order within a record). */
export async function explorePairs(ds: Dataset): Promise<{ pairs: PreferencePair[]; path: string; header: ExploreHeader } | undefined> {
  const found = await newestJournal<ExploreHeader, ExploreEntry | ExploreSkip>(ds, 'explore');
  if (!found) return undefined;
  const results = found.entries.filter((e): e is ExploreEntry => e.type === 'result');
  return { pairs: pairsInRecordOrder(results), path: found.path, header: found.header };
}

/**
 * The pairs a round trains on (by default) or an export takes, with their samples and the counts
 * that say what was left out. `dataset`: a path (opened and closed here) or an open Dataset (left
 * open). Give `items` (and `samples`) to decide over a queue already loaded, as a panel holds it;
 * otherwise the pairs (`pairs`, or the newest exploration journal) and the review journal are read.
 */
export async function trainedPairs(dataset: string | Dataset, opts: TrainedPairsOptions = {}): Promise<TrainedPairs> {
  const ds = typeof dataset === 'string' ? await Dataset.open(dataset) : dataset;
  try {
    return await decide(ds, opts);
  } finally {
    if (typeof dataset === 'string') await ds.close();
  }
}

async function decide(ds: Dataset, opts: TrainedPairsOptions): Promise<TrainedPairs> {
  const state = opts.state ?? 'accepted';
  if (!PAIR_STATE_FILTERS.includes(state)) throw new Error(`the pair state must be one of ${PAIR_STATE_FILTERS.join(', ')}, not ${JSON.stringify(state)}`);
  const samples = opts.samples ?? new Map<number, Sample>();
  let explore: TrainedPairs['explore'];
  let damaged: ReviewDamage[] = [];
  let sequence: readonly ReviewItem[];
  if (opts.items) {
    sequence = opts.items;
  } else {
    let pairs = opts.pairs;
    if (!pairs) {
      const found = await explorePairs(ds);
      if (found) explore = { path: found.path, header: found.header };
      pairs = found?.pairs ?? [];
    }
    const read: ReviewState = await readReview(ds.path);
    damaged = read.damaged;
    const review: ReviewState = opts.manual === false ? { ...read, annotations: [] } : read;
    // The queue's samples as a panel reads them: each record's sample, for hand-made pairs and for judging edits.
    for (const i of new Set([...pairs.map((p) => p.index), ...review.annotations.map((a) => a.index)])) {
      if (!Number.isInteger(i) || i < 0 || i >= ds.count || samples.has(i)) continue;
      const r = await ds.sample(i);
      if (r.ok) samples.set(i, r.sample);
    }
    const items = reviewQueue(pairs, review, { samples });
    const byId = new Map(items.map((it) => [it.id, it]));
    const given = pairs.map((p) => byId.get(pairId(p))!);
    const ids = new Set(given.map((it) => it.id));
    sequence = [...given, ...items.filter((it) => !ids.has(it.id))];
  }
  const { picked, counts, leftOut, manual } = pickReviewed(sequence, state);
  // Each pair's own sample: the queue's when its id matches, else looked up by id (another answer of the record, a moved record).
  const out: (ExportPair | undefined)[] = picked.map((it) => {
    const s = samples.get(it.pair.index);
    return s && s.id === it.pair.sampleId ? { pair: it.pair, sample: s } : undefined;
  });
  const missing = picked.filter((_, k) => !out[k]).map((it) => it.pair);
  const looked = missing.length ? await samplesForPairs(ds, missing) : { found: [], skipped: [] };
  const found = new Map(looked.found.map((f) => [f.pair, f]));
  const result = out.flatMap((x, k) => (x ? [x] : found.has(picked[k].pair) ? [found.get(picked[k].pair)!] : []));
  return { state, pairs: result, counts, manual, leftOut, skipped: looked.skipped, ...(explore ? { explore } : {}), damaged, samples };
}
