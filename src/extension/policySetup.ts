// Choosing the policy model: `iTool: Choose Policy Model…`, and the first run, when a command that
// needs a model finds none set and asks here instead of failing. Each choice (the demo model, an
// ONNX folder, an endpoint) is opened and its chat template rendered before anything is saved, so
// a wrong choice leaves the settings as they were and the next try asks again; what is saved goes
// where it takes effect and where the Settings editor shows it (settingsUi.ts).
import { join, sep } from 'node:path';
import * as vscode from 'vscode';
import { isModelFolder, MODEL_FOLDER_FILES } from '../core/model/onnx/folder';
import type { Policy } from '../core/model/policy';
import { parseEndpointUrl, scrubUrl } from '../core/model/openai/endpointUrl';
import { endpointPolicy } from '../core/model/policyFactory';
import { errorMessage, log } from './log';
import { API_KEY_SECRET, POLICY_SECTION, askSecret, checkTemplate, configuredPolicySpec, describePolicy, openPolicy, showPolicyError, type PolicySpec } from './policyConfig';
import { endpointSpec, onnxSpec } from './policySpec';
import { setting, settingText, updateSetting, type SettingKey, type SettingValue } from './settings';
import { machineSettingsTab, openSettingsUi, targetFor } from './settingsUi';

/** What one try ends with: the policy (opened, checked, saved), 'again' (show the pick again), or undefined (stopped; said why). */
type Outcome = Policy | 'again' | undefined;

const CHOOSE_AGAIN = 'Choose Again…';
/** How long reaching an endpoint may take while setting it up (a run's own timeouts are longer). */
const REACH_TIMEOUT_MS = 10_000;
/** What the base URL box offers when none is set: vLLM's and SGLang's address on this machine (a suggestion, not a default). */
const SUGGESTED_URL = 'http://127.0.0.1:8000/v1';

function progress<T>(title: string, task: () => Promise<T>): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, task);
}

/** A message ending in one full stop, whatever the error's own text ends with. */
const sentence = (s: string): string => s.trim().replace(/[.\s]*$/, '.');

/**
 * The configured policy, opened; with none set, the first-run pick. Never throws: a policy that
 * cannot be opened is an error in front of the user (and in the log) with "Open Settings" and a
 * way to choose another model, so retrying asks again instead of repeating the error.
 */
export async function openConfiguredPolicy(ctx: vscode.ExtensionContext): Promise<Policy | undefined> {
  const spec = configuredPolicySpec();
  if (!spec) return choosePolicy(ctx, true);
  try {
    return await progress('iTool: loading the policy model…', () => openPolicy(ctx, spec));
  } catch (err) {
    const another = 'Choose Another Model…';
    const pick = await showPolicyError(`could not load the policy model ${describePolicy(spec)}: ${sentence(errorMessage(err))}`, another);
    return pick === another ? choosePolicy(ctx, false) : undefined;
  }
}

/** `iTool: Choose Policy Model…`: the same pick, any time; the model is only checked, not kept open. */
export async function choosePolicyCommand(ctx: vscode.ExtensionContext): Promise<void> {
  const policy = await choosePolicy(ctx, false);
  await policy?.close();
}

interface Choice extends vscode.QuickPickItem {
  run(): Promise<Outcome>;
}

