// One dataset's working state, owned by the core: the open Dataset, its calibration, selection,
// search results, judged predictions and review queue, and the verbs that change them (calibrate,
// select, explore, check predictions, mark a fragment). The extension's panels and commands are
// views and verbs over a session, so every command works on a dataset whose panel is closed, and
// a test (or any script) can drive the whole path without VS Code. Changes are announced as
// events; a view redraws from them, whoever made the change.
import { calibrate, CalibrationRefused, type CalibrateOptions, type CalibrationResult } from '../calibrate/calibrate';
import { selectionFile, selectionPath, writeSelection } from '../calibrate/selectionFile';
import type { Selection } from '../calibrate/select';
import { Dataset, type OpenOptions } from '../dataset/dataset';
import type { Policy } from '../model/policy';
import type { AnnotationInput } from '../pairs/reviewEntries';
import { explore, type ExploreOptions, type ExploreResult } from '../search/explore';
import { SessionCalibration, type SampleTarget } from './calibration';
import { SessionReview } from './review';
import { SessionSearch } from './search';
import { SessionVerdicts } from './verdicts';
import type { CalibrationSummary, CheckSummary, ReviewCounts } from './views';

/** What changed in a session; a view redraws the part named. */
export type SessionEvent =
  /** Calibration results or the selection changed (summary undefined: nothing to show). */
  | { type: 'calibration'; summary: CalibrationSummary | undefined }
  /** A calibration run was refused: its skips are the reasons a sample shows. */
  | { type: 'refused'; message: string }
  /** Search results changed (a run finished, or the newest journal was read). */
  | { type: 'search'; samples: number; pairs: number; model: string; round: number }
  /** The review journal changed through a session verb other than the queue's own replies. */
  | { type: 'review'; counts: ReviewCounts }
  /** Checking a predictions file: progress, then its summary. */
  | { type: 'checking'; done: number; total: number; file: string }
  | { type: 'verdicts'; summary: CheckSummary }
  /** Checking a predictions file failed (the verdicts held before stay). */
  | { type: 'checkFailed'; file: string; message: string };

/** A verb that cannot run in the session's state (nothing calibrated, a refused run): the message says what to do. */
export class SessionError extends Error {
  override name = 'SessionError';
}

/** Tier cut-offs given by hand instead of tertiles. */
export type Thresholds = { easyBelow: number; hardFrom: number } | undefined;

export interface SelectResult {
  selection: Selection;
  /** The selection file written beside the dataset. */
  path: string;
}

export class DatasetSession {
  readonly calibration: SessionCalibration;
  readonly search: SessionSearch;
  readonly review: SessionReview;
  readonly verdicts: SessionVerdicts;
  private readonly listeners = new Set<(e: SessionEvent) => void>();
  private restored: Promise<void> | undefined;
  /** The predictions check in progress (a newer one aborts it). */
  private checking: AbortController | undefined;
  private closed = false;

  /** A session over an open dataset; `ownsDataset`: closing the session closes it. */
  constructor(
    readonly dataset: Dataset,
    private readonly ownsDataset = false,
  ) {
    this.calibration = new SessionCalibration(dataset);
    this.search = new SessionSearch(dataset);
    this.verdicts = new SessionVerdicts(dataset);
    this.review = new SessionReview(dataset, this.search, this.calibration, () => this.restore());
  }

  /** Open `path` and a session over it (closing the session closes the dataset). */
  static async open(path: string, opts?: OpenOptions): Promise<DatasetSession> {
    return new DatasetSession(await Dataset.open(path, opts), true);
  }

  get path(): string {
    return this.dataset.path;
  }

