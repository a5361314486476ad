// The first run in a real VS Code, from the installed VSIX with fresh user data and no policy set:
// Calibrate asks with a quick pick (the demo model, since the demo workspace holds it; an ONNX
// folder; an endpoint) instead of a bare folder dialog. A wrong folder is an error with "Open
// Settings" (which opens the policy settings on the tab that shows them) and saves nothing; the
// next Calibrate asks again; the demo model is checked, saved where the Settings editor shows it,
// and the dataset is calibrated. Then the endpoint route against the project's vLLM stand-in
// (test/support/openaiStandIn.ts, named as such): an unreachable URL, a server that wants a key
// (set through SecretStorage from the error), the served model and the chat template, saved only
// once a prompt renders and scores; the next calibration runs on it. No notification and no log
// line carries a stack trace. Light theme, 1280x720: the first-run pictures for the release notes.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createServer, type AddressInfo } from 'node:net';
import type { Locator, Page } from 'playwright-core';
import { ROOT, openDataset, runCommand, screenshot, startSession, webview, type Session } from './codeServer';
import { OpenAIStandIn } from '../support/openaiStandIn';

const DATASET = 'datasets/bfcl/BFCL_v4_simple_python.json';
/** What a stack trace looks like in a message or a log: a frame, or Node's module-not-found list. */
const STACK = /Require stack|\n\s+at \S+ \(|\bat (?:async )?\S+ \((?:file:\/\/)?\/[^)]*:\d+:\d+\)|node:internal/;

const walk = (d: string): string[] => (existsSync(d) ? readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)])) : []);

function policyKeys(file: string): Record<string, unknown> {
  if (!existsSync(file)) return {};
  const all = JSON.parse(readFileSync(file, 'utf8') || '{}') as Record<string, unknown>;
  return Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith('itool.policy.')));
}

/** Every notification's message in the toasts now on screen. */
async function toastTexts(page: Page): Promise<string[]> {
  return page.locator('.notifications-toasts .notification-toast .notification-list-item-message').allTextContents();
}

/** Every notification's message in the notification centre (it keeps what toasts showed, and what they had no room for). */
async function centreTexts(page: Page): Promise<string[]> {
  await runCommand(page, 'Notifications: Show Notifications');
  const messages = page.locator('.notifications-center .notification-list-item-message');
  await messages.first().waitFor({ timeout: 10_000 });
  const texts = await messages.allTextContents();
  await runCommand(page, 'Notifications: Hide Notifications');
  return texts;
}

/** A toast's message (its text content also holds the list's style sheet). */
const messageOf = async (t: Locator): Promise<string> => (await t.locator('.notification-list-item-message').textContent()) ?? '';

/** A port nothing listens on: taken from the OS, then let go. */
async function closedPort(): Promise<number> {
  return new Promise((res) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => res(port));
    });
  });
}

/**
 * Answer VS Code's own file dialog (in the browser a quick input that takes a path): type the
 * path, then its accept button (Enter on a folder's path only lists the folder, and Enter typed
 * while the listing catches up with the path can be taken as navigation).
 */
async function acceptInDialog(page: Page, path: string, button: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: '..' }).first().waitFor();
  await input.fill(path);
  await page.waitForFunction((p) => (document.querySelector('.quick-input-widget input') as HTMLInputElement | null)?.value === p, path);
  await page.locator('.quick-input-widget .monaco-button', { hasText: button }).click();
}

/** Notifications slide in and fade out: let them finish before a screenshot. */
const settle = (page: Page) => page.waitForTimeout(800);

const toast = (page: Page, text: string) => page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();

/** Answer an input box whose title holds `title`. */
async function answerInput(page: Page, title: string, value: string): Promise<void> {
  await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ timeout: 30_000 });
  await page.locator('.quick-input-widget input').fill(value);
  await page.keyboard.press('Enter');
}

const quickPick = (page: Page) => page.locator('.quick-input-widget');
const pickRow = (page: Page, text: string) => quickPick(page).locator('.quick-input-list .monaco-list-row', { hasText: text }).first();

