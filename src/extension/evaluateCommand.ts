// `iTool: Evaluate Round on the Held-out Split`: the round's starting policy (once, as the
// baseline) and the policy its training produced each answer every held-out sample; the checker
// judges the answers; accuracy and error kinds go into the round registry for the dashboard.
// The trained policy is taken from the job's output folder when it is an ONNX export; otherwise
// the user points at one (after merging and exporting an adapter) or names the model an
// OpenAI-compatible server serves it as (e.g. vLLM with --lora-modules).
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { Dataset } from '../core/dataset/dataset';
import { isModelFolder, MODEL_FOLDER_FILES } from '../core/model/onnx/folder';
import type { Policy } from '../core/model/policy';
import { evaluateRound, type EvaluateRoundOptions } from '../core/rounds/roundEvaluate';
import { patchRound, readRegistry, updateRegistry } from '../core/rounds/registry';
import type { RoundEvaluation, RoundRecord } from '../core/rounds/types';
import { datasetFor } from './sessions';
import { pickDatasetFile } from './datasetPicker';
import { errorMessage, log } from './log';
import { openPolicy, showPolicyError } from './policyConfig';
import { openConfiguredPolicy } from './policySetup';
import { configuredEndpoint, endpointSpec, onnxSpec } from './policySpec';
import { setting } from './settings';

/** The held-out dataset of the project: the registry's, or one the user picks now (then remembered). */
export async function heldOutFor(datasetPath: string): Promise<string | undefined> {
  const reg = await readRegistry(datasetPath);
  if (reg.heldOut && existsSync(reg.heldOut)) return reg.heldOut;
  const picked = await pickDatasetFile({ title: 'Held-out split to evaluate every round on', placeHolder: 'A dataset the rounds never train on (chosen once per project)', exclude: datasetPath });
  if (!picked) return undefined;
  await updateRegistry(datasetPath, (r) => void (r.heldOut = picked.fsPath));
  return picked.fsPath;
}

/** The policy round `r` produced: its ONNX output, or what the user points at. */
async function resultPolicy(ctx: vscode.ExtensionContext, r: RoundRecord): Promise<{ policy: Policy; result: NonNullable<RoundRecord['result']> } | undefined> {
  // The settings' runtime (execution provider, in-flight limit) for the trained policy too: the
  // baseline and the round are measured alike.
  if (isModelFolder(r.result?.modelDir)) return { policy: await openPolicy(ctx, onnxSpec(setting, r.result.modelDir)), result: r.result };
  const folder = 'ONNX folder…';
  const served = 'Model on the configured endpoint…';
  const pick = await vscode.window.showQuickPick([folder, served], {
    title: `Round ${r.round}'s trained policy`,
    ignoreFocusOut: true,
    placeHolder: r.result?.modelDir ? `${r.result.modelDir} is not an ONNX export: merge and export it, or serve it` : 'Where is the trained policy?',
  });
  if (pick === folder) {
    const dir = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Evaluate This Model', title: `ONNX export of the trained policy (${MODEL_FOLDER_FILES.join(', ')})` });
    if (!dir?.[0]) return undefined;
    return { policy: await openPolicy(ctx, onnxSpec(setting, dir[0].fsPath)), result: { label: `round ${r.round}: ${dir[0].fsPath}`, modelDir: dir[0].fsPath } };
  }
  if (pick === served) {
    const { baseURL, chatTemplate } = configuredEndpoint(setting);
    if (!baseURL) {
      void showPolicyError('evaluating a served model needs the endpoint: set itool.policy.endpoint.baseURL (iTool: Choose Policy Model… sets it up and checks it).');
      return undefined;
    }
    const model = await vscode.window.showInputBox({ title: 'Served model name of the trained policy', value: r.result?.endpointModel ?? '' });
    if (!model) return undefined;
    return { policy: await openPolicy(ctx, endpointSpec(setting, baseURL, model, chatTemplate)), result: { label: `round ${r.round}: ${model}`, endpointModel: model } };
  }
  return undefined;
}

