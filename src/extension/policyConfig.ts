// The policy model the user configured: a local ONNX folder or an OpenAI-compatible endpoint.
// Settings say where; the endpoint's API key lives only in SecretStorage. These settings are
// restricted in untrusted workspaces (package.json), so a cloned repository cannot point the
// extension at a server of its choosing and have dataset text sent there. Choosing a policy (the
// first-run pick) is policySetup.ts; this file reads, opens and reports.
import * as vscode from 'vscode';
import { PolicyError, type ChatMessage, type Policy } from '../core/model/policy';
import type { ChatTemplateSource } from '../core/model/chatTemplate';
import type { CallRenderingSetting } from '../core/model/callRendering';
import { openPolicy as openPolicyFromSpec, type PolicySpec } from '../core/model/policyFactory';
import { log } from './log';
import { configuredPolicySpec as specFromSettings } from './policySpec';
import { setting, settingText } from './settings';
import { openSettingsUi } from './settingsUi';

export const API_KEY_SECRET = 'itool.endpoint.apiKey';
export const POLICY_SECTION = 'itool.policy';

export { describePolicy, type PolicySpec } from '../core/model/policyFactory';

/** The configured policy, or undefined when none is set (what the first-run pick is for). */
export function configuredPolicySpec(): PolicySpec | undefined {
  return specFromSettings(setting);
}

/**
 * The ONNX runtime's CUDA warning speaks to a source checkout (`npm rebuild`); the packaged
 * extension ships the CPU runtime only, so a VSIX user is told what they can do instead.
 */
function userWarning(warning: string): string {
  if (!/^CUDA execution provider not available/.test(warning)) return warning;
  return 'itool.policy.onnx.executionProvider is cuda, but this onnxruntime has no CUDA provider (the packaged extension ships the CPU runtime): the model runs on the CPU. For a GPU, serve the model with vLLM or SGLang and choose an endpoint.';
}

/** Opens the policy `spec` describes (the API key from SecretStorage); throws (a PolicyError for what the user can fix) if it cannot. */
export async function openPolicy(ctx: vscode.ExtensionContext, spec: PolicySpec): Promise<Policy> {
  const apiKey = spec.backend === 'endpoint' ? ((await ctx.secrets.get(API_KEY_SECRET)) ?? undefined) : undefined;
  const policy = await openPolicyFromSpec(spec, { apiKey });
  if (policy.warning) {
    const warning = userWarning(policy.warning);
    log().warn(warning);
    void showWithSettings('warning', `iTool: ${warning}`, POLICY_SECTION);
  }
  return policy;
}

/** A one-message prompt through the policy's chat template: proves there is one and it renders. */
export async function checkTemplate(policy: Policy): Promise<void> {
  const hello: ChatMessage[] = [{ role: 'user', content: 'Hello' }];
  const prompt = await policy.chatTemplate(hello, [], { addGenerationPrompt: true });
  if (!prompt.includes('Hello')) throw new PolicyError(`${policy.label}: its chat template left the message out of the prompt`);
}

const OPEN_SETTINGS = 'Open Settings';

/** A notification with the actions given and "Open Settings" (handled here); resolves the other action picked. */
async function showWithSettings<T extends string>(level: 'error' | 'warning', message: string, query: string, ...actions: T[]): Promise<T | undefined> {
  const show = level === 'error' ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
  const pick = await show<string>(message, ...actions, OPEN_SETTINGS);
  if (pick === OPEN_SETTINGS) {
    await openSettingsUi(query);
    return undefined;
  }
  return pick as T | undefined;
}

/**
 * Every policy error goes through here: into the log, and in front of the user with "Open
 * Settings" (on the tab where the policy settings are) and any other actions given, such as
 * choosing another model. Resolves the other action the user picked.
 */
export function showPolicyError<T extends string>(message: string, ...actions: T[]): Promise<T | undefined> {
  log().error(message);
  return showWithSettings('error', `iTool: ${message}`, POLICY_SECTION, ...actions);
}

/**
 * Where the configured policy's chat template comes from, read without loading a model: the ONNX
 * model folder (its tokenizer_config.json, or chat_template.jinja beside it) or the endpoint's
 * template file. `missing` names the setting to set when there is none. Read through the same
 * restricted settings as openConfiguredPolicy, so in an untrusted workspace only user settings count.
 */
export function configuredChatTemplate(): { source: ChatTemplateSource; label: string } | { missing: string } {
  if (setting('itool.policy.backend') === 'endpoint') {
    const path = settingText('itool.policy.endpoint.chatTemplate');
    return path ? { source: { path }, label: path } : { missing: 'itool.policy.endpoint.chatTemplate' };
  }
  const dir = settingText('itool.policy.onnx.modelDir');
  return dir ? { source: { path: dir }, label: dir } : { missing: 'itool.policy.onnx.modelDir' };
}

export const CALL_RENDERING_SETTING = 'itool.calibrate.callRendering';

/** `itool.calibrate.callRendering`: how calls are put in prompts and answers (auto by the dataset's format). */
export function callRenderingSetting(): CallRenderingSetting {
  return setting('itool.calibrate.callRendering');
}

/** Ask for an API key and keep it in SecretStorage under `secret` (empty removes it). Resolves whether one was entered. */
export async function askSecret(ctx: vscode.ExtensionContext, secret: string, what: string): Promise<boolean> {
  const key = await vscode.window.showInputBox({ title: `API key for ${what}`, password: true, ignoreFocusOut: true, prompt: 'Stored in VS Code SecretStorage; never written to settings or logs. Leave empty to remove it.' });
  if (key === undefined) return false;
  if (key) await ctx.secrets.store(secret, key);
  else await ctx.secrets.delete(secret);
  void vscode.window.showInformationMessage(`iTool: API key for ${what} ${key ? 'saved' : 'removed'}.`);
  return !!key;
}

export async function setApiKey(ctx: vscode.ExtensionContext): Promise<void> {
  await askSecret(ctx, API_KEY_SECRET, 'the OpenAI-compatible endpoint');
}
