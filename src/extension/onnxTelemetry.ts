// onnxruntime's own telemetry follows VS Code's: allowed only while the user allows usage telemetry
// (`vscode.env.isTelemetryEnabled` is true only at telemetry level "all", and false under
// --disable-telemetry or a product with telemetry off). Off otherwise, as in the CLI.
import * as vscode from 'vscode';
import { setOnnxRuntimeTelemetry } from '../core/model/onnx/runtime';
import { log } from './log';

export function followTelemetrySetting(): vscode.Disposable {
  const apply = (enabled: boolean, changed: boolean) => {
    const stuck = setOnnxRuntimeTelemetry(enabled);
    log().info(`onnxruntime telemetry ${enabled ? 'allowed (VS Code telemetry level "all")' : 'off (VS Code telemetry is not at level "all")'}`);
    if (!stuck) return;
    // onnxruntime already started in this window and keeps what it read then.
    log().warn(stuck);
    // Only the direction that matters to the user is worth a notification: data still being sent.
    if (changed && !enabled) {
      const reload = 'Reload Window';
      void vscode.window.showWarningMessage(`iTool: ${stuck}.`, reload).then((a) => {
        if (a === reload) void vscode.commands.executeCommand('workbench.action.reloadWindow');
      });
    }
  };
  apply(vscode.env.isTelemetryEnabled, false);
  return vscode.env.onDidChangeTelemetryEnabled((enabled) => apply(enabled, true));
}
