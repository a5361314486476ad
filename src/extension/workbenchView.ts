// The way in: an iTool view in the activity bar and an item in the status bar. The view lists the
// policy in force, the workspace's datasets with where each stands in the method (calibrated,
// selected, explored, pairs pending review, rounds, held-out accuracy; core/session/status.ts
// reads it from the files beside each dataset, without opening it) with the next step as an
// inline action, and any training job running. The status bar names the policy and a running job.
// Both refresh when those files change.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { isDatasetCandidate } from '../core/dataset/candidates';
import { datasetStatus, pct, stageOf, type DatasetStatus } from '../core/session/status';
import { configuredPolicySpec } from './policySpec';
import { setting } from './settings';

const MAX_DATASETS = 200;
const REFRESH_MS = 400;

type Node =
  | { kind: 'policy' }
  | { kind: 'datasets' }
  | { kind: 'dataset'; status: DatasetStatus; label: string }
  | { kind: 'fact'; label: string; description?: string; icon: string; command?: vscode.Command }
  | { kind: 'jobs' }
  | { kind: 'job'; status: DatasetStatus };

/** The configured policy as the user named it: the model folder's name, or the served model and host. */
export function policyLabel(): string | undefined {
  const spec = configuredPolicySpec(setting);
  if (!spec) return undefined;
  if (spec.backend === 'onnx') return `${basename(spec.modelDir)} (ONNX)`;
  let host = spec.baseURL;
  try {
    host = new URL(spec.baseURL).host;
  } catch {
    // A malformed URL is shown as typed; the policy setup says what is wrong with it.
  }
  return `${spec.model} @ ${host}`;
}

