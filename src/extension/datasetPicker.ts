// The one quick pick of the workspace's datasets (Open Dataset, Show Rounds, the closed loop, the
// held-out split): .json/.jsonl files that may hold samples (core/dataset/candidates), the active
// editor's first, then a file dialog for anything else.
import * as vscode from 'vscode';
import { isDatasetCandidate } from '../core/dataset/candidates';

const BROWSE = 'Browse…';
const MAX_LISTED = 2000;

/** The workspace's files that may be datasets, by path. */
async function workspaceDatasets(): Promise<vscode.Uri[]> {
  const files = await vscode.workspace.findFiles('**/*.{jsonl,json}', '{**/node_modules/**,**/.git/**,**/.vscode/**,**/*.itool/**}', MAX_LISTED);
  return files.filter((u) => isDatasetCandidate(u.fsPath)).sort((a, b) => a.path.localeCompare(b.path));
}

export interface DatasetPick {
  placeHolder: string;
  title?: string;
  /** The file dialog's button; without it there is no Browse… entry. */
  openLabel?: string;
  /** Left out of the list (the dataset a held-out split is being picked for). */
  exclude?: string;
}

export async function pickDatasetFile(o: DatasetPick): Promise<vscode.Uri | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  const items: (vscode.QuickPickItem & { uri?: vscode.Uri })[] = [];
  const seen = new Set<string>(o.exclude ? [vscode.Uri.file(o.exclude).toString()] : []);
  const add = (u: vscode.Uri) => {
    if (seen.has(u.toString())) return;
    seen.add(u.toString());
    items.push({ label: vscode.workspace.asRelativePath(u), uri: u });
  };
  if (active?.scheme === 'file' && isDatasetCandidate(active.fsPath)) add(active);
  (await workspaceDatasets()).forEach(add);
  if (o.openLabel) items.push({ label: BROWSE, alwaysShow: true });
  const picked = await vscode.window.showQuickPick(items, { placeHolder: o.placeHolder, title: o.title, ignoreFocusOut: !!o.title });
  if (!picked) return undefined;
  if (picked.uri) return picked.uri;
  const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: o.openLabel, filters: { 'Tool-use datasets': ['jsonl', 'json'] } });
  return chosen?.[0];
}
