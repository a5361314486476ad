// The round dashboard: one webview panel per dataset showing its rounds (the registry beside it,
// DATASET.itool/rounds/rounds.json) as a table and five charts. The page says 'ready', then gets
// the series (computed in src/core/rounds/dashboardData.ts, so only a few numbers cross, never the
// raw PPLs); it gets them again whenever the registry file changes (a progress poll, a finished
// evaluation, a hand edit) and on refresh(). A registry that cannot be read shows as a message.
// The training loss per step comes from the rounds' trainer logs (core LossFeed): read on every
// refresh and, while a round trains and the page is visible, every LOSS_POLL_MS, posted only when
// it changed. The start-round form (trainingForm.ts) is shown on this page too.
import { stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import * as vscode from 'vscode';
import { readSelection } from '../core/calibrate/selectionFile';
import { isDatasetCandidate } from '../core/dataset/candidates';
import { dashboardData } from '../core/rounds/dashboardData';
import { LossFeed } from '../core/rounds/lossFeed';
import { readRegistry, registryPath, runningRound } from '../core/rounds/registry';
import type { RoundRegistry } from '../core/rounds/types';
import type { DashboardSource, ToHost, ToWebview } from '../../webview/dashboard/protocol';
import { DatasetEditorProvider } from './datasetEditor';
import { activeDataset } from './sessions';
import { pickDatasetFile } from './datasetPicker';
import type { FormHost } from './trainingForm';
import { errorMessage, log } from './log';
import { webviewChannel, type WebviewChannel } from './webviewChannel';
import { panelHtml } from './webviewHtml';

/** Registry writes come in bursts (atomic rename = delete + create): read once they settle. */
const REFRESH_DEBOUNCE_MS = 150;
/**
 * How often a running round's trainer log is looked at: a stat, and the new lines only when it
 * grew. Polled rather than watched: the log may lie outside the workspace (an output folder
 * anywhere), where VS Code's file watcher does not reach.
 */
const LOSS_POLL_MS = 1000;

/** A file name as a literal glob (brackets, braces, stars and question marks matched as themselves). */
function globLiteral(s: string): string {
  return s.replace(/[[\]{}*?]/g, (c) => `[${c}]`);
}

/** Selection sizes, cached by file version: the registry is re-read on every training progress poll. */
const selectionCounts = new Map<string, { mtimeMs: number; size: number; count: number }>();

async function selectedCount(path: string): Promise<number | undefined> {
  try {
    const st = await stat(path);
    const hit = selectionCounts.get(path);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.count;
    const count = (await readSelection(path)).selected.length;
    selectionCounts.set(path, { mtimeMs: st.mtimeMs, size: st.size, count });
    return count;
  } catch {
    return undefined;
  }
}

/** Per round, how many samples its selection file lists (paths relative to the dataset's folder allowed). */
async function selectedCounts(reg: RoundRegistry, datasetPath: string): Promise<Record<number, number>> {
  const out: Record<number, number> = {};
  await Promise.all(
    (Array.isArray(reg.rounds) ? reg.rounds : []).map(async (r) => {
      if (typeof r?.selection !== 'string' || !r.selection) return;
      const n = await selectedCount(isAbsolute(r.selection) ? r.selection : resolve(dirname(datasetPath), r.selection));
      if (n !== undefined && Number.isInteger(r.round)) out[r.round] = n;
    }),
  );
  return out;
}

export class RoundDashboard implements vscode.Disposable {
  static readonly viewType = 'itool.roundDashboard';
  private static readonly open = new Map<string, RoundDashboard>();
  /** The dashboard whose panel is active, if any. */
  private static activeDashboard: RoundDashboard | undefined;

  /** The dashboard open for a dataset, if any. */
  static current(datasetPath: string): RoundDashboard | undefined {
    return RoundDashboard.open.get(resolve(datasetPath));
  }

  /** The dashboard in front, if one is. */
  static get active(): RoundDashboard | undefined {
    return RoundDashboard.activeDashboard;
  }

  /** Open the dashboard of a dataset, or bring its open one to the front (and read the registry again). */
  static show(context: vscode.ExtensionContext, datasetPath: string): RoundDashboard {
    const key = resolve(datasetPath);
    const existing = RoundDashboard.open.get(key);
    if (existing) {
      existing.panel.reveal();
      void existing.refresh();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(RoundDashboard.viewType, `Rounds — ${basename(key)}`, vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(context.extensionUri, 'media')],
    });
    const dashboard = new RoundDashboard(panel, key, context.extensionUri);
    RoundDashboard.open.set(key, dashboard);
    return dashboard;
  }

  private readonly disposables: vscode.Disposable[] = [];
  private readonly source: DashboardSource;
  /** The page's messages, both ways as webview/dashboard/protocol.ts types them. */
  private readonly channel: WebviewChannel<ToWebview, ToHost>;
  private ready = false;
  private disposed = false;
  private generation = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The last message posted (tests and commands can read what the page shows). */
  private lastPosted: ToWebview | undefined;
  private readonly lossFeed: LossFeed;
  private lossTimer: ReturnType<typeof setInterval> | undefined;
  private lossReading = false;
  /** Whether the page now showing has the chart (a page that said 'ready' has nothing yet). */
  private lossSent = false;
  /** The registry as last read, for the loss polls between reads. */
  private registry: RoundRegistry | undefined;
  private form: FormHost | undefined;

  private constructor(
    readonly panel: vscode.WebviewPanel,
    readonly datasetPath: string,
    extensionUri: vscode.Uri,
  ) {
    this.source = { fileName: basename(datasetPath), filePath: datasetPath, registryPath: registryPath(datasetPath) };
    this.lossFeed = new LossFeed(datasetPath);
    this.channel = webviewChannel<ToWebview, ToHost>(panel.webview);
    this.disposables.push(
      this.channel.onMessage((m) => this.onMessage(m)),
      panel.onDidDispose(() => this.dispose()),
      panel.onDidChangeViewState((e) => {
        if (e.webviewPanel.active) RoundDashboard.activeDashboard = this;
        else if (RoundDashboard.activeDashboard === this) RoundDashboard.activeDashboard = undefined;
        // A hidden page is torn down (no retained context); it says 'ready' again when shown.
        if (!e.webviewPanel.visible) this.ready = false;
        this.pollLoss();
      }),
    );
    if (panel.active) RoundDashboard.activeDashboard = this;
    // Watch from the dataset's folder, which exists, rather than the rounds folder, which may not yet.
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dirname(datasetPath)), `${globLiteral(basename(datasetPath))}.itool/rounds/rounds.json`));
    const changed = () => this.scheduleRefresh();
    this.disposables.push(watcher, watcher.onDidChange(changed), watcher.onDidCreate(changed), watcher.onDidDelete(changed));
    panel.webview.html = panelHtml(panel.webview, extensionUri, `Rounds — ${this.source.fileName}`, { script: 'dist/webview/dashboard.js', style: 'media/dashboard.css' });
  }

  /** What the page was last sent: the registry's series, or the error reading it. */
  get shown(): ToWebview | undefined {
    return this.lastPosted;
  }

  /** Post to the page when it is ready (else it gets the state again when it says 'ready'). */
  async post(msg: ToWebview): Promise<void> {
    if (this.ready && !this.disposed) await this.channel.post(msg);
  }

  /**
   * Show a start-round form on the page (one at a time: a new one closes the old), or take it away;
   * `ifCurrent` takes it away only while it is still that one.
   */
  setForm(form: FormHost | undefined, ifCurrent?: FormHost): void {
    if (ifCurrent && this.form !== ifCurrent) return;
    const old = this.form;
    this.form = form;
    if (old && old !== form) old.closed();
    if (form) {
      this.panel.reveal();
      void this.post({ type: 'form', form: form.init() });
    }
  }

  private onMessage(msg: ToHost): void {
    switch (msg.type) {
      case 'ready':
        this.ready = true;
        this.lossSent = false;
        void this.refresh();
        if (this.form) void this.post({ type: 'form', form: this.form.init() });
        return;
      case 'rendered':
        return;
      case 'formChanged':
      case 'formStart':
      case 'formCancel':
        this.form?.onMessage(msg);
        return;
    }
  }

  /** The loss chart as last read (tests and commands can read what the page shows). */
  get loss() {
    return this.lossFeed.current;
  }

  /** Read the trainer logs' new lines; post the chart when it changed, or when the page showing lacks it. */
  private async updateLoss(): Promise<void> {
    if (this.disposed || !this.registry || this.lossReading) return;
    this.lossReading = true;
    try {
      const { chart, changed, errors } = await this.lossFeed.update(this.registry);
      for (const e of errors) log().warn(`round dashboard: trainer log: ${e}`);
      if (changed || !this.lossSent) {
        this.lossSent = this.ready;
        await this.post({ type: 'loss', loss: chart });
      }
    } catch (err) {
      log().warn(`round dashboard: reading the trainer logs failed: ${errorMessage(err)}`);
    } finally {
      this.lossReading = false;
    }
  }

  /** Poll the logs while a round trains and the page is visible; stop otherwise. */
  private pollLoss(): void {
    const want = !this.disposed && this.panel.visible && !!this.registry && !!runningRound(this.registry);
    if (want && !this.lossTimer) this.lossTimer = setInterval(() => void this.updateLoss(), LOSS_POLL_MS);
    if (!want && this.lossTimer) {
      clearInterval(this.lossTimer);
      this.lossTimer = undefined;
    }
  }

  private scheduleRefresh(): void {
    if (this.disposed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), REFRESH_DEBOUNCE_MS);
  }

  /** Read the registry again and show it (the page must have said 'ready'; until then it will ask). */
  async refresh(): Promise<void> {
    if (this.disposed) return;
    const mine = ++this.generation;
    let msg: ToWebview;
    try {
      const reg = await readRegistry(this.datasetPath);
      const selected = await selectedCounts(reg, this.datasetPath);
      msg = { type: 'data', source: this.source, data: dashboardData(reg, { selected }), readAt: new Date().toISOString() };
      this.registry = reg;
    } catch (err) {
      log().warn(`round dashboard: could not read ${this.source.registryPath}: ${errorMessage(err)}`);
      msg = { type: 'error', source: this.source, message: `Could not read the round registry: ${errorMessage(err)}` };
    }
    // A newer read started meanwhile (the file changed again): it will post instead.
    if (mine !== this.generation || this.disposed) return;
    this.lastPosted = msg;
    if (this.ready) await this.channel.post(msg);
    if (msg.type === 'data') {
      await this.updateLoss();
      this.pollLoss();
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.timer);
    clearInterval(this.lossTimer);
    this.setForm(undefined);
    if (RoundDashboard.open.get(this.datasetPath) === this) RoundDashboard.open.delete(this.datasetPath);
    if (RoundDashboard.activeDashboard === this) RoundDashboard.activeDashboard = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

/**
 * `iTool: Show Round Dashboard`: the dashboard of the dataset given (explorer context menu), else
 * of the dataset in front (its dataset panel, its dashboard, or a .jsonl/.json text editor), else
 * of the dataset panel used last, else of one picked from the workspace.
 */
export async function showRoundDashboardCommand(context: vscode.ExtensionContext, uri?: vscode.Uri): Promise<RoundDashboard | undefined> {
  const path = uri instanceof vscode.Uri && uri.scheme === 'file' ? uri.fsPath : (datasetInFront() ?? (await pickDataset()));
  return path ? RoundDashboard.show(context, path) : undefined;
}

export function datasetInFront(): string | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputCustom && input.viewType === DatasetEditorProvider.viewType && input.uri.scheme === 'file') return input.uri.fsPath;
  if (RoundDashboard.active) return RoundDashboard.active.datasetPath;
  const text = vscode.window.activeTextEditor?.document.uri;
  if (text?.scheme === 'file' && isDatasetCandidate(text.fsPath)) return text.fsPath;
  return activeDataset();
}

export async function pickDataset(): Promise<string | undefined> {
  return (await pickDatasetFile({ placeHolder: 'Dataset whose rounds to show (.jsonl or .json)', openLabel: 'Show Rounds' }))?.fsPath;
}
