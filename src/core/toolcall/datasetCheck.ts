// Checking a predictions file against an opened dataset: match each output row to its sample by
// id, judge it with the checker, and sum it up. One implementation for the panel, the text-editor
// diagnostics and `itool check DATASET`, so they always agree.
import type { Dataset, SampleResult } from '../dataset/dataset';
import { attachPossibleAnswers } from '../dataset/formats/bfcl';
import { answerField, answerId, sampleKey, type PossibleAnswer, type Sample } from '../dataset/sample';
import { bfclCategory, checkOutput, expectationFor, type BfclCategory, type Expectation } from './check/index';
import type { PredictionRow } from './predictions';
import { ERROR_KINDS, type ErrorKind, type Verdict } from './types';

export interface RowResult {
  row: PredictionRow;
  /** Record index of the sample with the row's id; undefined when the dataset has no such id. */
  index?: number;
  /** The answer within that record, when the record yields several samples (answers.ts). */
  answer?: number;
  verdict?: Verdict;
  /** What the sample expected (with `verdict`): the reward's parts read it. */
  expectation?: Expectation;
  /** Why the row could not be judged (no sample with its id, unreadable sample). */
  problem?: string;
}

export interface CheckTotals {
  rows: number;
  checked: number;
  valid: number;
  unmatched: number;
  /** Outputs with at least one error of each kind. */
  byKind: Record<ErrorKind, number>;
}

export function emptyTotals(): CheckTotals {
  return { rows: 0, checked: 0, valid: 0, unmatched: 0, byKind: Object.fromEntries(ERROR_KINDS.map((k) => [k, 0])) as Record<ErrorKind, number> };
}

export function addToTotals(t: CheckTotals, r: RowResult): void {
  t.rows++;
  if (!r.verdict) {
    t.unmatched++;
    return;
  }
  t.checked++;
  if (r.verdict.valid) t.valid++;
  // Each kind once per output (errors are few: a scan beats a Set).
  const errors = r.verdict.errors;
  for (let i = 0; i < errors.length; i++) {
    const k = errors[i].kind;
    let seen = false;
    for (let j = 0; j < i && !seen; j++) seen = errors[j].kind === k;
    if (!seen) t.byKind[k]++;
  }
}

/** Where a sample is: its record, and its answer when the record yields several samples. */
export interface SampleAt {
  index: number;
  answer?: number;
}

/**
 * Sample id → where it is, for the whole file (one pass; the first record wins for a repeated id).
 * Every sample a record yields has its own id (`ID#k` for a record with several answers), so
 * outputs for each answer of a conversation are judged against that answer. With `keep`, the
 * samples whose ids it accepts are kept in `samples` as the pass reads them, so that judging them
 * reads nothing again (one small file read per sample was most of a CLI run).
 */
export async function sampleIds(
  ds: Dataset,
  opts: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void; keep?: (id: string) => boolean; samples?: Map<string, Sample> } = {},
): Promise<Map<string, SampleAt>> {
  const ids = new Map<string, SampleAt>();
  const { keep, samples } = opts;
  const visit = (i: number, r: SampleResult): void => {
    if (!r.ok) return;
    for (const s of r.samples) {
      if (ids.has(s.id)) continue;
      ids.set(s.id, { index: i, ...answerField(s.answer) });
      if (samples && keep?.(s.id)) samples.set(s.id, s);
    }
  };
  await ds.scan((i, text) => ds.fromText(i, text).then((r) => visit(i, r)), opts);
  return ids;
}

/** Where a judge reads a sample it was not given: a Dataset, or one opened when first needed. */
export type SampleSource = Pick<Dataset, 'path' | 'sample'>;

export interface JudgeOptions {
  /** BFCL possible answers by id (`--answers`); they replace answers found beside the questions. */
  answers?: Map<string, PossibleAnswer[]>;
  /** BFCL category for every sample instead of the one read from each id. */
  category?: BfclCategory;
}

/**
 * Judges prediction rows against a dataset's samples (cached, so repeated ids read their sample
 * once). The one place that decides how a row is judged: the panel, the text-editor diagnostics,
 * `itool check` and the reward service all go through it.
 */
export class PredictionJudge {
  private readonly samples = new Map<string, Sample | string>();
  /** What each id's outputs are judged against, worked out at its first output: the rest reuse it. */
  private readonly prepared = new Map<string, Prepared>();

  /** `loaded`: samples by id already read (sampleIds' `samples`), judged without reading again. */
  constructor(
    private readonly ds: SampleSource,
    private readonly ids: Map<string, SampleAt>,
    private readonly opts: JudgeOptions = {},
    private readonly loaded?: Map<string, Sample>,
  ) {}

  async judge(row: PredictionRow): Promise<RowResult> {
    const now = this.judgeLoaded(row);
    if (now) return now;
    const { index, answer } = this.ids.get(row.id)!;
    const r = await this.ds.sample(index, answer);
    this.samples.set(sampleKey({ index, answer }), r.ok ? withAnswers(r.sample, this.opts.answers) : r.reason);
    return this.judgeLoaded(row)!;
  }

  /**
   * The row's result when its sample is at hand (loaded, or read before) or it has none; undefined
   * when the sample must be read first (`judge` does). Synchronous: the CLI and the reward
   * service judge thousands of rows a second through it without a promise each.
   */
  judgeLoaded(row: PredictionRow): RowResult | undefined {
    const p = this.prepared.get(row.id) ?? this.prepare(row.id);
    if (p === undefined) return undefined;
    if (typeof p === 'string') return { row, problem: p };
    const { index, answer } = p;
    if (p.expectation === undefined) return { row, index, answer, problem: p.problem };
    return { row, index, answer, verdict: checkOutput(row.output, p.expectation), expectation: p.expectation };
  }

