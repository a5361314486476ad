// From a search's pairs to a finished round, in a real VS Code: review the pairs with the keyboard
// (accept, undo and accept again, reject, reject with a reason, edit, mark a fragment with the
// panel's own form and keep the place, skip and undo with Ctrl+Z, jump to a sample id), check the
// journal says the same, start a round in the start form on the round dashboard (filled in with
// the defaults; a wrong β refused with its message; β and epochs changed, started from the
// keyboard) on LLaMA-Factory — here the project's STAND-IN llamafactory-cli (no GPU trainer can
// run here), which reads the exported YAML and dataset_info.json like the real CLI and writes
// trainer_log.jsonl in the real format over time — check the YAML carries the changed values,
// watch the loss curve grow on the dashboard and the progress notification reach the end, then
// evaluate the round on a held-out split with the tiny ONNX models and see its numbers (and its
// finished curve) on the round dashboard. Screenshots of the form and the curve at 1280×720 and
// 1920×1080, light and dark: test-output/e2e/training-form-*.png, loss-curve-*.png.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FrameLocator, Page } from 'playwright-core';
import { parse as parseYaml } from 'yaml';
import type { ReviewEntry } from '../../src/core/pairs/reviewEntries';
import { readReview, reviewPath } from '../../src/core/pairs/reviewJournal';
import { readJournal } from '../../src/core/store/journal';
import { readRegistry } from '../../src/core/rounds/registry';
import type { ExploreResult } from '../../src/core/search/explore';
import { writeTinyModel } from '../../src/core/model/testModels';
import { demoCopyWithSearch } from '../support/scriptedPolicy';
import { ROOT, openDataset, runCommand, screenshot, startSession, webview, type Session } from './codeServer';

const DATASET = 'datasets/bfcl/BFCL_v4_simple_python.json';
const HELD_OUT = 'datasets/bfcl/BFCL_v4_parallel_multiple.json';
const STAND_IN = join(ROOT, 'test', 'support', 'standins', 'llamafactory-cli');

