// `iTool: Calibrate Dataset`, `iTool: Select Deficient Samples` and `iTool: Explore Deficient
// Samples`, on the dataset panel in front.
import * as vscode from 'vscode';
import { calibrate, CalibrationRefused } from '../core/calibrate/calibrate';
import { selectionFile, selectionPath, writeSelection } from '../core/calibrate/selectionFile';
import { explore } from '../core/search/explore';
import { generateOutputs, outputsPath } from '../core/toolcall/generate';
import { PolicyError, type Policy } from '../core/model/policy';
import { DatasetEditorProvider } from './datasetEditor';
import type { DatasetPanel } from './datasetPanel';
import { errorMessage, log } from './log';
import { CALL_RENDERING_SETTING, callRenderingSetting, showPolicyError } from './policyConfig';
import { openConfiguredPolicy } from './policySetup';
import { setting } from './settings';
import { openSettingsUi } from './settingsUi';

function activePanel(): DatasetPanel | undefined {
  const panel = DatasetEditorProvider.activePanel;
  if (!panel) void vscode.window.showWarningMessage('iTool: open a dataset first (iTool: Open Dataset).');
  return panel;
}

/**
 * The configured policy, loaded with a progress notification; with none set, the first-run pick.
 * Undefined (after saying why) if there is none to use.
 */
function loadPolicy(ctx: vscode.ExtensionContext): Promise<Policy | undefined> {
  return openConfiguredPolicy(ctx);
}

/**
 * A run that failed: a policy error (its folder, server or template) offers the settings; any
 * other error is logged and shown. Only the message: no stack reaches the user.
 */
function showRunError(what: string, datasetPath: string, err: unknown): void {
  if (err instanceof PolicyError) {
    log().error(`${what} of ${datasetPath} failed`);
    void showPolicyError(`${what} failed: ${errorMessage(err)}`);
    return;
  }
  log().error(`${what} of ${datasetPath} failed: ${errorMessage(err)}`);
  void vscode.window.showErrorMessage(`iTool: ${what} failed: ${errorMessage(err)}`);
}

function thresholds(): { easyBelow: number; hardFrom: number } | undefined {
  const t = setting('itool.calibration.tierThresholds');
  return t && typeof t.easyBelow === 'number' && typeof t.hardFrom === 'number' ? { easyBelow: t.easyBelow, hardFrom: t.hardFrom } : undefined;
}

function eta(done: number, total: number, started: number, resumedAt: number): string {
  const rate = (done - resumedAt) / ((Date.now() - started) / 1000);
  if (!(rate > 0) || done >= total) return '';
  const s = Math.round((total - done) / rate);
  return s >= 120 ? ` · about ${Math.round(s / 60)} min left` : ` · about ${s} s left`;
}

