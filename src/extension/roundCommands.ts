// `iTool: Start Optimization Round`, `Cancel Training Job`, `Export Accepted Pairs`, `Export
// Warm-up Curriculum` and the re-attachment of a running job after a window reload: the VS Code
// side of the round service (src/core/rounds/roundService.ts), which exports, launches, follows,
// finishes and records. This file only asks (a round's settings in the start form on the round
// dashboard, trainingForm.ts, where its loss curve then grows; the backend of an export; a
// confirmation), reads the settings and the API key (SecretStorage), and shows progress and
// outcomes. Trainer programs come only from machine-level settings; nothing here runs in an
// untrusted workspace.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { selectionPath } from '../core/calibrate/selectionFile';
import { metadataDir } from '../core/dataset/metadata';
import { curriculumStages, exportCurriculum, type ExportTarget } from '../core/pairs/export/index';
import { pplSummary, readRegistry, runningRound } from '../core/rounds/registry';
import { cancelRound, exportRound, finishRound, followRound, launchRound, openAIClient, progressText, roundPolicy, type RoundBackend, type RoundExport, type TrainedPairs, type TrainerSettings } from '../core/rounds/roundService';
import type { JobRecord, RoundTraining } from '../core/rounds/types';
import type { DatasetSession } from '../core/session/session';
import { datasetFor, withSession } from './sessions';
import { errorMessage, log } from './log';
import { trainerPython } from './loopSettings';
import { askSecret, callRenderingSetting, showPolicyError } from './policyConfig';
import { RoundDashboard } from './roundDashboard';
import { setting, settingText } from './settings';
import { askTraining, BACKEND_INFO, trainingFormInit } from './trainingForm';

export const FINE_TUNING_KEY_SECRET = 'itool.fineTuning.apiKey';
const RUNNING_KEY = 'itool.runningJobs';

const BACKENDS = (['llamafactory', 'trl', 'openai', 'local'] as const).map((id) => ({ id, ...BACKEND_INFO[id] }));

/**
 * The LLaMA-Factory template the user chose, or undefined so the export guesses it from the base
 * model (and warns when nothing names it). The setting's default is "" (not set): LLaMA-Factory's
 * own `default` template is its Human:/Assistant: format, right only when picked on purpose.
 */
function trainerTemplate(): string | undefined {
  return settingText('itool.trainer.template');
}

/** The Python the local trainer runs: itool.trainer.local.python, else the one on PATH (defaultPython). */
export function localPython(): string {
  return trainerPython(setting);
}

/** How calls are written: as calibration rendered them for this dataset (the search follows it). */
function callsOf(session: DatasetSession) {
  return session.calibration.header?.calls ?? callRenderingSetting();
}

/** The trainers' settings as VS Code holds them; `ctx` gives where scripts/train/ and the job runner lie (launching needs it, exporting does not). */
function trainerSettings(session: DatasetSession, ctx?: vscode.ExtensionContext): TrainerSettings {
  return {
    baseModel: settingText('itool.trainer.baseModel'),
    template: trainerTemplate(),
    prefLoss: setting('itool.trainer.prefLoss'),
    calls: callsOf(session),
    // The project's own trainer continues the policy model itself (the configured ONNX folder).
    local: { modelDir: settingText('itool.policy.onnx.modelDir'), python: localPython(), root: ctx?.extensionPath },
    llamafactory: {
      command: setting('itool.trainer.llamafactory.command'),
      forceTorchrun: setting('itool.trainer.llamafactory.forceTorchrun') || undefined,
      nnodes: setting('itool.trainer.llamafactory.nnodes') ?? undefined,
      nodeRank: setting('itool.trainer.llamafactory.nodeRank') ?? undefined,
      nprocPerNode: setting('itool.trainer.llamafactory.nprocPerNode') ?? undefined,
      masterAddr: settingText('itool.trainer.llamafactory.masterAddr'),
      masterPort: setting('itool.trainer.llamafactory.masterPort') ?? undefined,
    },
    trl: { accelerate: setting('itool.trainer.trl.accelerateCommand'), numProcesses: setting('itool.trainer.trl.numProcesses') ?? undefined, configFile: settingText('itool.trainer.trl.configFile') },
    openai: { baseURL: setting('itool.trainer.openai.baseURL') },
    // Inside VS Code process.execPath is Electron: run as Node (the runner drops the switch for the trainer).
    ...(ctx ? { runner: { command: [process.execPath, join(ctx.extensionPath, 'dist', 'jobRunner.js')], env: { ELECTRON_RUN_AS_NODE: '1' } } } : {}),
  };
}