describe('review, export and a round in code-server', { timeout: 600_000 }, () => {
  let s: Session;
  let run: ExploreResult;
  let copy: string;
  let trainedModel: string;
  before(async () => {
    ({ copy, run } = await demoCopyWithSearch(ROOT, DATASET, 'itool-rounds-'));
    assert.ok(run.pairs.length >= 2, 'the scripted search finds at least two pairs to review');
    const models = mkdtempSync(join(tmpdir(), 'itool-model-'));
    const base = join(models, 'base');
    trainedModel = join(models, 'trained');
    await writeTinyModel(base, { layers: 2, hidden: 32, heads: 4, withKvCache: true, seed: 2 });
    await writeTinyModel(trainedModel, { layers: 2, hidden: 32, heads: 4, withKvCache: true, seed: 5 });
    // The stand-in's pace (read from the environment the extension host inherits).
    process.env.STANDIN_STEP_MS = '5000';
    // Machine-scoped (trainer) and machine-overridable (policy) settings as Remote settings too: in
    // code-server's window the user settings.json takes neither once the extension's settings are
    // known. The policy's value there was dropped after the theme changes rewrote settings.json,
    // and the reloaded window lost it at times (the evaluation then asked for a first policy).
    const machine = { 'itool.policy.onnx.modelDir': base, 'itool.trainer.llamafactory.command': STAND_IN, 'itool.trainer.baseModel': base };
    s = await startSession({
      workspaceFrom: copy,
      settings: machine,
      machineSettings: machine,
    });
  });
  after(async () => {
    await s?.close();
  });

  it('reviews the pairs with the keyboard, trains a round on the stand-in and shows its numbers', async () => {
    const page = s.page;
    // The review screenshots at 1280×720 (the size the issue judges the queue at).
    await page.setViewportSize({ width: 1280, height: 720 });
    await openDataset(page, DATASET);
    const wv = webview(page);
    await wv.locator('.count[data-count="40"]').waitFor({ timeout: 60_000 });
    await runCommand(page, 'iTool: Review Preference Pairs');
    const first = wv.locator('.review-item').first();
    await first.waitFor({ timeout: 30_000 });
    assert.equal(await wv.locator('.review-item').count(), run.pairs.length, 'every pair of the search is in the queue');
    const progress = wv.locator('.review-progress');
    assert.equal(await progress.getAttribute('data-reviewed'), '0');
    // The shortcuts are on screen.
    const help = (await wv.locator('.shortcuts').textContent()) ?? '';
    assert.match(help, /A accept · R reject · Shift\+R reject with a reason · S skip · U or Ctrl\+Z undo/);
    assert.match(help, /Ctrl\+G jump to a sample id/);

    const ids = await wv.locator('.review-item').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.id!));
    const dataset = join(s.workspace, DATASET);
    const current = (id: string) => wv.locator(`.review-item.selected[data-id="${id}"]`);
    await wv.locator('.review-list').focus();
    await page.keyboard.press('a'); // accept the first; the queue moves to the second
    await wv.locator(`.review-item[data-id="${ids[0]}"][data-state="accepted"]`).waitFor();
    await current(ids[1]).waitFor();
    // U undoes the accept: the first pair is pending again, and selected again; the undo is on disk.
    await page.keyboard.press('u');
    await wv.locator(`.review-item.selected[data-id="${ids[0]}"][data-state="pending"]`).waitFor();
    await wv.locator('.review-status', { hasText: 'Undid: accept' }).waitFor();
    await wv.locator('.review-progress[data-reviewed="0"]').waitFor();
    assert.equal((await readReview(dataset)).decisions.has(ids[0]), false, 'the journal says the accept is undone');
    await screenshot(page, 'review-undo');
    await page.keyboard.press('a'); // accept it again
    await wv.locator(`.review-item[data-id="${ids[0]}"][data-state="accepted"]`).waitFor();
    await current(ids[1]).waitFor();
    await page.keyboard.press('r'); // reject the second at once
    await wv.locator(`.review-item[data-id="${ids[1]}"][data-state="rejected"]`).waitFor();
    await wv.locator('.review-progress[data-reviewed="2"]').waitFor();
    assert.match((await progress.textContent()) ?? '', new RegExp(`^Reviewed 2 of ${run.pairs.length} · 1 accepted · 0 edited · 1 rejected · 0 skipped`));
    // Shift+R on it again: a reason from the list (3 = sides too alike) and a comment.
    await page.keyboard.press('k');
    await current(ids[1]).waitFor();
    await page.keyboard.press('Shift+R');
    await wv.locator('.review-reject-form').waitFor();
    await page.keyboard.press('3');
    await wv.locator('.review-reject-comment input').fill('the two values say the same');
    assert.equal(await wv.locator('.review-reject-reason').evaluate((e) => (e as HTMLElement & { value: string }).value), 'too_alike');
    await screenshot(page, 'review-reject-reason');
    await page.keyboard.press('Enter');
    await wv.locator(`.review-item[data-id="${ids[1]}"][data-state="rejected"][data-reason="too_alike"]`).waitFor();
    await current(ids[2]).waitFor();

    // E edits the chosen side of the third pair in place; the checker re-judges it as it is typed.
    await page.keyboard.press('e');
    const box = wv.locator('textarea.review-edit');
    await box.waitFor();
    const original = await box.inputValue();
    await box.fill('{"name": "no_such_function"}');
    await wv.locator('.review-edit-verdict .pair-verdict:not(.ok)').waitFor();
    // A real edit that keeps the call right (one space less), so the pair counts as edited.
    const edited = original.replace('": ', '":');
    assert.notEqual(edited, original);
    await box.fill(edited);
    await wv.locator('.review-edit-verdict .pair-verdict.ok').waitFor();
    await box.press('Control+Enter');
    await wv.locator(`.review-item[data-id="${ids[2]}"][data-state="edited"]`).waitFor();

    // M marks the selected text of the fourth pair's rejected side as an error, with a correction,
    // in the panel's own form: a pair made by hand joins the queue (accepted: a person made it and
    // the checker finds it valid), and the fourth pair stays selected.
    await page.keyboard.press('j');
    await wv.locator('.review-detail .detail-title', { hasText: 'Pair 4 of' }).waitFor();
    // Select just the wrong value inside the rejected fragment (after the argument's `: `).
    const fragment = wv.locator('.review-detail .pair-side.rejected mark.pair-fragment');
    const wrongFragment = (await fragment.textContent()) ?? '';
    const rightFragment = (await wv.locator('.review-detail .pair-side.chosen mark.pair-fragment').textContent()) ?? '';
    const cut = wrongFragment.lastIndexOf(': ') + 2;
    assert.ok(cut >= 2 && rightFragment.slice(0, cut) === wrongFragment.slice(0, cut), 'the fourth pair differs in an argument value');
    const wrongText = wrongFragment.slice(cut);
    const rightText = rightFragment.slice(cut);
    await fragment.evaluate((el, from) => {
      const r = document.createRange();
      r.setStart(el.firstChild!, from);
      r.setEnd(el.firstChild!, el.textContent!.length);
      document.getSelection()!.removeAllRanges();
      document.getSelection()!.addRange(r);
      (el.closest('.review-detail') as HTMLElement).focus();
    }, cut);
    await page.keyboard.press('m');
    const markForm = wv.locator('.mark-form');
    await markForm.waitFor();
    // The kind starts as the checker's for that side; the correction box (a multi-line text area)
    // starts as the selected fragment.
    assert.equal(await wv.locator('.mark-form .mark-kind').evaluate((e) => (e as HTMLElement & { value: string }).value), 'wrong_value');
    const correction = wv.locator('.mark-form textarea.mark-correction');
    assert.equal(await correction.inputValue(), wrongText);
    await correction.fill(rightText);
    await wv.locator('.mark-form .mark-note input').fill('hand-made in the e2e test');
    await page.keyboard.press('Control+Enter');
    await wv.locator(`.review-progress[data-total="${run.pairs.length + 1}"]`).waitFor({ timeout: 30_000 });
    await wv.locator('.review-item', { hasText: 'by hand' }).waitFor();
    await markForm.waitFor({ state: 'detached' });
    // M keeps your place.
    await current(ids[3]).waitFor();
    await wv.locator('.review-detail .detail-title', { hasText: 'Pair 4 of' }).waitFor();
    await screenshot(page, 'review-queue');

    // S skips the fourth pair (the queue moves on); Ctrl+Z undoes that, back on it, pending.
    await page.keyboard.press('s');
    await wv.locator(`.review-item[data-id="${ids[3]}"][data-state="skipped"]`).waitFor();
    await wv.locator('.review-item.selected', { hasText: 'by hand' }).waitFor();
    await page.keyboard.press('Control+z');
    await wv.locator(`.review-item.selected[data-id="${ids[3]}"][data-state="pending"]`).waitFor();

    // Ctrl+G jumps to a sample id: its first pair is selected.
    await page.keyboard.press('Home');
    await current(ids[0]).waitFor();
    await page.keyboard.press('Control+g');
    await wv.locator('.review-jump input').fill(run.pairs[2].sampleId);
    await page.keyboard.press('Enter');
    const firstOfSample = (await wv.locator('.review-item .review-sample').allTextContents()).indexOf(run.pairs[2].sampleId);
    assert.ok(firstOfSample >= 0);
    await current(ids[firstOfSample]).waitFor();
    await wv.locator('.review-detail .detail-title', { hasText: `Pair ${firstOfSample + 1} of` }).waitFor();
    await page.setViewportSize({ width: 1500, height: 900 });

    // The decisions are on disk, in the journal the CLI reads: undos as restore entries.
    const review = await readReview(dataset);
    assert.equal(review.decisions.get(ids[0])?.state, 'accepted');
    const rejected = review.decisions.get(ids[1]);
    assert.deepEqual([rejected?.state, rejected?.reason, rejected?.comment], ['rejected', 'too_alike', 'the two values say the same']);
    assert.equal(review.decisions.get(ids[2])?.state, 'edited');
    assert.equal(review.decisions.get(ids[3])?.state ?? 'pending', 'pending', 'the skip is undone');
    const entries = (await readJournal<ReviewEntry>(reviewPath(dataset))).entries;
    assert.deepEqual(entries.flatMap((e) => (e.type === 'restore' ? [e.pairId] : [])), [ids[0], ids[3]]);
    assert.equal(review.annotations.length, 1);
    assert.equal(review.annotations[0].text.slice(review.annotations[0].start, review.annotations[0].end), wrongText);
    assert.equal(review.annotations[0].correction, rightText);
    assert.equal(review.annotations[0].note, 'hand-made in the e2e test');
    const accepted = 3; // accepted + edited + the pair made by hand

    // Start the round: the start form on the round dashboard, filled in with the defaults the
    // export would use (LLaMA-Factory from itool.trainer.backend, SimPO from itool.trainer.prefLoss,
    // the SimPO authors' β, γ, rate and epochs); it says what is trained on and what is left out.
    await runCommand(page, 'iTool: Start Optimization Round');
    const board = webview(page);
    const form = board.locator('.training-form:not([hidden])');
    await form.waitFor({ timeout: 30_000 });
    assert.deepEqual(await formValues(board), { backend: 'llamafactory', objective: 'simpo', beta: '2.5', gamma: '0.5', learningRate: '1e-6', epochs: '2' });
    await board.locator('.training-form[data-errors=""]').waitFor();
    assert.equal(await form.getAttribute('data-pending'), String(run.pairs.length - 3));
    assert.match((await form.locator('.form-pairs').textContent()) ?? '', new RegExp(`^${accepted} accepted pairs \\(1 made by hand\\) will be trained on · ${run.pairs.length - 3} pending pairs? (is|are) left out · base model: `));
    assert.match((await form.locator('#form-hint-objective').textContent()) ?? '', /defaults from the SimPO authors’ run/);
    // The review's notifications would cover the form in the screenshots.
    await runCommand(page, 'Notifications: Clear All Notifications');
    for (const [theme, themeName] of [['light', 'Light Modern'], ['dark', 'Dark Modern']] as const) {
      await setTheme(page, board, themeName);
      for (const [w, h] of [[1280, 720], [1920, 1080]] as const) {
        await page.setViewportSize({ width: w, height: h });
        await screenshot(page, `training-form-${w}x${h}-${theme}`);
      }
    }
    // A wrong value is named beside its field, and Start is refused until it is right.
    const beta = board.locator('.training-form .form-beta input');
    await beta.fill('0');
    await board.locator('.training-form[data-errors="beta"]').waitFor();
    assert.match((await board.locator('#form-error-beta').textContent()) ?? '', /β must be a number greater than 0 \(SimPO's default is 2\.5\)/);
    await board.locator('.training-form .form-start').click();
    await board.locator('.form-message', { hasText: 'Fix the marked settings to start.' }).waitFor();
    await screenshot(page, 'training-form-invalid-1280x720-dark');
    await setTheme(page, board, 'Light Modern');
    await page.setViewportSize({ width: 1500, height: 900 });
    // β 2 and 8 epochs (8 steps of the stand-in's 5 s: time to watch the curve grow), started from the keyboard.
    await beta.fill('2');
    await board.locator('.training-form .form-epochs input').fill('8');
    await board.locator('.training-form[data-errors=""]').waitFor();
    assert.match((await board.locator('#form-hint-beta').textContent()) ?? '', /default 2\.5/);
    await page.keyboard.press('Control+Enter');
    await board.locator('.training-form[hidden]').waitFor({ state: 'attached', timeout: 60_000 });
    const note = page.locator('.notifications-toasts .notification-toast', { hasText: 'training (llamafactory)' });
    await note.waitFor({ timeout: 30_000 });
    // The export carries the changed values, and the round records them.
    const started = (await readRegistry(join(s.workspace, DATASET))).rounds.find((r) => r.round === 1)!;
    assert.deepEqual(started.export?.training, { objective: 'simpo', beta: 2, gamma: 0.5, learningRate: 1e-6, epochs: 8 });
    const startedYaml = parseYaml(readFileSync(started.export!.files.find((f) => f.endsWith('.yaml'))!, 'utf8')) as Record<string, unknown>;
    assert.deepEqual([startedYaml.pref_loss, startedYaml.pref_beta, startedYaml.simpo_gamma, startedYaml.learning_rate, startedYaml.num_train_epochs], ['simpo', 2, 0.5, 1e-6, 8]);
    // The loss curve grows on the dashboard while the stand-in trains: a point per logged step.
    const loss = board.locator('.chart.loss[data-running="1"]');
    await loss.waitFor({ timeout: 60_000 });
    const points = async () => (JSON.parse((await board.locator('.chart.loss').getAttribute('data-points')) ?? '{}') as Record<string, number>)['1'] ?? 0;
    await until(async () => (await points()) >= 1, 60_000, 'the first loss point');
    const firstSeen = await points();
    await until(async () => (await points()) > firstSeen, 60_000, 'the curve to grow');
    assert.equal(await loss.getAttribute('data-x-max'), '8', 'the step axis runs to the run’s 8 steps');
    const last = (JSON.parse((await loss.getAttribute('data-last')) ?? '{}') as Record<string, { step: number; loss: number } | null>)['1'];
    assert.ok(last && last.step > 1 && last.loss > 0, JSON.stringify(last));
    assert.ok(Number(await loss.getAttribute('data-y-min')) <= last.loss && Number(await loss.getAttribute('data-y-max')) >= last.loss, 'the loss axis holds the data');
    assert.match((await loss.locator('.chart-summary').textContent()) ?? '', /round 1 \(llamafactory, training\): step \d+ of 8, loss [\d.]+ · SimPO · β 2 · γ 0\.5 · lr 1e-6 · 8 epochs/);
    assert.equal(await loss.locator('canvas').isVisible(), true);
    await page.setViewportSize({ width: 1280, height: 720 });
    await screenshot(page, 'loss-curve-running-1280x720-light');
    await page.setViewportSize({ width: 1500, height: 900 });
    // The progress bar moves with the trainer's log lines (percentage, loss, time left).
    await page.locator('.notifications-toasts .notification-toast', { hasText: /\d+% · step \d+\/\d+ · loss/ }).waitFor({ timeout: 60_000 });
    await screenshot(page, 'round-training-progress');
    // A window reload while the trainer runs: the job goes on (a detached runner), and the
    // reloaded window re-attaches to it.
    await page.reload();
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.notifications-toasts .notification-toast', { hasText: 'training (llamafactory)' }).waitFor({ timeout: 60_000 });
    const during = (await readRegistry(join(s.workspace, DATASET))).rounds.find((r) => r.round === 1)!;
    assert.equal(during.job?.status, 'running', 'the job was still running when the reloaded window re-attached');
    const done = page.locator('.notifications-toasts .notification-toast', { hasText: 'round 1 trained (llamafactory)' });
    await done.waitFor({ timeout: 120_000 });

    const reg = await readRegistry(join(s.workspace, DATASET));
    const r1 = reg.rounds.find((r) => r.round === 1)!;
    assert.equal(r1.job?.status, 'succeeded');
    assert.equal(r1.pairs?.accepted, accepted);
    assert.equal(r1.pairs?.manual, 1);
    assert.equal(r1.pairs?.found, run.pairs.length + 1);
    // The LLaMA-Factory export holds exactly the accepted pairs, the edit and the hand-made one included.
    const data = JSON.parse(readFileSync(r1.export!.files.find((f) => /itool_round1\.json$/.test(f))!, 'utf8')) as unknown[];
    assert.equal(data.length, accepted);
    const yamlFile = r1.export!.files.find((f) => f.endsWith('.yaml'))!;
    const yaml = parseYaml(readFileSync(yamlFile, 'utf8')) as Record<string, unknown>;
    assert.equal(yaml.stage, 'dpo');
    assert.equal(yaml.pref_loss, 'simpo');
    assert.equal(yaml.num_train_epochs, 8);
    // The trainer's log reached its last step, as the stand-in wrote it.
    const log = readFileSync(r1.job!.trainerLogPath!, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { current_steps: number; total_steps: number; percentage: number });
    assert.equal(log.at(-1)!.current_steps, log.at(-1)!.total_steps);
    assert.ok(existsSync(join(r1.job!.outputDir!, 'adapter_config.json')), 'the trainer wrote its adapter');

    // Evaluate: the held-out split (asked once), the base policy as the baseline, and the trained
    // policy (the adapter is no ONNX export, so the user points at one). The notification's button
    // evaluates this dataset's round 1 even when the reloaded window has not restored the dataset
    // panel yet; each question is answered only once it is the one on screen.
    await page.locator('.notifications-toasts .notification-toast .monaco-button', { hasText: 'Evaluate' }).click();
    const quickInput = page.locator('.quick-input-widget');
    await quickInput.locator('.quick-input-title', { hasText: 'Held-out split to evaluate every round on' }).waitFor({ timeout: 30_000 });
    await quickInput.locator('input').fill(HELD_OUT);
    await quickInput.locator('.quick-input-list .monaco-list-row', { hasText: 'parallel_multiple.json' }).first().click();
    await quickInput.locator('.quick-input-title', { hasText: "Round 1's trained policy" }).waitFor({ timeout: 180_000 });
    await quickInput.locator('.quick-input-list .monaco-list-row', { hasText: 'ONNX folder' }).first().click();
    // VS Code's own folder dialog: the path typed with a trailing slash takes it into the folder
    // (its onnx/ listed), then its accept button takes the folder. No Enter: an Enter or a click
    // that comes while the listing catches up with the typed path is taken as going into the
    // folder, and the dialog stayed open; a click it drops is made again.
    await quickInput.locator('.quick-input-title', { hasText: 'ONNX export of the trained policy' }).waitFor();
    await quickInput.locator('.quick-input-list .monaco-list-row', { hasText: '..' }).first().waitFor();
    await quickInput.locator('input').fill(`${trainedModel}/`);
    await quickInput.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: /^onnx$/ }) }).waitFor();
    for (let tries = 0; await quickInput.isVisible(); tries++) {
      assert.ok(tries < 5, 'the folder dialog takes the trained model’s folder');
      await quickInput.locator('.monaco-button', { hasText: 'Evaluate This Model' }).click({ timeout: 5_000 }).catch(() => undefined);
      await quickInput.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
    }

    // The dashboard opens with the numbers the registry holds.
    const dash = page.frameLocator('iframe.webview.ready >> visible=true').frameLocator('iframe#active-frame');
    const chart = dash.locator('.chart.accuracy[data-rounds="0,1"]');
    await chart.waitFor({ timeout: 240_000 });
    const after1 = await readRegistry(join(s.workspace, DATASET));
    const r = after1.rounds.find((x) => x.round === 1)!;
    assert.ok(r.baseline && r.evaluation, 'baseline and round evaluation recorded');
    assert.equal(r.evaluation!.total, r.baseline!.total);
    assert.ok(r.evaluation!.total > 0);
    // What the user reads on the dashboard is the registry's numbers: base, then round 1.
    assert.equal(await chart.getAttribute('data-accuracy'), [r.baseline!.accuracy, r.evaluation!.accuracy].map((a) => (100 * a).toFixed(1)).join(','));
    assert.equal(await dash.locator('.chart.pairs').getAttribute('data-accepted'), String(accepted));
    await screenshot(page, 'round-dashboard-after-training');
    // The finished round keeps its curve: every one of its 8 steps, read from its trainer log.
    const finished = dash.locator('.chart.loss[data-running=""]');
    await finished.waitFor({ timeout: 30_000 });
    assert.equal(await finished.getAttribute('data-points'), JSON.stringify({ 1: 8 }));
    assert.equal(await finished.getAttribute('data-status'), JSON.stringify({ 1: 'succeeded' }));
    assert.equal(await finished.getAttribute('data-malformed'), JSON.stringify({ 1: 0 }));
    for (const [theme, themeName] of [['light', 'Light Modern'], ['dark', 'Dark Modern']] as const) {
      await setTheme(page, dash, themeName);
      for (const [w, h] of [[1280, 720], [1920, 1080]] as const) {
        await page.setViewportSize({ width: w, height: h });
        await finished.locator('canvas').waitFor();
        await screenshot(page, `loss-curve-${w}x${h}-${theme}`);
      }
    }
    await setTheme(page, dash, 'Light Modern');
  });
});

/** The start form's values as the page holds them. */
async function formValues(wv: FrameLocator): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [k, cls] of [['backend', 'form-backend'], ['objective', 'form-objective'], ['beta', 'form-beta'], ['gamma', 'form-gamma'], ['learningRate', 'form-lr'], ['epochs', 'form-epochs']]) {
    out[k] = await wv.locator(`.training-form .${cls}`).evaluate((e) => (e as HTMLElement & { value: string }).value);
  }
  return out;
}

/** Switch the colour theme with the theme picker, as a user would, and wait for the webview to follow. */
async function setTheme(page: Page, wv: FrameLocator, name: string): Promise<void> {
  const dark = /dark/i.test(name);
  await runCommand(page, 'Preferences: Color Theme');
  await page.locator('.quick-input-widget input').fill(name);
  await page.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${name}$`) }) }).first().click();
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  await wv.locator(`body.${dark ? 'vscode-dark' : 'vscode-light'}`).waitFor({ timeout: 30_000 });
}

/** Poll until `test` holds (the page's data attributes change as the trainer logs). */
async function until(test: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