/** Evaluate `policy` on the held-out split in a cancellable notification; the round service records it in round `o.round`. */
async function run(datasetPath: string, heldOut: Dataset, policy: Policy, title: string, o: Pick<EvaluateRoundOptions, 'round' | 'as' | 'result'>): Promise<RoundEvaluation | undefined> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const ctl = new AbortController();
    token.onCancellationRequested(() => ctl.abort());
    let shown = 0;
    try {
      return await evaluateRound(datasetPath, {
        ...o,
        heldOut,
        policy,
        signal: ctl.signal,
        onProgress: (done, total) => {
          const pct = (100 * done) / Math.max(1, total);
          progress.report({ increment: pct - shown, message: `${done}/${total} held-out samples` });
          shown = pct;
        },
      });
    } catch (err) {
      if (ctl.signal.aborted) return undefined;
      throw err;
    }
  });
}

/**
 * `given`: the dataset (a file Uri: the dataset panel's title bar, a round's "Evaluate" button),
 * else the dataset panel in front, else one the user picks. `roundNumber`: the round to evaluate
 * (the "Evaluate" button of round N's notification), else the newest trained round not evaluated yet.
 */
export async function evaluateRoundCommand(ctx: vscode.ExtensionContext, given?: unknown, roundNumber?: unknown): Promise<void> {
  // The trained policy is named by DATASET.itool/rounds/rounds.json, a workspace file: a cloned
  // repository must not choose which model folder is loaded (onnxruntime parses it in-process).
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showErrorMessage('iTool: evaluating a round loads the model its rounds.json names, a workspace file; trust this workspace first (Workspaces: Manage Workspace Trust).');
    return;
  }
  const datasetPath = await datasetFor('evaluate the rounds of', given);
  if (!datasetPath) return;
  try {
    const reg = await readRegistry(datasetPath);
    if (!reg.rounds.length) {
      void vscode.window.showWarningMessage('iTool: no round yet: start one with iTool: Start Optimization Round.');
      return;
    }
    // Only a round number is taken as one: an editor title button passes other context after the Uri.
    const named = typeof roundNumber === 'number' && Number.isInteger(roundNumber) ? roundNumber : undefined;
    const round = named !== undefined ? reg.rounds.find((r) => r.round === named) : ([...reg.rounds].reverse().find((r) => r.job?.status === 'succeeded' && !r.evaluation) ?? reg.rounds[reg.rounds.length - 1]);
    if (!round) {
      void vscode.window.showWarningMessage(`iTool: round ${named} is not in the rounds of ${datasetPath}.`);
      return;
    }
    const heldOutPath = await heldOutFor(datasetPath);
    if (!heldOutPath) return;
    const heldOut = await Dataset.open(heldOutPath);
    try {
      if (!round.baseline) {
        // The starting policy's numbers: the previous round's result, or (round 1) the configured policy.
        const prev = reg.rounds.find((r) => r.round === round.round - 1)?.evaluation;
        if (prev) await patchRound(datasetPath, round.round, { baseline: prev });
        else {
          const policy = await openConfiguredPolicy(ctx);
          if (!policy) return;
          try {
            if (!(await run(datasetPath, heldOut, policy, `Held-out baseline: ${policy.label}`, { round: round.round, as: 'baseline' }))) return;
          } finally {
            await policy.close();
          }
        }
      }
      if (round.job?.status !== 'succeeded') {
        void vscode.window.showInformationMessage(`iTool: round ${round.round} has no trained policy yet; its baseline is on the dashboard.`);
      } else {
        const trained = await resultPolicy(ctx, round);
        if (!trained) return;
        try {
          const evaluation = await run(datasetPath, heldOut, trained.policy, `Held-out evaluation: round ${round.round}`, { round: round.round, result: trained.result });
          if (!evaluation) return;
          log().info(`round ${round.round}: held-out accuracy ${(100 * evaluation.accuracy).toFixed(1)}% (${evaluation.valid}/${evaluation.total}) on ${heldOutPath}`);
        } finally {
          await trained.policy.close();
        }
      }
    } finally {
      await heldOut.close();
    }
    await vscode.commands.executeCommand('itool.showRoundDashboard', vscode.Uri.file(datasetPath));
  } catch (err) {
    log().error(`evaluation failed: ${errorMessage(err)}`);
    void vscode.window.showErrorMessage(`iTool: evaluation failed: ${errorMessage(err)}`);
  }
}
