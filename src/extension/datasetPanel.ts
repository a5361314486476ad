// The host side of one dataset panel: a view over the dataset's session (src/core/session).
// Answers the webview's requests (rows, sample details, filtered views, the review queue) from
// the session, forwards the session's changes as notifications whoever made them, and streams
// background work (search scans, validation). Its buttons call the same verbs as the palette's
// commands, on this panel's session. Dataset text only leaves here as data in messages.
import * as vscode from 'vscode';
import type { Dataset } from '../core/dataset/dataset';
import type { DatasetSession, SessionEvent } from '../core/session/session';
import { computeView, isWholeList } from '../core/session/listView';
import type { DatasetInfo, HostNotification, Problem, RequestMessage, Requests, Row, SampleFilters, Sort, ToHost, ToWebview } from '../../webview/panel/protocol';
import { PanelScoredAs } from './panelScoredAs';
import { errorMessage, log } from './log';
import { openSettingsUi } from './settingsUi';
import type { PredictionLinks } from './predictionLinks';
import { checkPredictionsFile, pickAndCheckPredictions } from './predictionsCheck';
import type { PanelMark } from './reviewCommands';

/** How often scans report progress to the page. */
const PROGRESS_MS = 120;

/** What the panel's buttons do: the palette commands' verbs, on this panel's session. */
export interface PanelVerbs {
  calibrate(session: DatasetSession): Promise<void>;
  /** Resolves how many samples were selected. */
  selectDeficient(session: DatasetSession): Promise<number | undefined>;
  explore(session: DatasetSession): Promise<void>;
  /** Resolves whether a mark was written. */
  markFragment(session: DatasetSession, mark: PanelMark): Promise<boolean>;
  startRound(session: DatasetSession): Promise<void>;
}