/** An export's warnings: in the log and in front of the user, since training goes wrong without action. */
function showWarnings(what: string, warnings: readonly string[]): void {
  for (const w of warnings) log().warn(`${what}: ${w}`);
  if (warnings.length) void vscode.window.showWarningMessage(`iTool: ${what}: ${warnings[0]}`);
}

/** The round the reviewed pairs belong to: the search's round, else the calibration setting's. */
function roundOf(session: DatasetSession): number {
  return session.search.header?.round ?? setting('itool.calibration.round');
}

function policyOf(session: DatasetSession) {
  return roundPolicy(session.search.header ?? session.calibration.header);
}

/** The accepted pairs, or undefined (said why) when there are none to train on. */
async function acceptedPairs(session: DatasetSession): Promise<TrainedPairs | undefined> {
  const accepted = await session.review.accepted();
  const { pairs, counts } = accepted;
  if (pairs.length === 0) {
    const review = 'Review Pairs';
    const pick = await vscode.window.showWarningMessage(`iTool: no accepted pairs yet (${counts.pending} pending, ${counts.rejected} rejected). Accept pairs in the review queue first (A).`, review);
    if (pick === review) void vscode.commands.executeCommand('itool.reviewPairs', vscode.Uri.file(session.path));
    return undefined;
  }
  return accepted;
}

/**
 * Export the dataset's accepted pairs for `target` into the round's folder (recorded in the
 * registry). `given`: the pairs the start form showed (it said what is left out); without them
 * they are read here and a pending review is asked about.
 */
async function exportAccepted(session: DatasetSession, target: RoundBackend, settings: TrainerSettings, given?: TrainedPairs): Promise<RoundExport | undefined> {
  const accepted = given ?? (await acceptedPairs(session));
  if (!accepted) return undefined;
  const { pairs, counts, manual, skipped } = accepted;
  if (!given && counts.pending > 0) {
    const go = 'Use the accepted ones';
    const pick = await vscode.window.showWarningMessage(`iTool: ${counts.pending} pair(s) are still pending review; only the ${pairs.length} accepted pair(s) will be used.`, { modal: true }, go);
    if (pick !== go) return undefined;
  }
  if (target === 'local' && !settings.local?.modelDir) {
    void showPolicyError('the local trainer continues the policy model itself: set itool.policy.onnx.modelDir to a model the project made (the demo model, or an itool loop model).');
    return undefined;
  }
  if (skipped.length) log().warn(`${skipped.length} accepted pair(s) have no sample in the dataset any more: ${skipped.map((s) => `${s.sampleId}: ${s.reason}`).join('; ')}`);
  const round = roundOf(session);
  const ds = session.dataset;
  const cal = session.calibration.result;
  const h = session.search.header;
  const selection = h ? selectionPath(ds.path, h.model, round) : undefined;
  const exp = await exportRound(ds.path, { pairs, counts, manual }, {
    backend: target,
    round,
    policy: policyOf(session),
    settings,
    artefacts: { calibration: cal?.path, ppl: cal ? pplSummary(cal) : undefined, selection: selection && existsSync(selection) ? selection : undefined, explore: session.search.path },
  });
  showWarnings('pairs export', exp.warnings);
  if (exp.skipped.length) log().warn(`export skipped ${exp.skipped.length} pair(s): ${exp.skipped.map((s) => `${s.sampleId}: ${s.reason}`).join('; ')}`);
  return exp;
}

async function pickBackend(withLocal = true): Promise<RoundBackend | undefined> {
  const first: RoundBackend = setting('itool.trainer.backend');
  const items = BACKENDS.filter((b) => withLocal || b.id !== 'local').sort((a, b) => Number(b.id === first) - Number(a.id === first));
  const picked = await vscode.window.showQuickPick(
    items.map((b) => ({ label: b.label, detail: b.detail, id: b.id })),
    { title: 'Train the round with', placeHolder: 'Trainer backend' },
  );
  return picked?.id;
}

