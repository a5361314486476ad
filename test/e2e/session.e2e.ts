// A dataset whose panel is closed, worked on from the palette alone in a real VS Code: each
// command asks which dataset (the quick pick names the action), runs on the dataset's session and
// leaves its results beside the file — calibrate, select and explore with the committed demo
// model (what `npm start` configures), review in the queue the review command opens, then export
// the accepted pairs after the panel is closed again. Then the way in: the iTool view in the
// activity bar (where the dataset stands, its next step), the status bar and the walkthrough.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { readReview } from '../../src/core/pairs/reviewJournal';
import { datasetStatus, stageOf } from '../../src/core/session/status';
import { ROOT, runCommand, screenshot, startSession, webview, type Session } from './codeServer';

const DATASET = 'datasets/bfcl/BFCL_v4_simple_python.json';

/** Answer the dataset quick pick a command opens: it must name the action; pick `DATASET`. */
async function pickDataset(page: Page, action: string): Promise<void> {
  const input = page.locator(`.quick-input-widget input[placeholder^="Dataset to ${action} "]`);
  await input.waitFor({ timeout: 30_000 });
  await page.locator('.quick-input-widget .quick-input-list .monaco-list-row').first().waitFor();
  await input.fill(DATASET);
  await page.locator(`.quick-input-list .monaco-list-row[aria-label^="${DATASET}"]`).first().waitFor();
  await page.keyboard.press('Enter');
}

const toast = (page: Page, text: string | RegExp) => page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
const datasetTabs = (page: Page) => page.locator('.tabs-container .tab', { hasText: 'BFCL_v4_simple_python.json' });

let s: Session;
const SETTINGS = {
  'itool.policy.onnx.modelDir': join(ROOT, 'demo', 'models', 'itool-tiny'),
  'itool.calibration.ratio': 0.2,
  'itool.search.iterations': 3,
  'itool.search.maxNewTokens': 16,
};

