// "Scored as" in a real VS Code: with the demo model configured (only its chat template is read,
// no model is loaded), the detail view of a sample shows which call rendering is in force, the end
// of the prompt and the scored response exactly as `itool render` prints them for that record, the
// whole prompt on request, and follows the settings (call rendering, no model configured).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FrameLocator, Page } from 'playwright-core';
import { ROOT, openDataset, runCommand, screenshot, startSession, webview, type Session } from './codeServer';

const DATASET = 'datasets/toolace_sample.json';
/** A record whose prompt is longer than the 400 characters shown at first. */
const INDEX = 2;
const TAIL = 400;

type Rendered = { id: string; prompt: string; response: string } | { id: string; error: string };

/**
 * What `itool render DATASET --model DIR --index N --turns last --json` prints for one record: the
 * panel's block shows a record's own sample, its last answer (without --turns last, a record with
 * several answers prints one line per answer).
 */
function cliRender(dataset: string, modelDir: string, index: number, ...extra: string[]): Rendered {
  const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'render', dataset, '--model', modelDir, '--index', String(index), '--turns', 'last', '--json', ...extra], { encoding: 'utf8' });
  assert.equal(r.status, 0, `itool render failed: ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1, `one JSON line for --index ${index}: ${r.stdout}`);
  return JSON.parse(lines[0]) as Rendered;
}

/**
 * Replace a settings file through VS Code's own JSON editor, as a user edits it (code-server does
 * not notice the file changing underneath it), then bring the dataset tab `back` to the front.
 * `remote`: the Remote (machine) settings, where code-server keeps machine-overridable settings
 * such as the policy's; else the user settings.
 */
async function editSettings(s: Session, remote: boolean, settings: Record<string, unknown>, back: string): Promise<void> {
  const page = s.page;
  if (remote) {
    // Its title names the server ("… (JSON) (127.0.0.1:PORT)").
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input').fill('>Open Remote Settings (JSON)');
    await page.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: /^Preferences: Open Remote Settings \(JSON\)/ }) }).first().click();
  } else await runCommand(page, 'Preferences: Open User Settings (JSON)');
  await page.locator('.tab.active', { hasText: 'settings.json' }).waitFor();
  await page.locator('.editor-instance .monaco-editor textarea >> visible=true').first().focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  const text = JSON.stringify(settings);
  await page.keyboard.insertText(text);
  // The brace the editor closed by itself goes.
  await page.keyboard.press('Shift+Control+End');
  await page.keyboard.press('Delete');
  await page.keyboard.press('Control+S');
  const file = remote ? join(dirname(dirname(s.settingsFile)), 'Machine', 'settings.json') : s.settingsFile;
  for (let t = 0; readFileSync(file, 'utf8') !== text; t++) {
    assert.ok(t < 100, `${file} was saved`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await runCommand(page, 'View: Close Editor');
  await page.locator('.tab', { hasText: back }).click();
  await page.locator('.tab.active', { hasText: back }).waitFor();
}

/** The block from its title down, in view, and no notification over it: what the screenshots show. */
async function showBlock(page: Page, wv: FrameLocator): Promise<void> {
  await runCommand(page, 'Notifications: Clear All Notifications');
  // Scroll the detail pane alone (scrollIntoView would nudge the whole page too).
  await wv.locator('.detail .scored-as > summary').evaluate((e) => {
    const pane = e.closest('.detail') as HTMLElement;
    pane.scrollTop += e.getBoundingClientRect().top - pane.getBoundingClientRect().top;
  });
}

async function selectRecord(wv: FrameLocator, index: number, id: string): Promise<void> {
  await wv.locator(`#row-${index}`).click();
  await wv.locator('.detail .detail-title', { hasText: `Sample ${id}` }).waitFor();
}

