// `iTool: Start Optimization Round`, `Cancel Training Job`, `Export Accepted Pairs` and the
// re-attachment of a running job after a window reload. A round exports the reviewed pairs for the
// chosen trainer, launches it (a detached local process, or a remote fine-tuning job), follows its
// progress in a cancellable notification, and records everything in the round registry beside the
// dataset. Trainer programs come only from machine-level settings and are spawned with argument
// arrays; nothing here runs in an untrusted workspace.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import * as vscode from 'vscode';
import { selectionPath } from '../core/calibrate/selectionFile';
import { metadataDir } from '../core/dataset/metadata';
import { curriculumStages, exportCurriculum, exportPairs, type ExportResult, type ExportTarget } from '../core/pairs/export/index';
import { exportLocal } from '../core/rounds/localExport';
import { localTrainerCommand, localTrainerOutputs } from '../core/rounds/localTrainer';
import { cancelLocalJob, cancelOpenAIJob, llamaFactoryCommand, pollOpenAIJob, startLocalJob, startOpenAIJob, trlCommand, watchJob } from '../core/rounds/jobs/index';
import { patchRound, pplSummary, readRegistry, recordRound, roundDir, runningRound } from '../core/rounds/registry';
import type { JobProgress, JobRecord, RoundRecord } from '../core/rounds/types';
import type { DatasetPanel } from './datasetPanel';
import { DatasetEditorProvider } from './datasetEditor';
import { errorMessage, log } from './log';
import { trainerPython } from './loopSettings';
import { askSecret, callRenderingSetting, showPolicyError } from './policyConfig';
import { setting, settingText } from './settings';

export const FINE_TUNING_KEY_SECRET = 'itool.fineTuning.apiKey';
const RUNNING_KEY = 'itool.runningJobs';
/** How often a running job's progress is written to the registry (the notification updates on every poll). */
const RECORD_EVERY_MS = 3000;

/** A trainer a round can run on: the three export targets, or the project's own trainer for its small models. */
type Backend = ExportTarget | 'local';

const BACKENDS: { id: Backend; label: string; detail: string }[] = [
  { id: 'llamafactory', label: 'LLaMA-Factory', detail: 'llamafactory-cli train (stage: dpo, LoRA); several GPUs or nodes through its torchrun variables' },
  { id: 'trl', label: 'TRL', detail: 'accelerate launch of a small CPOTrainer (SimPO) / DPOTrainer script' },
  { id: 'openai', label: 'OpenAI fine-tuning', detail: 'a preference fine-tuning job (method: dpo) on the configured fine-tuning API' },
  { id: 'local', label: 'Local (PyTorch on this machine)', detail: 'SimPO with the project’s own trainer, for the small models it made (the demo model, itool loop); the result is an ONNX model' },
];

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

/** How calls are written: as calibration rendered them for this panel (the search follows it). */
function callsOf(panel: DatasetPanel) {
  return panel.calibration.header?.calls ?? callRenderingSetting();
}

/** An export's warnings: in the log and in front of the user, since training goes wrong without action. */
function showWarnings(what: string, warnings: readonly string[]): void {
  for (const w of warnings) log().warn(`${what}: ${w}`);
  if (warnings.length) void vscode.window.showWarningMessage(`iTool: ${what}: ${warnings[0]}`);
}

function activePanel(): DatasetPanel | undefined {
  const panel = DatasetEditorProvider.activePanel;
  if (!panel) void vscode.window.showWarningMessage('iTool: open a dataset first (iTool: Open Dataset).');
  return panel;
}

/** The round the reviewed pairs belong to: the search's round, else the calibration setting's. */
function roundOf(panel: DatasetPanel): number {
  return panel.search.header?.round ?? setting('itool.calibration.round');
}

function policyOf(panel: DatasetPanel): RoundRecord['policy'] {
  const h = panel.search.header ?? panel.calibration.header;
  return h ? { id: h.model, label: h.modelLabel } : { id: 'unknown', label: 'the configured policy' };
}