/** The pick: the demo model (when there is one), an ONNX folder, an endpoint. Resolves the policy chosen, checked and saved. */
export async function choosePolicy(ctx: vscode.ExtensionContext, firstRun: boolean): Promise<Policy | undefined> {
  for (;;) {
    const items: Choice[] = [];
    const demo = findDemoModel(ctx);
    if (demo) {
      items.push({
        label: '$(beaker) Demo model (itool-tiny)',
        description: demo.where,
        detail: "The project's own tiny tool-calling model, for trying iTool on the demo datasets",
        run: () => useOnnxFolder(ctx, demo.dir),
      });
    }
    items.push(
      {
        label: '$(folder-opened) ONNX model folder…',
        detail: 'A Hugging Face / Optimum ONNX export, run by the extension itself',
        run: () => pickOnnxFolder(ctx),
      },
      {
        label: '$(globe) OpenAI-compatible endpoint…',
        detail: 'A vLLM, SGLang or llama.cpp server: URL, served model, chat template',
        run: () => setUpEndpoint(ctx),
      },
    );
    const pick = await vscode.window.showQuickPick(items, {
      title: firstRun ? 'iTool: No policy model is set yet. Choose one' : 'iTool: Choose the policy model',
      placeHolder: 'The model calibration and search run on; checked before it is saved',
      ignoreFocusOut: true,
    });
    if (!pick) {
      if (firstRun) {
        // Never silent: the command the user ran stops, and they learn how to go on.
        const choose = 'Choose Policy Model…';
        void vscode.window
          .showInformationMessage('iTool: no policy model chosen, so nothing was run. Choose one with "iTool: Choose Policy Model…" or in Settings (iTool Studio › Policy model).', choose, 'Open Settings')
          .then((p) => (p === choose ? vscode.commands.executeCommand('itool.choosePolicy') : p ? openSettingsUi(POLICY_SECTION) : undefined));
      }
      return undefined;
    }
    const outcome = await pick.run();
    if (outcome !== 'again') return outcome;
  }
}

/**
 * The project's demo model, where one is: beside the extension (a development host) or in a
 * workspace folder (the demo workspace, or a checkout of the repository). An installed VSIX does
 * not carry it. A workspace's copy is offered only in a trusted workspace: onnxruntime parses the
 * model in this process, and an untrusted folder must not choose what it parses.
 */
function findDemoModel(ctx: vscode.ExtensionContext): { dir: string; where: string } | undefined {
  const own = join(ctx.extensionPath, 'demo', 'models', 'itool-tiny');
  if (isModelFolder(own)) return { dir: own, where: 'comes with the extension' };
  if (!vscode.workspace.isTrusted) return undefined;
  for (const f of vscode.workspace.workspaceFolders ?? []) {
    if (f.uri.scheme !== 'file') continue;
    for (const rel of [['models', 'itool-tiny'], ['demo', 'models', 'itool-tiny']]) {
      const dir = join(f.uri.fsPath, ...rel);
      if (isModelFolder(dir)) return { dir, where: `${f.name}/${rel.join('/')}` };
    }
  }
  return undefined;
}

async function pickOnnxFolder(ctx: vscode.ExtensionContext): Promise<Outcome> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    openLabel: 'Use This Model',
    title: `ONNX model folder (${MODEL_FOLDER_FILES.join(', ')})`,
  });
  // Closing the dialog goes back to the pick: the user may want the demo model or an endpoint instead.
  if (!picked?.[0]) return 'again';
  return useOnnxFolder(ctx, picked[0].fsPath);
}

function useOnnxFolder(ctx: vscode.ExtensionContext, dir: string): Promise<Outcome> {
  const spec: PolicySpec = onnxSpec(setting, dir);
  return checkAndSave(
    spec,
    async () => {
      const policy = await openPolicy(ctx, spec);
      try {
        await checkTemplate(policy);
      } catch (err) {
        await policy.close();
        throw err;
      }
      return policy;
    },
    [
      ['itool.policy.backend', 'onnx'],
      ['itool.policy.onnx.modelDir', dir],
    ],
    (msg) => {
      // The folder is named once, at the start of the message: a file missing from it by its name alone.
      if (!msg.startsWith(dir + sep)) return msg;
      const inside = msg.slice(dir.length + 1);
      return /not found$/.test(inside) ? `${inside} in it (an ONNX model folder holds ${MODEL_FOLDER_FILES.slice(0, -1).join(', ')} and ${MODEL_FOLDER_FILES.at(-1)})` : inside;
    },
  );
}