export function exportPairsCommand(uri?: unknown): Promise<void> {
  return withSession('export the accepted pairs of', exportPairsSession, uri);
}

async function exportPairsSession(session: DatasetSession): Promise<void> {
  const target = await pickBackend();
  if (!target) return;
  try {
    await session.restore();
    const r = await exportAccepted(session, target, trainerSettings(session));
    if (!r) return;
    const open = 'Reveal';
    const pick = await vscode.window.showInformationMessage(`iTool: exported ${r.records} pair(s) for ${target} to ${r.dir}${r.skipped.length ? ` (${r.skipped.length} skipped, see the log)` : ''}.`, open);
    if (pick === open) await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(r.files[0] ?? r.dir));
  } catch (err) {
    void vscode.window.showErrorMessage(`iTool: export failed: ${errorMessage(err)}`);
  }
}

/** `iTool: Export Warm-up Curriculum`: the calibrated samples as easy → medium → hard SFT stages for a trainer. */
export function exportCurriculumCommand(uri?: unknown): Promise<void> {
  return withSession('export the warm-up curriculum of', exportCurriculumSession, uri);
}

async function exportCurriculumSession(session: DatasetSession): Promise<void> {
  await session.restore();
  const cal = session.calibration.result;
  const cuts = session.calibration.tierCuts;
  if (!cal || !cuts) {
    void vscode.window.showWarningMessage('iTool: calibrate the dataset first (iTool: Calibrate Dataset): the stages come from its perplexity tiers.');
    return;
  }
  const target = (await pickBackend(false)) as ExportTarget | undefined;
  if (!target) return;
  const ds = session.dataset;
  try {
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Exporting the warm-up curriculum', cancellable: true }, async (progress, token) => {
      const got = await curriculumStages(cal.entries, cuts, (i, answer) => ds.sample(i, answer), {
        cancelled: () => token.isCancellationRequested,
        onProgress: (done, total) => progress.report({ message: `${done}/${total} samples` }),
      });
      if (!got) return undefined;
      const exported = await exportCurriculum(got.stages, {
        target,
        outDir: join(metadataDir(ds.path), 'warmup', target),
        baseModel: settingText('itool.trainer.baseModel'),
        template: trainerTemplate(),
        calls: callsOf(session),
      });
      return { ...exported, skipped: [...got.skipped, ...exported.skipped] };
    });
    if (!result) return;
    for (const n of result.notes) log().warn(`curriculum export: ${n}`);
    if (result.skipped.length) log().warn(`curriculum export skipped ${result.skipped.length} sample(s): ${result.skipped.map((s) => `${s.sampleId}: ${s.reason}`).join('; ')}`);
    showWarnings('curriculum export', result.warnings);
    const open = 'Reveal';
    const skipped = result.skipped.length ? ` (${result.skipped.length} skipped, see the log)` : '';
    const pick = await vscode.window.showInformationMessage(`iTool: warm-up curriculum (${result.records} samples, easy → medium → hard) exported for ${target} to ${result.dir}${skipped}.`, open);
    if (pick === open) await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(result.files[0] ?? result.dir));
  } catch (err) {
    void vscode.window.showErrorMessage(`iTool: curriculum export failed: ${errorMessage(err)}`);
  }
}

/** The fine-tuning API client, with the key from SecretStorage. */
async function fineTuningClient(ctx: vscode.ExtensionContext) {
  return openAIClient(await ctx.secrets.get(FINE_TUNING_KEY_SECRET), setting('itool.trainer.openai.baseURL'));
}

/** Training runs programs: only in a trusted workspace (said when not). */
function trusted(): boolean {
  if (!vscode.workspace.isTrusted) void vscode.window.showErrorMessage('iTool: training runs programs; trust this workspace first (Workspaces: Manage Workspace Trust).');
  return vscode.workspace.isTrusted;
}

export async function startRoundCommand(ctx: vscode.ExtensionContext, uri?: unknown): Promise<void> {
  if (trusted()) await withSession('start a round on', (s) => startRoundSession(ctx, s), uri);
}

/**
 * Start a round on the session's accepted pairs (the palette's command, and the panel's button):
 * the start form on the dataset's round dashboard, filled in with the defaults, then the export
 * and the launch with what it says; the dashboard stays open on the round's loss curve.
 */
