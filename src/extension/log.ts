// One log channel for the extension ("iTool Studio" in the Output view). Dataset text and secrets
// never go into it: only file names, counts, timings and error messages.
import * as vscode from 'vscode';

let channel: vscode.LogOutputChannel | undefined;

export function log(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('iTool Studio', { log: true });
  return channel;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
