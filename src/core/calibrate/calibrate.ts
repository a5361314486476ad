// Dynamic deficiency calibration (METHOD.md, step 2a): the perplexity of every sample's reference
// answer under the current policy, over the answer's tokens only (prompt masked, the model's own
// chat template applied):  PPL = exp(-(1/|y*|) · Σ log p(y*_t | prompt, y*_<t)).
// Results are journaled beside the dataset as they are computed, keyed by model identity and round,
// so a crash or a cancel loses at most the batch in flight and a rerun resumes where it stopped.
import { rename } from 'node:fs/promises';
import type { Dataset } from '../dataset/dataset';
import { datasetStamp, modelMetadataPath, sameDataset, type DatasetStamp } from '../dataset/metadata';
import { PolicyError, type Policy, type ScoreRequest, type ScoreResult } from '../model/policy';
import { JournalWriter, readJournal } from '../store/journal';
import { scoreRequestFor, type ScoredPrompt } from './prompts';

export interface CalibrationEntry {
  type: 'result';
  index: number;
  id: string;
  group: 'calls' | 'text';
  /** Perplexity of the reference answer; null when it has no scorable tokens. */
  ppl: number | null;
  /** Number of response tokens scored. */
  tokens: number;
}

export interface CalibrationHeader extends DatasetStamp {
  type: 'header';
  model: string;
  modelLabel: string;
  round: number;
  createdAt: string;
}

/** A sample that could not be scored (unreadable record, template failure): listed, not fatal. */
export interface CalibrationSkip {
  type: 'skip';
  index: number;
  id?: string;
  reason: string;
}

type JournalEntry = CalibrationHeader | CalibrationEntry | CalibrationSkip;

export function calibrationPath(datasetPath: string, modelId: string, round: number): string {
  return modelMetadataPath(datasetPath, 'calibration', modelId, `-r${round}.jsonl`);
}

export interface CalibrationResult {
  path: string;
  header: CalibrationHeader;
  entries: CalibrationEntry[];
  skipped: CalibrationSkip[];
  /** Samples without a reference answer (nothing to score). */
  noReference: number;
  /** Entries that came from an earlier, interrupted run. */
  resumed: number;
}

export interface CalibrateOptions {
  round?: number;
  /** Requests per score() call (the backend batches inside). */
  batch?: number;
  signal?: AbortSignal;
  /** Called after each batch: samples done (including resumed ones) and the total to score. */
  onProgress?: (done: number, total: number) => void;
}

export function perplexity(logprobs: readonly number[]): number | null {
  if (logprobs.length === 0) return null;
  let sum = 0;
  for (const lp of logprobs) sum += lp;
  return Math.exp(-sum / logprobs.length);
}

/** Read what an earlier run of this model and round recorded, if the dataset is unchanged. */
export async function loadCalibration(ds: Dataset, modelId: string, round: number): Promise<CalibrationResult | undefined> {
  const path = calibrationPath(ds.path, modelId, round);
  const { entries } = await readJournal<JournalEntry>(path);
  const header = entries.find((e): e is CalibrationHeader => e.type === 'header');
  if (!header || !sameDataset(header, ds)) return undefined;
  return collect(path, header, entries, 0, 0);
}

function collect(path: string, header: CalibrationHeader, all: JournalEntry[], noReference: number, resumed: number): CalibrationResult {
  const byIndex = new Map<number, CalibrationEntry>();
  const skipped = new Map<number, CalibrationSkip>();
  for (const e of all) {
    if (e.type === 'result') byIndex.set(e.index, e);
    else if (e.type === 'skip') skipped.set(e.index, e);
  }
  const entries = [...byIndex.values()].sort((a, b) => a.index - b.index);
  return { path, header, entries, skipped: [...skipped.values()].filter((s) => !byIndex.has(s.index)), noReference, resumed };
}