export async function startRoundSession(ctx: vscode.ExtensionContext, session: DatasetSession): Promise<void> {
  if (!trusted()) return;
  const datasetPath = session.path;
  try {
    await session.restore();
    const busy = runningRound(await readRegistry(datasetPath));
    if (busy?.job) {
      const show = 'Show Progress';
      if ((await vscode.window.showWarningMessage(`iTool: round ${busy.round} is still training (${busy.job.backend}).`, show)) === show) void attach(ctx, datasetPath, busy.round, busy.job);
      return;
    }
    const accepted = await acceptedPairs(session);
    if (!accepted) return;
    const settings = trainerSettings(session, ctx);
    const init = trainingFormInit({
      round: roundOf(session),
      datasetPath,
      pairs: { accepted: accepted.pairs.length, manual: accepted.manual, pending: accepted.counts.pending },
      settings,
      backend: setting('itool.trainer.backend'),
      hasApiKey: !!(await ctx.secrets.get(FINE_TUNING_KEY_SECRET)),
    });
    const dash = RoundDashboard.show(ctx, datasetPath);
    await askTraining(dash, init, (target, training) => launchWith(ctx, session, accepted, target, { ...settings, prefLoss: training.objective, training }));
  } catch (err) {
    log().error(`starting the round failed: ${errorMessage(err)}`);
    void vscode.window.showErrorMessage(`iTool: could not start the round: ${errorMessage(err)}`);
  }
}

/** Export and launch a round with the form's settings; an error message for the form, or undefined once it trains. */
async function launchWith(ctx: vscode.ExtensionContext, session: DatasetSession, accepted: TrainedPairs, target: RoundBackend, settings: TrainerSettings & { training: RoundTraining }): Promise<string | undefined> {
  const datasetPath = session.path;
  try {
    // Another front door (itool round start) may have started one while the form was open.
    const busy = runningRound(await readRegistry(datasetPath));
    if (busy) return `round ${busy.round} is training now (${busy.job?.backend}): wait for it or cancel it (iTool: Cancel Training Job) first`;
    const apiKey = target === 'openai' ? await ctx.secrets.get(FINE_TUNING_KEY_SECRET) : undefined;
    const exp = await exportAccepted(session, target, settings, accepted);
    if (!exp) return 'nothing was exported (see the notifications)';
    const job = await launchRound(datasetPath, exp, { settings, policy: policyOf(session), apiKey });
    await remember(ctx, datasetPath, exp.round, true);
    log().info(`round ${exp.round}: started ${target} training on ${exp.records} pair(s) with ${JSON.stringify(exp.training)}${job.command ? `: ${JSON.stringify(job.command)}` : ''}`);
    void attach(ctx, datasetPath, exp.round, job);
    return undefined;
  } catch (err) {
    log().error(`starting the round failed: ${errorMessage(err)}`);
    return `Could not start the round: ${errorMessage(err)}`;
  }
}

/** Jobs this workspace is following, so a reloaded window re-attaches to them. */
async function remember(ctx: vscode.ExtensionContext, datasetPath: string, round: number, on: boolean): Promise<void> {
  const all = ctx.workspaceState.get<{ dataset: string; round: number }[]>(RUNNING_KEY, []).filter((j) => !(j.dataset === datasetPath && j.round === round));
  if (on) all.push({ dataset: datasetPath, round });
  await ctx.workspaceState.update(RUNNING_KEY, all);
}

const watching = new Map<string, AbortController>();

/** Follow a job in a cancellable notification until it ends; record how it went. */
export async function attach(ctx: vscode.ExtensionContext, datasetPath: string, round: number, rec: JobRecord): Promise<void> {
  const key = `${datasetPath}#${round}`;
  if (watching.has(key)) return;
  const stop = new AbortController();
  watching.set(key, stop);
  const client = rec.backend === 'openai' ? await fineTuningClient(ctx) : undefined;
  const name = datasetPath.split(/[\\/]/).pop();
  let final: JobRecord | undefined;
  try {
    final = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Round ${round} of ${name}: training (${rec.backend})`, cancellable: true },
      async (progress, token) => {
        let shown = 0;
        let current = rec;
        token.onCancellationRequested(() => {
          progress.report({ message: 'cancelling…' });
          void cancelRound(datasetPath, round, current, client).then(
            (r) => (current = r),
            (err) => void vscode.window.showErrorMessage(`iTool: cancelling failed: ${errorMessage(err)}`),
          );
        });
        if (rec.lastProgress) {
          progress.report({ increment: rec.lastProgress.percentage, message: progressText(rec.lastProgress) });
          shown = rec.lastProgress.percentage;
        }
        return followRound(datasetPath, round, rec, {
          signal: stop.signal,
          client,
          onProgress: (p, r) => {
            current = r;
            progress.report({ increment: Math.max(0, p.percentage - shown), message: progressText(p) });
            shown = Math.max(shown, p.percentage);
          },
        });
      },
    );
  } catch (err) {
    if (!stop.signal.aborted) void vscode.window.showErrorMessage(`iTool: lost track of round ${round}'s training: ${errorMessage(err)}`);
    return;
  } finally {
    watching.delete(key);
  }
  await finish(ctx, datasetPath, round, final);
}

