// Calibration in a real VS Code: with a local ONNX model configured (the committed demo model, the
// project's own trained tiny tool-calling model, in the Hugging Face export layout), `Calibrate…` scores every reference answer
// with progress, the panel shows the PPL column and the histogram, `Select deficient` selects the
// top 30% by PPL, and the panel's numbers equal `itool calibrate`'s on the same model.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT, openDataset, screenshot, startSession, webview, type Session, scrollToRow } from './codeServer';

const DATASET = 'datasets/bfcl/BFCL_v4_simple_python.json';

describe('calibration in code-server', { timeout: 300_000 }, () => {
  let s: Session;
  let modelDir: string;
  let cli: { selected: { index: number; ppl: number }[]; groups: { calls: { scored: number; selected: number } } };
  before(async () => {
    modelDir = join(ROOT, 'demo', 'models', 'itool-tiny');
    assert.ok(existsSync(join(modelDir, 'onnx', 'model.onnx')), 'the demo model is committed (demo/models/itool-tiny)');
    s = await startSession({ workspaceFrom: join(ROOT, 'demo'), settings: { 'itool.policy.backend': 'onnx', 'itool.policy.onnx.modelDir': modelDir } });
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
    for (let k = 0; k < cli.selected.length; k++) {
      const row = wv.locator(`#row-${k}`);
      await scrollToRow(wv, k);
      await row.locator('.cell.ppl[data-tier]').waitFor();
      const idx = Number((await row.locator('.cell.idx').textContent()) ?? '0') - 1;
      assert.equal(idx, cli.selected[k].index, `selected #${k} is record ${cli.selected[k].index + 1} as in the CLI`);
      const shown = Number(((await row.locator('.cell.ppl').textContent()) ?? '').replace('● ', ''));
      const want = cli.selected[k].ppl;
      assert.ok(Math.abs(shown - want) <= (want >= 100 ? 0.5 : 0.005), `PPL ${shown} vs CLI ${want}`);
    }
    await screenshot(s.page, 'calibration-histogram-selected');
  });
});