export class WorkbenchView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly status = vscode.window.createStatusBarItem('itool.status', vscode.StatusBarAlignment.Left, 50);
  private readonly disposables: vscode.Disposable[] = [];
  private statuses: Promise<DatasetStatus[]> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor() {
    this.status.name = 'iTool Studio';
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.itool/**');
    const soon = () => this.refreshSoon();
    this.disposables.push(
      this.changed,
      this.status,
      watcher,
      watcher.onDidChange(soon),
      watcher.onDidCreate(soon),
      watcher.onDidDelete(soon),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('itool.policy') && this.refresh()),
      vscode.window.registerTreeDataProvider('itool.workbench', this),
    );
    this.refresh();
  }

  /** Read every dataset's state again and redraw (the view and the status bar). */
  refresh(): void {
    this.statuses = undefined;
    this.changed.fire(undefined);
    void this.updateStatusBar();
  }

  private refreshSoon(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), REFRESH_MS);
  }

  private all(): Promise<DatasetStatus[]> {
    this.statuses ??= (async () => {
      const files = await vscode.workspace.findFiles('**/*.{jsonl,json}', '{**/node_modules/**,**/.git/**,**/.vscode/**,**/*.itool/**}', MAX_DATASETS);
      const paths = files.map((u) => u.fsPath).filter(isDatasetCandidate).sort();
      return Promise.all(paths.map((p) => datasetStatus(p).catch((err: unknown): DatasetStatus => ({ path: p, rounds: 0, problems: [err instanceof Error ? err.message : String(err)] }))));
    })();
    return this.statuses;
  }

  private async updateStatusBar(): Promise<void> {
    const policy = policyLabel();
    const running = (await this.all()).filter((s) => s.running);
    const job = running[0]?.running;
    this.status.text = job ? `$(sync~spin) iTool: round ${job.round} training${job.percentage !== undefined ? ` ${Math.round(job.percentage)}%` : ''}` : `$(beaker) iTool: ${policy ?? 'no policy'}`;
    this.status.tooltip = `iTool Studio — policy: ${policy ?? 'none chosen yet (click to choose)'}${running.length ? `\n${running.length} training job(s) running` : ''}`;
    this.status.command = job ? { command: 'itool.showRoundDashboard', title: 'Show Round Dashboard', arguments: [vscode.Uri.file(running[0].path)] } : 'itool.choosePolicy';
    this.status.accessibilityInformation = { label: this.status.tooltip };
    this.status.show();
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) return [{ kind: 'policy' }, { kind: 'datasets' }, { kind: 'jobs' }];
    if (node.kind === 'datasets') {
      const all = await this.all();
      // A file name alone, unless two datasets share it (synth/seen/X and synth/heldout/X): then its folder too.
      const names = new Map<string, number>();
      for (const s of all) names.set(basename(s.path), (names.get(basename(s.path)) ?? 0) + 1);
      return all.map((status) => ({ kind: 'dataset', status, label: names.get(basename(status.path))! > 1 ? vscode.workspace.asRelativePath(status.path).split('/').slice(-2).join('/') : basename(status.path) }));
    }
    if (node.kind === 'jobs') return (await this.all()).filter((s) => s.running).map((status) => ({ kind: 'job', status }));
    if (node.kind === 'dataset') return facts(node.status);
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case 'policy': {
        const label = policyLabel();
        const item = new vscode.TreeItem(`Policy: ${label ?? 'none chosen'}`);
        item.iconPath = new vscode.ThemeIcon('beaker');
        item.tooltip = label ? 'The model calibration, search and evaluation use. Click to choose another.' : 'No policy yet: click to choose a model folder or a served model.';
        item.command = { command: 'itool.choosePolicy', title: 'Choose Policy' };
        return item;
      }
      case 'datasets': {
        const item = new vscode.TreeItem('Datasets', vscode.TreeItemCollapsibleState.Expanded);
        item.iconPath = new vscode.ThemeIcon('database');
        return item;
      }
      case 'jobs': {
        const item = new vscode.TreeItem('Training jobs', vscode.TreeItemCollapsibleState.Expanded);
        item.iconPath = new vscode.ThemeIcon('pulse');
        item.description = 'none running';
        void this.all().then((all) => {
          const n = all.filter((s) => s.running).length;
          if (n) item.description = `${n} running`;
        });
        return item;
      }
      case 'dataset': {
        const uri = vscode.Uri.file(node.status.path);
        // The name, then where it stands (the description): what a narrow sidebar must still show.
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Collapsed);
        const { summary, next } = stageOf(node.status);
        item.description = summary;
        item.tooltip = `${vscode.workspace.asRelativePath(uri)}\n${summary}${next ? `\nNext: ${next.title}` : ''}`;
        item.resourceUri = uri;
        item.iconPath = new vscode.ThemeIcon(node.status.running ? 'sync~spin' : 'file');
        // The inline action offered is the next step (package.json view/item/context menus).
        item.contextValue = `itool.dataset.${next?.command.replace('itool.', '') ?? 'done'}`;
        item.command = { command: 'itool.openDataset', title: 'Open Dataset', arguments: [uri] };
        return item;
      }
      case 'job': {
        const r = node.status.running!;
        const item = new vscode.TreeItem(`${basename(node.status.path)}: round ${r.round} on ${r.backend}`);
        item.description = r.percentage !== undefined ? `${Math.round(r.percentage)}%` : 'starting';
        item.iconPath = new vscode.ThemeIcon('sync~spin');
        item.command = { command: 'itool.showRoundDashboard', title: 'Show Round Dashboard', arguments: [vscode.Uri.file(node.status.path)] };
        return item;
      }
      case 'fact': {
        const item = new vscode.TreeItem(node.label);
        item.description = node.description;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        item.command = node.command;
        return item;
      }
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** A dataset's details, one line a stage, each opening where it is seen best. */
function facts(s: DatasetStatus): Node[] {
  const uri = vscode.Uri.file(s.path);
  const open: vscode.Command = { command: 'itool.openDataset', title: 'Open Dataset', arguments: [uri] };
  const rounds: vscode.Command = { command: 'itool.showRoundDashboard', title: 'Show Round Dashboard', arguments: [uri] };
  const out: Node[] = [];
  const c = s.calibration;
  out.push(
    c
      ? { kind: 'fact', label: 'Calibration', description: `${c.scored} scored${c.skipped ? `, ${c.skipped} skipped` : ''} · ${c.model}, round ${c.round}${c.stale ? ' · for an older version of the file' : ''}`, icon: c.stale ? 'warning' : 'pass', command: open }
      : { kind: 'fact', label: 'Calibration', description: 'not yet', icon: 'circle-large-outline', command: { command: 'itool.calibrateDataset', title: 'Calibrate', arguments: [uri] } },
  );
  const x = s.search;
  out.push(
    x
      ? { kind: 'fact', label: 'Search', description: `${count(x.pairs, 'pair')} from ${count(x.samples, 'sample')} · ${x.model}, round ${x.round}${x.stale ? ' · for an older version of the file' : ''}`, icon: x.stale ? 'warning' : 'pass', command: open }
      : { kind: 'fact', label: 'Search', description: 'not yet', icon: 'circle-large-outline', command: { command: 'itool.exploreDeficient', title: 'Explore', arguments: [uri] } },
  );
  if (s.review) {
    const r = s.review;
    out.push({ kind: 'fact', label: 'Review', description: `${r.pending} pending · ${r.accepted + r.edited} accepted · ${r.rejected} rejected · ${r.skipped} skipped`, icon: r.pending ? 'circle-large-outline' : 'pass', command: { command: 'itool.reviewPairs', title: 'Review', arguments: [uri] } });
  }
  for (const p of s.problems ?? []) out.push({ kind: 'fact', label: 'Unreadable', description: p, icon: 'warning', command: open });
  out.push({ kind: 'fact', label: 'Rounds', description: s.rounds ? `${s.rounds}${s.accuracy ? ` · held-out ${pct(s.accuracy.accuracy)} after round ${s.accuracy.round}` : ''}${s.running ? ` · round ${s.running.round} training` : ''}` : 'none yet', icon: s.rounds ? 'graph-line' : 'circle-large-outline', command: rounds });
  return out;
}
