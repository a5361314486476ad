// Every command the extension contributes, in one place.
import * as vscode from 'vscode';
import { DatasetEditorProvider } from './datasetEditor';
import { pickDatasetFile } from './datasetPicker';
import { calibrateCommand, exploreCommand, generateOutputsCommand, selectDeficientCommand } from './calibrationCommands';
import { setApiKey } from './policyConfig';
import { choosePolicyCommand } from './policySetup';
import type { PredictionLinks } from './predictionLinks';
import { markFragmentErrorCommand, reviewPairsCommand, type PanelMark } from './reviewCommands';
import { cancelTrainingCommand, exportCurriculumCommand, exportPairsCommand, setFineTuningKey, startRoundCommand } from './roundCommands';
import { evaluateRoundCommand } from './evaluateCommand';
import { runLoopCommand } from './loopCommand';
import { showRoundDashboardCommand } from './roundDashboard';

export function registerCommands(ctx: vscode.ExtensionContext, links: PredictionLinks): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('itool.reviewPairs', () => reviewPairsCommand()),
    vscode.commands.registerCommand('itool.markFragmentError', (arg?: { fromPanel?: PanelMark }) => markFragmentErrorCommand(links, arg)),
    vscode.commands.registerCommand('itool.exportPairs', () => exportPairsCommand()),
    vscode.commands.registerCommand('itool.exportCurriculum', () => exportCurriculumCommand()),
    vscode.commands.registerCommand('itool.startRound', () => startRoundCommand(ctx)),
    vscode.commands.registerCommand('itool.cancelTraining', () => cancelTrainingCommand(ctx)),
    vscode.commands.registerCommand('itool.evaluateRound', () => evaluateRoundCommand(ctx)),
    vscode.commands.registerCommand('itool.runLoop', () => runLoopCommand(ctx)),
    vscode.commands.registerCommand('itool.setFineTuningApiKey', () => setFineTuningKey(ctx)),
    vscode.commands.registerCommand('itool.showRoundDashboard', (uri?: vscode.Uri) => showRoundDashboardCommand(ctx, uri)),
    vscode.commands.registerCommand('itool.calibrateDataset', () => calibrateCommand(ctx)),
    vscode.commands.registerCommand('itool.selectDeficient', () => selectDeficientCommand()),
    vscode.commands.registerCommand('itool.exploreDeficient', () => exploreCommand(ctx)),
    vscode.commands.registerCommand('itool.generateOutputs', () => generateOutputsCommand(ctx)),
    vscode.commands.registerCommand('itool.setEndpointApiKey', () => setApiKey(ctx)),
    vscode.commands.registerCommand('itool.choosePolicy', () => choosePolicyCommand(ctx)),
    vscode.commands.registerCommand('itool.openDataset', async (uri?: vscode.Uri) => {
      const target = uri instanceof vscode.Uri ? uri : await pickDataset();
      if (!target) return;
      await vscode.commands.executeCommand('vscode.openWith', target, DatasetEditorProvider.viewType);
    }),
    vscode.commands.registerCommand('itool.loadPredictions', async (uri?: vscode.Uri) => {
      const panel = DatasetEditorProvider.activePanel;
      if (!panel) {
        void vscode.window.showWarningMessage('iTool: open a dataset first (iTool: Open Dataset), then load the predictions to check against it.');
        return;
      }
      if (uri instanceof vscode.Uri) await panel.loadPredictions(uri.fsPath);
      else await panel.pickPredictions();
    }),
  ];
}

/** Quick pick of the workspace's datasets (the active one first), or a file dialog. */
function pickDataset(): Promise<vscode.Uri | undefined> {
  return pickDatasetFile({ placeHolder: 'Dataset to open (.jsonl or .json)', openLabel: 'Open Dataset' });
}