export class DatasetPanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  /** Filtered views by id: the record indices they hold, in file order. View 0 is "everything". */
  private readonly views = new Map<number, number[]>();
  private nextView = 1;
  private viewScan: AbortController | undefined;
  private readonly validation = new AbortController();
  private readonly problems = new Map<number, Problem>();
  private readonly dataset: Dataset;
  private readonly scoredAs: PanelScoredAs;
  /** When the last checking progress went to the page. */
  private checkingShown = 0;
  /** The page has said `ready`; until then a request to show the review tab waits. */
  private pageReady = false;
  private reviewWhenReady = false;

  constructor(
    private readonly webview: vscode.Webview,
    readonly session: DatasetSession,
    private readonly links: PredictionLinks,
    private readonly verbs: PanelVerbs,
  ) {
    const dataset = (this.dataset = session.dataset);
    this.scoredAs = new PanelScoredAs(dataset, session.calibration);
    const stop = session.onDidChange((e) => this.onSessionChange(e));
    this.disposables.push(
      { dispose: stop },
      webview.onDidReceiveMessage((m: ToHost) => void this.onMessage(m)),
      // Another model, template or call rendering scores other text: the open sample's block refetches.
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('itool.policy') || e.affectsConfiguration('itool.calibrate')) {
          this.scoredAs.invalidate();
          this.notify({ type: 'scoredAsChanged' });
        }
      }),
    );
    for (const p of dataset.index.problems) this.problems.set(-p.line, { line: p.line, reason: p.reason });
  }

  private get verdicts() {
    return this.session.verdicts;
  }

  private get calibration() {
    return this.session.calibration;
  }

  private get search() {
    return this.session.search;
  }

  private get review() {
    return this.session.review;
  }

  /** The session changed (this panel, another one, or a command did it): the page redraws that part. */
  private onSessionChange(e: SessionEvent): void {
    switch (e.type) {
      case 'calibration':
        if (e.summary) this.notify({ type: 'calibration', summary: e.summary });
        return;
      case 'refused': {
        // The open sample's "Scored as" block says why its sample was skipped, and so do the rows;
        // the calibration shown (if any) stays, counting the refused run's skips.
        this.notify({ type: 'scoredAsChanged' });
        const summary = this.calibration.summary();
        if (summary) this.notify({ type: 'calibration', summary });
        else this.notify({ type: 'calibrationSkips', records: this.calibration.skippedIndices().length });
        return;
      }
      case 'search':
        this.notify({ type: 'search', samples: e.samples, pairs: e.pairs, model: e.model, round: e.round });
        return;
      case 'review':
        this.notify({ type: 'review', counts: e.counts });
        return;
      case 'checking': {
        const now = Date.now();
        if (now - this.checkingShown < PROGRESS_MS && e.done < e.total) return;
        this.checkingShown = now;
        this.notify({ type: 'checking', done: e.done, total: e.total, file: e.file });
        return;
      }
      case 'verdicts':
        this.notify({ type: 'summary', summary: e.summary });
        return;
      case 'checkFailed':
        this.notify({ type: 'error', message: `Could not check ${e.file}: ${e.message}` });
        return;
    }
  }

  private post(msg: ToWebview): void {
    void this.webview.postMessage(msg);
  }

  private notify(msg: HostNotification): void {
    this.post(msg);
  }

  private async onMessage(msg: ToHost): Promise<void> {
    switch (msg.type) {
      case 'ready':
        this.pageReady = true;
        this.notify({ type: 'init', info: this.info() });
        if (this.reviewWhenReady) this.notify({ type: 'showReview' });
        this.reviewWhenReady = false;
        if (this.dataset.count === 0) this.startValidation();
        return;
      case 'firstPageRendered': {
        // The full check starts once the user has something to read, so it never delays that.
        this.startValidation();
        const linked = this.links.predictionsFor(this.dataset.path);
        if (linked && !this.verdicts.loaded && !this.session.checkingPredictions) void checkPredictionsFile(this.session, linked, this.links);
        // What earlier runs left beside the dataset; a session a command opened has it already,
        // so the page is sent what the session holds.
        void this.session.restore().then(() => this.sendState());
        return;
      }
      case 'request':
        try {
          this.post({ type: 'response', id: msg.id, ok: true, result: await this.answer(msg) });
        } catch (err) {
          log().error(`request ${msg.method} failed: ${errorMessage(err)}`);
          this.post({ type: 'response', id: msg.id, ok: false, error: errorMessage(err) });
        }
        return;
    }
  }

  /** Everything the session holds that the page shows outside its rows. */
  private sendState(): void {
    const summary = this.calibration.summary();
    if (summary) this.notify({ type: 'calibration', summary });
    // A refused run shows no summary; its skips are on the rows all the same.
    const skipped = this.calibration.skippedIndices().length;
    if (skipped && summary?.skipped !== skipped) this.notify({ type: 'calibrationSkips', records: skipped });
    const h = this.search.header;
    if (h) this.notify({ type: 'search', samples: this.search.samples, pairs: this.search.pairs, model: h.modelLabel, round: h.round });
    if (this.verdicts.summary) this.notify({ type: 'summary', summary: this.verdicts.summary });
  }

  private info(): DatasetInfo {
    const d = this.dataset;
    return {
      fileName: d.path.split(/[\\/]/).pop() ?? d.path,
      filePath: d.path,
      format: d.format.id,
      formatLabel: d.format.label,
      container: d.index.container,
      count: d.count,
      sizeBytes: d.index.size,
      problems: [...this.problems.values()],
      indexMs: Math.round(d.indexMs),
    };
  }

  private async answer(msg: RequestMessage): Promise<Requests[typeof msg.method]['result']> {
    switch (msg.method) {
      case 'rows': {
        const { from, to, view } = msg.params;
        const list = view ? this.views.get(view) : undefined;
        if (view && !list) throw new Error(`view ${view} is gone`);
        const rows: Row[] = list ? await this.dataset.rowsOf(list.slice(from, to)) : await this.dataset.rows(from, to);
        for (const r of rows) {
          r.verdict = this.verdicts.rowVerdict(r.index);
          r.calibration = this.calibration.row(r.index);
          r.pairs = this.search.pairCount(r.index);
        }
        return rows;
      }
      case 'sample': {
        const r = await this.dataset.sample(msg.params.index);
        const outputs = this.verdicts.outputs(msg.params.index);
        const search = this.search.forSample(msg.params.index);
        if (!r.ok) return { problem: r.reason, line: r.line, rawText: r.text };
        // The record's answers and their sample ids, so the view can mark each answer turn.
        const answers = r.samples.length > 1 ? r.samples.map((x) => ({ turn: x.referenceIndex, id: x.id })) : undefined;
        return { sample: r.sample, line: r.line, rawText: r.text, outputs, search, answers };
      }
      case 'scoredAs':
        return this.scoredAs.view(msg.params.index);
      case 'openSettings':
        // Only the extension's own settings (openSettingsUi keeps to them), on the tab that shows them.
        await openSettingsUi(msg.params.query);
        return {};
      case 'setView':
        return { view: this.startView(msg.params.query, msg.params.filters, msg.params.sort) };
      case 'loadPredictions':
        return { loaded: await pickAndCheckPredictions(this.session, this.links) };
      case 'calibrate':
        await this.verbs.calibrate(this.session);
        return { started: true };
      case 'explore':
        await this.verbs.explore(this.session);
        return { started: true };
      case 'selectDeficient':
        return { selected: (await this.verbs.selectDeficient(this.session)) ?? 0 };
      case 'pairs':
        return this.review.list(msg.params.filter);
      case 'decide':
        return this.review.decide(msg.params.ids, msg.params.state, msg.params.reason, msg.params.comment);
      case 'undo':
        return this.review.undo();
      case 'editChosen':
        return this.review.edit(msg.params.id, msg.params.text);
      case 'recheck':
        return { verdict: await this.review.recheck(msg.params.id, msg.params.text) };
      case 'bulkDecide':
        return this.review.bulk(msg.params.filter, msg.params.state);
      case 'markFragment':
        return { marked: await this.verbs.markFragment(this.session, msg.params) };
      case 'exportPairs':
        await this.verbs.startRound(this.session);
        return { started: true };
    }
  }

  /** Switch the page to the review tab (iTool: Review Preference Pairs); a page still loading does once ready. */
  showReview(): void {
    if (this.pageReady) this.notify({ type: 'showReview' });
    else this.reviewWhenReady = true;
  }

  /**
   * Start a search/filter/sort; the page shows matches as they arrive. Filters on verdicts or
   * calibration are answered from memory (all of them at once); text search and answer-kind
   * filters scan the file (listView.ts).
   */
  private startView(query: string, filters: SampleFilters, sort: Sort = 'file'): number {
    this.viewScan?.abort();
    this.views.clear();
    if (isWholeList(query, filters, sort)) return 0;
    const view = this.nextView++;
    const total = this.dataset.count;
    const list: number[] = [];
    this.views.set(view, list);
    const ctl = new AbortController();
    this.viewScan = ctl;
    let last = 0;
    const onProgress = (done: number) => {
      const now = Date.now();
      if (now - last < PROGRESS_MS) return;
      last = now;
      if (!ctl.signal.aborted) this.notify({ type: 'viewProgress', view, count: list.length, scanned: done, total, done: false });
    };
    // After the reply, so the page knows the view's id before its first progress.
    setImmediate(() => {
      computeView(this.session, query, filters, sort, list, { signal: ctl.signal, onProgress }).then(
        (done) => {
          if (done && !ctl.signal.aborted) this.notify({ type: 'viewProgress', view, count: list.length, scanned: total, total, done: true });
        },
        (err) => this.notify({ type: 'error', message: `Search failed: ${errorMessage(err)}` }),
      );
    });
    return view;
  }

  private validationStarted = false;

  private startValidation(): void {
    if (this.validationStarted) return;
    this.validationStarted = true;
    void this.validate();
  }

  /** Background check of every record, in worker threads: lists each malformed one with its line and reason. */
  private async validate(): Promise<void> {
    const total = this.dataset.count;
    let last = 0;
    let fresh: Problem[] = [];
    let scanned = 0;
    const flush = (done: boolean) => {
      this.notify({ type: 'validation', scanned, total, problems: fresh, done });
      fresh = [];
    };
    try {
      await this.dataset.check({
        signal: this.validation.signal,
        onProblems: (items) => {
          for (const p of items) {
            this.problems.set(p.index, p);
            fresh.push(p);
          }
        },
        onProgress: (done) => {
          scanned = done;
          const now = Date.now();
          if (now - last >= PROGRESS_MS * 4) {
            last = now;
            flush(false);
          }
        },
      });
      scanned = total;
      flush(true);
      log().info(`${this.dataset.path}: checked ${total} records, ${this.problems.size} problem(s)`);
    } catch (err) {
      if (!this.validation.signal.aborted) log().error(`checking ${this.dataset.path} failed: ${errorMessage(err)}`);
    }
  }

  dispose(): void {
    this.viewScan?.abort();
    this.validation.abort();
    for (const d of this.disposables) d.dispose();
  }
}