/** Export the accepted pairs of the panel's dataset for `target` into the round's folder. */
/** What launching a round needs of an export. */
type RoundExport = Pick<ExportResult, 'dir' | 'files' | 'records' | 'skipped'>;

async function exportAccepted(panel: DatasetPanel, target: Backend): Promise<{ result: RoundExport; round: number; outputDir: string } | undefined> {
  const { pairs, samples, counts, manual } = await panel.review.accepted();
  if (pairs.length === 0) {
    const review = 'Review Pairs';
    const pick = await vscode.window.showWarningMessage(`iTool: no accepted pairs yet (${counts.pending} pending, ${counts.rejected} rejected). Accept pairs in the review queue first (A).`, review);
    if (pick === review) panel.showReview();
    return undefined;
  }
  if (counts.pending > 0) {
    const go = 'Use the accepted ones';
    const pick = await vscode.window.showWarningMessage(`iTool: ${counts.pending} pair(s) are still pending review; only the ${pairs.length} accepted pair(s) will be used.`, { modal: true }, go);
    if (pick !== go) return undefined;
  }
  const round = roundOf(panel);
  const dir = roundDir(panel.datasetOpen.path, round);
  const outputDir = join(dir, `output-${target}`);
  const exportPairsOf = pairs.flatMap((pair) => {
    const sample = samples.get(pair.index);
    return sample ? [{ pair, sample }] : [];
  });
  let result: RoundExport;
  if (target === 'local') {
    // The project's own trainer continues the policy model itself (the configured ONNX folder).
    const modelDir = settingText('itool.policy.onnx.modelDir');
    if (!modelDir) {
      void showPolicyError('the local trainer continues the policy model itself: set itool.policy.onnx.modelDir to a model the project made (the demo model, or an itool loop model).');
      return undefined;
    }
    const local = await exportLocal(exportPairsOf, modelDir, join(dir, 'export-local'), outputDir);
    result = { dir: local.dir, files: [local.pairsFile, local.configFile], records: local.records, skipped: local.skipped };
  } else {
    const exported = await exportPairs(exportPairsOf, {
      target,
      outDir: join(dir, `export-${target}`),
      name: `itool_round${round}`,
      baseModel: settingText('itool.trainer.baseModel'),
      template: trainerTemplate(),
      prefLoss: setting('itool.trainer.prefLoss'),
      calls: callsOf(panel),
      outputDir,
    });
    showWarnings('pairs export', exported.warnings);
    result = exported;
  }
  const cal = panel.calibration.result;
  await recordRound(panel.datasetOpen.path, round, policyOf(panel), {
    calibration: cal?.path,
    ppl: cal ? pplSummary(cal) : undefined,
    selection: panel.search.header && existsSync(selectionPath(panel.datasetOpen.path, panel.search.header.model, round)) ? selectionPath(panel.datasetOpen.path, panel.search.header.model, round) : undefined,
    explore: panel.search.path,
    pairs: { found: counts.total, accepted: counts.accepted + counts.edited, manual },
    export: { target, dir: result.dir, files: result.files, at: new Date().toISOString() },
  });
  if (result.skipped.length) log().warn(`export skipped ${result.skipped.length} pair(s): ${result.skipped.map((s) => `${s.sampleId}: ${s.reason}`).join('; ')}`);
  return { result, round, outputDir };
}

async function pickBackend(withLocal = true): Promise<Backend | undefined> {
  const first: Backend = setting('itool.trainer.backend');
  const items = BACKENDS.filter((b) => withLocal || b.id !== 'local').sort((a, b) => Number(b.id === first) - Number(a.id === first));
  const picked = await vscode.window.showQuickPick(
    items.map((b) => ({ label: b.label, detail: b.detail, id: b.id })),
    { title: 'Train the round with', placeHolder: 'Trainer backend' },
  );
  return picked?.id;
}

