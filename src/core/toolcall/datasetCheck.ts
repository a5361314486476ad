// Checking a predictions file against an opened dataset: match each output row to its sample by
// id, judge it with the checker, and sum it up. One implementation for the panel, the text-editor
// diagnostics and `itool check DATASET`, so they always agree.
import type { Dataset } from '../dataset/dataset';
import { attachPossibleAnswers } from '../dataset/formats/bfcl';
import { answerId, sampleKey, type PossibleAnswer, type Sample } from '../dataset/sample';
import { bfclCategory, checkOutput, expectationFor, type BfclCategory } from './check/index';
import type { PredictionRow } from './predictions';
import { ERROR_KINDS, type ErrorKind, type Verdict } from './types';

export interface RowResult {
  row: PredictionRow;
  /** Record index of the sample with the row's id; undefined when the dataset has no such id. */
  index?: number;
  /** The answer within that record, when the record yields several samples (answers.ts). */
  answer?: number;
  verdict?: Verdict;
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
  for (const k of new Set(r.verdict.errors.map((e) => e.kind))) t.byKind[k]++;
}

/** Where a sample is: its record, and its answer when the record yields several samples. */
export interface SampleAt {
  index: number;
  answer?: number;
}

/**
 * Sample id → where it is, for the whole file (one pass; the first record wins for a repeated id).
 * Every sample a record yields has its own id (`ID#k` for a record with several answers), so
 * outputs for each answer of a conversation are judged against that answer.
 */
export async function sampleIds(ds: Dataset, opts: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {}): Promise<Map<string, SampleAt>> {
  const ids = new Map<string, SampleAt>();
  await ds.scan(
    (i, text) =>
      ds.fromText(i, text).then((r) => {
        if (!r.ok) return;
        for (const s of r.samples) if (!ids.has(s.id)) ids.set(s.id, s.answer === undefined ? { index: i } : { index: i, answer: s.answer });
      }),
    opts,
  );
  return ids;
}

export interface JudgeOptions {
  /** BFCL possible answers by id (`--answers`); they replace answers found beside the questions. */
  answers?: Map<string, PossibleAnswer[]>;
  /** BFCL category for every sample instead of the one read from each id. */
  category?: BfclCategory;
}

/**
 * Judges prediction rows against a dataset's samples (cached, so repeated ids read their sample
 * once). The one place that decides how a row is judged: the panel, the text-editor diagnostics
 * and `itool check` all go through it.
 */
export class PredictionJudge {
  private readonly samples = new Map<string, Sample | string>();

  constructor(
    private readonly ds: Dataset,
    private readonly ids: Map<string, SampleAt>,
    private readonly opts: JudgeOptions = {},
  ) {}

  async judge(row: PredictionRow): Promise<RowResult> {
    const at = this.ids.get(row.id);
    if (at === undefined) {
      // A record id of a conversation with several answers names no one sample: say which ids do.
      if (this.ids.has(answerId(row.id, 0))) {
        let n = 1;
        while (this.ids.has(answerId(row.id, n))) n++;
        return { row, problem: `${JSON.stringify(row.id)} is a conversation with ${n} answers: give the output of each as ${answerId(row.id, 0)} … ${answerId(row.id, n - 1)}, or check with --turns last (its last answer)` };
      }
      return { row, problem: `no sample with id ${JSON.stringify(row.id)} in ${this.ds.path}` };
    }
    const { index, answer } = at;
    const key = sampleKey(index, answer);
    let s = this.samples.get(key);
    if (s === undefined) {
      const r = await this.ds.sample(index, answer);
      s = r.ok ? withAnswers(r.sample, this.opts.answers) : r.reason;
      this.samples.set(key, s);
    }
    if (typeof s === 'string') return { row, index, answer, problem: s };
    const category = this.opts.category ?? bfclCategory(s.id);
    if (s.format === 'bfcl' && !s.possibleAnswers && !s.acceptedTexts && category && !category.endsWith('irrelevance')) {
      // Without its answer a BFCL sample would read as "expects no call": say so instead of misjudging.
      return { row, index, answer, problem: `no possible answer for ${JSON.stringify(s.id)} (give --answers A.json)` };
    }
    return { row, index, answer, verdict: checkOutput(row.output, expectationFor(s, { category: this.opts.category })) };
  }
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
): Promise<{ results: RowResult[]; totals: CheckTotals }> {
  const ids = opts.ids ?? (await sampleIds(ds, { signal: opts.signal }));
  const judge = new PredictionJudge(ds, ids, opts);
  const results: RowResult[] = [];
  const totals = emptyTotals();
  for (let k = 0; k < rows.length; k++) {
    const result = await judge.judge(rows[k]);
    results.push(result);
    addToTotals(totals, result);
    if (k % 2000 === 1999) {
      opts.signal?.throwIfAborted();
      opts.onProgress?.(k + 1, rows.length);
      await new Promise((r) => setImmediate(r));
    }
  }
  opts.onProgress?.(rows.length, rows.length);
  return { results, totals };
}