describe('a dataset whose panel is closed, from the palette', { timeout: 600_000 }, () => {
  before(async () => {
    s = await startSession({ workspaceFrom: join(ROOT, 'demo'), settings: SETTINGS });
  });
  after(async () => {
    await s?.close();
  });

  it('calibrates, selects and explores with no panel open', async () => {
    const page = s.page;
    const meta = join(s.workspace, `${DATASET}.itool`);
    assert.ok(!existsSync(meta), 'the demo copy starts with nothing beside the dataset');

    await runCommand(page, 'iTool: Calibrate Dataset');
    await pickDataset(page, 'calibrate');
    await toast(page, /iTool: calibrated 40 samples/).waitFor({ timeout: 240_000 });
    assert.equal(await datasetTabs(page).count(), 0, 'no panel was opened to calibrate');
    assert.ok(readdirSync(join(meta, 'calibration')).length > 0, 'the calibration journal is beside the dataset');

    await runCommand(page, 'iTool: Select Deficient Samples');
    await pickDataset(page, 'select deficient samples of');
    const selected = toast(page, /iTool: selected \d+ deficient samples/);
    await selected.waitFor({ timeout: 60_000 });
    const n = Number(/selected (\d+) deficient/.exec((await selected.textContent()) ?? '')?.[1]);
    assert.ok(n >= 2, `a fifth of 40 samples is selected (${n})`);

    await runCommand(page, 'iTool: Explore Deficient Samples');
    await pickDataset(page, 'explore');
    // Scoped: the first 3 of the selection (highest perplexity first), after seeing what all would cost.
    const all = page.locator('.quick-input-list .monaco-list-row', { hasText: `All ${n} selected samples` }).first();
    await all.waitFor({ timeout: 60_000 });
    assert.match((await all.textContent()) ?? '', /no speed measured yet for this policy/);
    await screenshot(page, 'explore-scope-unmeasured');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'The first N selected samples' }).first().click();
    const count = page.locator('.quick-input-widget input');
    await count.fill('3');
    await page.keyboard.press('Enter');
    const explored = toast(page, /iTool: explored \d+ samples, \d+ preference pairs/);
    await explored.waitFor({ timeout: 400_000 });
    const text = (await explored.textContent()) ?? '';
    assert.equal(Number(/explored (\d+) samples/.exec(text)?.[1]), 3, 'the first 3 selected samples explored');
    assert.ok(Number(/(\d+) preference pairs/.exec(text)?.[1]) > 0, `the demo model's wrong values give pairs: ${text}`);
    assert.equal(await datasetTabs(page).count(), 0, 'still no panel');
    assert.ok(readdirSync(join(meta, 'explore')).length > 0, 'the exploration journal is beside the dataset');
    // The next explore estimates from the speed just measured; Escape leaves without exploring.
    await runCommand(page, 'iTool: Explore Deficient Samples');
    await pickDataset(page, 'explore');
    const estimated = page.locator('.quick-input-list .monaco-list-row', { hasText: `All ${n} selected samples` }).first();
    await estimated.waitFor({ timeout: 60_000 });
    assert.match((await estimated.textContent()) ?? '', /about \d+ (s|min) \(\d+\.\d s a sample on the last run of this policy\)/);
    await shots(page, 'explore-scope', 'light');
    await page.keyboard.press('Escape');
    await screenshot(page, 'session-palette-explored');
  });

  it('reviews in the queue the palette opens, then exports the accepted pairs with the panel closed', async () => {
    const page = s.page;
    await runCommand(page, 'iTool: Review Preference Pairs');
    await pickDataset(page, 'review the pairs of');
    // The panel opens on its review tab, with the pairs the palette's search found.
    const wv = webview(page);
    const first = wv.locator('.review-item').first();
    await first.waitFor({ timeout: 60_000 });
    const id = (await first.getAttribute('data-id'))!;
    await wv.locator('.review-list').focus();
    await page.keyboard.press('a');
    await wv.locator(`.review-item[data-id="${id}"][data-state="accepted"]`).waitFor();
    await shots(page, 'review-from-palette', 'light');
    const dataset = join(s.workspace, DATASET);
    assert.equal((await readReview(dataset)).decisions.get(id)?.state, 'accepted');

    await runCommand(page, 'View: Close All Editors');
    await datasetTabs(page).first().waitFor({ state: 'detached', timeout: 30_000 });
    await runCommand(page, 'iTool: Export Accepted Pairs');
    await pickDataset(page, 'export the accepted pairs of');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'LLaMA-Factory' }).first().click();
    // Other pairs are still pending: the modal says only the accepted one is used.
    const go = page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Use the accepted ones' });
    if (await go.isVisible({ timeout: 10_000 }).catch(() => false)) await go.click();
    const done = toast(page, /iTool: exported 1 pair\(s\) for llamafactory to /);
    await done.waitFor({ timeout: 60_000 });
    const dir = /to (\S+?)\.?$/.exec(((await done.locator('.notification-list-item-message').textContent()) ?? '').trim())?.[1];
    assert.ok(dir && existsSync(dir), `the export folder exists: ${dir}`);
    const data = readdirSync(dir).find((f) => /itool_round\d+\.json$/.test(f));
    assert.ok(data, 'the LLaMA-Factory data file is written');
    assert.equal((JSON.parse(readFileSync(join(dir, data), 'utf8')) as unknown[]).length, 1, 'only the accepted pair is exported');
    assert.equal(await datasetTabs(page).count(), 0, 'the export needed no panel');
  });

  it('the iTool view shows where the dataset stands and its next step, the status bar names the policy, the walkthrough leads the way', async () => {
    const page = s.page;
    await page.locator('.statusbar-item', { hasText: 'iTool: itool-tiny (ONNX)' }).waitFor({ timeout: 30_000 });
    await page.locator('.activitybar [aria-label^="iTool Studio"]').first().click();
    const tree = page.locator('.pane-body', { has: page.locator('.monaco-list-row', { hasText: 'Datasets' }) }).first();
    const row = tree.locator('.monaco-list-row', { hasText: 'BFCL_v4_simple_python.json' }).first();
    await row.waitFor({ timeout: 30_000 });
    // The row says what the files beside the dataset say (calibrated, searched, reviewed, exported
    // as round 1), and offers the next step as its inline action.
    const { summary, next } = stageOf(await datasetStatus(join(s.workspace, DATASET)));
    assert.match(summary, /^calibrated \(40\) · \d+ pairs? from 3 samples · (\d+ pending review · )?1 round$/);
    await row.locator('.label-description', { hasText: summary }).waitFor({ timeout: 30_000 });
    await row.hover();
    const titles: Record<string, string> = { 'itool.reviewPairs': 'Review Preference Pairs', 'itool.showRoundDashboard': 'Show Round Dashboard' };
    await row.locator(`.action-label[aria-label="${titles[next!.command]}"]`).waitFor();
    // The other datasets are not started: their next step is calibration.
    const other = tree.locator('.monaco-list-row', { hasText: 'BFCL_v4_irrelevance.json' }).first();
    assert.match((await other.locator('.label-description').textContent()) ?? '', /not calibrated yet/);
    await row.locator('.monaco-tl-twistie').click();
    await tree.locator('.monaco-list-row', { hasText: 'Review' }).filter({ hasText: 'accepted' }).first().waitFor();
    await shots(page, 'workbench-view', 'light');

    await runCommand(page, 'Welcome: Open Walkthrough...');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Get started with iTool Studio' }).first().click();
    for (const step of ['Open a dataset', 'Choose the policy', 'Calibrate and select', 'Explore', 'Review the pairs', 'Train a round and see it']) {
      await page.locator('.getting-started-step', { hasText: step }).first().waitFor({ timeout: 30_000 });
    }
    await shots(page, 'walkthrough', 'light');
  });

  it('the same in the dark theme: the view, the review queue, the explore scope and the walkthrough', async () => {
    // A second window on the same files (what the runs left beside the dataset included), dark.
    const copy = mkdtempSync(join(tmpdir(), 'itool-session-dark-'));
    cpSync(s.workspace, copy, { recursive: true, preserveTimestamps: true });
    await s.close();
    s = await startSession({ workspaceFrom: copy, settings: { ...SETTINGS, 'workbench.colorTheme': 'Default Dark Modern' } });
    rmSync(copy, { recursive: true, force: true });
    const page = s.page;
    await page.locator('.monaco-workbench.vs-dark').waitFor();
    await page.locator('.activitybar [aria-label^="iTool Studio"]').first().click();
    const row = page.locator('.pane-body .monaco-list-row', { hasText: 'BFCL_v4_simple_python.json' }).first();
    await row.waitFor({ timeout: 30_000 });
    await row.locator('.monaco-tl-twistie').click();
    await shots(page, 'workbench-view', 'dark');
    await runCommand(page, 'iTool: Review Preference Pairs');
    await pickDataset(page, 'review the pairs of');
    await webview(page).locator('.review-item').first().waitFor({ timeout: 60_000 });
    await shots(page, 'review-from-palette', 'dark');
    await runCommand(page, 'View: Close All Editors');
    await runCommand(page, 'iTool: Explore Deficient Samples');
    await pickDataset(page, 'explore');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: /^All \d+ selected samples/ }).first().waitFor({ timeout: 60_000 });
    await shots(page, 'explore-scope', 'dark');
    await page.keyboard.press('Escape');
    await runCommand(page, 'Welcome: Open Walkthrough...');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Get started with iTool Studio' }).first().click();
    await page.locator('.getting-started-step', { hasText: 'Calibrate and select' }).first().waitFor({ timeout: 30_000 });
    await shots(page, 'walkthrough', 'dark');
  });
});

/**
 * Screenshots of what is on screen at 1280×720 and 1920×1080 (`NAME-WxH-THEME.png`), leaving the
 * window at 1500×900 as the session began. (The theme is the session's: switching it in a running
 * code-server rewrites settings.json under the extension host, which at times then reads it half
 * written and loses the other settings, so each theme gets a session of its own.)
 */
async function shots(page: Page, name: string, theme: 'light' | 'dark'): Promise<void> {
  for (const [w, h] of [[1280, 720], [1920, 1080]] as const) {
    await page.setViewportSize({ width: w, height: h });
    // A relayout settles in a frame or two.
    await page.waitForTimeout(400);
    await screenshot(page, `${name}-${w}x${h}-${theme}`);
  }
  await page.setViewportSize({ width: 1500, height: 900 });
}
