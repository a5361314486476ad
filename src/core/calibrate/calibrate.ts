// Dynamic deficiency calibration (METHOD.md, step 2a): the perplexity of every sample's reference
// answer under the current policy, over the answer's tokens only (prompt masked, the model's own
// chat template applied):  PPL = exp(-(1/|y*|) · Σ log p(y*_t | prompt, y*_<t)).
// Results are journaled beside the dataset as they are computed, keyed by model identity and round,
// so a crash or a cancel loses at most the batch in flight and a rerun resumes where it stopped.
// Nothing a policy answers is stored unchecked: a logprob that is not finite or above 0 skips the
// sample ('invalid-logprobs'), and a journal result without a possible PPL (written by an older
// version) is not trusted on resume but scored again.
import { rename } from 'node:fs/promises';
import type { Dataset } from '../dataset/dataset';
import { datasetStamp, modelMetadataPath, sameDataset, type DatasetStamp } from '../dataset/metadata';
import { impossibleLogprob, LOGPROB_TOLERANCE, PolicyError, type Policy, type ScoreRequest, type ScoreResult } from '../model/policy';
import { JournalWriter, readJournal } from '../store/journal';
import { scrubUrlsIn } from '../model/openai/endpointUrl';
import { ScoreSkip, scoreRequestFor, type ScoredPrompt } from '../model/prompt';
import type { CallRenderingSetting } from '../model/callRendering';
import type { TurnsMode } from '../dataset/answers';
import { answerField, sampleKey } from '../dataset/sample';

export interface CalibrationEntry {
  type: 'result';
  index: number;
  /** The answer within the record, when the record yields several samples (dataset/answers.ts). */
  answer?: number;
  id: string;
  group: 'calls' | 'text';
  /**
   * Perplexity of the reference answer (finite, at least 1). Null only in journals of older
   * versions (an answer whose logprobs were -Infinity); such results are scored again on resume.
   */
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
  /** The call rendering asked for (absent in journals from before it existed: 'auto'). */
  calls?: CallRenderingSetting;
  /** Which answers were samples (absent in journals from before answers were samples: 'last'). */
  turns?: TurnsMode;
}

/** A sample that could not be scored (unreadable record, template failure): listed, not fatal. */
export interface CalibrationSkip {
  type: 'skip';
  index: number;
  answer?: number;
  id?: string;
  /**
   * The class of reason: a ScoreSkip kind, 'unreadable' (the record), 'score-failed' (the policy
   * refused it) or 'invalid-logprobs' (the policy answered logprobs no model gives, even when asked again).
   */
  kind?: string;
  reason: string;
}

/**
 * A run that scored nothing, or skipped more than `maxSkipShare` of what it tried: its selection
 * would be built from the rest in silence, so it ends with this error instead (the journal keeps
 * what was scored).
 */
export class CalibrationRefused extends PolicyError {
  constructor(message: string, readonly result: CalibrationResult) {
    super(message);
    this.name = 'CalibrationRefused';
  }
}

/** Skips counted by kind, most frequent first: "template-failed 20, drops-calls 3". */
export function skipCounts(skipped: readonly Pick<CalibrationSkip, 'kind'>[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const s of skipped) counts.set(s.kind ?? 'other', (counts.get(s.kind ?? 'other') ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]);
}

export function skipSummary(skipped: readonly Pick<CalibrationSkip, 'kind'>[]): string {
  return skipCounts(skipped).map(([k, n]) => `${k} ${n}`).join(', ');
}

/** Default share of samples a run may skip before it refuses to go on to a selection. */
export const MAX_SKIP_SHARE = 0.05;

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
  /** How calls are put in the prompt and answer (model/callRendering.ts); 'auto' by the dataset's format. */
  calls?: CallRenderingSetting;
  /** Largest share of samples with a reference that may be skipped before the run ends with CalibrationRefused. */
  maxSkipShare?: number;
}

/** Why a scored answer cannot be stored (a logprob not finite or above 0, no tokens), or undefined. */
export function invalidScore(tokens: ScoreResult['tokens']): string | undefined {
  if (tokens.length === 0) return 'the policy scored no token of the answer';
  const bad = impossibleLogprob(tokens);
  return bad && `the policy's answer is impossible: ${bad}`;
}

