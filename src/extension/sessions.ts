// The extension's dataset sessions: one DatasetSession per open dataset path, shared by its
// panels and by every command that works on it, and the one answer to "which dataset?": the
// dataset panel in front, else a quick pick that names the action. A command on a dataset whose
// panel is closed opens a session for as long as it runs; a panel opened meanwhile joins it.
import * as vscode from 'vscode';
import { Dataset } from '../core/dataset/dataset';
import { DatasetSession } from '../core/session/session';
import { pickDatasetFile } from './datasetPicker';
import { errorMessage, log } from './log';

/** How long an open may take before a progress notification appears. */
const PROGRESS_AFTER_MS = 400;

/** A use of a session; `release()` once done (the last release closes it). */
export interface SessionLease {
  session: DatasetSession;
  release(): void;
}

interface Entry {
  session: Promise<DatasetSession>;
  refs: number;
}

const open = new Map<string, Entry>();
/** The dataset whose panel is the active editor, if one is. */
let activePath: string | undefined;

/**
 * Index `path` (with a cancellable progress notification when it takes more than a moment) and
 * open a session over it. `token`: the caller's cancellation (an editor being closed).
 */
async function openSession(path: string, token?: vscode.CancellationToken): Promise<DatasetSession> {
  const name = path.split(/[\\/]/).pop();
  const ctl = new AbortController();
  token?.onCancellationRequested(() => ctl.abort());
  let done = 0;
  let total = 0;
  const opening = Dataset.open(path, { signal: ctl.signal, onProgress: (d, t) => ((done = d), (total = t)) });
  // Small files open in milliseconds: the notification only appears for an index still running
  // after a moment, instead of flashing on every open.
  const quick = await Promise.race([opening.then(() => true, () => true), new Promise<boolean>((r) => setTimeout(() => r(false), PROGRESS_AFTER_MS))]);
  if (!quick) {
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Indexing ${name}`, cancellable: true }, async (progress, cancel) => {
      cancel.onCancellationRequested(() => ctl.abort());
      let reported = 0;
      const timer = setInterval(() => {
        const pct = total ? (100 * done) / total : 0;
        progress.report({ increment: pct - reported, message: `${Math.round(pct)}%` });
        reported = pct;
      }, 100);
      await opening.catch(() => undefined);
      clearInterval(timer);
    });
  }
  try {
    const dataset = await opening;
    log().info(`opened ${path}: ${dataset.format.label}, ${dataset.count} records, indexed in ${Math.round(dataset.indexMs)} ms`);
    return new DatasetSession(dataset, true);
  } catch (err) {
    log().error(`could not open ${path}: ${errorMessage(err)}`);
    throw err;
  }
}

/** The session of `path`, opened if no panel or command holds it yet. */
export async function acquireSession(path: string, token?: vscode.CancellationToken): Promise<SessionLease> {
  let entry = open.get(path);
  if (!entry) {
    entry = { session: openSession(path, token), refs: 0 };
    open.set(path, entry);
    const failed = entry;
    entry.session.catch(() => open.get(path) === failed && open.delete(path));
  }
  entry.refs++;
  const held = entry;
  const session = await held.session.catch((err: unknown) => {
    held.refs--;
    throw err;
  });
  let released = false;
  return {
    session,
    release: () => {
      if (released) return;
      released = true;
      if (--held.refs > 0) return;
      if (open.get(path) === held) open.delete(path);
      void session.close();
    },
  };
}

/** A session already open for `path` (a panel or a running command holds it), if any. */
export async function openSessionFor(path: string): Promise<DatasetSession | undefined> {
  return open.get(path)?.session.catch(() => undefined);
}

/** The dataset panel in front changed (undefined: no dataset panel is the active editor). */
export function setActiveDataset(path: string | undefined): void {
  activePath = path;
}

/** The dataset whose panel is the active editor. */
export function activeDataset(): string | undefined {
  return activePath;
}

/**
 * "Which dataset?" for a command: the dataset panel in front, else one the user picks from the
 * workspace (the list says what it is for, "Dataset to calibrate", with a dataset open in the
 * active text editor first). Undefined when cancelled.
 */
export async function datasetFor(action: string, given?: unknown): Promise<string | undefined> {
  // A dataset named by the caller: the iTool view's inline actions, the explorer's context menu.
  if (given instanceof vscode.Uri && given.scheme === 'file') return given.fsPath;
  if (activePath) return activePath;
  const picked = await pickDatasetFile({ placeHolder: `Dataset to ${action} (.jsonl or .json)`, openLabel: capitalised(action) });
  return picked?.fsPath;
}

/**
 * Run `fn` on the session of the dataset for `action` (see datasetFor; `given`: a dataset the caller
 * names), opened for the run if its panel is closed. Undefined when no dataset was chosen or it could not be opened (said why).
 */
export async function withSession<T>(action: string, fn: (session: DatasetSession) => Promise<T>, given?: unknown): Promise<T | undefined> {
  const path = await datasetFor(action, given);
  if (!path) return undefined;
  let lease: SessionLease;
  try {
    lease = await acquireSession(path);
  } catch (err) {
    void vscode.window.showErrorMessage(`iTool: could not open ${path}: ${errorMessage(err)}`);
    return undefined;
  }
  try {
    return await fn(lease.session);
  } finally {
    lease.release();
  }
}

function capitalised(action: string): string {
  return action.replace(/(^|\s)\S/g, (c) => c.toUpperCase());
}