describe('"Scored as" in code-server', { timeout: 300_000 }, () => {
  let s: Session;
  let modelDir: string;
  let datasetPath: string;
  let expected: Rendered;
  before(async () => {
    modelDir = join(ROOT, 'demo', 'models', 'itool-tiny');
    datasetPath = join(ROOT, 'demo', DATASET);
    assert.ok(existsSync(join(modelDir, 'tokenizer_config.json')), 'the demo model is committed (demo/models/itool-tiny)');
    expected = cliRender(datasetPath, modelDir, INDEX);
    assert.ok('prompt' in expected, `record ${INDEX} renders: ${JSON.stringify(expected)}`);
    assert.ok(expected.prompt.length > TAIL, 'the prompt is longer than the tail shown at first');
    // The policy settings as Remote settings: code-server's extension host takes machine-overridable
    // settings from there once the user settings are edited (the second test edits them).
    s = await startSession({
      workspaceFrom: join(ROOT, 'demo'),
      viewport: { width: 1280, height: 720 },
      machineSettings: { 'itool.policy.backend': 'onnx', 'itool.policy.onnx.modelDir': modelDir },
    });
  });
  after(async () => {
    await s?.close();
  });

  it('shows the call rendering, the prompt tail and the scored response as `itool render` prints them', async () => {
    if (!('prompt' in expected)) return;
    await openDataset(s.page, DATASET);
    const wv = webview(s.page);
    await wv.locator('.count[data-count="9"]').waitFor({ timeout: 60_000 });
    const errorsBefore = s.consoleErrors.length;
    await selectRecord(wv, INDEX, expected.id);
    const block = wv.locator('.detail .scored-as[data-state="ready"]');
    await block.waitFor({ timeout: 30_000 });
    assert.equal(await block.getAttribute('open'), '', 'the block starts open');
    assert.equal(await block.locator('.scored-calls').textContent(), 'calls rendered as text (auto: ToolACE format)');
    assert.match((await block.locator('.scored-mode').textContent()) ?? '', /the assistant turn exactly as the dataset writes it/);
    assert.equal(await block.locator('summary .scored-tokens').textContent(), 'not calibrated yet');
    assert.equal(await block.locator('.scored-path').getAttribute('title'), modelDir);
    assert.match((await block.locator('summary').textContent()) ?? '', /Scored as.*calls as text · not calibrated yet/);

    // The end of the prompt, then the response in full: the page's text is the scored text itself
    // (line ends and special tokens are marked by styling, never by extra characters).
    const prompt = block.locator('pre.scored-prompt');
    assert.equal(await prompt.getAttribute('data-whole'), 'false');
    assert.equal(await prompt.textContent(), expected.prompt.slice(-TAIL));
    assert.equal(await block.locator('pre.scored-response').textContent(), expected.response);
    assert.ok((await block.locator('pre.scored-response .ws.nl').count()) > 0 || !expected.response.includes('\n'), 'line ends are marked');
    assert.ok((await prompt.locator('.special-token', { hasText: '<|im_start|>' }).count()) > 0, 'special tokens are marked');
    await showBlock(s.page, wv);
    const shot = await screenshot(s.page, 'scored-as-1280x720');
    assert.ok(existsSync(shot));
    assert.deepEqual(s.consoleErrors.slice(errorsBefore).filter((e) => /Content Security Policy|Refused to/i.test(e)), [], 'the block asks the CSP for nothing');

    // All of it on request.
    await block.locator('button.show-whole-prompt').click();
    await block.locator('pre.scored-prompt[data-whole="true"]').waitFor();
    assert.equal(await prompt.textContent(), expected.prompt);
    await block.locator('button.show-whole-prompt').click();
    await block.locator('pre.scored-prompt[data-whole="false"]').waitFor();
  });

  it('a refused calibration is an error notification, builds no selection, and the block says why the sample was skipped', async () => {
    if (!('prompt' in expected)) return;
    const wv = webview(s.page);
    // The demo model's context is 1024 tokens: some ToolACE conversations are longer, more than the 5% a run may skip.
    await wv.locator('.ui-button.calibrate-button').click();
    const toast = s.page.locator('.notifications-toasts .notification-toast', { hasText: 'calibration refused' }).first();
    await toast.waitFor({ timeout: 120_000 });
    // 9 records, 12 samples: record 3 holds three answers, record 9 two (one sample per answer).
    assert.match((await toast.textContent()) ?? '', /calibration refused, no selection made: \d+ samples scored, \d+ of 12 skipped \(score-failed \d+\)/);
    assert.equal(await wv.locator('.summary.calibration[data-scored]').count(), 0, 'no results shown');
    const block = wv.locator('.detail .scored-as[data-state="ready"]');
    await block.locator('summary .scored-tokens.skipped', { hasText: 'skipped by calibration' }).waitFor({ timeout: 30_000 });
    assert.match((await block.locator('.scored-calibration').textContent()) ?? '', /^skipped by the last calibration \(score-failed\): .*exceed the model's max_position_embeddings/);
    await block.locator('.scored-calibration').scrollIntoViewIfNeeded();
    await screenshot(s.page, 'scored-as-refused');
    // Selecting anyway (the journal on disk holds what was scored) is refused too.
    await runCommand(s.page, 'iTool: Select Deficient Samples');
    await s.page.locator('.notifications-toasts .notification-toast', { hasText: 'no selection from a refused calibration' }).first().waitFor({ timeout: 30_000 });
    assert.ok(!existsSync(join(s.workspace, 'datasets', 'toolace_sample.json.itool', 'selection')), 'no selection file');
  });

  it('after calibration, says how many tokens were scored for the sample, as its journal holds', async () => {
    const bfcl = 'datasets/bfcl/BFCL_v4_simple_python.json';
    const want = cliRender(join(ROOT, 'demo', bfcl), modelDir, 0);
    assert.ok('prompt' in want, JSON.stringify(want));
    // The previous test leaves error notifications; the quick pick opens over a clear workbench.
    await runCommand(s.page, 'Notifications: Clear All Notifications');
    await openDataset(s.page, bfcl).catch(async () => {
      await s.page.keyboard.press('Escape');
      await openDataset(s.page, bfcl);
    });
    const wv = webview(s.page);
    await wv.locator('.count[data-count="40"]').waitFor({ timeout: 60_000 });
    await selectRecord(wv, 0, want.id);
    const block = wv.locator('.detail .scored-as[data-state="ready"]');
    await block.waitFor({ timeout: 30_000 });
    assert.equal(await block.locator('.scored-calls').textContent(), 'calls rendered as template (auto: BFCL format)');
    assert.equal(await block.locator('pre.scored-response').textContent(), want.response);
    assert.equal(await block.locator('summary .scored-tokens').textContent(), 'not calibrated yet');
    await wv.locator('.ui-button.calibrate-button').click();
    // The demo model scores 39 of the 40 (BFCL's 1e-9 is written otherwise by the template: skipped, within the 5%).
    const chart = wv.locator('.summary.calibration[data-scored]');
    await chart.waitFor({ timeout: 120_000 });
    const dir = join(s.workspace, 'datasets', 'bfcl', 'BFCL_v4_simple_python.json.itool', 'calibration');
    const [journal] = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
    const results = readFileSync(join(dir, journal), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; index?: number; tokens?: number })
      .filter((e) => e.type === 'result');
    assert.equal(await chart.getAttribute('data-scored'), String(results.length));
    const entry = results.find((e) => e.index === 0);
    assert.ok(entry?.tokens, 'the journal scored record 0');
    // The detail view is fetched again with the calibration: the count replaces "not calibrated yet".
    await block.locator('summary .scored-tokens.calibrated', { hasText: `${entry.tokens} tokens scored` }).waitFor({ timeout: 30_000 });
    assert.match((await block.locator('.scored-calibration').textContent()) ?? '', new RegExp(`^${entry.tokens} tokens scored \\(PPL [0-9.]+; .+, round 1\\)$`));
  });

  it('follows itool.calibrate.callRendering, and names the setting when no model is configured', async () => {
    const bfcl = join(ROOT, 'demo', 'datasets', 'bfcl', 'BFCL_v4_simple_python.json');
    const wv = webview(s.page);
    const block = wv.locator('.detail .scored-as');
    const user = { 'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false, 'workbench.tips.enabled': false };
    // The calls as text instead of through the template: other text, shown as soon as the setting changes.
    await editSettings(s, false, { ...user, 'itool.calibrate.callRendering': 'text', 'workbench.colorTheme': 'Default Dark Modern' }, 'BFCL_v4_simple_python.json');
    await block.locator('.scored-calls', { hasText: 'calls rendered as text (itool.calibrate.callRendering: text)' }).waitFor({ timeout: 30_000 });
    await block.and(wv.locator('[data-state="ready"]')).waitFor();
    assert.match((await block.locator('.scored-calibration').textContent()) ?? '', /that calibration rendered calls by "auto"; the setting now says "text", so the next calibration starts afresh/);
    const want = cliRender(bfcl, modelDir, 0, '--calls', 'text');
    const before = cliRender(bfcl, modelDir, 0);
    assert.ok('prompt' in want && 'prompt' in before, JSON.stringify(want));
    assert.equal(await block.locator('pre.scored-prompt').textContent(), want.prompt.slice(-TAIL));
    assert.equal(await block.locator('pre.scored-response').textContent(), want.response);
    assert.notEqual(want.response, before.response, 'as text the calls read otherwise');
    await showBlock(s.page, wv);
    await screenshot(s.page, 'scored-as-text-dark');

    // A folder with no chat template: the error, as calibration would stop with it.
    await editSettings(s, true, { 'itool.policy.backend': 'onnx', 'itool.policy.onnx.modelDir': join(ROOT, 'demo', 'datasets') }, 'BFCL_v4_simple_python.json');
    await block.and(wv.locator('[data-state="error"]')).waitFor({ timeout: 30_000 });
    assert.equal(await block.locator('.scored-error .kind-badge').textContent(), 'no-template');
    assert.match((await block.locator('.scored-error').textContent()) ?? '', /calibration cannot start/);
    assert.match((await block.locator('.scored-error-text').textContent()) ?? '', /tokenizer_config\.json|chat template/i);
    await showBlock(s.page, wv);
    await screenshot(s.page, 'scored-as-error-dark');

    // No model folder: the block says which setting to set.
    await editSettings(s, true, { 'itool.policy.backend': 'onnx' }, 'BFCL_v4_simple_python.json');
    await block.and(wv.locator('[data-state="missing"]')).waitFor({ timeout: 30_000 });
    assert.match((await block.locator('.scored-missing').textContent()) ?? '', /set itool\.policy\.onnx\.modelDir to see what calibration will score/);
    assert.equal(await block.locator('.scored-calls').textContent(), 'calls rendered as text (itool.calibrate.callRendering: text)');
  });
});