/** A journal result whose PPL is one a model can give: a number, finite, at least 1 (within rounding). */
export function trustedResult(e: CalibrationEntry): boolean {
  return typeof e.ppl === 'number' && Number.isFinite(e.ppl) && e.ppl >= Math.exp(-LOGPROB_TOLERANCE);
}

/** A policy error about the backend itself (a rejected key, a server failing every request): the run stops. */
function fatal(err: unknown): boolean {
  return err instanceof PolicyError && (err as PolicyError & { fatal?: unknown }).fatal === true;
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
  const byKey = new Map<string, CalibrationEntry>();
  const skipped = new Map<string, CalibrationSkip>();
  for (const e of all) {
    // A result without a possible PPL (older versions stored -Infinity logprobs as null) is not one.
    if (e.type === 'result' && trustedResult(e)) byKey.set(sampleKey(e), e);
    else if (e.type === 'skip') skipped.set(sampleKey(e), e);
  }
  const entries = [...byKey.values()].sort((a, b) => a.index - b.index || (a.answer ?? -1) - (b.answer ?? -1));
  return { path, header, entries, skipped: [...skipped.entries()].filter(([k]) => !byKey.has(k)).map(([, s]) => s), noReference, resumed };
}

export async function calibrate(ds: Dataset, policy: Policy, opts: CalibrateOptions = {}): Promise<CalibrationResult> {
  const round = opts.round ?? 1;
  const batch = Math.max(1, opts.batch ?? 16);
  const path = calibrationPath(ds.path, policy.id, round);
  const previous = await readJournal<JournalEntry>(path);
  let header = previous.entries.find((e): e is CalibrationHeader => e.type === 'header');
  // A journal for another version of the file (or none) starts fresh: its offsets mean nothing now.
  const calls = opts.calls ?? 'auto';
  // Another call rendering scores other text: its numbers are not comparable, so start fresh.
  // So do other samples: a journal of last answers only says nothing of the others.
  const fresh = !header || !sameDataset(header, ds) || (header.calls ?? 'auto') !== calls || (header.turns ?? 'last') !== ds.turns;
  const trusted = fresh ? [] : previous.entries.filter((e): e is CalibrationEntry => e.type === 'result' && trustedResult(e));
  const done = new Set<string>(trusted.map(sampleKey));
  const resumed = done.size;
  const writer = await JournalWriter.open(fresh && previous.entries.length ? `${path}.new` : path);
  const all: JournalEntry[] = fresh ? [] : [...previous.entries];
  try {
    if (fresh) {
      header = {
        type: 'header',
        // A policy's id and label show no credentials (RemotePolicy scrubs its URL); whatever the policy, none is stored.
        model: scrubUrlsIn(policy.id),
        modelLabel: scrubUrlsIn(policy.label),
        round,
        ...datasetStamp(ds),
        createdAt: new Date().toISOString(),
        calls,
        turns: ds.turns,
      };
      await writer.append(header);
      all.push(header);
    }
    // Work list: every readable sample with a reference answer not yet scored.
    let noReference = 0;
    const todo: { index: number; answer?: number }[] = [];
    const skips: CalibrationSkip[] = [];
    await ds.scan((i, text) =>
      ds.fromText(i, text).then((r) => {
        if (!r.ok) return void skips.push({ type: 'skip', index: i, kind: 'unreadable', reason: r.reason });
        for (const s of r.samples) {
          if (s.referenceIndex < 0) noReference++;
          else if (!done.has(sampleKey({ index: i, answer: s.answer }))) todo.push({ index: i, answer: s.answer });
        }
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
      const reqs: { index: number; answer?: number; id: string; req: ScoredPrompt }[] = [];
      for (const { index: i, answer } of chunk) {
        const r = await ds.sample(i, answer);
        if (!r.ok) continue;
        try {
          const req = await scoreRequestFor(policy, r.sample, { calls });
          if (req) reqs.push({ index: i, answer, id: r.sample.id, req });
        } catch (err) {
          // A reason that belongs to this sample skips it; anything else (no template configured) stops the run.
          if (!(err instanceof ScoreSkip)) throw err;
          const skip: CalibrationSkip = { type: 'skip', index: i, ...answerField(answer), id: r.sample.id, kind: err.kind, reason: err.message };
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
          const kind = (sc as Error & { kind?: unknown }).kind === 'invalid-logprobs' ? 'invalid-logprobs' : 'score-failed';
          const skip: CalibrationSkip = { type: 'skip', index: r.index, ...answerField(r.answer), id: r.id, kind, reason: sc.message };
          await writer.append(skip);
          all.push(skip);
          continue;
        }
        // Checked whatever the policy: an impossible logprob would store a wrong (or null) PPL.
        const invalid = invalidScore(sc.tokens);
        if (invalid) {
          const skip: CalibrationSkip = { type: 'skip', index: r.index, ...answerField(r.answer), id: r.id, kind: 'invalid-logprobs', reason: invalid };
          await writer.append(skip);
          all.push(skip);
          continue;
        }
        results.push({ type: 'result', index: r.index, ...answerField(r.answer), id: r.id, group: r.req.group, ppl: perplexity(sc.tokens.map((t) => t.logprob)), tokens: sc.tokens.length });
      }
      await writer.append(...results);
      await writer.sync();
      all.push(...results);
      for (const r of results) done.add(sampleKey(r));
      opts.onProgress?.(done.size, total);
    }
    const result = collect(path, header!, all, noReference, resumed);
    refuseIfMostlySkipped(result, opts.maxSkipShare ?? MAX_SKIP_SHARE);
    return result;
  } finally {
    await writer.close();
    if (fresh && previous.entries.length) {
      // Replace the stale journal only now that the new one holds a header.
      await rename(`${path}.new`, path);
    }
  }
}

/**
 * Why a calibration must not become a selection — nothing scored, or more than `maxShare` of the
 * samples it should have scored skipped — or undefined when it may. The panel asks the same of a
 * journal it reopens.
 */
export function refusalOf(result: Pick<CalibrationResult, 'entries' | 'skipped'>, maxShare = MAX_SKIP_SHARE): string | undefined {
  // Unreadable records are the dataset's own problem, reported by inspect and the panel; the share
  // counts the samples this run should have scored.
  const skipped = result.skipped.filter((s) => s.kind !== 'unreadable');
  const tried = result.entries.length + skipped.length;
  if (tried === 0 || skipped.length === 0) return undefined;
  if (result.entries.length > 0 && skipped.length / tried <= maxShare) return undefined;
  const first = skipped[0];
  return (
    `${result.entries.length} samples scored, ${skipped.length} of ${tried} skipped (${skipSummary(skipped)})` +
    `${result.entries.length > 0 ? `, more than the ${(maxShare * 100).toFixed(0)}% a run may skip` : ''}: ` +
    `e.g. sample ${first.id ?? first.index + 1}: ${first.reason}`
  );
}

/** Throws CalibrationRefused when refusalOf says so. */
function refuseIfMostlySkipped(result: CalibrationResult, maxShare: number): void {
  const why = refusalOf(result, maxShare);
  if (why) throw new CalibrationRefused(why, result);
}

/**
 * Score a batch; when the policy refuses it (PolicyError: e.g. one prompt longer than the model's
 * context), score each request alone so the refusal lands on the sample that caused it.
 */
async function scoreEach(policy: Policy, reqs: ScoreRequest[], signal: AbortSignal | undefined): Promise<(ScoreResult | Error)[]> {
  try {
    return await policy.score(reqs, { signal });
  } catch (err) {
    // The backend itself failing (a rejected key, a server failing every request) stops the run:
    // the journal keeps what was scored, and no sample is skipped for it.
    if (!(err instanceof PolicyError) || signal?.aborted || reqs.length === 0 || fatal(err)) throw err;
    // A batch of one has had its answer.
    if (reqs.length === 1) return [err];
  }
  const out: (ScoreResult | Error)[] = [];
  for (const r of reqs) {
    try {
      out.push((await policy.score([r], { signal }))[0]);
    } catch (err) {
      if (!(err instanceof PolicyError) || signal?.aborted || fatal(err)) throw err;
      out.push(err);
    }
  }
  return out;
}
