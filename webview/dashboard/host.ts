// The dashboard page's only link to the extension host: acquireVsCodeApi() is called here and
// nowhere else in this webview.
import type { ToHost, ToWebview } from './protocol';

const vscode = acquireVsCodeApi();

export function post(msg: ToHost): void {
  vscode.postMessage(msg);
}

export function onMessage(listener: (msg: ToWebview) => void): void {
  window.addEventListener('message', (ev: MessageEvent<ToWebview>) => listener(ev.data));
}
