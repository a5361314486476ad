// Calibration in a real VS Code: with a local ONNX model configured (the committed demo model, the
// project's own trained tiny tool-calling model, in the Hugging Face export layout), `Calibrate…` scores every reference answer
// with progress, the panel shows the PPL column and the histogram, `Select deficient` selects the
// top 30% by PPL, and the panel's numbers equal `itool calibrate`'s on the same model. Then the
// panel for any window: filters combine, brushing the histogram lists a PPL range (the selection's
// cut-off drawn on it), the header folds on the review tab so a pair's two sides show at 1280×720,
// and samples calibration skipped say why; screenshots at 1280×720 and 1920×1080, light and dark.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { demoCopyWithSearch } from '../support/scriptedPolicy';
import { ROOT, choose, openDataset, runCommand, screenshot, searchList, startSession, webview, type Session, scrollToRow } from './codeServer';

const DATASET = 'datasets/bfcl/BFCL_v4_simple_python.json';

/** What the panel's calibration journal for `rel` holds: each record's PPL, and the records it skipped. */
function journal(workspace: string, rel: string): { ppl: Map<number, number>; skipped: Set<number> } {
  const dir = join(workspace, `${rel}.itool`, 'calibration');
  const [file] = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
  const ppl = new Map<number, number>();
  const skipped = new Set<number>();
  for (const line of readFileSync(join(dir, file), 'utf8').trim().split('\n')) {
    const e = JSON.parse(line) as { type: string; index: number; ppl?: number | null };
    if (e.type === 'result' && typeof e.ppl === 'number') ppl.set(e.index, e.ppl);
    if (e.type === 'skip') skipped.add(e.index);
  }
  return { ppl, skipped };
}

/** Switch the colour theme with the theme picker, as a user would. */
async function setTheme(page: Page, name: string): Promise<void> {
  await runCommand(page, 'Preferences: Color Theme');
  await page.locator('.quick-input-widget input').fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  await page.locator(`.monaco-workbench.${/dark/i.test(name) ? 'vs-dark' : 'vs'}`).waitFor();
}

