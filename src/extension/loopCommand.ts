// `iTool: Run Closed Loop on a Local Model`: the closed loop of `itool loop` (src/core/rounds/loop.ts)
// from the command palette. The user picks the training dataset (the one in front, else a pick),
// the held-out split (the project's, remembered in the round registry), the model to start from
// (a project-trained model folder with its PyTorch checkpoint, or a fresh warm-up), the variants and
// the number of rounds; the loop runs in a cancellable notification that shows the stage it is
// in, logs each stage to the iTool Studio output, writes its rounds to the dataset's registry and
// opens the round dashboard with the results (the ablations as dashed lines).
import { setMaxListeners } from 'node:events';
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { isModelFolder } from '../core/model/onnx/folder';
import { LOOP_VARIANTS, VARIANT_LABELS, runLoop, type LoopVariant } from '../core/rounds/loop';
import { writeLoopReport } from '../core/rounds/loopReport';
import { heldOutFor } from './evaluateCommand';
import { errorMessage, log } from './log';
import { paletteLoopOptions } from './loopSettings';
import { datasetFor } from './sessions';
import { setting } from './settings';

const WARM_UP = 'Train a warm-up model first';

/** Model folders the local trainer can continue from: the ONNX export beside its PyTorch checkpoint. */
async function startingModel(): Promise<{ baseModel?: string } | undefined> {
  const checkpoints = await vscode.workspace.findFiles('**/model.pt', '{**/node_modules/**,**/.git/**}', 200);
  const items: (vscode.QuickPickItem & { dir?: string })[] = checkpoints
    .map((u) => dirname(u.fsPath))
    .filter(isModelFolder)
    .sort()
    .map((d) => ({ label: vscode.workspace.asRelativePath(d), description: 'project-trained model (ONNX + model.pt)', dir: d }));
  items.push({ label: WARM_UP, description: 'a new tiny model, SFT with the calibration curriculum (tens of minutes on 2 cores)' });
  const picked = await vscode.window.showQuickPick(items, { title: 'Model the rounds start from', ignoreFocusOut: true });
  if (!picked) return undefined;
  return picked.dir ? { baseModel: picked.dir } : {};
}

async function pickVariants(): Promise<LoopVariant[] | undefined> {
  const items = LOOP_VARIANTS.map((v) => ({ label: VARIANT_LABELS[v], variant: v, picked: v === 'itool' }));
  const picked = await vscode.window.showQuickPick(items, { title: 'Variants to run (the ablations share the starting model)', canPickMany: true, ignoreFocusOut: true });
  if (!picked?.length) return undefined;
  return picked.map((p) => p.variant);
}

async function pickRounds(): Promise<number | undefined> {
  const text = await vscode.window.showInputBox({
    title: 'Rounds per variant',
    value: '3',
    ignoreFocusOut: true,
    validateInput: (v) => (/^\s*([1-9]|10)\s*$/.test(v) ? undefined : 'a whole number from 1 to 10'),
  });
  return text === undefined ? undefined : Number(text.trim());
}

export async function runLoopCommand(ctx: vscode.ExtensionContext): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showErrorMessage('iTool: the loop runs the local trainer (Python); trust this workspace first (Workspaces: Manage Workspace Trust).');
    return;
  }
  const train = await datasetFor('train the closed loop on');
  if (!train) return;
  try {
    const heldOut = await heldOutFor(train);
    if (!heldOut) return;
    const start = await startingModel();
    if (!start) return;
    const variants = await pickVariants();
    if (!variants) return;
    const rounds = await pickRounds();
    if (!rounds) return;
    const started = Date.now();
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `iTool loop (${variants.join(', ')}, ${rounds} round${rounds > 1 ? 's' : ''})`, cancellable: true },
      async (progress, token) => {
        const ctl = new AbortController();
        setMaxListeners(64, ctl.signal); // the search's calls in flight each listen for the abort (see src/cli/loop.ts)
        token.onCancellationRequested(() => ctl.abort(new Error('cancelled')));
        const o = paletteLoopOptions({ train, heldOut, variants, rounds, baseModel: start.baseModel }, setting, {
          root: ctx.extensionPath,
          log: (line) => {
            log().info(`loop: ${line}`);
            progress.report({ message: line.length > 120 ? `${line.slice(0, 117)}…` : line });
          },
          signal: ctl.signal,
        });
        try {
          const result = await runLoop(o);
          return { result, report: await writeLoopReport(o, result, (Date.now() - started) / 1000) };
        } catch (err) {
          if (ctl.signal.aborted) return undefined;
          throw err;
        }
      },
    );
    if (!outcome) {
      void vscode.window.showInformationMessage('iTool: the loop was cancelled; finished rounds stay in the registry.');
      return;
    }
    const { result, report } = outcome;
    const last = (v: LoopVariant) => result.rounds.filter((x) => x.variant === v).pop();
    const summary = variants.map((v) => `${v} ${(100 * (last(v)?.evaluation.accuracy ?? result.warmup.evaluation.accuracy)).toFixed(1)}%`).join(', ');
    log().info(`loop: finished in ${((Date.now() - started) / 60000).toFixed(1)} min; results in ${report.markdown}`);
    await vscode.commands.executeCommand('itool.showRoundDashboard', vscode.Uri.file(train));
    const table = 'Open Results Table';
    const choice = await vscode.window.showInformationMessage(`iTool: loop finished. Held-out accuracy: warm-up ${(100 * result.warmup.evaluation.accuracy).toFixed(1)}% → ${summary}.`, table);
    if (choice === table) await vscode.window.showTextDocument(vscode.Uri.file(report.markdown));
  } catch (err) {
    log().error(`loop failed: ${errorMessage(err)}`);
    void vscode.window.showErrorMessage(`iTool: the loop failed: ${errorMessage(err)}`);
  }
}
