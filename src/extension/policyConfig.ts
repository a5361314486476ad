// The policy model the user configured: a local ONNX folder or an OpenAI-compatible endpoint.
// Settings say where; the endpoint's API key lives only in SecretStorage. These settings are
// restricted in untrusted workspaces (package.json), so a cloned repository cannot point the
// extension at a server of its choosing and have dataset text sent there.
import * as vscode from 'vscode';
import type { Policy } from '../core/model/policy';
import type { ChatTemplateSource } from '../core/model/chatTemplate';
import { CALL_RENDERINGS, type CallRenderingSetting } from '../core/calibrate/messages';
import { OnnxPolicy } from '../core/model/onnx/onnxPolicy';
import { RemotePolicy } from '../core/model/openai/remotePolicy';
import { log } from './log';

export const API_KEY_SECRET = 'itool.endpoint.apiKey';

export async function openConfiguredPolicy(ctx: vscode.ExtensionContext): Promise<Policy | undefined> {
  const cfg = vscode.workspace.getConfiguration('itool.policy');
  const backend = cfg.get<'onnx' | 'endpoint'>('backend', 'onnx');
  if (backend === 'endpoint') {
    const baseURL = cfg.get<string>('endpoint.baseURL', '').trim();
    const model = cfg.get<string>('endpoint.model', '').trim();
    if (!baseURL || !model) {
      const open = 'Open Settings';
      if ((await vscode.window.showErrorMessage('iTool: set itool.policy.endpoint.baseURL and itool.policy.endpoint.model to use an endpoint.', open)) === open) {
        await vscode.commands.executeCommand('workbench.action.openSettings', 'itool.policy');
      }
      return undefined;
    }
    const apiKey = (await ctx.secrets.get(API_KEY_SECRET)) ?? undefined;
    const chatTemplate = cfg.get<string>('endpoint.chatTemplate', '').trim() || undefined;
    return new RemotePolicy({ baseURL, model, apiKey, chatTemplatePath: chatTemplate, maxInFlight: cfg.get<number>('maxInFlight', 8) });
  }
  let dir = cfg.get<string>('onnx.modelDir', '').trim();
  if (!dir) {
    const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Use This Model', title: 'ONNX model folder (Hugging Face / Optimum export: config.json, tokenizer.json, onnx/model.onnx)' });
    if (!picked?.[0]) return undefined;
    dir = picked[0].fsPath;
    await cfg.update('onnx.modelDir', dir, vscode.ConfigurationTarget.Global);
  }
  const executionProvider = cfg.get<'cpu' | 'cuda'>('onnx.executionProvider', 'cpu');
  const policy = await OnnxPolicy.open(dir, { executionProvider });
  if (policy.warning) {
    log().warn(policy.warning);
    void vscode.window.showWarningMessage(`iTool: ${policy.warning}`);
  }
  return policy;
}

/**
 * Where the configured policy's chat template comes from, read without loading a model: the ONNX
 * model folder (its tokenizer_config.json, or chat_template.jinja beside it) or the endpoint's
 * template file. `missing` names the setting to set when there is none. Read through the same
 * restricted settings as openConfiguredPolicy, so in an untrusted workspace only user settings count.
 */
export function configuredChatTemplate(): { source: ChatTemplateSource; label: string } | { missing: string } {
  const cfg = vscode.workspace.getConfiguration('itool.policy');
  if (cfg.get<'onnx' | 'endpoint'>('backend', 'onnx') === 'endpoint') {
    const path = cfg.get<string>('endpoint.chatTemplate', '').trim();
    return path ? { source: { path }, label: path } : { missing: 'itool.policy.endpoint.chatTemplate' };
  }
  const dir = cfg.get<string>('onnx.modelDir', '').trim();
  return dir ? { source: { path: dir }, label: dir } : { missing: 'itool.policy.onnx.modelDir' };
}

export const CALL_RENDERING_SETTING = 'itool.calibrate.callRendering';

/** `itool.calibrate.callRendering`: how calls are put in prompts and answers (auto by the dataset's format). */
export function callRenderingSetting(): CallRenderingSetting {
  const v = vscode.workspace.getConfiguration('itool.calibrate').get<string>('callRendering', 'auto');
  return (CALL_RENDERINGS as readonly string[]).includes(v) ? (v as CallRenderingSetting) : 'auto';
}

/** Ask for an API key and keep it in SecretStorage under `secret` (empty removes it). */
export async function askSecret(ctx: vscode.ExtensionContext, secret: string, what: string): Promise<void> {
  const key = await vscode.window.showInputBox({ title: `API key for ${what}`, password: true, ignoreFocusOut: true, prompt: 'Stored in VS Code SecretStorage; never written to settings or logs. Leave empty to remove it.' });
  if (key === undefined) return;
  if (key) await ctx.secrets.store(secret, key);
  else await ctx.secrets.delete(secret);
  void vscode.window.showInformationMessage(`iTool: API key for ${what} ${key ? 'saved' : 'removed'}.`);
}

export function setApiKey(ctx: vscode.ExtensionContext): Promise<void> {
  return askSecret(ctx, API_KEY_SECRET, 'the OpenAI-compatible endpoint');
}