/**
 * Opens and checks the policy (`open` throws when it cannot be used); only then saves `values`
 * (keys under itool.policy). A failure saves nothing and offers to choose again; `explain` words
 * the error for this kind of choice.
 */
async function checkAndSave(spec: PolicySpec, open: () => Promise<Policy>, values: Saved[], explain = (msg: string) => msg): Promise<Outcome> {
  let policy: Policy;
  try {
    policy = await progress(`iTool: checking ${describePolicy(spec)}…`, open);
  } catch (err) {
    const pick = await showPolicyError(`${describePolicy(spec)} cannot be used as the policy model: ${sentence(explain(errorMessage(err)))} Nothing was saved.`, CHOOSE_AGAIN);
    return pick === CHOOSE_AGAIN ? 'again' : undefined;
  }
  try {
    const where = await save(values);
    const msg = `iTool: the policy model is ${policy.label}, saved in ${where} (iTool Studio › Policy model).`;
    log().info(msg);
    void vscode.window.showInformationMessage(msg, 'Open Settings').then((p) => p && openSettingsUi(POLICY_SECTION));
  } catch (err) {
    // The model works for this run; only remembering it failed.
    void showPolicyError(`${describePolicy(spec)} works but could not be saved: ${sentence(errorMessage(err))} Set it in Settings to keep it.`);
  }
  return policy;
}

/** A setting to save, with its value. */
type Saved = { [K in SettingKey]: [K, SettingValue<K>] }[SettingKey];

/** Writes each value where it takes effect (settingsUi.targetFor); resolves the tabs it went to, as the user reads them. */
async function save(values: Saved[]): Promise<string> {
  const tabs = new Set<string>();
  for (const [key, value] of values) {
    const target = targetFor(key);
    tabs.add(target === vscode.ConfigurationTarget.Workspace ? 'Workspace settings' : machineSettingsTab());
    await updateSetting<SettingKey>(key, value, target);
  }
  return [...tabs].join(' and ');
}