async function finish(ctx: vscode.ExtensionContext, datasetPath: string, round: number, job: JobRecord): Promise<void> {
  await finishRound(datasetPath, round, job);
  await remember(ctx, datasetPath, round, false);
  if (job.status === 'succeeded') {
    log().info(`round ${round}: training finished: ${job.resultModel ?? job.outputDir}`);
    const evaluate = 'Evaluate';
    const dash = 'Show Dashboard';
    const pick = await vscode.window.showInformationMessage(`iTool: round ${round} trained (${job.backend}): ${job.resultModel ?? job.outputDir}.`, evaluate, dash);
    // This round of this dataset, whichever editor is in front: after a window reload the message
    // can come before the dataset panel is restored, and another dataset's panel may be in front.
    if (pick === evaluate) await vscode.commands.executeCommand('itool.evaluateRound', vscode.Uri.file(datasetPath), round);
    if (pick === dash) await vscode.commands.executeCommand('itool.showRoundDashboard', vscode.Uri.file(datasetPath));
  } else if (job.status === 'failed') {
    log().error(`round ${round}: training failed: ${job.error ?? '(no message)'}${job.logPath ? ` — log: ${job.logPath}` : ''}`);
    const open = 'Open Log';
    const lastLine = (job.error ?? 'the trainer failed').trim().split('\n').pop();
    const pick = await vscode.window.showErrorMessage(`iTool: round ${round} training failed: ${lastLine}${job.logPath ? ` (log: ${job.logPath})` : ''}`, ...(job.logPath ? [open] : []));
    if (pick === open && job.logPath) await vscode.window.showTextDocument(vscode.Uri.file(job.logPath));
  } else {
    void vscode.window.showInformationMessage(`iTool: round ${round} training was cancelled.`);
  }
}

/** After a reload: follow again every job this workspace started that is still running. */
export async function reattachJobs(ctx: vscode.ExtensionContext): Promise<void> {
  for (const j of ctx.workspaceState.get<{ dataset: string; round: number }[]>(RUNNING_KEY, [])) {
    try {
      const r = (await readRegistry(j.dataset)).rounds.find((x) => x.round === j.round);
      if (r?.job?.status === 'running') {
        log().info(`re-attaching to round ${j.round} of ${j.dataset} (${r.job.backend})`);
        void attach(ctx, j.dataset, j.round, r.job);
      } else await remember(ctx, j.dataset, j.round, false);
    } catch (err) {
      log().warn(`could not re-attach to round ${j.round} of ${j.dataset}: ${errorMessage(err)}`);
    }
  }
}

export async function cancelTrainingCommand(ctx: vscode.ExtensionContext, uri?: unknown): Promise<void> {
  const datasetPath = await datasetFor('cancel the training of', uri);
  if (!datasetPath) return;
  const r = runningRound(await readRegistry(datasetPath));
  if (!r?.job) {
    void vscode.window.showInformationMessage('iTool: no training job is running for this dataset.');
    return;
  }
  try {
    await cancelRound(datasetPath, r.round, r.job, r.job.backend === 'openai' ? await fineTuningClient(ctx) : undefined);
  } catch (err) {
    void vscode.window.showErrorMessage(`iTool: cancelling failed: ${errorMessage(err)}`);
  }
}

export async function setFineTuningKey(ctx: vscode.ExtensionContext): Promise<void> {
  await askSecret(ctx, FINE_TUNING_KEY_SECRET, 'the fine-tuning service');
}
