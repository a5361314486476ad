// The one typed message protocol between the dataset panel (webview) and the extension host.
// Imported by both sides. Requests carry an id and get exactly one reply with the same id;
// notifications have no id. Everything crossing here is plain data (structured clone): dataset
// text travels as strings and the webview only ever puts it into the page with textContent.

import type { Sample } from '../../src/core/dataset/sample';
import type { ErrorKind } from '../../src/core/toolcall/types';
import type { RejectReason } from '../../src/core/pairs/reasons';
import type { PairVerdict } from '../../src/core/search/types';
import type { AnswerRef, CalibrationSummary, CheckSummary, DatasetInfo, DecisionName, FragmentSource, JudgedOutput, PairFilter, Problem, ReviewCounts, ReviewItemView, Row, SampleFilters, SampleSearch, ScoredAsView, Sort } from '../../src/core/session/views';

// The views a dataset session builds (src/core/session/views.ts), carried as they are.
export type { SampleSearch, RowVerdict, RowCalibration, RowSkip, SampleFilters, SampleState, Row, CalibrationSummary, AnswerRef, JudgedOutput, CheckSummary, Problem, DatasetInfo, Filter, Sort, ReviewStateName, DecisionName, ReviewCounts, ReviewItemView, PairFilter, ScoredAsView, FragmentSource } from '../../src/core/session/views';

export interface Requests {
  rows: { params: { from: number; to: number; view?: number }; result: Row[] };
  sample: { params: { index: number }; result: { sample?: Sample; problem?: string; line: number; rawText: string; outputs?: JudgedOutput[]; search?: SampleSearch; answers?: AnswerRef[] } };
  /** What calibration and search will score for this sample under the configured policy's chat template. */
  scoredAs: { params: { index: number }; result: ScoredAsView };
  /** Open VS Code's settings at a query (a setting the panel says is missing). */
  openSettings: { params: { query: string }; result: Record<string, never> };
  /** Ask the host to pick a predictions file ({"id","output"} JSONL) and check it against this dataset. */
  loadPredictions: { params: Record<string, never>; result: { loaded: boolean } };
  /** Run `iTool: Calibrate Dataset` / `iTool: Select Deficient Samples` on this dataset. */
  calibrate: { params: Record<string, never>; result: { started: boolean } };
  selectDeficient: { params: Record<string, never>; result: { selected: number } };
  explore: { params: Record<string, never>; result: { started: boolean } };
  /**
   * Start a search/filter: every filter given and the text query at once; results arrive as
   * `viewProgress` notifications for that view id (view 0: the whole list, nothing to wait for).
   */
  setView: { params: { query: string; filters: SampleFilters; sort?: Sort }; result: { view: number } };
  /** The review queue, filtered; counts are over the whole queue. */
  pairs: { params: { filter: PairFilter }; result: { items: ReviewItemView[]; counts: ReviewCounts; source?: string } };
  /**
   * Record one decision for each pair (a rejection with its reason and comment), as one undo step;
   * pairs it would not change are left alone. Durable when the reply comes; `items` are the pairs
   * asked about, as they are now.
   */
  decide: { params: { ids: string[]; state: DecisionName; reason?: RejectReason; comment?: string }; result: { items: ReviewItemView[]; counts: ReviewCounts; changed: number } };
  /** Undo the last review action of this panel (journaled); `select` is the pair to go back to. */
  undo: { params: Record<string, never>; result: { undone?: string; select?: string; counts: ReviewCounts; left: number } };
  /** Replace the chosen side's continuation (after the shared prefix); the pair counts as edited. */
  editChosen: { params: { id: string; text: string }; result: { item: ReviewItemView; counts: ReviewCounts } };
  /** The checker's verdict on a chosen side being edited (nothing is written). */
  recheck: { params: { id: string; text: string }; result: { verdict: PairVerdict } };
  /** Accept, reject or skip every pair matching the filter (one undo step). */
  bulkDecide: { params: { filter: PairFilter; state: 'accepted' | 'rejected' | 'skipped' }; result: { changed: number; counts: ReviewCounts } };
  /**
   * Mark a selected fragment of a response as an error. With `kind` (the panel's own form: kind,
   * a correction that may span lines, a note) it is recorded as given; without, VS Code asks.
   */
  markFragment: {
    params: { index: number; source: FragmentSource; text: string; start: number; end: number; pairId?: string; kind?: ErrorKind; correction?: string; note?: string };
    result: { marked: boolean };
  };
  /** Export the accepted pairs / start a round (the VS Code commands, on this dataset). */
  exportPairs: { params: Record<string, never>; result: { started: boolean } };
}

export type HostNotification =
  | { type: 'init'; info: DatasetInfo }
  | { type: 'error'; message: string }
  /** Progress of a filtered view: `count` positions matched so far out of `scanned` records. */
  | { type: 'viewProgress'; view: number; count: number; scanned: number; total: number; done: boolean }
  | { type: 'validation'; scanned: number; total: number; problems: Problem[]; done: boolean }
  /** Checking model outputs: progress, then the summary (the list's rows now carry verdicts). */
  | { type: 'checking'; done: number; total: number; file: string }
  | { type: 'summary'; summary: CheckSummary }
  /** Calibration results to show (after a run, a selection, or found beside the dataset on open). */
  | { type: 'calibration'; summary: CalibrationSummary }
  /** How many records have a sample the latest calibration skipped, when no summary says so (a refused run): rows refetch. */
  | { type: 'calibrationSkips'; records: number }
  /** Search results are available (after a run, or found beside the dataset): rows and details refetch. */
  | { type: 'search'; samples: number; pairs: number; model: string; round: number }
  /** The review journal changed outside the queue (a fragment marked from the text editor): refetch. */
  | { type: 'review'; counts: ReviewCounts }
  /** Switch to the review tab (iTool: Review Preference Pairs). */
  | { type: 'showReview' }
  /** The policy or call rendering settings changed: the detail view's "Scored as" block refetches. */
  | { type: 'scoredAsChanged' };

export type WebviewNotification =
  | { type: 'ready' }
  /** The first page of rows is in the DOM (used by tests and the panel benchmark). */
  | { type: 'firstPageRendered'; rows: number };

export type RequestMessage = {
  [M in keyof Requests]: { type: 'request'; id: number; method: M; params: Requests[M]['params'] };
}[keyof Requests];

export type ResponseMessage =
  | { type: 'response'; id: number; ok: true; result: unknown }
  | { type: 'response'; id: number; ok: false; error: string };

export type ToHost = RequestMessage | WebviewNotification;
export type ToWebview = ResponseMessage | HostNotification;
