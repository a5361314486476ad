// Every command the extension contributes, in one place.
import * as vscode from 'vscode';
import { DatasetEditorProvider } from './datasetEditor';
import { pickDatasetFile } from './datasetPicker';
import { calibrateCommand, calibrateSession, exploreCommand, exploreSession, generateOutputsCommand, selectDeficientCommand, selectDeficientSession } from './calibrationCommands';
import type { PanelVerbs } from './datasetPanel';
import { checkPredictionsFile, pickAndCheckPredictions } from './predictionsCheck';
import { withSession } from './sessions';
import type { WorkbenchView } from './workbenchView';
import { setApiKey } from './policyConfig';
import { choosePolicyCommand } from './policySetup';
import type { PredictionLinks } from './predictionLinks';
import { markFragmentErrorCommand, reviewPairsCommand, type PanelMark } from './reviewCommands';
import { cancelTrainingCommand, exportCurriculumCommand, exportPairsCommand, setFineTuningKey, startRoundCommand, startRoundSession } from './roundCommands';
import { evaluateRoundCommand } from './evaluateCommand';
import { runLoopCommand } from './loopCommand';
import { showRoundDashboardCommand } from './roundDashboard';

export function registerCommands(ctx: vscode.ExtensionContext, links: PredictionLinks, view: WorkbenchView): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('itool.reviewPairs', (uri?: unknown) => reviewPairsCommand(uri)),
    vscode.commands.registerCommand('itool.markFragmentError', (arg?: { fromPanel?: PanelMark }) => markFragmentErrorCommand(links, arg)),
    vscode.commands.registerCommand('itool.exportPairs', (uri?: unknown) => exportPairsCommand(uri)),
    vscode.commands.registerCommand('itool.exportCurriculum', (uri?: unknown) => exportCurriculumCommand(uri)),
    vscode.commands.registerCommand('itool.startRound', (uri?: unknown) => startRoundCommand(ctx, uri)),
    vscode.commands.registerCommand('itool.cancelTraining', (uri?: unknown) => cancelTrainingCommand(ctx, uri)),
    vscode.commands.registerCommand('itool.evaluateRound', (uri?: unknown, round?: unknown) => evaluateRoundCommand(ctx, uri, round)),
    vscode.commands.registerCommand('itool.runLoop', () => runLoopCommand(ctx)),
    vscode.commands.registerCommand('itool.setFineTuningApiKey', () => setFineTuningKey(ctx)),
    vscode.commands.registerCommand('itool.showRoundDashboard', (uri?: vscode.Uri) => showRoundDashboardCommand(ctx, uri)),
    vscode.commands.registerCommand('itool.calibrateDataset', (uri?: unknown) => calibrateCommand(ctx, uri)),
    vscode.commands.registerCommand('itool.selectDeficient', (uri?: unknown) => selectDeficientCommand(uri)),
    vscode.commands.registerCommand('itool.exploreDeficient', (uri?: unknown) => exploreCommand(ctx, uri)),
    vscode.commands.registerCommand('itool.generateOutputs', (uri?: unknown) => generateOutputsCommand(ctx, links, uri)),
    vscode.commands.registerCommand('itool.refreshWorkbench', () => view.refresh()),
    vscode.commands.registerCommand('itool.setEndpointApiKey', () => setApiKey(ctx)),
    vscode.commands.registerCommand('itool.choosePolicy', () => choosePolicyCommand(ctx)),
    vscode.commands.registerCommand('itool.openDataset', async (uri?: vscode.Uri) => {
      const target = uri instanceof vscode.Uri ? uri : await pickDataset();
      if (!target) return;
      await vscode.commands.executeCommand('vscode.openWith', target, DatasetEditorProvider.viewType);
    }),
    vscode.commands.registerCommand('itool.loadPredictions', (uri?: vscode.Uri) =>
      withSession('check predictions against', (s) => (uri instanceof vscode.Uri ? checkPredictionsFile(s, uri.fsPath, links) : pickAndCheckPredictions(s, links))),
    ),
  ];
}

/** What a dataset panel's buttons run: the same verbs as the palette's commands, on the panel's session. */
export function panelVerbs(ctx: vscode.ExtensionContext, links: PredictionLinks): PanelVerbs {
  return {
    calibrate: (s) => calibrateSession(ctx, s),
    selectDeficient: (s) => selectDeficientSession(s),
    explore: (s) => exploreSession(ctx, s),
    markFragment: (s, mark) => markFragmentErrorCommand(links, { fromPanel: mark, session: s }),
    startRound: (s) => startRoundSession(ctx, s),
  };
}

/** Quick pick of the workspace's datasets (the active one first), or a file dialog. */
function pickDataset(): Promise<vscode.Uri | undefined> {
  return pickDatasetFile({ placeHolder: 'Dataset to open (.jsonl or .json)', openLabel: 'Open Dataset' });
}