export async function exportPairsCommand(): Promise<void> {
  const panel = activePanel();
  if (!panel) return;
  const target = await pickBackend();
  if (!target) return;
  try {
    const r = await exportAccepted(panel, target);
    if (!r) return;
    const open = 'Reveal';
    const pick = await vscode.window.showInformationMessage(`iTool: exported ${r.result.records} pair(s) for ${target} to ${r.result.dir}${r.result.skipped.length ? ` (${r.result.skipped.length} skipped, see the log)` : ''}.`, open);
    if (pick === open) await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(r.result.files[0] ?? r.result.dir));
  } catch (err) {
    void vscode.window.showErrorMessage(`iTool: export failed: ${errorMessage(err)}`);
  }
}

/** `iTool: Export Warm-up Curriculum`: the calibrated samples as easy → medium → hard SFT stages for a trainer. */
export async function exportCurriculumCommand(): Promise<void> {
  const panel = activePanel();
  if (!panel) return;
  const cal = panel.calibration.result;
  const cuts = panel.calibration.tierCuts;
  if (!cal || !cuts) {
    void vscode.window.showWarningMessage('iTool: calibrate the dataset first (iTool: Calibrate Dataset): the stages come from its perplexity tiers.');
    return;
  }
  const target = (await pickBackend(false)) as ExportTarget | undefined;
  if (!target) return;
  const ds = panel.datasetOpen;
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
        calls: callsOf(panel),
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

function openAIClient(apiKey: string | undefined): OpenAI {
  return new OpenAI({ apiKey: apiKey ?? '', baseURL: setting('itool.trainer.openai.baseURL'), maxRetries: 2 });
}

/** Launch the trainer on an export; resolves the job's first record. */
async function launch(ctx: vscode.ExtensionContext, target: Backend, exp: RoundExport, dir: string, outputDir: string): Promise<JobRecord> {
  const runner = { runnerCommand: [process.execPath, join(ctx.extensionPath, 'dist', 'jobRunner.js')], runnerEnv: { ELECTRON_RUN_AS_NODE: '1' } };
  const file = (test: (f: string) => boolean, what: string): string => {
    const f = exp.files.find(test);
    if (!f) throw new Error(`the ${target} export has no ${what}`);
    return f;
  };
  if (target === 'local') {
    const config = file((f) => f.endsWith('pref.json'), 'trainer config');
    const cmd = localTrainerCommand('pref', config, { python: localPython(), root: ctx.extensionPath });
    return startLocalJob({ backend: 'local', jobDir: join(dir, 'job-local'), ...cmd, cwd: exp.dir, outputDir, trainerLogPath: localTrainerOutputs(outputDir).trainerLogPath, ...runner });
  }
  if (target === 'llamafactory') {
    const yaml = file((f) => /\.ya?ml$/.test(f) && !f.endsWith('dataset_info.json'), 'training YAML');
    const cmd = llamaFactoryCommand(
      {
        command: setting('itool.trainer.llamafactory.command'),
        forceTorchrun: setting('itool.trainer.llamafactory.forceTorchrun') || undefined,
        nnodes: setting('itool.trainer.llamafactory.nnodes') ?? undefined,
        nodeRank: setting('itool.trainer.llamafactory.nodeRank') ?? undefined,
        nprocPerNode: setting('itool.trainer.llamafactory.nprocPerNode') ?? undefined,
        masterAddr: settingText('itool.trainer.llamafactory.masterAddr'),
        masterPort: setting('itool.trainer.llamafactory.masterPort') ?? undefined,
      },
      yaml,
    );
    return startLocalJob({ backend: 'llamafactory', jobDir: join(dir, 'job-llamafactory'), ...cmd, cwd: exp.dir, outputDir, trainerLogPath: join(outputDir, 'trainer_log.jsonl'), ...runner });
  }
  if (target === 'trl') {
    const script = file((f) => f.endsWith('.py'), 'launch script');
    const config = file((f) => /\.ya?ml$/.test(f), 'training config');
    const loss = setting('itool.trainer.prefLoss');
    const trainer = loss === 'simpo' ? 'cpo' : loss === 'orpo' ? 'orpo' : 'dpo';
    const cmd = trlCommand(
      { accelerate: setting('itool.trainer.trl.accelerateCommand'), numProcesses: setting('itool.trainer.trl.numProcesses') ?? undefined, configFile: settingText('itool.trainer.trl.configFile') },
      script,
      config,
      trainer,
    );
    return startLocalJob({ backend: 'trl', jobDir: join(dir, 'job-trl'), ...cmd, cwd: exp.dir, outputDir, trainerLogPath: join(outputDir, 'trainer_log.jsonl'), ...runner });
  }
  const model = settingText('itool.trainer.baseModel');
  if (!model) throw new Error('set itool.trainer.baseModel to the OpenAI model to fine-tune');
  const key = await ctx.secrets.get(FINE_TUNING_KEY_SECRET);
  if (!key) throw new Error("no fine-tuning API key: run 'iTool: Set Fine-Tuning API Key' first");
  const jsonl = file((f) => f.endsWith('.jsonl'), 'training file');
  return startOpenAIJob({ client: openAIClient(key), trainingFile: jsonl, model, jobDir: join(dir, 'job-openai') });
}

export async function startRoundCommand(ctx: vscode.ExtensionContext): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showErrorMessage('iTool: training runs programs; trust this workspace first (Workspaces: Manage Workspace Trust).');
    return;
  }
  const panel = activePanel();
  if (!panel) return;
  const datasetPath = panel.datasetOpen.path;
  try {
    const busy = runningRound(await readRegistry(datasetPath));
    if (busy?.job) {
      const show = 'Show Progress';
      if ((await vscode.window.showWarningMessage(`iTool: round ${busy.round} is still training (${busy.job.backend}).`, show)) === show) void attach(ctx, datasetPath, busy.round, busy.job);
      return;
    }
    const target = await pickBackend();
    if (!target) return;
    const exp = await exportAccepted(panel, target);
    if (!exp) return;
    const dir = roundDir(datasetPath, exp.round);
    const job = await launch(ctx, target, exp.result, dir, exp.outputDir);
    await recordRound(datasetPath, exp.round, policyOf(panel), { job });
    await remember(ctx, datasetPath, exp.round, true);
    log().info(`round ${exp.round}: started ${target} training on ${exp.result.records} pair(s)${job.command ? `: ${JSON.stringify(job.command)}` : ''}`);
    void attach(ctx, datasetPath, exp.round, job);
  } catch (err) {
    log().error(`starting the round failed: ${errorMessage(err)}`);
    void vscode.window.showErrorMessage(`iTool: could not start the round: ${errorMessage(err)}`);
  }
}

