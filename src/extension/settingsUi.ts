// Where the extension's settings live and how to show them. In a remote window (code-server,
// Remote-SSH, WSL, Codespaces) VS Code keeps `machine` and `machine-overridable` settings (the
// policy's model folder and endpoint, the trainer programs) in the Remote settings: the User tab
// hides them and ignores values written there. So "Open Settings" opens the tab the setting is
// shown on, and a value the extension saves goes where it takes effect and the user can change it.
import * as vscode from 'vscode';
import { EXTENSION_ID, inspectSetting, type SettingKey } from './settings';

const MACHINE_SCOPES = new Set(['machine', 'machine-overridable']);

/** The scope each contributed setting declares (key → scope), read from the manifest once. */
let scopes: Map<string, string> | undefined;

function settingScopes(): Map<string, string> {
  if (!scopes) {
    scopes = new Map();
    const groups: unknown = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON?.contributes?.configuration;
    for (const g of Array.isArray(groups) ? groups : groups ? [groups] : []) {
      for (const [k, v] of Object.entries((g as { properties?: Record<string, { scope?: string }> }).properties ?? {})) scopes.set(k, v.scope ?? 'window');
    }
  }
  return scopes;
}

/** Whether `query` (a setting id or a prefix such as `itool.policy`) names a setting kept per machine. */
function machineSetting(query: string): boolean {
  for (const [k, s] of settingScopes()) if ((k === query || k.startsWith(`${query}.`)) && MACHINE_SCOPES.has(s)) return true;
  return false;
}

/** The settings tab a machine-level setting is saved on and shown in, as the user reads its name. */
export function machineSettingsTab(): string {
  return vscode.env.remoteName ? 'Remote settings' : 'User settings';
}

/**
 * The Settings editor filtered to `query` (only the extension's own settings), on the tab where
 * those settings are shown: Remote for machine-level ones in a remote window, else User.
 */
export async function openSettingsUi(query: string): Promise<void> {
  const q = query.startsWith('itool.') ? query : 'itool';
  if (vscode.env.remoteName && machineSetting(q)) await vscode.commands.executeCommand('workbench.action.openRemoteSettings', { query: q });
  else await vscode.commands.executeCommand('workbench.action.openSettings', q);
}

/**
 * Where a setting the user chose in a dialog is written: the workspace when (trusted, and) the
 * workspace already sets it, since a user-level value would be shadowed there; else the user (or,
 * for machine-level settings in a remote window, the Remote) settings. In an untrusted workspace
 * restricted settings are read from user settings only, so that is where they go.
 */
export function targetFor(key: SettingKey): vscode.ConfigurationTarget {
  const v = inspectSetting(key);
  if (vscode.workspace.isTrusted && v?.workspaceValue !== undefined) return vscode.ConfigurationTarget.Workspace;
  return vscode.ConfigurationTarget.Global;
}
