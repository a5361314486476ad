// Path exploration for a round (METHOD.md, step 2b/2c): the search over every selected sample, a
// few at a time over one policy (whose own in-flight limit bounds the requests), with each sample's
// tree and pairs journaled beside the dataset as soon as it finishes. A crash or a cancel loses at
// most the samples in flight; a rerun with the same dataset, model, round and knobs skips the
// samples already done. The pairs of the whole run are also written as JSON Lines to `out`.
import { mkdir, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Dataset } from '../dataset/dataset';
import { answerField, sampleKey } from '../dataset/sample';
import { datasetStamp, modelMetadataPath, sameDataset, type DatasetStamp } from '../dataset/metadata';
import type { Policy } from '../model/policy';
import { scrubUrlsIn } from '../model/openai/endpointUrl';
import { writeFileAtomic } from '../store/atomicWrite';
import { JournalWriter, readJournal } from '../store/journal';
import { DEFAULT_SEARCH_OPTIONS, searchSample, type SearchRunOptions } from './mcts';
import type { SearchOptions, SearchTree } from './types';
import { DEFAULT_PAIR_OPTIONS, extractPairs, mergePairs, type PairOptions } from './pairs';
import type { PreferencePair } from './types';

export interface ExploreHeader extends DatasetStamp {
  type: 'header';
  model: string;
  modelLabel: string;
  round: number;
  search: SearchOptions;
  pairs: PairOptions;
  createdAt: string;
}

export interface ExploreEntry {
  type: 'result';
  index: number;
  /** The answer within the record, when the record yields several samples (dataset/answers.ts). */
  answer?: number;
  id: string;
  tree: SearchTree;
  pairs: PreferencePair[];
}

/** A sample that could not be searched (unreadable, changed, template or policy failure): retried by a rerun. */
export interface ExploreSkip {
  type: 'skip';
  index: number;
  answer?: number;
  id?: string;
  reason: string;
}

type JournalEntry = ExploreHeader | ExploreEntry | ExploreSkip;

/**
 * Every pair of an exploration in record order (answer order within a record), one entry per
 * sample: the last of a sample's entries (a resumed run searched it again). The order the review
 * queue, an export and a round all take the pairs in.
 */
export function pairsInRecordOrder(entries: Iterable<ExploreEntry>): PreferencePair[] {
  const bySample = new Map<string, ExploreEntry>();
  for (const e of entries) bySample.set(sampleKey(e), e);
  return [...bySample.values()].sort((a, b) => a.index - b.index || (a.answer ?? -1) - (b.answer ?? -1)).flatMap((e) => e.pairs);
}

export interface ExploreProgress {
  /** Samples finished, resumed ones included, and the number to explore. */
  done: number;
  total: number;
  pairs: number;
  elapsedMs: number;
}

export interface ExploreOptions extends Partial<SearchOptions>, Partial<PairOptions> {
  round?: number;
  /** Samples searched at once (default 8). */
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (p: ExploreProgress) => void;
  /** Where to write the run's pairs as JSON Lines (atomically, at the end). */
  out?: string;
  reward?: SearchRunOptions['reward'];
  /** How calls are put in the prompt: the selection's (its calibration's) rendering. */
  calls?: SearchRunOptions['calls'];
}

export interface ExploreResult {
  path: string;
  header: ExploreHeader;
  /** One entry per explored sample, in the order of the targets. */
  entries: ExploreEntry[];
  skipped: ExploreSkip[];
  /** All pairs, in target order, repeats merged. */
  pairs: PreferencePair[];
  /** Entries that came from an earlier, interrupted run. */
  resumed: number;
  /**
   * Continuations the policy sampled over the entries' trees (SearchTree.samples summed); undefined
   * when a resumed tree was written before the count was kept.
   */
  samples?: number;
}

/** Where a model's exploration of a round is journaled: beside the dataset, keyed like calibration. */
export function explorePath(datasetPath: string, modelId: string, round: number): string {
  return modelMetadataPath(datasetPath, 'explore', modelId, `-r${round}.jsonl`);
}