/** Jobs this workspace is following, so a reloaded window re-attaches to them. */
async function remember(ctx: vscode.ExtensionContext, datasetPath: string, round: number, on: boolean): Promise<void> {
  const all = ctx.workspaceState.get<{ dataset: string; round: number }[]>(RUNNING_KEY, []).filter((j) => !(j.dataset === datasetPath && j.round === round));
  if (on) all.push({ dataset: datasetPath, round });
  await ctx.workspaceState.update(RUNNING_KEY, all);
}

const watching = new Map<string, AbortController>();

function progressMessage(p: JobProgress): string {
  const parts = [`${Math.round(p.percentage)}%`];
  if (p.currentSteps !== undefined && p.totalSteps !== undefined) parts.push(`step ${p.currentSteps}/${p.totalSteps}`);
  if (p.loss !== undefined) parts.push(`loss ${p.loss.toFixed(4)}`);
  if (p.remainingTime) parts.push(`${p.remainingTime} left`);
  else if (p.message) parts.push(p.message);
  return parts.join(' · ');
}

/** Follow a job in a cancellable notification until it ends; record how it went. */
export async function attach(ctx: vscode.ExtensionContext, datasetPath: string, round: number, rec: JobRecord): Promise<void> {
  const key = `${datasetPath}#${round}`;
  if (watching.has(key)) return;
  const stop = new AbortController();
  watching.set(key, stop);
  const client = rec.backend === 'openai' ? openAIClient(await ctx.secrets.get(FINE_TUNING_KEY_SECRET)) : undefined;
  const poll = client ? (r: JobRecord) => pollOpenAIJob(client, r) : undefined;
  const name = datasetPath.split(/[\\/]/).pop();
  let final: JobRecord | undefined;
  try {
    final = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Round ${round} of ${name}: training (${rec.backend})`, cancellable: true },
      async (progress, token) => {
        let shown = 0;
        let recorded = 0;
        let current = rec;
        token.onCancellationRequested(() => {
          progress.report({ message: 'cancelling…' });
          const cancel = client ? cancelOpenAIJob(client, current) : cancelLocalJob(current);
          void cancel.then(
            (r) => (current = r),
            (err) => void vscode.window.showErrorMessage(`iTool: cancelling failed: ${errorMessage(err)}`),
          );
        });
        if (rec.lastProgress) {
          progress.report({ increment: rec.lastProgress.percentage, message: progressMessage(rec.lastProgress) });
          shown = rec.lastProgress.percentage;
        }
        return watchJob(
          rec,
          (p, r) => {
            current = r;
            progress.report({ increment: Math.max(0, p.percentage - shown), message: progressMessage(p) });
            shown = Math.max(shown, p.percentage);
            if (Date.now() - recorded > RECORD_EVERY_MS) {
              recorded = Date.now();
              void patchRound(datasetPath, round, { job: r }).catch(() => undefined);
            }
          },
          stop.signal,
          poll ? { poll } : {},
        );
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
  const fields: Partial<RoundRecord> = { job };
  if (job.status === 'succeeded') {
    const modelDir = job.resultModel && existsSync(job.resultModel) ? job.resultModel : job.outputDir;
    fields.result = job.backend === 'openai' ? { label: job.resultModel ?? 'fine-tuned model', endpointModel: job.resultModel } : { label: `round ${round} (${job.backend})`, modelDir };
  }
  await patchRound(datasetPath, round, fields);
  await remember(ctx, datasetPath, round, false);
  if (job.status === 'succeeded') {
    log().info(`round ${round}: training finished: ${job.resultModel ?? job.outputDir}`);
    const evaluate = 'Evaluate';
    const dash = 'Show Dashboard';
    const pick = await vscode.window.showInformationMessage(`iTool: round ${round} trained (${job.backend}): ${job.resultModel ?? job.outputDir}.`, evaluate, dash);
    if (pick === evaluate) await vscode.commands.executeCommand('itool.evaluateRound');
    if (pick === dash) await vscode.commands.executeCommand('itool.showRoundDashboard');
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

export async function cancelTrainingCommand(ctx: vscode.ExtensionContext): Promise<void> {
  const panel = activePanel();
  if (!panel) return;
  const r = runningRound(await readRegistry(panel.datasetOpen.path));
  if (!r?.job) {
    void vscode.window.showInformationMessage('iTool: no training job is running for this dataset.');
    return;
  }
  try {
    const client = r.job.backend === 'openai' ? openAIClient(await ctx.secrets.get(FINE_TUNING_KEY_SECRET)) : undefined;
    const done = client ? await cancelOpenAIJob(client, r.job) : await cancelLocalJob(r.job);
    await recordRound(panel.datasetOpen.path, r.round, r.policy, { job: done });
  } catch (err) {
    void vscode.window.showErrorMessage(`iTool: cancelling failed: ${errorMessage(err)}`);
  }
}

export async function setFineTuningKey(ctx: vscode.ExtensionContext): Promise<void> {
  await askSecret(ctx, FINE_TUNING_KEY_SECRET, 'the fine-tuning service');
}
