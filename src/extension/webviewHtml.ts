// The HTML shell of our webviews (the dataset panel; the round dashboard names its own bundle and
// stylesheet). Strict CSP: nothing but our own bundled script (by nonce) and styles from the
// extension's folder; no 'unsafe-inline' for either (the page's controls, webview/shared/components.ts,
// style their shadow roots with adopted stylesheets and set sizes through the CSSOM, which the CSP
// allows). No dataset data is ever interpolated here: the page asks for it
// over the message protocol once it is ready and renders it with textContent.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/** Which bundle and stylesheet a page loads, relative to the extension's folder. */
export interface PanelAssets {
  /** Default `dist/webview/panel.js` (the dataset panel). */
  script?: string;
  /** Default `media/panel.css`. */
  style?: string;
}

export function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string, assets: PanelAssets = {}): string {
  const nonce = randomBytes(18).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...(assets.script ?? 'dist/webview/panel.js').split('/')));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...(assets.style ?? 'media/panel.css').split('/')));
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>${escapeHtml(title)}</title>
</head>
<body>
<div id="app" role="application" aria-label="${escapeHtml(title)}"></div>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}

/** Only the file name reaches the shell (as the title); escape it all the same. */
function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
