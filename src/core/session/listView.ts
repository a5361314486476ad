// The sample list's filtered views: which records match all of the list's filters at once
// (SampleFilters: state × error kind × tier × PPL range) and a text query, in the order asked.
// Filters on verdicts and calibration are answered from memory and intersected; the text query
// and the filters on a record's answer (calls, text, malformed) need each record's text, so they
// scan the file with the memory filters checked first. Shared by the panel's host (which streams
// a scan's matches to the page as they come) and anything else that lists a session's samples.
import type { Dataset, SampleResult } from '../dataset/dataset';
import type { SessionCalibration } from './calibration';
import type { SessionVerdicts } from './verdicts';
import type { SampleFilters, SampleState, Sort } from './views';

/** What a view is computed from: a session's dataset, verdicts and calibration. */
export interface ListViewSources {
  dataset: Dataset;
  verdicts: SessionVerdicts;
  calibration: SessionCalibration;
}

/** A filter answered from memory: the records it can match (in file order) and the test. */
interface MemoryTest {
  candidates: () => number[];
  matches: (index: number) => boolean;
}

/** The states read from the record itself (the others are verdicts or calibration). */
const ANSWER_STATES: readonly SampleState[] = ['calls', 'text', 'problems'];

/** Whether the query, filters and order leave every record in file order (the unfiltered view). */
export function isWholeList(query: string, filters: SampleFilters, sort: Sort = 'file'): boolean {
  return !query.trim() && !filters.state && !filters.kind && !filters.tier && !filters.ppl && sort === 'file';
}

function memoryTests(s: ListViewSources, f: SampleFilters): MemoryTest[] {
  const { verdicts, calibration } = s;
  const tests: MemoryTest[] = [];
  const judged = () => verdicts.indices();
  const scored = () => calibration.indices();
  if (f.state === 'valid' || f.state === 'invalid') {
    const state = f.state;
    tests.push({ candidates: judged, matches: (i) => verdicts.matches(i, state) });
  }
  if (f.kind) {
    const kind = f.kind;
    tests.push({ candidates: judged, matches: (i) => verdicts.matches(i, `kind:${kind}`) });
  }
  if (f.state === 'selected') tests.push({ candidates: scored, matches: (i) => calibration.matches(i, 'selected') });
  if (f.state === 'skipped') tests.push({ candidates: () => calibration.skippedIndices(), matches: (i) => calibration.matches(i, 'skipped') });
  if (f.tier) {
    const tier = f.tier;
    tests.push({ candidates: scored, matches: (i) => calibration.matches(i, `tier:${tier}`) });
  }
  if (f.ppl) {
    const { from, to } = f.ppl;
    tests.push({ candidates: scored, matches: (i) => calibration.inPplRange(i, from, to) });
  }
  return tests;
}

/** Whether a record's answer is in an answer state (calls a tool, is text, is malformed). */
export function answerMatches(r: SampleResult, state: SampleState): boolean {
  if (state === 'problems') return !r.ok;
  if (!r.ok) return false;
  const ref = r.sample.referenceIndex >= 0 ? r.sample.turns[r.sample.referenceIndex] : undefined;
  const calls = !!ref?.calls?.length;
  return state === 'calls' ? calls : !!ref && !calls;
}

/** Sort record indices in place: file order, or by PPL (highest or lowest first, unscored last, ties in file order). */
export function orderView(list: number[], sort: Sort, calibration: SessionCalibration): number[] {
  if (sort === 'file') return list.sort((a, b) => a - b);
  const sign = sort === 'ppl-desc' ? -1 : 1;
  return list.sort((a, b) => {
    const ka = calibration.ppl(a);
    const kb = calibration.ppl(b);
    if (ka === kb) return a - b;
    if (ka === -Infinity) return 1;
    if (kb === -Infinity) return -1;
    return sign * (ka - kb);
  });
}

export interface ViewOptions {
  signal?: AbortSignal;
  /** A scan's progress: records read so far (`into` holds the matches so far). */
  onProgress?: (scanned: number, total: number) => void;
}

/**
 * Fill `into` with the records matching every filter and the query (case-insensitive, in the
 * record's raw text as typed or as JSON escapes it), then order it. Matches are appended in
 * file order while a scan runs, so a caller may show them as they come. Resolves false when
 * aborted (`into` then holds what was found so far, unordered).
 */
export async function computeView(s: ListViewSources, query: string, filters: SampleFilters, sort: Sort, into: number[], opts: ViewOptions = {}): Promise<boolean> {
  const tests = memoryTests(s, filters);
  const inMemory = (i: number) => tests.every((t) => t.matches(i));
  const q = query.trim().toLowerCase();
  const needles = q ? [...new Set([q, JSON.stringify(q).slice(1, -1)])] : [];
  const answer = filters.state && ANSWER_STATES.includes(filters.state) ? filters.state : undefined;
  if (!needles.length && !answer) {
    // Memory alone: the smallest candidate list, narrowed by every test.
    const lists = tests.map((t) => t.candidates());
    const base = lists.length ? lists.reduce((a, b) => (b.length < a.length ? b : a)) : Array.from({ length: s.dataset.count }, (_, i) => i);
    into.push(...(tests.length ? base.filter(inMemory) : base));
    orderView(into, sort, s.calibration);
    return true;
  }
  await s.dataset.scan(
    (i, text) => {
      if (!inMemory(i)) return;
      if (needles.length) {
        const lower = text.toLowerCase();
        if (!needles.some((n) => lower.includes(n))) return;
      }
      if (!answer) return void into.push(i);
      return s.dataset.fromText(i, text).then((r) => {
        if (answerMatches(r, answer)) into.push(i);
      });
    },
    { signal: opts.signal, onProgress: opts.onProgress },
  );
  if (opts.signal?.aborted) return false;
  orderView(into, sort, s.calibration);
  return true;
}