  /**
   * What `id`'s outputs are judged against (kept for the id), why it has no sample (a string, not
   * kept: the reward service is sent any id), or undefined while its sample is unread.
   */
  private prepare(id: string): Prepared | undefined {
    const at = this.ids.get(id);
    if (at === undefined) {
      // A record id of a conversation with several answers names no one sample: say which ids do.
      if (this.ids.has(answerId(id, 0))) {
        let n = 1;
        while (this.ids.has(answerId(id, n))) n++;
        return `${JSON.stringify(id)} is a conversation with ${n} answers: give the output of each as ${answerId(id, 0)} … ${answerId(id, n - 1)}, or check with --turns last (its last answer)`;
      }
      return `no sample with id ${JSON.stringify(id)} in ${this.ds.path}`;
    }
    const { index, answer } = at;
    const key = sampleKey({ index, answer });
    let s = this.samples.get(key);
    if (s === undefined) {
      const pre = this.loaded?.get(id);
      if (!pre) return undefined;
      s = withAnswers(pre, this.opts.answers);
      this.samples.set(key, s);
    }
    const p: Prepared = typeof s === 'string' ? { index, answer, problem: s } : { index, answer, ...sampleExpectation(s, this.opts.category) };
    this.prepared.set(id, p);
    return p;
  }
}

/** An id's sample at hand: where it is, and its expectation or why it cannot judge; or why the id has no sample. */
type Prepared = string | ({ index: number; answer?: number } & ({ expectation: Expectation; problem?: undefined } | { expectation?: undefined; problem: string }));

/**
 * What a sample expects, or why it cannot judge an output. `category` overrides the BFCL category
 * read from the sample's id.
 */
export function sampleExpectation(s: Sample, category?: BfclCategory): { expectation: Expectation } | { problem: string } {
  const c = category ?? bfclCategory(s.id);
  if (s.format === 'bfcl' && !s.possibleAnswers && !s.acceptedTexts && c && !c.endsWith('irrelevance')) {
    // Without its answer a BFCL sample would read as "expects no call": say so instead of misjudging.
    return { problem: `no possible answer for ${JSON.stringify(s.id)} (give --answers A.json)` };
  }
  return { expectation: expectationFor(s, { category }) };
}

/**
 * One output against one sample: the verdict, or why the sample cannot judge it. `category`
 * overrides the BFCL category read from the sample's id.
 */
export function judgeSample(output: string, s: Sample, category?: BfclCategory): { verdict: Verdict; expectation: Expectation } | { problem: string } {
  const e = sampleExpectation(s, category);
  return 'problem' in e ? e : { verdict: checkOutput(output, e.expectation), expectation: e.expectation };
}

/** The sample as the check sees it: with the given BFCL answers when there are any. */
function withAnswers(s: Sample, answers: Map<string, PossibleAnswer[]> | undefined): Sample | string {
  if (!answers) return s;
  // Multi-turn, memory and web_search answers are per conversation, not per sample: they are read
  // with their questions (possible_answer/ beside them), never from --answers.
  if (s.bfclSource) return `--answers gives single-turn BFCL answers; the answers of ${JSON.stringify(s.recordId ?? s.id)} (${s.bfclSource.kind === 'multi_turn' ? 'multi-turn' : 'memory/web_search'}) are read from possible_answer/ beside its question file`;
  const gt = answers.get(s.id);
  if (gt) return attachPossibleAnswers(s, gt);
  // The given answer file is the truth: an answer that came from beside the questions does not count.
  if (!s.possibleAnswers) return s;
  const turns = s.referenceIndex === s.turns.length - 1 ? s.turns.slice(0, -1) : s.turns;
  return { ...s, turns, referenceIndex: -1, possibleAnswers: undefined };
}

/** Judge every row; results come back in input order. */
export async function checkPredictions(
  ds: Dataset,
  rows: readonly PredictionRow[],
  opts: JudgeOptions & { signal?: AbortSignal; onProgress?: (done: number, total: number) => void; ids?: Map<string, SampleAt> } = {},
): Promise<{ results: RowResult[]; totals: CheckTotals; ids: Map<string, SampleAt> }> {
  // Without given ids, the one pass that maps them also keeps the samples the rows name.
  const loaded = new Map<string, Sample>();
  const wanted = new Set(rows.map((r) => r.id));
  const ids = opts.ids ?? (await sampleIds(ds, { signal: opts.signal, keep: (id) => wanted.has(id), samples: loaded }));
  const judge = new PredictionJudge(ds, ids, opts, loaded);
  const results: RowResult[] = [];
  const totals = emptyTotals();
  for (let k = 0; k < rows.length; k++) {
    const result = judge.judgeLoaded(rows[k]) ?? (await judge.judge(rows[k]));
    results.push(result);
    addToTotals(totals, result);
    if (k % 2000 === 1999) {
      opts.signal?.throwIfAborted();
      opts.onProgress?.(k + 1, rows.length);
      // Let the host (the extension's UI) breathe between slices of a long synchronous run.
      await new Promise((r) => setImmediate(r));
    }
  }
  opts.onProgress?.(rows.length, rows.length);
  return { results, totals, ids };
}
