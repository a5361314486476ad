// The dataset editor: a read-only custom editor offered for .jsonl/.json files (priority "option",
// so ordinary JSON keeps opening as text) and used by `iTool: Open Dataset`. Read-only because a
// dataset can be a gigabyte: a text document would load all of it; this indexes byte offsets and
// parses records as they are shown. The source file is never written from here.
import * as vscode from 'vscode';
import { DatasetPanel, type PanelVerbs } from './datasetPanel';
import { panelHtml } from './webviewHtml';
import type { PredictionLinks } from './predictionLinks';
import { acquireSession, setActiveDataset, type SessionLease } from './sessions';

/** An open dataset: its lease on the dataset's session (shared with commands and other panels). */
class DatasetDocument implements vscode.CustomDocument {
  constructor(
    readonly uri: vscode.Uri,
    readonly lease: SessionLease,
  ) {}

  dispose(): void {
    this.lease.release();
  }
}

/** The panels that are the active editor (at most one; a set so a late event cannot leave a stale one). */
const activeHosts = new Set<DatasetPanel>();

/** "Which dataset?" (sessions.ts): the dataset of the panel in front, while one is. */
function showActive(host: DatasetPanel, active: boolean): void {
  if (active) activeHosts.add(host);
  else activeHosts.delete(host);
  setActiveDataset([...activeHosts].pop()?.session.path);
}

export class DatasetEditorProvider implements vscode.CustomReadonlyEditorProvider<DatasetDocument> {
  static readonly viewType = 'itool.dataset';

  static register(ctx: vscode.ExtensionContext, links: PredictionLinks, verbs: PanelVerbs): vscode.Disposable {
    return vscode.window.registerCustomEditorProvider(DatasetEditorProvider.viewType, new DatasetEditorProvider(ctx.extensionUri, links, verbs), {
      webviewOptions: { retainContextWhenHidden: true },
      supportsMultipleEditorsPerDocument: true,
    });
  }

  /** Every open panel (a command that shows something in the panel, e.g. the review tab, finds it here). */
  static readonly panels = new Set<DatasetPanel>();

  static panelFor(datasetPath: string): DatasetPanel | undefined {
    for (const p of DatasetEditorProvider.panels) if (p.session.path === datasetPath) return p;
    return undefined;
  }

  private constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly links: PredictionLinks,
    private readonly verbs: PanelVerbs,
  ) {}

  async openCustomDocument(uri: vscode.Uri, _ctx: vscode.CustomDocumentOpenContext, token: vscode.CancellationToken): Promise<DatasetDocument> {
    if (uri.scheme !== 'file') throw new Error(`iTool Studio opens datasets from disk; ${uri.toString()} is not a local file`);
    return new DatasetDocument(uri, await acquireSession(uri.fsPath, token));
  }

  async resolveCustomEditor(doc: DatasetDocument, panel: vscode.WebviewPanel): Promise<void> {
    const name = doc.uri.path.split('/').pop() ?? 'dataset';
    panel.webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(this.extensionUri, 'media')],
    };
    const host = new DatasetPanel(panel.webview, doc.lease.session, this.links, this.verbs);
    DatasetEditorProvider.panels.add(host);
    showActive(host, panel.active);
    panel.onDidChangeViewState((e) => showActive(host, e.webviewPanel.active));
    panel.onDidDispose(() => {
      DatasetEditorProvider.panels.delete(host);
      showActive(host, false);
      host.dispose();
    });
    panel.webview.html = panelHtml(panel.webview, this.extensionUri, `iTool Studio: ${name}`);
  }
}