export async function calibrate(ds: Dataset, policy: Policy, opts: CalibrateOptions = {}): Promise<CalibrationResult> {
  const round = opts.round ?? 1;
  const batch = Math.max(1, opts.batch ?? 16);
  const path = calibrationPath(ds.path, policy.id, round);
  const previous = await readJournal<JournalEntry>(path);
  let header = previous.entries.find((e): e is CalibrationHeader => e.type === 'header');
  // A journal for another version of the file (or none) starts fresh: its offsets mean nothing now.
  const fresh = !header || !sameDataset(header, ds);
  const done = new Set<number>(fresh ? [] : previous.entries.filter((e) => e.type === 'result').map((e) => (e as CalibrationEntry).index));
  const writer = await JournalWriter.open(fresh && previous.entries.length ? `${path}.new` : path);
  const all: JournalEntry[] = fresh ? [] : [...previous.entries];
  try {
    if (fresh) {
      header = {
        type: 'header',
        model: policy.id,
        modelLabel: policy.label,
        round,
        ...datasetStamp(ds),
        createdAt: new Date().toISOString(),
      };
      await writer.append(header);
      all.push(header);
    }
    // Work list: every readable sample with a reference answer not yet scored.
    let noReference = 0;
    const todo: number[] = [];
    const skips: CalibrationSkip[] = [];
    await ds.scan((i, text) =>
      ds.fromText(i, text).then((r) => {
        if (!r.ok) skips.push({ type: 'skip', index: i, reason: r.reason });
        else if (r.sample.referenceIndex < 0) noReference++;
        else if (!done.has(i)) todo.push(i);
      }),
      { signal: opts.signal },
    );
    if (skips.length) {
      await writer.append(...skips);
      all.push(...skips);
    }
    const total = todo.length + done.size;
    opts.onProgress?.(done.size, total);
    for (let k = 0; k < todo.length; k += batch) {
      opts.signal?.throwIfAborted();
      const chunk = todo.slice(k, k + batch);
      const reqs: { index: number; id: string; req: ScoredPrompt }[] = [];
      for (const i of chunk) {
        const r = await ds.sample(i);
        if (!r.ok) continue;
        try {
          const req = await scoreRequestFor(policy, r.sample);
          if (req) reqs.push({ index: i, id: r.sample.id, req });
        } catch (err) {
          const skip: CalibrationSkip = { type: 'skip', index: i, reason: `chat template failed: ${err instanceof Error ? err.message : String(err)}` };
          await writer.append(skip);
          all.push(skip);
        }
      }
      const scored = await scoreEach(policy, reqs.map((r) => ({ prompt: r.req.prompt, response: r.req.response })), opts.signal);
      const results: CalibrationEntry[] = [];
      for (const [j, r] of reqs.entries()) {
        const sc = scored[j];
        if (sc instanceof Error) {
          // One sample the model cannot take (longer than its context) must not stop the others.
          const skip: CalibrationSkip = { type: 'skip', index: r.index, id: r.id, reason: sc.message };
          await writer.append(skip);
          all.push(skip);
          continue;
        }
        results.push({ type: 'result', index: r.index, id: r.id, group: r.req.group, ppl: perplexity(sc.tokens.map((t) => t.logprob)), tokens: sc.tokens.length });
      }
      await writer.append(...results);
      await writer.sync();
      all.push(...results);
      for (const r of results) done.add(r.index);
      opts.onProgress?.(done.size, total);
    }
    return collect(path, header!, all, noReference, fresh ? 0 : previous.entries.filter((e) => e.type === 'result').length);
  } finally {
    await writer.close();
    if (fresh && previous.entries.length) {
      // Replace the stale journal only now that the new one holds a header.
      await rename(`${path}.new`, path);
    }
  }
}

/**
 * Score a batch; when the policy refuses it (PolicyError: e.g. one prompt longer than the model's
 * context), score each request alone so the refusal lands on the sample that caused it.
 */
async function scoreEach(policy: Policy, reqs: ScoreRequest[], signal: AbortSignal | undefined): Promise<(ScoreResult | Error)[]> {
  try {
    return await policy.score(reqs, { signal });
  } catch (err) {
    if (!(err instanceof PolicyError) || signal?.aborted || reqs.length === 0) throw err;
  }
  const out: (ScoreResult | Error)[] = [];
  for (const r of reqs) {
    try {
      out.push((await policy.score([r], { signal }))[0]);
    } catch (err) {
      if (!(err instanceof PolicyError) || signal?.aborted) throw err;
      out.push(err);
    }
  }
  return out;
}