  /** Listen to changes; returns the function that stops listening. */
  onDidChange(listener: (e: SessionEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: SessionEvent): void {
    for (const l of [...this.listeners]) l(e);
  }

  /**
   * Read what earlier runs left beside the dataset (the newest calibration and search journals
   * for this version of the file) unless the session already holds results; once per session.
   */
  restore(thresholds?: Thresholds): Promise<void> {
    this.restored ??= (async () => {
      const [cal, found] = await Promise.all([this.calibration.loaded ? undefined : this.calibration.loadLatest(), this.search.loaded ? false : this.search.loadLatest()]);
      if (cal && !this.calibration.loaded) this.showCalibration(cal, thresholds);
      if (found) this.searchChanged();
    })();
    return this.restored;
  }

  /** Show calibration results (and a selection made from them). */
  showCalibration(result: CalibrationResult, thresholds?: Thresholds, selected?: Iterable<{ index: number; answer?: number }>): void {
    this.calibration.show(result, thresholds);
    if (selected) this.calibration.markSelected(selected);
    this.emit({ type: 'calibration', summary: this.calibration.summary() });
  }

  /**
   * Score every sample's reference answer with `policy` (resuming a journal of the same run). A run
   * that skipped too much is refused: the session keeps its reasons per sample and rethrows.
   */
  async calibrate(policy: Policy, opts: CalibrateOptions & { thresholds?: Thresholds } = {}): Promise<CalibrationResult> {
    try {
      const result = await calibrate(this.dataset, policy, opts);
      this.showCalibration(result, opts.thresholds);
      return result;
    } catch (err) {
      if (err instanceof CalibrationRefused) {
        this.calibration.refuse(err.message, err.result.skipped);
        this.emit({ type: 'refused', message: err.message });
      }
      throw err;
    }
  }

  /** Why no selection may be made now (nothing calibrated, a refused run), or undefined. */
  async cannotSelect(thresholds?: Thresholds): Promise<string | undefined> {
    await this.restore(thresholds);
    const why = this.calibration.refusal;
    if (why) return `no selection from a refused calibration: ${why.replace(/\.$/, '')}. Fix what made it skip samples (the panel's "Scored as" block shows why for each sample) and calibrate again`;
    if (!this.calibration.result) return 'calibrate the dataset first';
    return undefined;
  }

  /** Select the deficient samples (the top `ratio` by PPL in each group) and write the selection file. */
  async selectDeficient(ratio: number, thresholds?: Thresholds): Promise<SelectResult> {
    const why = await this.cannotSelect(thresholds);
    if (why) throw new SessionError(why);
    const cal = this.calibration.result!;
    const selection = this.calibration.select(ratio);
    const path = selectionPath(this.dataset.path, cal.header.model, cal.header.round);
    await writeSelection(path, selectionFile(cal, selection, this.calibration.tierCuts));
    this.showCalibration(cal, thresholds, selection.selected);
    return { selection, path };
  }

  /**
   * The samples a search would explore: the selection, made now (at `ratio`) when the calibration
   * shown has none. Throws a SessionError saying what is missing.
   */
  async targets(ratio: number, thresholds?: Thresholds): Promise<SampleTarget[]> {
    await this.restore(thresholds);
    let targets = this.calibration.selectedTargets();
    if (targets.length === 0 && this.calibration.loaded) {
      await this.selectDeficient(ratio, thresholds);
      targets = this.calibration.selectedTargets();
    }
    if (targets.length === 0) throw new SessionError('calibrate the dataset and select its deficient samples first');
    return targets;
  }

  /**
   * MCTS over `targets` (default: the selection) with `policy`; the calls are rendered as the
   * selection's calibration rendered them, so the search continues the prompts it scored.
   */
  async explore(policy: Policy, opts: ExploreOptions & { targets?: readonly SampleTarget[]; ratio?: number; thresholds?: Thresholds } = {}): Promise<ExploreResult> {
    const { targets: given, ratio, thresholds, ...rest } = opts;
    const targets = given ?? (await this.targets(ratio ?? 0.3, thresholds));
    const calls = rest.calls ?? this.calibration.header?.calls ?? 'auto';
    const result = await explore(this.dataset, policy, targets, { ...rest, calls });
    // The journal holds every sample explored with these settings, a scoped run's and the earlier
    // ones': the views show all of it, as they will when the dataset is opened again.
    if (!(await this.search.loadLatest())) this.search.show(result.header, result.entries, result.path);
    this.searchChanged();
    return result;
  }

  private searchChanged(): void {
    this.review.invalidate();
    const h = this.search.header;
    if (h) this.emit({ type: 'search', samples: this.search.samples, pairs: this.search.pairs, model: h.modelLabel, round: h.round });
  }

  /**
   * Check a predictions file against the dataset; the verdicts replace the ones held only when it
   * succeeds. A newer check aborts this one (it then rejects with an AbortError).
   */
  async checkPredictions(file: string): Promise<CheckSummary> {
    this.checking?.abort();
    const ctl = new AbortController();
    this.checking = ctl;
    try {
      const summary = await this.verdicts.load(file, { signal: ctl.signal, onProgress: (done, total) => this.emit({ type: 'checking', done, total, file }) });
      if (ctl.signal.aborted) throw Object.assign(new Error(`checking ${file} was replaced by a newer check`), { name: 'AbortError' });
      this.emit({ type: 'verdicts', summary });
      return summary;
    } catch (err) {
      if (!ctl.signal.aborted) this.emit({ type: 'checkFailed', file, message: err instanceof Error ? err.message : String(err) });
      throw err;
    } finally {
      if (this.checking === ctl) this.checking = undefined;
    }
  }

  /** Whether a predictions check is running. */
  get checkingPredictions(): boolean {
    return this.checking !== undefined;
  }

  /** Record a marked fragment (one undo step; undo selects `select`) and tell every view. */
  async annotate(a: AnnotationInput, select?: string): Promise<ReviewCounts> {
    const counts = await this.review.annotate(a, select);
    this.emit({ type: 'review', counts });
    return counts;
  }

  /** Close the review journal (and the dataset when the session opened it). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    this.checking?.abort();
    this.review.dispose();
    if (this.ownsDataset) await this.dataset.close();
  }
}