describe('calibration in code-server', { timeout: 600_000 }, () => {
  let s: Session;
  let modelDir: string;
  let workspace: string;
  let cli: { selected: { index: number; ppl: number }[]; groups: { calls: { scored: number; selected: number } }; cuts: { easyBelow: number; hardFrom: number } };
  before(async () => {
    modelDir = join(ROOT, 'demo', 'models', 'itool-tiny');
    assert.ok(existsSync(join(modelDir, 'onnx', 'model.onnx')), 'the demo model is committed (demo/models/itool-tiny)');
    // The demo with a search journal beside the dataset: the review tab has pairs to show.
    workspace = (await demoCopyWithSearch(ROOT, DATASET, 'itool-cal-search-')).copy;
    s = await startSession({ workspaceFrom: workspace, settings: { 'itool.policy.backend': 'onnx', 'itool.policy.onnx.modelDir': modelDir } });
    // The CLI on a copy of the same file, so its journal does not resume the panel's run.
    const copyDir = mkdtempSync(join(tmpdir(), 'itool-cal-'));
    const copy = join(copyDir, 'BFCL_v4_simple_python.json');
    spawnSync('cp', ['-r', join(ROOT, 'demo', 'datasets', 'bfcl'), copyDir]);
    const out = join(copyDir, 'selection.json');
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'calibrate', join(copyDir, 'bfcl', 'BFCL_v4_simple_python.json'), '--model', modelDir, '-o', out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(copy);
    cli = JSON.parse(readFileSync(out, 'utf8'));
  });
  after(async () => {
    await s?.close();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  it('calibrates with the demo model, with progress, shows PPL and the histogram, selects the deficient 30%', async () => {
    await openDataset(s.page, DATASET);
    const wv = webview(s.page);
    await wv.locator('.count[data-count="40"]').waitFor({ timeout: 60_000 });
    await wv.locator('.ui-button.calibrate-button').click();
    // The progress notification names the run; it goes away when done.
    await s.page.locator('.notifications-toasts', { hasText: 'Calibrating BFCL_v4_simple_python.json' }).first().waitFor({ timeout: 60_000 }).catch(() => undefined);
    const chart = wv.locator('.summary.calibration');
    await chart.and(wv.locator('[data-scored="40"]')).waitFor({ timeout: 120_000 });
    // Every row has a PPL, tier-coloured.
    const ppl0 = wv.locator('#row-0 .cell.ppl');
    await ppl0.waitFor();
    assert.match((await ppl0.textContent()) ?? '', /^\d+(\.\d+)?$/);
    assert.match((await ppl0.getAttribute('data-tier')) ?? '', /^(easy|medium|hard)$/);
    await wv.locator('.ui-button.select-button').click();
    await chart.and(wv.locator(`[data-selected="${cli.groups.calls.selected}"]`)).waitFor({ timeout: 30_000 });
    assert.equal(cli.groups.calls.selected, Math.ceil(0.3 * 40));
    // Filter to the selection: the same samples the CLI selected, highest PPL first with the sort.
    await wv.locator('.ui-select.filter').click();
    await wv.locator('.ui-select.filter [role="option"]', { hasText: 'Selected as deficient' }).click();
    await wv.locator('.ui-select.sort').click();
    await wv.locator('.ui-select.sort [role="option"]', { hasText: 'PPL, highest first' }).click();
    await wv.locator(`.count[data-count="${cli.selected.length}"]`).waitFor({ timeout: 30_000 });
    // The filter and the order are two views, the first as long as the second: wait for the second's first row.
    await wv.locator('#row-0 .cell.col-idx').filter({ hasText: new RegExp(`^${cli.selected[0].index + 1}$`) }).waitFor({ timeout: 30_000 });
    for (let k = 0; k < cli.selected.length; k++) {
      const row = wv.locator(`#row-${k}`);
      await scrollToRow(wv, k);
      await row.locator('.cell.ppl[data-tier]').waitFor();
      const idx = Number((await row.locator('.cell.col-idx').textContent()) ?? '0') - 1;
      assert.equal(idx, cli.selected[k].index, `selected #${k} is record ${cli.selected[k].index + 1} as in the CLI`);
      const shown = Number(((await row.locator('.cell.ppl').textContent()) ?? '').replace('● ', ''));
      const want = cli.selected[k].ppl;
      assert.ok(Math.abs(shown - want) <= (want >= 100 ? 0.5 : 0.005), `PPL ${shown} vs CLI ${want}`);
    }
    await screenshot(s.page, 'calibration-histogram-selected');
  });

  it('combines filters: a tier, the selection and a search at once, as the journal says', async () => {
    const wv = webview(s.page);
    const { ppl } = journal(s.workspace, DATASET);
    const lines = readFileSync(join(s.workspace, DATASET), 'utf8').split('\n').filter((l) => l.trim());
    const needle = 'calculate';
    const hard = [...ppl].filter(([, v]) => v >= cli.cuts.hardFrom).map(([i]) => i);
    const hardText = hard.filter((i) => lines[i].toLowerCase().includes(needle));
    assert.ok(hardText.length > 0 && hardText.length < hard.length, 'the search narrows the hard tier');
    // The selection is still on from the test before; the hard tier holds every selected sample.
    await choose(wv, 'filter-tier', 'Tier: hard');
    await wv.locator(`.count[data-count="${cli.selected.length}"]`).waitFor({ timeout: 30_000 });
    await choose(wv, 'filter', 'All samples');
    await wv.locator(`.count[data-count="${hard.length}"]`).waitFor({ timeout: 30_000 });
    await searchList(wv, needle);
    await wv.locator(`.count[data-count="${hardText.length}"]`).waitFor({ timeout: 30_000 });
    await wv.locator('.ui-button.filter-clear').click();
    await wv.locator('.count[data-count="40"]').waitFor({ timeout: 30_000 });
  });

  it('brushing the histogram lists a PPL range (drag, or the keyboard), with the selection cut-off drawn', async () => {
    await s.page.setViewportSize({ width: 1280, height: 720 });
    const wv = webview(s.page);
    const { ppl } = journal(s.workspace, DATASET);
    const inRange = (from: number, to: number) => [...ppl.values()].filter((v) => v >= from * (1 - 1e-9) && v <= to * (1 + 1e-9)).length;
    const chart = wv.locator('.summary.calibration');
    await choose(wv, 'sort', 'File order');
    // Drag across the middle of the chart.
    const canvas = chart.locator('canvas');
    const box = (await canvas.boundingBox())!;
    await s.page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.5);
    await s.page.mouse.down();
    await s.page.mouse.move(box.x + box.width * 0.55, box.y + box.height * 0.5, { steps: 6 });
    await s.page.mouse.up();
    const chip = wv.locator('.filter-chip.filter-ppl');
    await chip.waitFor();
    const from = Number(await chip.getAttribute('data-from'));
    const to = Number(await chip.getAttribute('data-to'));
    assert.ok(from < to);
    const n = inRange(from, to);
    assert.ok(n > 0 && n < 40, `the range holds some samples (${n})`);
    await wv.locator(`.count[data-count="${n}"]`).waitFor({ timeout: 30_000 });
    assert.match((await chart.locator('.brush-status').textContent()) ?? '', new RegExp(`: ${n} scored sample\\(s\\) listed`));
    // Every row listed is in the range.
    for (let k = 0; k < Math.min(n, 8); k++) {
      const v = Number(((await wv.locator(`#row-${k} .cell.ppl[data-tier]`).textContent()) ?? '').replace('● ', ''));
      assert.ok(v >= from - 0.005 && v <= to + 0.005, `row ${k}: PPL ${v} in ${from}–${to}`);
    }
    // The selection's cut-off: the lowest PPL selected (the histogram draws it as a line).
    const selectedFrom = Math.min(...cli.selected.map((x) => x.ppl));
    // The notifications of the runs would cover the panel in the screenshot.
    await runCommand(s.page, 'Notifications: Clear All Notifications');
    assert.equal(await chart.locator('.summary-caption .selected-count').textContent(), ` · ${cli.selected.length} selected as deficient`);
    const cutoff = JSON.parse((await chart.getAttribute('data-cutoff')) ?? '{}') as { calls?: number };
    assert.ok(Math.abs((cutoff.calls ?? 0) - selectedFrom) <= 0.005, `cut-off line at ${cutoff.calls}, the lowest PPL selected ${selectedFrom}`);

    // The keyboard: the chart takes the focus; Home, Shift+→ ×3 and Enter list the first four bins.
    const focusable = chart.locator('.chart-box');
    await focusable.focus();
    await s.page.keyboard.press('Home');
    for (let k = 0; k < 3; k++) await s.page.keyboard.press('Shift+ArrowRight');
    await s.page.keyboard.press('Enter');
    await wv.locator('.filter-chip.filter-ppl[data-from]').waitFor();
    const kFrom = Number(await chip.getAttribute('data-from'));
    const kTo = Number(await chip.getAttribute('data-to'));
    assert.ok(Math.abs(kFrom - Math.min(...ppl.values())) < 1e-6, 'from the first bin');
    await wv.locator(`.count[data-count="${inRange(kFrom, kTo)}"]`).waitFor({ timeout: 30_000 });
    // Escape clears the range: every record again, the chip and the clear button gone.
    await focusable.focus();
    await s.page.keyboard.press('Escape');
    await wv.locator('.count', { hasText: '40 records' }).waitFor({ timeout: 30_000 });
    assert.equal(await chip.isVisible(), false);
    assert.equal(await chart.locator('.brush-clear').isVisible(), false);
  });

  it('on the review tab the header folds: a pair’s chosen and rejected sides show whole at 1280×720', async () => {
    await s.page.setViewportSize({ width: 1280, height: 720 });
    const wv = webview(s.page);
    const toggle = wv.locator('.summary.calibration .summary-toggle');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true', 'open on the samples tab');
    await wv.locator('.review-tab').click();
    await wv.locator('.review-item').first().click();
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false', 'folded on the review tab');
    assert.equal(await wv.locator('.summary.calibration .chart-box').isVisible(), false);
    assert.match((await wv.locator('.summary.calibration .summary-caption').textContent()) ?? '', /40 scored/, 'the caption stays');
    const height = s.page.viewportSize()!.height;
    for (const side of ['chosen', 'rejected']) {
      const b = (await wv.locator(`.review-detail .pair-side.${side}`).boundingBox())!;
      assert.ok(b.y >= 0 && b.y + b.height <= height, `the ${side} side is above the fold (${Math.round(b.y)}–${Math.round(b.y + b.height)} of ${height})`);
    }
    // The toggle opens it there too (from the keyboard), and the choice is the review tab's own.
    await toggle.focus();
    await s.page.keyboard.press('Enter');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    await wv.locator('.summary.calibration .chart-box').waitFor();
    await toggle.press('Enter');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    await wv.locator('.samples-tab').click();
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true', 'still open on the samples tab');
  });

  it('a refused calibration: each skipped sample says why in its PPL cell, and a filter lists them', async () => {
    const rel = 'datasets/toolace_sample.json';
    await runCommand(s.page, 'Notifications: Clear All Notifications');
    await openDataset(s.page, rel);
    const wv = webview(s.page);
    await wv.locator('.count[data-count="9"]').waitFor({ timeout: 60_000 });
    await wv.locator('.ui-button.calibrate-button').click();
    // The demo model's 1024 positions: some ToolACE conversations are longer, more than the 5% a run may skip.
    await s.page.locator('.notifications-toasts .notification-toast', { hasText: 'calibration refused' }).first().waitFor({ timeout: 120_000 });
    const { skipped } = journal(s.workspace, rel);
    assert.ok(skipped.size > 0);
    const first = Math.min(...skipped);
    const cell = wv.locator(`#row-${first} .cell.ppl.skipped`);
    await cell.waitFor({ timeout: 30_000 });
    assert.equal(await cell.textContent(), 'skipped', 'not blank');
    assert.match((await cell.getAttribute('title')) ?? '', /^skipped by calibration.*: .*\[score-failed\] .*exceed the model's max_position_embeddings \(1024\)/s);
    await choose(wv, 'filter', `Skipped by calibration (${skipped.size})`);
    await wv.locator(`.count[data-count="${skipped.size}"]`).waitFor({ timeout: 30_000 });
    for (let k = 0; k < skipped.size; k++) assert.equal(await wv.locator(`#row-${k} .cell.ppl`).textContent(), 'skipped');
    await s.page.setViewportSize({ width: 1280, height: 720 });
    await screenshot(s.page, 'panel-skipped-1280x720-light');
  });

  // Last: switching themes rewrites the user settings, which code-server has been seen to read
  // back without the policy for a while (a later calibration then asks for a model).
  it('screenshots: a brushed list and the review tab at 1280×720 and 1920×1080, light and dark', async () => {
    await runCommand(s.page, 'Notifications: Clear All Notifications');
    await s.page.locator('.tabs-container .tab', { hasText: 'BFCL_v4_simple_python.json' }).first().click();
    const wv = webview(s.page);
    await wv.locator('.count[data-count="40"]').waitFor({ timeout: 30_000 });
    await s.page.setViewportSize({ width: 1280, height: 720 });
    // A range from the keyboard: the fifth bin to the tenth.
    await wv.locator('.summary.calibration .chart-box').focus();
    await s.page.keyboard.press('Home');
    for (let k = 0; k < 4; k++) await s.page.keyboard.press('ArrowRight');
    for (let k = 0; k < 5; k++) await s.page.keyboard.press('Shift+ArrowRight');
    await s.page.keyboard.press('Enter');
    await wv.locator('.filter-chip.filter-ppl[data-from]').waitFor();
    await wv.locator('#row-0 .cell.ppl[data-tier]').waitFor({ timeout: 30_000 });
    await wv.locator('#row-0').click();
    for (const [theme, name] of [['light', 'Light Modern'], ['dark', 'Dark Modern']] as const) {
      await setTheme(s.page, name);
      for (const [w, h] of [[1280, 720], [1920, 1080]] as const) {
        await s.page.setViewportSize({ width: w, height: h });
        await wv.locator('.samples-tab').click();
        await wv.locator('.detail .detail-title').waitFor();
        await screenshot(s.page, `panel-samples-brushed-${w}x${h}-${theme}`);
        await wv.locator('.review-tab').click();
        await wv.locator('.review-detail .pair-side.rejected').waitFor();
        await screenshot(s.page, `panel-review-${w}x${h}-${theme}`);
      }
    }
    await s.page.setViewportSize({ width: 1500, height: 900 });
  });
});
