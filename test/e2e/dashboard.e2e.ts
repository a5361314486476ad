// The round dashboard in a real VS Code: a registry with three rounds (one still training, with no
// evaluation yet) written beside a demo dataset in the session's copy of the workspace; `iTool:
// Show Round Dashboard` shows the table and the four charts, and the numbers the user sees (the
// accuracy per policy, the table's rows) are the registry's. The page follows edits of the
// registry, shows a broken one as a message, keeps untrusted labels as text, is keyboard usable,
// redraws in the dark theme, and says what to do first for a dataset with no rounds. The accuracy
// axis follows the data (a 10% model is not drawn flat on 0–100%), each evaluation says how many
// held-out samples it skipped and cut off, and the error kinds are drawn in the kind table's colours.
// Screenshots: test-output/e2e/round-dashboard.png, round-dashboard-dark.png, and at 1280×720
// round-dashboard-axis.png (light) and round-dashboard-axis-dark.png. The running round's loss per
// step is drawn from its trainer log and follows it as it grows (round-dashboard-loss.png).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { RoundEvaluation, RoundRegistry } from '../../src/core/rounds/types';
import { ERROR_KIND_INFO } from '../../src/core/toolcall/errorKinds';
import type { ErrorKind } from '../../src/core/toolcall/types';
import { ROOT, openDataset, runCommand, screenshot, startSession, webview, type Session } from './codeServer';

const DATASET = 'datasets/bfcl/BFCL_v4_simple_python.json';
const EMPTY_DATASET = 'datasets/xlam_sample.jsonl';
const PAYLOAD = 'round-2 <img src=x onerror="window.__pwned=1">';

/** Deterministic PPLs around `centre` (log-normal-ish spread), as a calibration would record. */
function ppls(n: number, centre: number, seed: number): number[] {
  let x = seed;
  const rnd = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  return Array.from({ length: n }, () => Math.round(centre * Math.exp((rnd() + rnd() + rnd() - 1.5) * 1.6) * 1000) / 1000);
}

const evaluation = (policyLabel: string, valid: number, kinds: RoundEvaluation['kinds'], lost: { skipped?: number; truncated?: number } = {}): RoundEvaluation => ({
  heldOut: 'held-out.jsonl',
  policyLabel,
  total: 40,
  valid,
  accuracy: valid / 40,
  kinds,
  predictions: 'predictions.jsonl',
  ...lost,
  at: '2025-06-01T12:00:00Z',
});

function registry(datasetPath: string, selection: string): RoundRegistry {
  return {
    version: 1,
    dataset: datasetPath,
    heldOut: 'held-out.jsonl',
    rounds: [
      {
        round: 1,
        policy: { id: 'base', label: 'Qwen2.5-0.5B-Instruct' },
        ppl: { calibration: 'cal-r1.jsonl', scored: 40, median: 9, values: ppls(40, 9, 1) },
        selection,
        pairs: { found: 14, accepted: 11, manual: 2 },
        job: { backend: 'llamafactory', jobDir: 'round-1/job', startedAt: '2025-06-01T10:00:00Z', status: 'succeeded', endedAt: '2025-06-01T11:00:00Z', lastProgress: { percentage: 100 } },
        result: { label: 'round-1' },
        baseline: evaluation('Qwen2.5-0.5B-Instruct', 18, { wrong_value: 12, missing_required_param: 6, parse_error: 4, should_call: 2 }, { skipped: 2, truncated: 1 }),
        evaluation: evaluation('round-1', 22, { wrong_value: 10, missing_required_param: 5, parse_error: 2, wrong_type: 3 }, { truncated: 3 }),
      },
      {
        round: 2,
        policy: { id: 'round-1', label: 'round-1' },
        ppl: { calibration: 'cal-r2.jsonl', scored: 40, median: 6, values: ppls(40, 6, 2) },
        pairs: { found: 9, accepted: 7, manual: 0 },
        job: { backend: 'trl', jobDir: 'round-2/job', startedAt: '2025-06-02T10:00:00Z', status: 'succeeded', lastProgress: { percentage: 100 } },
        result: { label: PAYLOAD },
        baseline: evaluation('round-1', 22, { wrong_value: 10, missing_required_param: 5, parse_error: 2, wrong_type: 3 }),
        evaluation: evaluation(PAYLOAD, 26, { wrong_value: 8, missing_required_param: 4, unexpected_param: 2 }),
      },
      {
        round: 3,
        policy: { id: 'round-2', label: PAYLOAD },
        ppl: { calibration: 'cal-r3.jsonl', scored: 40, median: 4, values: ppls(40, 4, 3) },
        job: { backend: 'llamafactory', jobDir: 'round-3/job', startedAt: '2025-06-03T10:00:00Z', status: 'running', lastProgress: { percentage: 42.5, message: 'epoch 1/3' } },
      },
    ],
  };
}

