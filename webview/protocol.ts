// The one typed message protocol between the dataset panel (webview) and the extension host.
// Imported by both sides. Requests carry an id and get exactly one reply with the same id;
// notifications have no id. Everything crossing here is plain data (structured clone): dataset
// text travels as strings and the webview only ever puts it into the page with textContent.

import type { SampleRow } from '../src/core/dataset/row';
import type { Sample } from '../src/core/dataset/sample';
import type { ErrorKind, Verdict } from '../src/core/toolcall/types';
import type { RejectReason } from '../src/core/pairs/reasons';
import type { SearchTree } from '../src/core/search/mcts';
import type { PairVerdict, PreferencePair } from '../src/core/search/pairs';
import type { StepKind } from '../src/core/search/steps';
import type { CallRendering, CallRenderingSetting } from '../src/core/calibrate/messages';

/** The search of one sample: its MCTS tree and the pairs it produced. */
export interface SampleSearch {
  model: string;
  round: number;
  tree: SearchTree;
  pairs: PreferencePair[];
}

/** The checker's verdict on a sample's model output(s), summed up for its list row. */
export interface RowVerdict {
  valid: boolean;
  /** Error kinds across the sample's outputs. */
  kinds: ErrorKind[];
  /** Outputs for this sample in the predictions file (ids may repeat). */
  outputs: number;
}

/** Calibration of a sample under the policy: perplexity of its reference answer, tier, selection. */
export interface RowCalibration {
  ppl: number | null;
  tier?: 'easy' | 'medium' | 'hard';
  selected: boolean;
}

/** One line of the sample list (defined in the core, which the CLI shares), plus verdict and calibration. */
export type Row = SampleRow & { verdict?: RowVerdict; calibration?: RowCalibration; pairs?: number };

export interface CalibrationSummary {
  model: string;
  round: number;
  scored: number;
  selected: number;
  cuts?: { easyBelow: number; hardFrom: number; source: 'tertiles' | 'thresholds' };
  tiers: Record<'easy' | 'medium' | 'hard', number>;
  histogram: { from: number; to: number; count: number; tier: 'easy' | 'medium' | 'hard' }[];
}

/**
 * One answer of a record that holds several (answers.ts): the turn it is and the id of the sample
 * it makes (`ID#k`). Sent with a record's detail only when it yields more than one sample.
 */
export interface AnswerRef {
  turn: number;
  id: string;
}

/** A model output for a sample, judged. */
export interface JudgedOutput {
  output: string;
  verdict: Verdict;
  /** Line of the predictions file it came from. */
  line: number;
}

export interface CheckSummary {
  file: string;
  rows: number;
  checked: number;
  valid: number;
  unmatched: number;
  problems: number;
  byKind: Record<ErrorKind, number>;
}

export interface Problem {
  index?: number;
  line: number;
  reason: string;
}

export interface DatasetInfo {
  fileName: string;
  filePath: string;
  format: string;
  formatLabel: string;
  container: 'jsonl' | 'json-array';
  count: number;
  sizeBytes: number;
  /** Problems found so far (the structural ones from indexing; validation adds more). */
  problems: Problem[];
  /** Milliseconds the host took to index the file. */
  indexMs: number;
}

export type Filter = 'all' | 'calls' | 'text' | 'problems' | 'valid' | 'invalid' | `kind:${ErrorKind}` | 'selected' | `tier:${'easy' | 'medium' | 'hard'}`;

/** List order: file order, or by calibration perplexity. */
export type Sort = 'file' | 'ppl-desc' | 'ppl-asc';

/**
 * Where a pair stands in review. `edited` = accepted with the reviewer's own chosen side;
 * `skipped` = put aside (neither accepted nor rejected, not exported).
 */
export type ReviewStateName = 'pending' | 'accepted' | 'rejected' | 'edited' | 'skipped';

/** A decision the reviewer makes (pending = back to the queue). */
export type DecisionName = 'accepted' | 'rejected' | 'skipped' | 'pending';

export interface ReviewCounts {
  pending: number;
  accepted: number;
  rejected: number;
  edited: number;
  skipped: number;
  total: number;
}

/** One pair of the review queue, with what the reviewer needs to judge it. */
export interface ReviewItemView {
  id: string;
  state: ReviewStateName;
  manual: boolean;
  /** The pair as it will be exported (the chosen side carries the reviewer's edit). */
  pair: PreferencePair;
  /** The chosen side the search produced, when the reviewer edited it. */
  originalChosen?: string;
  /** A rejection's reason and comment. */
  reason?: RejectReason;
  comment?: string;
  /** The checker finds the chosen side wrong: what is wrong ("does not parse", "has errors: …"). */
  chosenFails?: string;
  tier?: 'easy' | 'medium' | 'hard';
  /** The last user turn of the sample, for context. */
  question: string;
}

/** Which pairs the queue shows, and which a bulk decision applies to. */
export interface PairFilter {
  state?: ReviewStateName;
  errorKind?: ErrorKind;
  minGap?: number;
  tier?: 'easy' | 'medium' | 'hard';
  kind?: StepKind;
}

/**
 * "Scored as": what calibration and search will score for one sample (the prompt the configured
 * policy's chat template renders and the response whose tokens are scored), read without a model.
 */
export interface ScoredAsView {
  /** The setting (itool.calibrate.callRendering) and the rendering it gives this sample's format. */
  setting: CallRenderingSetting;
  calls: CallRendering;
  /** The sample's format, by its short name ("ToolACE"). */
  formatName: string;
  /** Where the chat template was read from (model folder or template file). */
  source?: string;
  prompt?: string;
  response?: string;
  /** Why the sample cannot be scored (calibration skips it), and the class of reason. */
  error?: string;
  kind?: string;
  /** No model or template is configured: the setting that says where. */
  missing?: string;
  /** The calibration shown in the panel scored this sample. */
  calibrated?: { tokens?: number; ppl: number | null; model: string; round: number; calls: CallRenderingSetting };
  /** The latest calibration (the one shown, or a newer refused run) skipped this sample. */
  skipped?: { kind?: string; reason: string };
}

/** Where a fragment was selected in the panel: which response of which sample. */
export type FragmentSource = 'reference' | 'prediction' | 'chosen' | 'rejected';

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
  /** Start a search/filter; results arrive as `viewProgress` notifications for that view id. */
  setView: { params: { query: string; filter: Filter; sort?: Sort }; result: { view: number } };
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