export async function calibrateCommand(ctx: vscode.ExtensionContext): Promise<void> {
  const panel = activePanel();
  if (!panel) return;
  const ds = panel.datasetOpen;
  const policy = await loadPolicy(ctx);
  if (!policy) return;
  const name = ds.path.split(/[\\/]/).pop();
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Calibrating ${name} with ${policy.label}`, cancellable: true },
      async (progress, token) => {
        const ctl = new AbortController();
        token.onCancellationRequested(() => ctl.abort());
        const started = Date.now();
        let reported = 0;
        let resumedAt = -1;
        return calibrate(ds, policy, {
          round: setting('itool.calibration.round'),
          batch: setting('itool.calibration.batch'),
          calls: callRenderingSetting(),
          signal: ctl.signal,
          onProgress: (done, total) => {
            if (resumedAt < 0) resumedAt = done;
            const pct = total ? (100 * done) / total : 100;
            progress.report({ increment: pct - reported, message: `${done} / ${total} samples${eta(done, total, started, resumedAt)}` });
            reported = pct;
          },
        });
      },
    );
    panel.showCalibration(result, thresholds());
    const msg = `iTool: calibrated ${result.entries.length} samples with ${policy.label}${result.resumed ? ` (${result.resumed} resumed from an earlier run)` : ''}${result.skipped.length ? `; ${result.skipped.length} skipped (see the log)` : ''}.`;
    for (const s of result.skipped.slice(0, 50)) log().warn(`calibration skipped record ${s.index + 1}: ${s.reason}`);
    log().info(`${msg} Results: ${result.path}`);
    void vscode.window.showInformationMessage(msg);
  } catch (err) {
    if (err instanceof Error && err.name === 'AbortError') {
      void vscode.window.showInformationMessage('iTool: calibration cancelled; what was scored is kept and a rerun resumes from there.');
    } else if (err instanceof CalibrationRefused) {
      // Too much was skipped to rank what is left: no results shown, no selection until a run is accepted.
      panel.calibration.refuse(err.message, err.result.skipped);
      panel.refreshScoredAs(); // the detail view says why its sample was skipped
      for (const s of err.result.skipped.slice(0, 50)) log().warn(`calibration skipped record ${s.index + 1}${s.kind ? ` (${s.kind})` : ''}: ${s.reason}`);
      log().error(`calibration of ${ds.path} refused: ${err.message}`);
      void showRefusal(err.message);
    } else {
      showRunError('calibration', ds.path, err);
    }
  } finally {
    await policy.close();
  }
}

/** The refusal as an error notification; its buttons open the log or the call rendering setting. */
async function showRefusal(message: string): Promise<void> {
  const logButton = 'Show Log';
  const setting = 'Call Rendering Setting';
  const pick = await vscode.window.showErrorMessage(`iTool: calibration refused, no selection made: ${message}`, logButton, setting);
  if (pick === logButton) log().show(true);
  else if (pick === setting) await openSettingsUi(CALL_RENDERING_SETTING);
}

/** Says so when the latest calibration was refused: no selection is built from it. */
function refused(panel: DatasetPanel): boolean {
  const why = panel.calibration.refusal;
  if (why) void vscode.window.showErrorMessage(`iTool: no selection from a refused calibration: ${why.replace(/\.$/, '')}. Fix what made it skip samples (the panel's "Scored as" block shows why for each sample) and calibrate again.`);
  return !!why;
}

/** Returns how many samples were selected (the panel's button shows it). */
export async function selectDeficientCommand(): Promise<number | undefined> {
  const panel = activePanel();
  if (!panel) return undefined;
  if (refused(panel)) return undefined;
  if (!panel.calibration.loaded) {
    const found = await panel.calibration.loadLatest();
    if (found) panel.showCalibration(found, thresholds());
  }
  const cal = panel.calibration.result;
  if (!cal) {
    void vscode.window.showWarningMessage('iTool: calibrate the dataset first (iTool: Calibrate Dataset).');
    return undefined;
  }
  if (refused(panel)) return undefined;
  const ratio = setting('itool.calibration.ratio');
  const sel = panel.calibration.select(ratio);
  const path = selectionPath(panel.datasetOpen.path, cal.header.model, cal.header.round);
  await writeSelection(path, selectionFile(cal, sel, panel.calibration.tierCuts));
  panel.showCalibration(cal, thresholds(), sel.selected);
  log().info(`selected ${sel.selected.length} deficient samples (ratio ${ratio}): ${path}`);
  void vscode.window.showInformationMessage(
    `iTool: selected ${sel.selected.length} deficient samples (${sel.groups.calls.selected} that call a tool, ${sel.groups.text.selected} that answer in text).`,
  );
  return sel.selected.length;
}

/**
 * `iTool: Explore Deficient Samples`: MCTS over the selected samples with the configured policy;
 * trees and pairs are journaled beside the dataset per sample as they finish (a rerun resumes).
 */
export async function exploreCommand(ctx: vscode.ExtensionContext): Promise<void> {
  const panel = activePanel();
  if (!panel) return;
  if (!panel.calibration.loaded) {
    const found = await panel.calibration.loadLatest();
    if (found) panel.showCalibration(found, thresholds());
  }
  let targets = panel.calibration.selectedTargets();
  if (targets.length === 0 && panel.calibration.loaded) {
    await selectDeficientCommand();
    if (panel.calibration.refusal) return; // said why
    targets = panel.calibration.selectedTargets();
  }
  if (targets.length === 0) {
    void vscode.window.showWarningMessage('iTool: calibrate the dataset and select its deficient samples first (iTool: Calibrate Dataset).');
    return;
  }
  const policy = await loadPolicy(ctx);
  if (!policy) return;
  const ds = panel.datasetOpen;
  const round = setting('itool.calibration.round');
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Exploring ${targets.length} deficient samples with ${policy.label}`, cancellable: true },
      async (progress, token) => {
        const ctl = new AbortController();
        token.onCancellationRequested(() => ctl.abort());
        let reported = 0;
        let first = -1;
        return explore(ds, policy, targets, {
          round,
          // The selection's rendering: the search continues the prompts calibration scored.
          calls: panel.calibration.header ? (panel.calibration.header.calls ?? 'auto') : callRenderingSetting(),
          numActions: setting('itool.search.numActions'),
          temperature: setting('itool.search.temperature'),
          maxNewTokens: setting('itool.search.maxNewTokens'),
          depth: setting('itool.search.depth'),
          iterations: setting('itool.search.iterations'),
          maxSimulationSteps: setting('itool.search.maxSimulationSteps'),
          explorationWeight: setting('itool.search.explorationWeight'),
          seed: setting('itool.search.seed'),
          concurrency: setting('itool.search.concurrency'),
          signal: ctl.signal,
          onProgress: (p) => {
            if (first < 0) first = p.done;
            const pct = p.total ? (100 * p.done) / p.total : 100;
            const rate = (p.done - first) / Math.max(0.001, p.elapsedMs / 1000);
            const left = rate > 0 && p.done < p.total ? ` · about ${Math.round((p.total - p.done) / rate)} s left` : '';
            progress.report({ increment: pct - reported, message: `${p.done} / ${p.total} samples · ${p.pairs} pairs${left}` });
            reported = pct;
          },
        });
      },
    );
    panel.showSearch(result.header, result.entries, result.path);
    for (const s of result.skipped.slice(0, 50)) log().warn(`search skipped record ${s.index + 1}: ${s.reason}`);
    const msg = `iTool: explored ${result.entries.length} samples, ${result.pairs.length} preference pairs${result.resumed ? ` (${result.resumed} samples resumed)` : ''}${result.skipped.length ? `; ${result.skipped.length} skipped (see the log)` : ''}.`;
    log().info(`${msg} Journal: ${result.path}`);
    void vscode.window.showInformationMessage(msg);
  } catch (err) {
    if (err instanceof Error && err.name === 'AbortError') {
      void vscode.window.showInformationMessage('iTool: exploration cancelled; finished samples are kept and a rerun resumes.');
    } else {
      showRunError('exploration', ds.path, err);
    }
  } finally {
    await policy.close();
  }
}

/**
 * `iTool: Generate Outputs with the Policy`: one greedy answer per sample (the selected samples when
 * there is a selection, else all), written beside the dataset as a predictions file and checked at
 * once, so the panel shows the policy's own errors fragment by fragment.
 */
export async function generateOutputsCommand(ctx: vscode.ExtensionContext): Promise<void> {
  const panel = activePanel();
  if (!panel) return;
  const policy = await loadPolicy(ctx);
  if (!policy) return;
  const ds = panel.datasetOpen;
  const selected = panel.calibration.selectedTargets().map((t) => t.index).sort((a, b) => a - b);
  const indices = selected.length ? selected : undefined;
  const out = outputsPath(ds.path, policy.id);
  try {
    const rows = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Generating outputs with ${policy.label}`, cancellable: true },
      async (progress, token) => {
        const ctl = new AbortController();
        token.onCancellationRequested(() => ctl.abort());
        let reported = 0;
        return generateOutputs(ds, policy, out, {
          indices,
          calls: callRenderingSetting(),
          signal: ctl.signal,
          onProgress: (done, total) => {
            const pct = (100 * done) / Math.max(1, total);
            progress.report({ increment: pct - reported, message: `${done} / ${total} samples` });
            reported = pct;
          },
        });
      },
    );
    log().info(`generated ${rows.length} outputs with ${policy.label}: ${out}`);
    await panel.loadPredictions(out);
  } catch (err) {
    if (err instanceof Error && err.name === 'AbortError') void vscode.window.showInformationMessage('iTool: generation cancelled.');
    else showRunError('generating outputs', ds.path, err);
  } finally {
    await policy.close();
  }
}
