// Extension entry point: registers the dataset editor and the commands. Kept thin on purpose:
// the work lives in src/core, which runs without VS Code (CLI, tests, workers).
import * as vscode from 'vscode';
import { panelVerbs, registerCommands } from './commands';
import { reattachJobs } from './roundCommands';
import { DatasetEditorProvider } from './datasetEditor';
import { errorMessage, log } from './log';
import { PredictionLinks } from './predictionLinks';
import { OutputDiagnostics } from './outputDiagnostics';
import { followTelemetrySetting } from './onnxTelemetry';
import { WorkbenchView } from './workbenchView';

export function activate(ctx: vscode.ExtensionContext): void {
  try {
    // First, before anything can start onnxruntime: its telemetry follows VS Code's setting.
    ctx.subscriptions.push(followTelemetrySetting());
    const links = new PredictionLinks(ctx.workspaceState);
    // The way in: the activity-bar view and the status-bar item (workbenchView.ts).
    const view = new WorkbenchView();
    ctx.subscriptions.push(log(), links, view, DatasetEditorProvider.register(ctx, links, panelVerbs(ctx, links)), new OutputDiagnostics(links), ...registerCommands(ctx, links, view));
    void reattachJobs(ctx);
    log().info(`iTool Studio ${ctx.extension.packageJSON.version} activated`);
  } catch (err) {
    void vscode.window.showErrorMessage(`iTool Studio failed to start: ${errorMessage(err)}`);
    throw err;
  }
}

export function deactivate(): void {}
