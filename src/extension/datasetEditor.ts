// The dataset editor: a read-only custom editor offered for .jsonl/.json files (priority "option",
// so ordinary JSON keeps opening as text) and used by `iTool: Open Dataset`. Read-only because a
// dataset can be a gigabyte: a text document would load all of it; this indexes byte offsets and
// parses records as they are shown. The source file is never written from here.
import * as vscode from 'vscode';
import { Dataset } from '../core/dataset/dataset';
import { DatasetPanel } from './datasetPanel';
import { errorMessage, log } from './log';
import { panelHtml } from './webviewHtml';
import type { PredictionLinks } from './predictionLinks';

/** How long an open may take before a progress notification appears. */
const PROGRESS_AFTER_MS = 400;

class DatasetDocument implements vscode.CustomDocument {
  constructor(
    readonly uri: vscode.Uri,
    readonly dataset: Dataset,
  ) {}

  dispose(): void {
    void this.dataset.close();
  }
}

/**
 * `itool.datasetPanelActive`: a dataset panel is the active editor. The palette offers the
 * commands that work on "the dataset in front" only then (package.json `when` clauses), instead
 * of listing them everywhere and answering "open a dataset first".
 */
export const PANEL_ACTIVE_KEY = 'itool.datasetPanelActive';
const activeHosts = new Set<DatasetPanel>();

function showActive(host: DatasetPanel, active: boolean): void {
  const before = activeHosts.size > 0;
  if (active) activeHosts.add(host);
  else activeHosts.delete(host);
  if (before !== activeHosts.size > 0) void vscode.commands.executeCommand('setContext', PANEL_ACTIVE_KEY, activeHosts.size > 0);
}

export class DatasetEditorProvider implements vscode.CustomReadonlyEditorProvider<DatasetDocument> {
  static readonly viewType = 'itool.dataset';

  static register(ctx: vscode.ExtensionContext, links: PredictionLinks): vscode.Disposable {
    return vscode.window.registerCustomEditorProvider(DatasetEditorProvider.viewType, new DatasetEditorProvider(ctx.extensionUri, links), {
      webviewOptions: { retainContextWhenHidden: true },
      supportsMultipleEditorsPerDocument: true,
    });
  }

  /** The panel whose editor is active: the target of `iTool: Load Predictions`. */
  static activePanel: DatasetPanel | undefined;
  /** Every open panel (a fragment marked in a text editor updates the one showing its dataset). */
  static readonly panels = new Set<DatasetPanel>();

  static panelFor(datasetPath: string): DatasetPanel | undefined {
    for (const p of DatasetEditorProvider.panels) if (p.datasetOpen.path === datasetPath) return p;
    return undefined;
  }

  private constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly links: PredictionLinks,
  ) {}

  async openCustomDocument(uri: vscode.Uri, _ctx: vscode.CustomDocumentOpenContext, token: vscode.CancellationToken): Promise<DatasetDocument> {
    if (uri.scheme !== 'file') throw new Error(`iTool Studio opens datasets from disk; ${uri.toString()} is not a local file`);
    const name = uri.path.split('/').pop();
    const ctl = new AbortController();
    token.onCancellationRequested(() => ctl.abort());
    try {
      // Small files open in milliseconds: the progress notification (with cancel) only appears
      // when indexing is still running after a moment, instead of flashing on every open.
      let done = 0;
      let total = 0;
      const opening = Dataset.open(uri.fsPath, { signal: ctl.signal, onProgress: (d, t) => ((done = d), (total = t)) });
      const quick = await Promise.race([opening.then(() => true, () => true), new Promise<boolean>((r) => setTimeout(() => r(false), PROGRESS_AFTER_MS))]);
      if (!quick) {
        void vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Indexing ${name}`, cancellable: true },
          async (progress, cancel) => {
            cancel.onCancellationRequested(() => ctl.abort());
            let reported = 0;
            const timer = setInterval(() => {
              const pct = total ? (100 * done) / total : 0;
              progress.report({ increment: pct - reported, message: `${Math.round(pct)}%` });
              reported = pct;
            }, 100);
            await opening.catch(() => undefined);
            clearInterval(timer);
          },
        );
      }
      const dataset = await opening;
      log().info(`opened ${uri.fsPath}: ${dataset.format.label}, ${dataset.count} records, indexed in ${Math.round(dataset.indexMs)} ms`);
      return new DatasetDocument(uri, dataset);
    } catch (err) {
      log().error(`could not open ${uri.fsPath}: ${errorMessage(err)}`);
      throw err;
    }
  }

  async resolveCustomEditor(doc: DatasetDocument, panel: vscode.WebviewPanel): Promise<void> {
    const name = doc.uri.path.split('/').pop() ?? 'dataset';
    panel.webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(this.extensionUri, 'media')],
    };
    const host = new DatasetPanel(panel.webview, doc.dataset, this.links);
    DatasetEditorProvider.panels.add(host);
    if (panel.active) DatasetEditorProvider.activePanel = host;
    showActive(host, panel.active);
    panel.onDidChangeViewState((e) => {
      if (e.webviewPanel.active) DatasetEditorProvider.activePanel = host;
      showActive(host, e.webviewPanel.active);
    });
    panel.onDidDispose(() => {
      if (DatasetEditorProvider.activePanel === host) DatasetEditorProvider.activePanel = undefined;
      DatasetEditorProvider.panels.delete(host);
      showActive(host, false);
      host.dispose();
    });
    panel.webview.html = panelHtml(panel.webview, this.extensionUri, `iTool Studio: ${name}`);
  }
}