function urlProblem(value: string): string | undefined {
  const v = value.trim();
  if (!/^https?:\/\//i.test(v)) return 'An http:// or https:// URL, e.g. http://127.0.0.1:8000/v1';
  try {
    parseEndpointUrl(v);
    return undefined;
  } catch {
    return 'Not a URL';
  }
}

/** An endpoint in three steps (base URL, served model, chat template); each step is checked against the server. */
async function setUpEndpoint(ctx: vscode.ExtensionContext): Promise<Outcome> {
  const typed = await vscode.window.showInputBox({
    title: 'OpenAI-compatible endpoint (1/3): base URL',
    prompt: "The server's OpenAI-compatible base URL (vLLM, SGLang, llama.cpp server). A key, if it needs one, is kept in SecretStorage (iTool: Set Endpoint API Key).",
    value: settingText('itool.policy.endpoint.baseURL') ?? SUGGESTED_URL,
    ignoreFocusOut: true,
    validateInput: urlProblem,
  });
  if (typed === undefined) return 'again';
  const baseURL = typed.trim();
  let served: string[];
  for (;;) {
    try {
      served = await progress(`iTool: reaching ${scrubUrl(baseURL)}…`, () => listModels(ctx, baseURL));
      break;
    } catch (err) {
      // The server's URL leads the sentence once (the policy's own message starts with it too).
      const shown = scrubUrl(baseURL).replace(/\/+$/, '');
      const msg = errorMessage(err).replace(`${shown}: `, '');
      const setKey = 'Set API Key…';
      const refused = /HTTP 40[13]\b/.test(msg);
      // Without a stored key the request carries a placeholder, which the server's message may quote.
      const noKey = refused && !(await apiKey(ctx)) ? ' No API key is set for the endpoint.' : '';
      const pick = await showPolicyError(`${shown} cannot be used as the policy endpoint: ${sentence(msg)}${noKey} Nothing was saved.`, ...(refused ? [setKey] : []), CHOOSE_AGAIN);
      if (pick === setKey && (await askSecret(ctx, API_KEY_SECRET, 'the OpenAI-compatible endpoint'))) continue;
      return pick === CHOOSE_AGAIN ? 'again' : undefined;
    }
  }
  const model = await pickServedModel(served, setting('itool.policy.endpoint.model').trim());
  if (!model) return 'again';
  const template = await pickTemplateSource();
  if (template === undefined) return 'again';
  const spec: PolicySpec = endpointSpec(setting, baseURL, model, template || undefined);
  return checkAndSave(
    spec,
    async () => {
      // A short-lived copy with short timeouts proves the template renders and the server scores;
      // the run gets a policy with the usual timeouts and retries.
      const probe = endpointPolicy({ ...spec, timeoutMs: REACH_TIMEOUT_MS, maxRetries: 0 }, { apiKey: await apiKey(ctx) });
      try {
        await checkTemplate(probe);
        const prompt = await probe.chatTemplate([{ role: 'user', content: 'Hello' }], [], { addGenerationPrompt: true });
        await probe.score([{ prompt, response: 'Hello' }]);
      } finally {
        await probe.close();
      }
      return openPolicy(ctx, spec);
    },
    [
      ['itool.policy.backend', 'endpoint'],
      ['itool.policy.endpoint.baseURL', baseURL],
      ['itool.policy.endpoint.model', model],
      ['itool.policy.endpoint.chatTemplate', template],
    ],
  );
}

async function apiKey(ctx: vscode.ExtensionContext): Promise<string | undefined> {
  return (await ctx.secrets.get(API_KEY_SECRET)) ?? undefined;
}

/** The served model ids (/v1/models), within REACH_TIMEOUT_MS; throws with the server's answer. */
async function listModels(ctx: vscode.ExtensionContext, baseURL: string): Promise<string[]> {
  // The model name is not known yet and /v1/models needs none.
  const probe = endpointPolicy({ backend: 'endpoint', baseURL, model: '(listing models)', timeoutMs: REACH_TIMEOUT_MS, maxRetries: 0 }, { apiKey: await apiKey(ctx) });
  try {
    return await probe.models();
  } finally {
    await probe.close();
  }
}

async function pickServedModel(served: string[], current: string): Promise<string | undefined> {
  if (served.length === 0) {
    const typed = await vscode.window.showInputBox({ title: 'OpenAI-compatible endpoint (2/3): served model', prompt: 'The server lists no models: the name it serves the model under', value: current, ignoreFocusOut: true });
    return typed?.trim() || undefined;
  }
  const ordered = [...served].sort((a, b) => Number(b === current) - Number(a === current));
  const pick = await vscode.window.showQuickPick(
    ordered.map((id) => ({ label: id, description: id === current ? 'the configured model' : undefined })),
    { title: 'OpenAI-compatible endpoint (2/3): served model', placeHolder: `The server serves ${served.length} model${served.length === 1 ? '' : 's'}`, ignoreFocusOut: true },
  );
  return pick?.label;
}

/** The chat template's file, '' for the server's own, undefined when the user stepped back. */
async function pickTemplateSource(): Promise<string | undefined> {
  const file = { label: "$(file-code) The model's chat template file…", detail: 'tokenizer_config.json (with its chat_template) or a .jinja file: prompts are rendered here, so a partial answer can be continued' };
  const server = { label: "$(server) The server's own template", detail: 'Rendered by the server (vLLM /tokenize); other servers need the template file' };
  const pick = await vscode.window.showQuickPick([file, server], { title: 'OpenAI-compatible endpoint (3/3): chat template', ignoreFocusOut: true });
  if (!pick) return undefined;
  if (pick === server) return '';
  const chosen = await vscode.window.showOpenDialog({ canSelectFiles: true, canSelectFolders: false, canSelectMany: false, openLabel: 'Use This Template', title: "The model's tokenizer_config.json or a Jinja chat template", filters: { 'Chat template': ['json', 'jinja', 'j2'] } });
  return chosen?.[0]?.fsPath;
}
