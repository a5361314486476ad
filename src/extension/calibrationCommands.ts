// `iTool: Calibrate Dataset`, `iTool: Select Deficient Samples`, `iTool: Explore Deficient
// Samples` and `iTool: Generate Outputs`: the verbs of a dataset session (src/core/session) with
// VS Code's progress, settings and messages around them. The palette runs them on the dataset in
// front or one it asks for (sessions.ts), its panel open or not; the panel's buttons on its own.
import * as vscode from 'vscode';
import { CalibrationRefused } from '../core/calibrate/calibrate';
import { generateOutputs, outputsPath } from '../core/toolcall/generate';
import { PolicyError, type Policy } from '../core/model/policy';
import { SessionError, type DatasetSession } from '../core/session/session';
import { errorMessage, log } from './log';
import { CALL_RENDERING_SETTING, callRenderingSetting, showPolicyError } from './policyConfig';
import { openConfiguredPolicy } from './policySetup';
import type { PredictionLinks } from './predictionLinks';
import { checkPredictionsFile } from './predictionsCheck';
import { pickExploreScope, recordSpeed, speedKey } from './exploreScope';
import { withSession } from './sessions';
import { setting } from './settings';
import { openSettingsUi } from './settingsUi';

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

export function calibrateCommand(ctx: vscode.ExtensionContext, uri?: unknown): Promise<void> {
  return withSession('calibrate', (s) => calibrateSession(ctx, s), uri).then(() => undefined);
}

export async function calibrateSession(ctx: vscode.ExtensionContext, session: DatasetSession): Promise<void> {
  const ds = session.dataset;
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
        return session.calibrate(policy, {
          thresholds: thresholds(),
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
    const msg = `iTool: calibrated ${result.entries.length} samples with ${policy.label}${result.resumed ? ` (${result.resumed} resumed from an earlier run)` : ''}${result.skipped.length ? `; ${result.skipped.length} skipped (see the log)` : ''}.`;
    for (const s of result.skipped.slice(0, 50)) log().warn(`calibration skipped record ${s.index + 1}: ${s.reason}`);
    log().info(`${msg} Results: ${result.path}`);
    void vscode.window.showInformationMessage(msg);
  } catch (err) {
    if (err instanceof Error && err.name === 'AbortError') {
      void vscode.window.showInformationMessage('iTool: calibration cancelled; what was scored is kept and a rerun resumes from there.');
    } else if (err instanceof CalibrationRefused) {
      // Too much was skipped to rank what is left: no results shown, no selection until a run is
      // accepted (the session keeps each sample's reason for its "Scored as" block).
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

/** A verb the session's state does not allow (nothing calibrated, a refused run): say what to do. */
function showSessionError(err: unknown): boolean {
  if (!(err instanceof SessionError)) return false;
  const refused = err.message.startsWith('no selection from a refused calibration');
  void (refused ? vscode.window.showErrorMessage(`iTool: ${err.message}.`) : vscode.window.showWarningMessage(`iTool: ${err.message} (iTool: Calibrate Dataset).`));
  return true;
}

/** Returns how many samples were selected (the panel's button shows it). */
export function selectDeficientCommand(uri?: unknown): Promise<number | undefined> {
  return withSession('select deficient samples of', (s) => selectDeficientSession(s), uri);
}

export async function selectDeficientSession(session: DatasetSession): Promise<number | undefined> {
  const ratio = setting('itool.calibration.ratio');
  let picked;
  try {
    picked = await session.selectDeficient(ratio, thresholds());
  } catch (err) {
    if (showSessionError(err)) return undefined;
    throw err;
  }
  const sel = picked.selection;
  log().info(`selected ${sel.selected.length} deficient samples (ratio ${ratio}): ${picked.path}`);
  void vscode.window.showInformationMessage(
    `iTool: selected ${sel.selected.length} deficient samples (${sel.groups.calls.selected} that call a tool, ${sel.groups.text.selected} that answer in text).`,
  );
  return sel.selected.length;
}

/**
 * `iTool: Explore Deficient Samples`: MCTS over the selected samples with the configured policy;
 * trees and pairs are journaled beside the dataset per sample as they finish (a rerun resumes).
 */
export function exploreCommand(ctx: vscode.ExtensionContext, uri?: unknown): Promise<void> {
  return withSession('explore', (s) => exploreSession(ctx, s), uri).then(() => undefined);
}

export async function exploreSession(ctx: vscode.ExtensionContext, session: DatasetSession): Promise<void> {
  let targets;
  try {
    targets = await session.targets(setting('itool.calibration.ratio'), thresholds());
  } catch (err) {
    if (showSessionError(err)) return;
    throw err;
  }
  const policy = await loadPolicy(ctx);
  if (!policy) return;
  const ds = session.dataset;
  const round = setting('itool.calibration.round');
  const knobs = {
    numActions: setting('itool.search.numActions'),
    temperature: setting('itool.search.temperature'),
    maxNewTokens: setting('itool.search.maxNewTokens'),
    depth: setting('itool.search.depth'),
    iterations: setting('itool.search.iterations'),
    maxSimulationSteps: setting('itool.search.maxSimulationSteps'),
    explorationWeight: setting('itool.search.explorationWeight'),
    seed: setting('itool.search.seed'),
    concurrency: setting('itool.search.concurrency'),
  };
  const speed = speedKey(policy.id, knobs);
  try {
    // What to explore, with the time it will take, before any is spent.
    const scoped = await pickExploreScope(ctx, speed, targets);
    if (!scoped) return;
    const started = Date.now();
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Exploring ${scoped.length} deficient sample${scoped.length === 1 ? '' : 's'} with ${policy.label}`, cancellable: true },
      async (progress, token) => {
        const ctl = new AbortController();
        token.onCancellationRequested(() => ctl.abort());
        let reported = 0;
        let first = -1;
        return session.explore(policy, {
          targets: scoped,
          round,
          // The selection's rendering: the search continues the prompts calibration scored.
          calls: session.calibration.header ? (session.calibration.header.calls ?? 'auto') : callRenderingSetting(),
          ...knobs,
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
    await recordSpeed(ctx, speed, result.entries.length - result.resumed, Date.now() - started);
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
export function generateOutputsCommand(ctx: vscode.ExtensionContext, links: PredictionLinks, uri?: unknown): Promise<void> {
  return withSession('generate outputs for', (s) => generateOutputsSession(ctx, s, links), uri).then(() => undefined);
}

async function generateOutputsSession(ctx: vscode.ExtensionContext, session: DatasetSession, links: PredictionLinks): Promise<void> {
  await session.restore(thresholds());
  const policy = await loadPolicy(ctx);
  if (!policy) return;
  const ds = session.dataset;
  const selected = session.calibration.selectedTargets().map((t) => t.index).sort((a, b) => a - b);
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
    await checkPredictionsFile(session, out, links);
  } catch (err) {
    if (err instanceof Error && err.name === 'AbortError') void vscode.window.showInformationMessage('iTool: generation cancelled.');
    else showRunError('generating outputs', ds.path, err);
  } finally {
    await policy.close();
  }
}
