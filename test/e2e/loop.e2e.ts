// The closed loop from the command palette in a real VS Code: on the demo workspace's synthetic
// corpus (demo/datasets/synth) and the committed demo model (demo/models/itool-tiny, the project's
// own trained tool-calling model), `iTool: Run Closed Loop on a Local Model` asks for the held-out
// split, the starting model, the variants and the rounds, runs calibrate → select → explore →
// pairs → SimPO (the real local PyTorch trainer) → held-out evaluation with progress, and ends on
// the round dashboard. The user sees the registry's numbers: the finishing message's accuracies,
// the dashboard's round, the continued-SFT ablation beside it; the results table is on disk.
// Settings keep it to about a minute (2 searched samples, 6 held-out samples, 1 round).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pythonHasTorch } from '../../src/core/rounds/localTrainer';
import { readRegistry } from '../../src/core/rounds/registry';
import { ROOT, openDataset, runCommand, screenshot, startSession, webview, type Session } from './codeServer';

const TRAIN = 'datasets/synth/train/BFCL_v4_synth_train.json';
const HELD_OUT = 'datasets/synth/heldout/BFCL_v4_synth_heldout.json';
const MODEL = 'models/itool-tiny';
const PYTHON = process.env.ITOOL_TRAIN_PYTHON ?? '/usr/bin/python3';
const skip = pythonHasTorch(PYTHON) ? false : `${PYTHON} cannot import torch (apt-get install python3-torch)`;

