// What a dataset session shows: the plain-data views of its rows, calibration, verdicts, search
// and review queue. They are the core's (the session builds them, the CLI can print them) and the
// panel's webview protocol carries them as they are (webview/protocol.ts re-exports them), so
// nothing here may hold anything a structured clone would lose.
import type { SampleRow } from '../dataset/sample';
import type { ErrorKind, Verdict } from '../toolcall/types';
import type { RejectReason } from '../pairs/reasons';
import type { SearchTree, PreferencePair, StepKind } from '../search/types';
import type { CallRendering, CallRenderingSetting } from '../model/callRendering';

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

/** Why calibration skipped a sample (calibrate.ts CalibrationSkip, as a row shows it). */
export interface RowSkip {
  /** The sample's id (`ID#k` for one answer of several). */
  id?: string;
  /** The class of reason ('score-failed', 'unreadable', a template failure…). */
  kind?: string;
  reason: string;
}

/**
 * Calibration of a sample under the policy: perplexity of its reference answer, tier, selection.
 * `ppl` is null and `tier` absent when the latest calibration scored none of the record's answers;
 * `skipped` then says why (and, beside a PPL, which other answers it skipped).
 */
export interface RowCalibration {
  ppl: number | null;
  tier?: 'easy' | 'medium' | 'hard';
  selected: boolean;
  skipped?: RowSkip[];
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
  /** Log-spaced bins of the scored samples' PPL; a PPL range filter snaps to their edges. */
  histogram: { from: number; to: number; count: number; tier: 'easy' | 'medium' | 'hard' }[];
  /**
   * The selection's cut-off in each group with selected samples: the lowest PPL selected as
   * deficient (the top share by PPL is selected within answers that call a tool and within text
   * answers separately, select.ts), so every sample at or above it in its group is selected.
   */
  selectedFrom?: Partial<Record<'calls' | 'text', number>>;
  /** Records with a sample the latest calibration skipped (the "Skipped by calibration" filter). */
  skipped: number;
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

/** One filter on the list, as the verdicts and the calibration each answer it (SessionVerdicts.matches, SessionCalibration.matches). */
export type Filter = 'all' | 'calls' | 'text' | 'problems' | 'valid' | 'invalid' | `kind:${ErrorKind}` | 'selected' | 'skipped' | `tier:${'easy' | 'medium' | 'hard'}`;

/**
 * What a sample is, for the list's first filter: its reference answer calls a tool or is text,
 * the record is malformed, its checked output is valid or not, calibration selected it as
 * deficient or skipped it.
 */
export type SampleState = 'calls' | 'text' | 'problems' | 'valid' | 'invalid' | 'selected' | 'skipped';

/**
 * The list's filters, applied together (each one absent: no condition). A text query comes on
 * top of them (setView). `ppl` is a range of the calibration histogram (brushed on it): a record
 * is in it when its row's PPL (its most deficient answer) falls in the bins from the one starting
 * at `from` to the one ending at `to`.
 */
export interface SampleFilters {
  state?: SampleState;
  kind?: ErrorKind;
  tier?: 'easy' | 'medium' | 'hard';
  ppl?: { from: number; to: number };
}

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