const pct = (a: number) => `${(100 * a).toFixed(1)}%`;

/**
 * Run the command; the dataset panel in front is the one it shows. Should the command ask for the
 * dataset instead (no panel in front), answer its quick pick with the file's relative path.
 */
async function showDashboard(page: Page, rel: string): Promise<void> {
  await runCommand(page, 'iTool: Show Round Dashboard');
  const wv = webview(page);
  const picker = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: rel.split('/').pop() }).first();
  const shown = wv.locator('#app[data-state]:not([data-state="loading"])');
  const which = await Promise.race([shown.waitFor({ timeout: 60_000 }).then(() => 'dashboard'), picker.waitFor({ timeout: 60_000 }).then(() => 'picker')]);
  if (which === 'picker') {
    await page.locator('.quick-input-widget input').fill(rel);
    await page.keyboard.press('Enter');
    await shown.waitFor({ timeout: 60_000 });
  }
}

describe('round dashboard in code-server', { timeout: 300_000 }, () => {
  let s: Session;
  let registryFile: string;
  let reg: RoundRegistry;
  const dashboardErrors: string[] = [];
  before(async () => {
    s = await startSession({ workspaceFrom: join(ROOT, 'demo'), viewport: { width: 1600, height: 1100 } });
    s.page.on('console', (m) => {
      if (m.type() === 'error' && m.location().url.includes('/dist/webview/dashboard.js')) dashboardErrors.push(m.text());
    });
    s.page.on('pageerror', (e) => {
      if (String(e.stack).includes('dashboard.js')) dashboardErrors.push(String(e));
    });
    // The session's workspace is a throwaway copy of demo/: the registry goes beside its dataset.
    const dataset = join(s.workspace, DATASET);
    const meta = `${dataset}.itool`;
    const selection = join(meta, 'selection', 'test-r1.json');
    mkdirSync(dirname(selection), { recursive: true });
    writeFileSync(
      selection,
      JSON.stringify({ version: 1, dataset, model: 'm', modelLabel: 'm', round: 1, ratio: 0.3, cuts: { easyBelow: 5, hardFrom: 12, source: 'tertiles' }, groups: { calls: { scored: 40, selected: 12 }, text: { scored: 0, selected: 0 } }, selected: Array.from({ length: 12 }, (_, i) => ({ index: i, id: `s${i}`, group: 'calls', ppl: 20 - i, tier: 'hard' })), createdAt: 'x' }),
    );
    registryFile = join(meta, 'rounds', 'rounds.json');
    mkdirSync(dirname(registryFile), { recursive: true });
    reg = registry(dataset, selection);
    writeFileSync(registryFile, JSON.stringify(reg, null, 2));
  });
  after(async () => {
    await s?.close();
  });

  it('shows the registry\'s rounds: accuracy per policy, table, charts; labels stay text', async () => {
    await openDataset(s.page, DATASET);
    await webview(s.page).locator('.count[data-count="40"]').waitFor({ timeout: 60_000 });
    await showDashboard(s.page, DATASET);
    const wv = webview(s.page);
    await wv.locator('#app[data-state="data"][data-rounds="3"]').waitFor({ timeout: 30_000 });
    assert.equal(await wv.locator('h1').textContent(), 'Rounds — BFCL_v4_simple_python.json');
    assert.match((await s.page.locator('.tab.active').textContent()) ?? '', /Rounds — BFCL_v4_simple_python\.json/);

    // Accuracy per policy: base = round 1's baseline, then each round's result; round 3 is a gap.
    const expected = [reg.rounds[0].baseline!.accuracy, reg.rounds[0].evaluation!.accuracy, reg.rounds[1].evaluation!.accuracy, null];
    const chart = wv.locator('.chart.accuracy');
    assert.equal(await chart.getAttribute('data-rounds'), '0,1,2,3');
    assert.equal(await chart.getAttribute('data-accuracy'), expected.map((a) => (a === null ? '' : (100 * a).toFixed(1))).join(','));
    const summary = (await chart.locator('.chart-summary').textContent()) ?? '';
    assert.ok(summary.includes(`base: ${pct(expected[0]!)} (18/40)`), summary);
    // Each evaluation says what it lost: held-out samples skipped (too long) and answers cut off.
    assert.match(summary, /base: [^·]*; 2 skipped, 1 cut off/);
    assert.match(summary, /round 1: [^·]*; 3 cut off/);
    assert.doesNotMatch(summary, /round 2: [^·]*(skipped|cut off)/);
    assert.equal(await chart.getAttribute('data-skipped'), '2,0,0,');
    assert.equal(await chart.getAttribute('data-truncated'), '1,3,0,');
    // The y axis is the data's, whiskers included, not 0–100.
    const [yMin, yMax] = [Number(await chart.getAttribute('data-y-min')), Number(await chart.getAttribute('data-y-max'))];
    const points = JSON.parse((await chart.getAttribute('data-series')) ?? '[]') as { interval: { lo: number; hi: number } | null }[];
    const ends = points.flatMap((p) => (p.interval ? [100 * p.interval.lo, 100 * p.interval.hi] : []));
    assert.ok(yMin > 0 && yMin < Math.min(...ends) && yMax < 100 && yMax > Math.max(...ends), `axis ${yMin}–${yMax}, whiskers ${Math.min(...ends)}–${Math.max(...ends)}`);
    assert.match(summary, new RegExp(`Axis: ${yMin}–${yMax}%`));
    assert.ok(summary.includes(`round 1: ${pct(expected[1]!)} (22/40)`), summary);
    assert.ok(summary.includes(`round 2: ${pct(expected[2]!)} (26/40)`), summary);
    assert.ok(summary.includes('round 3: not evaluated'), summary);
    assert.equal(await chart.locator('canvas[role="img"][aria-label]').count(), 1);

    // Error kinds: the counts per policy are the evaluations' (a kind an evaluation lacks is 0).
    const kinds = JSON.parse((await wv.locator('.chart.kinds').getAttribute('data-series')) ?? '{}') as Record<string, (number | null)[]>;
    assert.deepEqual(kinds.wrong_value, [12, 10, 8, null]);
    assert.deepEqual(kinds.should_call, [2, 0, 0, null]);
    assert.equal(kinds.wrong_function, undefined, 'kinds that never occur are not plotted');
    // Each kind in the kind table's colour (light theme here), named in the legend.
    const colours = JSON.parse((await wv.locator('.chart.kinds').getAttribute('data-colours')) ?? '{}') as Record<string, string>;
    assert.deepEqual(Object.keys(colours).sort(), Object.keys(kinds).sort());
    for (const [k, c] of Object.entries(colours)) assert.equal(c, ERROR_KIND_INFO[k as ErrorKind].colour.light, k);
    // Pairs per round, and a PPL series per calibrated round on shared bins.
    const pairs = wv.locator('.chart.pairs');
    assert.equal(await pairs.getAttribute('data-found'), '14,9,');
    assert.equal(await pairs.getAttribute('data-accepted'), '11,7,');
    const ppl = wv.locator('.chart.ppl');
    assert.equal(await ppl.getAttribute('data-rounds'), '1,2,3');
    const pplSeries = JSON.parse((await ppl.getAttribute('data-series')) ?? '{}') as Record<string, number[]>;
    for (const r of ['1', '2', '3']) assert.equal(pplSeries[r].reduce((a, b) => a + b, 0), 40, `round ${r}: every PPL is in a bin`);
    assert.equal(new Set(Object.values(pplSeries).map((c) => c.length)).size, 1, 'one set of bins for every round');
    await wv.locator('body[data-draws]').waitFor();

    // The table: one row per round, the registry's values.
    const rows = wv.locator('table.rounds tbody tr');
    assert.equal(await rows.count(), 3);
    const cells = async (i: number) => Object.fromEntries(await rows.nth(i).locator('td').evaluateAll((tds) => tds.map((td) => [td.className.split(' ')[0], td.textContent])));
    assert.deepEqual(await cells(0), {
      round: '1',
      policy: 'Qwen2.5-0.5B-Instruct',
      scored: '40',
      selected: '12',
      found: '14',
      accepted: '11',
      manual: '2',
      job: 'succeeded · 100%',
      result: 'round-1',
      baseline: pct(18 / 40),
      accuracy: pct(22 / 40),
      skipped: '2 / 0',
      truncated: '1 / 3',
    });
    const r2 = await cells(1);
    assert.equal(r2.result, PAYLOAD, 'an HTML-looking label is shown as text');
    assert.equal(r2.accuracy, pct(26 / 40));
    assert.equal(r2.selected, '—');
    const r3 = await cells(2);
    assert.equal(r3.policy, PAYLOAD);
    assert.equal(r3.job, 'running · 43%');
    assert.equal(r3.found, '—');
    assert.equal(r3.accuracy, '—');
    assert.equal(r3.skipped, '—', 'no evaluation: nothing to count');
    assert.equal(r2.skipped, '0 / 0');
    assert.equal(await wv.locator('img').count(), 0, 'no element was made from a label');
    const pwned = await Promise.all(s.page.frames().map((f) => f.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned).catch(() => undefined)));
    assert.ok(pwned.every((v) => v === undefined), 'no label ran as script');

    // Keyboard: the table is a tab stop; ↓ walks the rounds.
    await wv.locator('.table-box').focus();
    await s.page.keyboard.press('ArrowDown');
    await wv.locator('table.rounds tbody tr[data-round="1"]:focus').waitFor();
    await s.page.keyboard.press('ArrowDown');
    await wv.locator('table.rounds tbody tr[data-round="2"]:focus').waitFor();
    await s.page.keyboard.press('End');
    await wv.locator('table.rounds tbody tr[data-round="3"]:focus').waitFor();
    await screenshot(s.page, 'round-dashboard');
  });

  it('follows the registry: training progress and a new evaluation appear; a broken file shows a message', async () => {
    const wv = webview(s.page);
    reg.rounds[2].job = { ...reg.rounds[2].job!, lastProgress: { percentage: 90 } };
    reg.rounds[2].evaluation = evaluation('round-3', 30, { wrong_value: 6 });
    writeFileSync(registryFile, JSON.stringify(reg, null, 2));
    await wv.locator('.chart.accuracy[data-accuracy="45.0,55.0,65.0,75.0"]').waitFor({ timeout: 30_000 });
    assert.equal(await wv.locator('table.rounds tbody tr[data-round="3"] td.job').textContent(), 'running · 90%');
    assert.equal(await wv.locator('table.rounds tbody tr[data-round="3"] td.accuracy').textContent(), pct(30 / 40));

    writeFileSync(registryFile, '{ "version": 1, "rounds": [');
    const error = wv.locator('.dash-error:not([hidden])');
    await error.waitFor({ timeout: 30_000 });
    assert.match((await error.textContent()) ?? '', /not valid JSON/);
    assert.equal(await wv.locator('table.rounds tbody tr').count(), 3, 'the last good registry stays shown');

    writeFileSync(registryFile, JSON.stringify(reg, null, 2));
    await wv.locator('.dash-error[hidden]').waitFor({ state: 'attached', timeout: 30_000 });
  });

  it('draws the running round’s loss from its trainer log as it grows; a malformed line is named, not dropped', async () => {
    const wv = webview(s.page);
    const logFile = join(dirname(registryFile), 'round-3', 'output-llamafactory', 'trainer_log.jsonl');
    mkdirSync(dirname(logFile), { recursive: true });
    const line = (step: number, loss: number) => `{"current_steps": ${step}, "total_steps": 20, "loss": ${loss}, "lr": 9e-07, "epoch": ${step / 10}, "percentage": ${step * 5}.0, "elapsed_time": "0:00:0${step}", "remaining_time": "0:01:00"}\n`;
    writeFileSync(logFile, `${line(1, 0.6931)}${PAYLOAD}\n${line(2, 0.6712)}${line(3, 0.6402)}`);
    reg.rounds[2].job = { ...reg.rounds[2].job!, trainerLogPath: logFile };
    reg.rounds[2].export = { target: 'llamafactory', dir: dirname(logFile), files: [], at: '2025-06-03T10:00:00Z', training: { objective: 'sigmoid', beta: 0.1, learningRate: 1e-6, epochs: 2 } };
    writeFileSync(registryFile, JSON.stringify(reg, null, 2));
    const loss = wv.locator('.chart.loss[data-running="3"]');
    await loss.waitFor({ timeout: 30_000 });
    await wv.locator('.chart.loss[data-points=\'{"3":3}\']').waitFor({ timeout: 30_000 });
    assert.equal(await loss.getAttribute('data-malformed'), JSON.stringify({ 3: 1 }));
    assert.equal(await loss.getAttribute('data-x-max'), '20');
    const summary = (await loss.locator('.chart-summary').textContent()) ?? '';
    assert.match(summary, /round 3 \(llamafactory, training\): step 3 of 20, loss 0\.6402 · DPO \(sigmoid\) · β 0\.1 · lr 1e-6 · 2 epochs/);
    assert.match(summary, /round 3: 1 line\(s\) of .*trainer_log\.jsonl skipped, not progress lines \(line 2: not JSON\)/);
    assert.equal(await wv.locator('img').count(), 0, 'the malformed line stays text');
    // The trainer logs two more steps: the page polls the log, with no registry change.
    writeFileSync(logFile, `${line(4, 0.6011)}${line(5, 0.5873)}`, { flag: 'a' });
    await wv.locator('.chart.loss[data-points=\'{"3":5}\']').waitFor({ timeout: 30_000 });
    assert.equal(JSON.parse((await loss.getAttribute('data-last')) ?? '{}')['3'].loss, 0.5873);
    await wv.locator('.chart.loss').scrollIntoViewIfNeeded();
    await screenshot(s.page, 'round-dashboard-loss');
  });

  it('a weak model: the axis fits the data and its whiskers, and the losses are in the summary and the table (1280×720)', async () => {
    const wv = webview(s.page);
    // Accuracies near 10%, as a small model starts: on a fixed 0–100% axis this was a flat line.
    const low = registry(reg.dataset, reg.rounds[0].selection!);
    low.rounds[0].baseline = evaluation('Qwen2.5-0.5B-Instruct', 4, { wrong_value: 20, parse_error: 10, wrong_function: 4, wrong_call_count: 2 }, { skipped: 5, truncated: 9 });
    low.rounds[0].evaluation = evaluation('round-1', 5, { wrong_value: 18, parse_error: 8, wrong_function: 4, missing_required_param: 5 }, { skipped: 5, truncated: 6 });
    low.rounds[1].baseline = low.rounds[0].evaluation;
    low.rounds[1].evaluation = evaluation(PAYLOAD, 7, { wrong_value: 15, parse_error: 6, unexpected_param: 4, wrong_type: 3, should_not_call: 2, should_call: 3 }, { skipped: 5, truncated: 2 });
    writeFileSync(registryFile, JSON.stringify(low, null, 2));
    const chart = wv.locator('.chart.accuracy[data-accuracy="10.0,12.5,17.5,"]');
    await chart.waitFor({ timeout: 30_000 });
    const [yMin, yMax] = [Number(await chart.getAttribute('data-y-min')), Number(await chart.getAttribute('data-y-max'))];
    const points = JSON.parse((await chart.getAttribute('data-series')) ?? '[]') as { interval: { lo: number; hi: number } | null }[];
    const top = Math.max(...points.flatMap((p) => (p.interval ? [100 * p.interval.hi] : [])));
    assert.equal(yMin, 0);
    assert.ok(yMax > top && yMax <= 50, `axis 0–${yMax} for whiskers up to ${top.toFixed(1)}%`);
    const summary = (await chart.locator('.chart-summary').textContent()) ?? '';
    assert.match(summary, /base: 10\.0% \(4\/40\)[^·]*; 5 skipped, 9 cut off/);
    assert.match(summary, /round 2: 17\.5% \(7\/40\)[^·]*; 5 skipped, 2 cut off/);
    assert.match(summary, /Skipped: held-out samples longer than the model's context/);
    assert.equal(await wv.locator('table.rounds tbody tr[data-round="1"] td.skipped').textContent(), '5 / 5');
    assert.equal(await wv.locator('table.rounds tbody tr[data-round="1"] td.truncated').textContent(), '9 / 6');
    assert.equal(await wv.locator('table.rounds tbody tr[data-round="2"] td.truncated').textContent(), '6 / 2');
    // Nine kinds, nine colours, each the table's.
    const colours = JSON.parse((await wv.locator('.chart.kinds').getAttribute('data-colours')) ?? '{}') as Record<string, string>;
    assert.equal(Object.keys(colours).length, 9);
    assert.equal(new Set(Object.values(colours)).size, 9, 'one colour per kind');
    for (const [k, c] of Object.entries(colours)) assert.equal(c, ERROR_KIND_INFO[k as ErrorKind].colour.light, k);
    await s.page.setViewportSize({ width: 1280, height: 720 });
    await wv.locator('.chart.accuracy').scrollIntoViewIfNeeded();
    await screenshot(s.page, 'round-dashboard-axis');
    await s.page.setViewportSize({ width: 1600, height: 1100 });
  });

  it('redraws in the dark theme', async () => {
    const wv = webview(s.page);
    const luminance = (rgb: string) => {
      const [r, g, b] = (rgb.match(/\d+/g) ?? ['255', '255', '255']).map(Number);
      return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
    };
    const before = Number(await wv.locator('body').getAttribute('data-draws'));
    assert.ok(luminance(await wv.locator('body').evaluate((b) => getComputedStyle(b).backgroundColor)) > 0.7, 'light theme first');
    await runCommand(s.page, 'Preferences: Color Theme');
    await s.page.locator('.quick-input-widget input').fill('Dark Modern');
    await s.page.locator('.quick-input-list .monaco-list-row').filter({ has: s.page.locator('.label-name', { hasText: /^Dark Modern$/ }) }).click();
    await s.page.locator('.monaco-workbench.vs-dark').waitFor({ timeout: 30_000 });
    await wv.locator('body.vscode-dark').waitFor({ timeout: 30_000 });
    // The four charts drew again with the dark theme's colours.
    for (const end = Date.now() + 30_000; Number(await wv.locator('body').getAttribute('data-draws')) < before + 4; ) {
      assert.ok(Date.now() < end, 'the charts redraw when the theme changes');
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(luminance(await wv.locator('body').evaluate((b) => getComputedStyle(b).backgroundColor)) < 0.3, 'dark panel');
    assert.ok(luminance(await wv.locator('table.rounds td.policy').first().evaluate((td) => getComputedStyle(td).color)) > 0.5, 'text stays readable on dark');
    await screenshot(s.page, 'round-dashboard-dark');
    // The kinds in the table's dark colours; the weak model's chart at 1280×720.
    const colours = JSON.parse((await wv.locator('.chart.kinds').getAttribute('data-colours')) ?? '{}') as Record<string, string>;
    for (const [k, c] of Object.entries(colours)) assert.equal(c, ERROR_KIND_INFO[k as ErrorKind].colour.dark, k);
    await s.page.setViewportSize({ width: 1280, height: 720 });
    await wv.locator('.chart.accuracy').scrollIntoViewIfNeeded();
    await screenshot(s.page, 'round-dashboard-axis-dark');
    await s.page.setViewportSize({ width: 1600, height: 1100 });
  });

  it('a dataset with no rounds says what to do first', async () => {
    await openDataset(s.page, EMPTY_DATASET);
    await webview(s.page).locator('.count[data-count]').waitFor({ timeout: 60_000 });
    await showDashboard(s.page, EMPTY_DATASET);
    const wv = webview(s.page);
    await wv.locator('#app[data-state="empty"]').waitFor({ timeout: 30_000 });
    const text = (await wv.locator('.empty-state').textContent()) ?? '';
    assert.match(text, /No rounds yet: calibrate, explore and start a round with iTool: Start Optimization Round/);
    assert.equal(await wv.locator('#app > .content').isHidden(), true);
    await screenshot(s.page, 'round-dashboard-empty');
    assert.deepEqual(dashboardErrors, [], 'no CSP violations or script errors from the dashboard');
    // Nor from the dataset panels opened beside it (their controls set no inline style: issue 20).
    assert.deepEqual(s.consoleErrors.filter((e) => /Content Security Policy|Refused to/i.test(e)), [], 'no CSP violation in the console');
  });
});
