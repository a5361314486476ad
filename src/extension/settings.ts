// The one door to the `itool.*` settings: typed reads (settingsTable.ts says which settings there
// are and of what type), writes, and where a value is set. Nothing else calls
// `getConfiguration` (test/unit/settingsContract.test.ts checks), and nothing here names a default:
// VS Code answers a setting the user has not set with the default package.json contributes, and
// a value of the wrong type (settings.json is hand-edited; VS Code does not enforce enums) reads
// as that contributed default too, never as a literal chosen in code. Restricted settings
// (package.json's restrictedConfigurations) are read from user settings only in an untrusted
// workspace: VS Code does that for every read made here.
import * as vscode from 'vscode';
import { fitsSetting, type SettingKey, type SettingValue } from './settingsTable';

export { SETTINGS, type SettingGetter, type SettingKey, type SettingValue } from './settingsTable';

/** The extension's id (package.json publisher.name): its manifest carries the contributed defaults. */
export const EXTENSION_ID = 'itool-studio.itool-studio';

/** `itool.a.b` as VS Code's section and key ('itool', 'a.b'). */
function split(key: SettingKey): [string, string] {
  const dot = key.indexOf('.');
  return [key.slice(0, dot), key.slice(dot + 1)];
}

/** The default package.json contributes for `key` (the manifest the extension runs with). */
function contributedDefault<K extends SettingKey>(key: K): SettingValue<K> {
  const [section, name] = split(key);
  const inspected = vscode.workspace.getConfiguration(section).inspect<SettingValue<K>>(name);
  if (inspected && inspected.defaultValue !== undefined) return inspected.defaultValue;
  const groups: unknown = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON?.contributes?.configuration;
  for (const g of Array.isArray(groups) ? groups : groups ? [groups] : []) {
    const p = (g as { properties?: Record<string, { default?: unknown }> }).properties?.[key];
    if (p && 'default' in p) return p.default as SettingValue<K>;
  }
  throw new Error(`${key} is not a setting package.json contributes`);
}

/** The setting's value: the user's (or workspace's), else the contributed default. */
export function setting<K extends SettingKey>(key: K): SettingValue<K> {
  const [section, name] = split(key);
  const v = vscode.workspace.getConfiguration(section).get<unknown>(name);
  return v !== undefined && fitsSetting(key, v) ? (v as SettingValue<K>) : contributedDefault(key);
}

/** A text setting trimmed, undefined when empty ("" is how the manifest says "not set"). */
export function settingText(key: { [K in SettingKey]: SettingValue<K> extends string ? K : never }[SettingKey]): string | undefined {
  return (setting(key) as string).trim() || undefined;
}

/** Where `key` is set at each level (the Settings editor's tabs): for choosing where a write goes. */
export function inspectSetting(key: SettingKey) {
  const [section, name] = split(key);
  return vscode.workspace.getConfiguration(section).inspect(name);
}

/** Writes `key` at `target`. */
export async function updateSetting<K extends SettingKey>(key: K, value: SettingValue<K>, target: vscode.ConfigurationTarget): Promise<void> {
  const [section, name] = split(key);
  await vscode.workspace.getConfiguration(section).update(name, value, target);
}