describe('first run in code-server: no policy set', { timeout: 300_000 }, () => {
  let s: Session;
  let machineFile: string;
  const seen: string[] = [];
  before(async () => {
    // No itool.policy.* anywhere: the fresh user data a VSIX user starts with. The light theme is
    // the one the screenshots are judged in.
    s = await startSession({ workspaceFrom: join(ROOT, 'demo'), viewport: { width: 1280, height: 720 }, settings: { 'workbench.colorTheme': 'Default Light Modern' } });
    machineFile = join(dirname(dirname(s.settingsFile)), 'Machine', 'settings.json');
    assert.deepEqual(policyKeys(s.settingsFile), {});
    assert.deepEqual(policyKeys(machineFile), {});
  });
  after(async () => {
    await s?.close();
  });

  /** The extension's log channel ("iTool Studio" in the Output view), as written so far. */
  const extensionLog = (): string =>
    walk(join(s.userData, 'logs'))
      .filter((f) => f.endsWith('iTool Studio.log'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('');

  /** The extension's log line matching `re`, once it is written. */
  async function waitForLog(re: RegExp, ms = 60_000): Promise<string> {
    for (const end = Date.now() + ms; ; ) {
      const line = extensionLog().split('\n').find((l) => re.test(l));
      if (line) return line;
      assert.ok(Date.now() < end, `the log says ${re}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** On a failure: what the window showed and what the extension logged, then the failure itself. */
  async function diagnose(err: unknown): Promise<never> {
    await screenshot(s.page, 'first-run-failure').catch(() => undefined);
    await runCommand(s.page, 'Notifications: Show Notifications').catch(() => undefined);
    console.log('centre:', await s.page.locator('.notifications-center .notification-list-item-message').allTextContents().catch(() => []));
    console.log(`iTool Studio log:\n${extensionLog()}`);
    throw err;
  }

  it('Calibrate asks with a quick pick; a wrong folder saves nothing and offers the settings; the demo model calibrates', async () => {
    const page = s.page;
    try {
      await openDataset(page, DATASET);
      const wv = webview(page);
      await wv.locator('.count[data-count="40"]').waitFor({ timeout: 60_000 });

      // From the palette: offered while the dataset panel is active (its when clause).
      await runCommand(page, 'iTool: Calibrate Dataset');
      await quickPick(page).locator('.quick-input-title', { hasText: 'No policy model is set yet' }).waitFor({ timeout: 30_000 });
      // The rows' labels, in order (each row's detail line is a label-name too).
      const choices = ['Demo model (itool-tiny)', 'ONNX model folder…', 'OpenAI-compatible endpoint…'];
      const labels = (await quickPick(page).locator('.quick-input-list .monaco-list-row .label-name').allTextContents()).map((l) => l.trim());
      assert.deepEqual(labels.filter((l) => choices.includes(l)), choices);
      assert.equal(await quickPick(page).locator('.quick-input-list .monaco-list-row').count(), 3);
      assert.match((await pickRow(page, 'Demo model').textContent()) ?? '', /workspace\/models\/itool-tiny/);
      await screenshot(page, 'first-run-1-pick');

      // A folder that is no model: an error with "Open Settings", nothing saved.
      await pickRow(page, 'ONNX model folder').click();
      const wrong = join(s.workspace, 'datasets');
      await acceptInDialog(page, wrong, 'Use This Model');
      const error = page.locator('.notifications-toasts .notification-toast', { hasText: 'cannot be used as the policy model' }).first();
      await error.waitFor({ timeout: 60_000 });
      const errorText = await messageOf(error);
      assert.match(errorText, new RegExp(`${wrong.replace(/[/.]/g, '\\$&')} cannot be used as the policy model: config\\.json not found in it \\(an ONNX model folder holds .*\\)\\. Nothing was saved\\.`));
      assert.ok(await error.locator('.monaco-button', { hasText: 'Open Settings' }).isVisible(), 'the error offers Open Settings');
      assert.ok(await error.locator('.monaco-button', { hasText: 'Choose Again…' }).isVisible(), 'and choosing again');
      await settle(page);
      await screenshot(page, 'first-run-2-wrong-folder');
      assert.deepEqual(policyKeys(s.settingsFile), {}, 'nothing saved in User settings');
      assert.deepEqual(policyKeys(machineFile), {}, 'nothing saved in Remote settings');
      seen.push(...(await toastTexts(page)));

      // "Open Settings": the policy settings, on the tab where code-server shows them (Remote).
      await error.locator('.monaco-button', { hasText: 'Open Settings' }).click();
      const editor = page.locator('.settings-editor');
      await editor.waitFor({ timeout: 30_000 });
      await page.locator('.settings-tabs-widget .action-label.checked', { hasText: 'Remote' }).waitFor({ timeout: 30_000 });
      await editor.locator('.setting-item-contents', { hasText: 'Model Dir' }).first().waitFor({ timeout: 30_000 });
      // Filtered to the policy's seven settings (backend, model folder, provider, the endpoint's three, requests in flight).
      await editor.locator('.settings-count-widget', { hasText: '7 Settings Found' }).waitFor({ timeout: 10_000 });
      await screenshot(page, 'first-run-3-settings');
      await runCommand(page, 'View: Close Editor');
      await page.locator('.tab.active', { hasText: 'BFCL_v4_simple_python.json' }).waitFor();

      // Calibrate again (the panel's button): nothing was saved, so it asks again; the demo model.
      await wv.locator('.ui-button.calibrate-button').click();
      await quickPick(page).locator('.quick-input-title', { hasText: 'No policy model is set yet' }).waitFor({ timeout: 30_000 });
      await pickRow(page, 'Demo model').click();
      // Announced in a notification and the log (read from the log and, at the end, from the
      // notification centre: VS Code drops toasts that come faster than 3 in 800 ms into the centre).
      await waitForLog(/\[info\] iTool: the policy model is itool-tiny \(ONNX, cpu\), saved in Remote settings \(iTool Studio › Policy model\)\.$/);
      const chart = wv.locator('.summary.calibration[data-scored]');
      await chart.waitFor({ timeout: 120_000 });
      assert.equal(await chart.getAttribute('data-scored'), '40');
      await waitForLog(/\[info\] iTool: calibrated 40 samples with itool-tiny/);
      seen.push(...(await toastTexts(page)));
      await page.mouse.move(1000, 420); // no tooltip from where the button was
      await settle(page);
      await screenshot(page, 'first-run-4-calibrated');

      // Saved where code-server's extension host reads it and its Settings editor shows it (Remote),
      // the folder the pick offered; the User settings stay as they were.
      assert.deepEqual(policyKeys(machineFile), { 'itool.policy.backend': 'onnx', 'itool.policy.onnx.modelDir': join(s.workspace, 'models', 'itool-tiny') });
      assert.deepEqual(policyKeys(s.settingsFile), {});

      // No stack anywhere: the notifications (the centre keeps every one shown), the extension's log,
      // the extension host's log and the page's console.
      seen.push(...(await centreTexts(page)));
      for (const said of ['cannot be used as the policy model', 'the policy model is itool-tiny', 'calibrated 40 samples with itool-tiny']) assert.ok(seen.some((t) => t.includes(said)), `a notification said "${said}"`);
      for (const t of seen) assert.doesNotMatch(t, STACK, `no stack in a notification: ${t}`);
      const logs = walk(join(s.userData, 'logs'));
      const ours = extensionLog();
      // The error went to the log channel too, as a message.
      assert.match(ours, /\[error\] .*datasets cannot be used as the policy model: config\.json not found in it .*Nothing was saved\./);
      assert.match(ours, /\[info\] iTool: the policy model is itool-tiny/);
      assert.doesNotMatch(ours, STACK);
      const host = logs.filter((f) => f.endsWith('exthost.log')).map((f) => readFileSync(f, 'utf8')).join('\n');
      const hostOurs = host.split(/\n(?=\d{4}-\d\d-\d\d )/).filter((entry) => /itool/i.test(entry) && /\[error\]|\[warning\]/.test(entry));
      assert.deepEqual(hostOurs.filter((e) => STACK.test(e)), [], 'no stack of ours in the extension host log');
      assert.ok(!host.includes('Require stack'), 'no module that failed to load, ours or not');
      assert.deepEqual(s.consoleErrors.filter((e) => /itool/i.test(e) && STACK.test(e)), [], 'no stack of ours in the page console');
    } catch (err) {
      await diagnose(err);
    }
  });
  it('an endpoint: each step is checked against the server (unreachable, then a key it wants); saved only once it renders and scores', async () => {
    const page = s.page;
    const KEY = 'sk-e2e-Zq81-secret';
    const server = await OpenAIStandIn.start({ apiKey: KEY });
    const before = policyKeys(machineFile);
    try {
      await runCommand(page, 'Notifications: Clear All Notifications');
      await runCommand(page, 'iTool: Choose Policy Model…');
      await quickPick(page).locator('.quick-input-title', { hasText: 'Choose the policy model' }).waitFor({ timeout: 30_000 });
      await pickRow(page, 'OpenAI-compatible endpoint').click();

      // Nothing listens on port 9: /v1/models is not reached, the error says so, nothing is saved.
      const closed = `http://127.0.0.1:${await closedPort()}/v1`;
      await answerInput(page, '(1/3): base URL', closed);
      const unreachable = toast(page, 'cannot be used as the policy endpoint');
      await unreachable.waitFor({ timeout: 30_000 });
      const said = await messageOf(unreachable);
      assert.ok(said.startsWith(`iTool: ${closed} cannot be used as the policy endpoint: cannot list models: Connection error.`), said);
      assert.match(said, /\(connect ECONNREFUSED [\d.:]+\)\. Nothing was saved\.$/);
      assert.ok(await unreachable.locator('.monaco-button', { hasText: 'Open Settings' }).isVisible());
      assert.deepEqual(policyKeys(machineFile), before, 'nothing saved');
      seen.push(...(await toastTexts(page)));
      // VS Code shows at most 3 toasts per 800 ms (each check's progress is one): a person is slower
      // than that, this test need not be.
      await page.waitForTimeout(1000);
      await unreachable.locator('.monaco-button', { hasText: 'Choose Again…' }).click();

      // The stand-in wants a key: the error offers to set it (SecretStorage), and the step is retried.
      await pickRow(page, 'OpenAI-compatible endpoint').click();
      await answerInput(page, '(1/3): base URL', server.url);
      const refused = toast(page, 'HTTP 401');
      await refused.waitFor({ timeout: 30_000 });
      assert.match(await messageOf(refused), /cannot list models: HTTP 401: .* No API key is set for the endpoint\. Nothing was saved\.$/);
      await settle(page);
      await screenshot(page, 'first-run-5-endpoint-key');
      seen.push(...(await toastTexts(page)));
      await refused.locator('.monaco-button', { hasText: 'Set API Key…' }).click();
      await answerInput(page, 'API key for the OpenAI-compatible endpoint', KEY);

      // The served models, as /v1/models lists them; then the chat template: the demo model's.
      await quickPick(page).locator('.quick-input-title', { hasText: '(2/3): served model' }).waitFor({ timeout: 30_000 });
      await settle(page);
      await screenshot(page, 'first-run-6-endpoint-model');
      await pickRow(page, server.modelName).click();
      await quickPick(page).locator('.quick-input-title', { hasText: '(3/3): chat template' }).waitFor({ timeout: 30_000 });
      await pickRow(page, "The model's chat template file").click();
      const template = join(s.workspace, 'models', 'itool-tiny', 'tokenizer_config.json');
      await acceptInDialog(page, template, 'Use This Template');
      // Said in a notification and in the log (the log is read: VS Code drops toasts that come faster
      // than 3 in 800 ms, as this test's steps do, into the notification centre).
      await waitForLog(new RegExp(`\\[info\\] iTool: the policy model is ${server.modelName} @ 127\\.0\\.0\\.1:\\d+, saved in Remote settings`));
      assert.deepEqual(policyKeys(machineFile), {
        ...before,
        'itool.policy.backend': 'endpoint',
        'itool.policy.endpoint.baseURL': server.url,
        'itool.policy.endpoint.model': server.modelName,
        'itool.policy.endpoint.chatTemplate': template,
      });
      // The key went to SecretStorage only; the check rendered and scored one prompt on the server.
      for (const f of walk(s.userData).filter((x) => x.endsWith('settings.json'))) assert.ok(!readFileSync(f, 'utf8').includes(KEY), `${f} holds no key`);
      assert.ok(server.requests.some((r) => r.path === '/v1/models' && r.authorization === `Bearer ${KEY}`));
      assert.ok(server.received >= 1, 'a completion was asked for (the score check)');

      seen.push(...(await centreTexts(page)));
      assert.ok(seen.some((t) => t.includes(`the policy model is ${server.modelName}`)), 'the saved endpoint was announced');

      // The saved endpoint is what the next calibration runs on.
      await runCommand(page, 'Notifications: Clear All Notifications');
      const wv = webview(page);
      await wv.locator('.ui-button.calibrate-button').click();
      await wv.locator('.summary.calibration[data-scored="40"]', { hasText: server.modelName }).waitFor({ timeout: 120_000 });
      await waitForLog(new RegExp(`\\[info\\] iTool: calibrated 40 samples with ${server.modelName}`));
      seen.push(...(await centreTexts(page)));
      for (const t of seen) assert.doesNotMatch(t, STACK, `no stack in a notification: ${t}`);
      const ours = extensionLog();
      assert.doesNotMatch(ours, STACK);
      assert.ok(!ours.includes(KEY), 'the key is not in the log');
    } catch (err) {
      await diagnose(err);
    } finally {
      await server.close();
    }
  });
});