function pick<T extends object>(defaults: Readonly<T>, o: Partial<T>): T {
  const out: T = { ...defaults };
  for (const k of Object.keys(defaults) as (keyof T)[]) if (o[k] !== undefined) out[k] = o[k] as T[keyof T];
  return out;
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

function isAbort(err: unknown, signal?: AbortSignal): boolean {
  return !!signal?.aborted || (err instanceof Error && err.name === 'AbortError');
}

/** Explore `targets` (the selected samples: record index, and id to make sure the record is still that sample). */
/** A sample to search: its record, its answer when the record yields several, and its id when known. */
export interface Target {
  index: number;
  answer?: number;
  id?: string;
}

export async function explore(ds: Dataset, policy: Policy, targets: readonly Target[], opts: ExploreOptions = {}): Promise<ExploreResult> {
  const started = Date.now();
  const round = opts.round ?? 1;
  const search = pick(DEFAULT_SEARCH_OPTIONS, opts);
  const pairOpts = pick(DEFAULT_PAIR_OPTIONS, opts);
  const path = explorePath(ds.path, policy.id, round);
  const previous = await readJournal<JournalEntry>(path);
  const old = previous.entries.find((e): e is ExploreHeader => e.type === 'header');
  // Trees from another file version or other knobs are not this run's: start afresh (the old
  // journal is replaced only once the new one has its header).
  const fresh = !old || !sameDataset(old, ds) || !sameJson(old.search, search);
  // The model as it may be stored and shown: an endpoint URL's credentials never (RemotePolicy's id
  // is scrubbed already; this holds for any policy, and for a header an older version wrote).
  const model = { model: scrubUrlsIn(fresh ? policy.id : old.model), modelLabel: scrubUrlsIn(fresh ? policy.label : old.modelLabel) };
  const header: ExploreHeader = fresh
    ? { type: 'header', ...model, round, ...datasetStamp(ds), search, pairs: pairOpts, createdAt: new Date().toISOString() }
    : { ...old, ...model, pairs: pairOpts };
  const done = new Map<string, ExploreEntry>();
  if (!fresh) for (const e of previous.entries) if (e.type === 'result') done.set(sampleKey(e), e);
  const resumed = done.size;
  const seen = new Set<string>();
  const list = targets.filter((t) => !seen.has(sampleKey(t)) && seen.add(sampleKey(t)));
  const todo = list.filter((t) => !done.has(sampleKey(t)));
  const skipped = new Map<string, ExploreSkip>();

  // Pairs are derived data: resumed trees are re-read with this run's pair thresholds when they differ.
  if (!fresh && !sameJson(old.pairs, pairOpts)) {
    for (const e of done.values()) {
      const r = await ds.sample(e.index, e.answer);
      if (r.ok) e.pairs = extractPairs(e.tree, r.sample, { ...pairOpts, round });
    }
  }

  const writer = await JournalWriter.open(fresh && previous.entries.length ? `${path}.new` : path);
  let writes = Promise.resolve();
  /** One append at a time, each made durable before the sample counts as done. */
  const record = (e: JournalEntry): Promise<void> => (writes = writes.then(async () => {
    await writer.append(e);
    await writer.sync();
  }));
  let pairCount = [...done.values()].reduce((s, e) => s + e.pairs.length, 0);
  const progress = (): void => opts.onProgress?.({ done: done.size, total: list.length, pairs: pairCount, elapsedMs: Date.now() - started });

  const one = async (t: Target): Promise<void> => {
    const skip = async (reason: string, id?: string): Promise<void> => {
      const s: ExploreSkip = { type: 'skip', index: t.index, ...answerField(t.answer), reason };
      if (id !== undefined) s.id = id;
      skipped.set(sampleKey(t), s);
      await record(s);
    };
    const r = await ds.sample(t.index, t.answer);
    if (!r.ok) return skip(r.reason, t.id);
    if (t.id !== undefined && r.sample.id !== t.id) return skip(`record ${t.index + 1} is now sample "${r.sample.id}", not "${t.id}" (the dataset changed since the selection)`, t.id);
    let tree: SearchTree;
    try {
      tree = await searchSample(policy, r.sample, { ...search, signal: opts.signal, reward: opts.reward, calls: opts.calls });
    } catch (err) {
      if (isAbort(err, opts.signal)) throw err;
      return skip(`search failed: ${err instanceof Error ? err.message : String(err)}`, r.sample.id);
    }
    const entry: ExploreEntry = { type: 'result', index: t.index, ...answerField(t.answer), id: r.sample.id, tree, pairs: extractPairs(tree, r.sample, { ...pairOpts, round }) };
    await record(entry);
    done.set(sampleKey(t), entry);
    pairCount += entry.pairs.length;
    progress();
  };

  try {
    if (fresh) await record(header);
    progress();
    let next = 0;
    let failed = false;
    const worker = async (): Promise<void> => {
      // A failure anywhere stops the others from starting new samples.
      while (!failed && next < todo.length) {
        try {
          opts.signal?.throwIfAborted();
          await one(todo[next++]);
        } catch (err) {
          failed = true;
          throw err;
        }
      }
    };
    // Every worker settles before this returns or throws, so nothing writes after the journal closes.
    const runs = await Promise.allSettled(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 8, todo.length)) }, worker));
    await writes;
    const rejected = runs.find((x): x is PromiseRejectedResult => x.status === 'rejected');
    if (rejected) throw rejected.reason;
  } finally {
    await writes.catch(() => undefined);
    await writer.close();
    if (fresh && previous.entries.length) await rename(`${path}.new`, path);
  }

  const entries = list.map((t) => done.get(sampleKey(t))).filter((e): e is ExploreEntry => e !== undefined);
  const pairs = mergePairs(entries.flatMap((e) => e.pairs));
  if (opts.out) {
    await mkdir(dirname(opts.out), { recursive: true });
    await writeFileAtomic(opts.out, pairs.map((p) => `${JSON.stringify(p)}\n`).join(''));
  }
  const samples = entries.every((e) => typeof e.tree.samples === 'number') ? entries.reduce((s, e) => s + e.tree.samples!, 0) : undefined;
  return { path, header, entries, skipped: [...skipped.values()], pairs, resumed, samples };
}