describe('closed loop from the command palette in code-server', { skip, timeout: 600_000 }, () => {
  let s: Session;
  before(async () => {
    assert.ok(existsSync(join(ROOT, 'demo', MODEL, 'model.pt')), 'the demo model is committed with its PyTorch checkpoint');
    s = await startSession({
      workspaceFrom: join(ROOT, 'demo'),
      settings: { 'itool.loop.exploreMax': 2, 'itool.loop.evalLimit': 6, 'itool.loop.iterations': 2, 'itool.loop.numActions': 2, 'itool.loop.maxNewTokens': 24 },
      machineSettings: { 'itool.trainer.local.python': PYTHON },
      viewport: { width: 1600, height: 1100 },
    });
  });
  after(async () => {
    await s?.close();
  });

  it('runs a round of iTool and of continued SFT on the demo model and shows them on the dashboard', async () => {
    const { page } = s;
    await openDataset(page, TRAIN);
    await webview(page).locator('.count[data-count="200"]').waitFor({ timeout: 60_000 });

    await runCommand(page, 'iTool: Run Closed Loop on a Local Model');
    const input = page.locator('.quick-input-widget input');
    // The held-out split (asked once per project, then kept in the round registry).
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Held-out split' }).waitFor();
    await input.fill(HELD_OUT);
    await page.locator(`.quick-input-list .monaco-list-row[aria-label^="${HELD_OUT}"]`).first().waitFor();
    await page.keyboard.press('Enter');
    // The starting model: the demo model is offered (ONNX + model.pt), beside a fresh warm-up.
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Model the rounds start from' }).waitFor();
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Train a warm-up model first' }).waitFor();
    await page.locator('.quick-input-list .monaco-list-row', { hasText: MODEL }).first().click();
    // Variants: iTool is ticked; tick the continued-SFT ablation too.
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Variants to run' }).waitFor();
    await page.locator('.quick-input-list .monaco-list-row', { hasText: '(a) continued SFT' }).first().click();
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Rounds per variant' }).waitFor();
    await input.fill('0');
    await page.locator('.quick-input-widget .quick-input-message', { hasText: 'a whole number from 1 to 10' }).waitFor();
    await input.fill('1');
    await page.keyboard.press('Enter');

    // Progress names the stage the loop is in; the end says the accuracies and opens the dashboard.
    await page.locator('.notifications-toasts .notification-toast', { hasText: 'iTool loop (itool, sft, 1 round)' }).first().waitFor({ timeout: 60_000 });
    await screenshot(page, 'loop-progress');
    const done = page.locator('.notifications-toasts .notification-toast', { hasText: 'iTool: loop finished' });
    await done.waitFor({ timeout: 480_000 });
    const message = (await done.textContent()) ?? '';

    const dataset = join(s.workspace, TRAIN);
    const reg = await readRegistry(dataset);
    assert.equal(reg.heldOut, join(s.workspace, HELD_OUT));
    assert.equal(reg.rounds.length, 1);
    const r1 = reg.rounds[0];
    assert.equal(r1.job?.backend, 'local');
    assert.equal(r1.job?.status, 'succeeded');
    assert.ok(r1.baseline && r1.evaluation, 'baseline (the demo model) and round 1 evaluated');
    // At most the 6 held-out samples the settings allow (fewer when one is too long for the model).
    assert.ok(r1.evaluation.total > 0 && r1.evaluation.total <= 6, String(r1.evaluation.total));
    assert.equal(r1.policy.label, 'warm-up model');
    const pct = (a: number) => `${(100 * a).toFixed(1)}%`;
    assert.ok(message.includes(`warm-up ${pct(r1.baseline.accuracy)} → itool ${pct(r1.evaluation.accuracy)}`), message);
    const sft = reg.comparisons?.find((c) => c.label === '(a) continued SFT, same steps');
    assert.ok(sft, 'the continued-SFT ablation is recorded beside the rounds');
    assert.deepEqual(sft.points.map((p) => p.round), [0, 1]);
    assert.ok(message.includes(`sft ${pct(sft.points[1].accuracy)}`), message);

    // The results table and the trained model are on disk.
    const work = join(`${dataset}.itool`, 'loop');
    const table = readFileSync(join(work, 'loop-results.md'), 'utf8');
    // Accuracy with its Wilson interval per round, and what each round trained on.
    assert.match(table, /\| iTool \(fragment pairs, PPL selection\) \| [\d.]+% \[[\d.]+, [\d.]+\] \| [\d.]+% \[[\d.]+, [\d.]+\] \|/);
    assert.match(table, /\| \(a\) continued SFT, same steps \| [\d.]+% \[[\d.]+, [\d.]+\] \| [\d.]+% \[[\d.]+, [\d.]+\] \|/);
    assert.match(table, /\| iTool \(fragment pairs, PPL selection\) \| \d+ pairs( \(\d+ policy samples drawn\))? \|/);
    assert.match(table, /\| \(a\) continued SFT, same steps \| \d+ samples \|/);
    assert.match(table, /## Difference from the start/);
    assert.ok(existsSync(join(work, 'sft', 'round-1', 'model', 'onnx', 'model.onnx')));

    // The dashboard shows round 1 and the ablation as a second line.
    const wv = webview(page);
    await wv.locator('#app[data-state="data"][data-rounds="1"]').waitFor({ timeout: 30_000 });
    const chart = wv.locator('.chart.accuracy');
    assert.equal(await chart.getAttribute('data-accuracy'), [r1.baseline.accuracy, r1.evaluation.accuracy].map((a) => (100 * a).toFixed(1)).join(','));
    assert.match((await chart.getAttribute('data-comparisons')) ?? '', /continued SFT/);
    // And the round's perplexities from its calibration, as for a round made by hand.
    assert.ok(r1.ppl && r1.ppl.scored > 0 && r1.selection && existsSync(r1.selection), 'calibration and selection recorded');
    const ppl = wv.locator('.chart.ppl');
    assert.equal(await ppl.getAttribute('data-rounds'), '1');
    const series = JSON.parse((await ppl.getAttribute('data-series')) ?? '{}') as Record<string, number[]>;
    assert.equal(series['1'].reduce((a, b) => a + b, 0), r1.ppl.scored, 'every PPL of round 1 is in a bin');
    await screenshot(page, 'loop-dashboard');
  });
});
