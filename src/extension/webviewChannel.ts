// The host's side of a webview's message protocol (webview/<page>/protocol.ts): what the host posts
// is typed as what the page understands, and what the page sends arrives typed as its protocol says.
// The page's side is webview/<page>/host.ts, over acquireVsCodeApi().
import type * as vscode from 'vscode';

export interface WebviewChannel<ToWebview, ToHost> {
  post(msg: ToWebview): Thenable<boolean>;
  onMessage(listener: (msg: ToHost) => void): vscode.Disposable;
}

export function webviewChannel<ToWebview, ToHost>(webview: vscode.Webview): WebviewChannel<ToWebview, ToHost> {
  return {
    post: (msg) => webview.postMessage(msg),
    onMessage: (listener) => webview.onDidReceiveMessage((msg: ToHost) => listener(msg)),
  };
}
