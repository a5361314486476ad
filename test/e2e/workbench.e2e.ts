// End to end in a real VS Code (code-server + Chromium): the packaged extension opens demo
// datasets; the list shows the right count, the detail view the right content, search narrows
// the list, filters combine, columns resize and hide and stay so after a reload, malformed
// records are listed by line with their whole reason, and HTML in dataset text never runs.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FrameLocator, Page } from 'playwright-core';
import { ROOT, choose, openDataset, runCommand, screenshot, searchList, startSession, webview, type Session, scrollToRow } from './codeServer';

const DEMO = join(ROOT, 'demo');

/** The test's own reading of a JSONL file: non-blank lines (independent of the extension's index). */
function jsonlLines(rel: string): string[] {
  return readFileSync(join(DEMO, rel), 'utf8').split('\n').filter((l) => l.trim() !== '');
}

/** What the browser logged about the Content Security Policy refusing something (a script, a style, a font). */
function cspViolations(consoleErrors: string[]): string[] {
  return consoleErrors.filter((e) => /Content Security Policy|Refused to/i.test(e));
}

/** Reload the panel's page (what a window reload does to it): it comes back from its kept state. */
async function reloadPanel(page: Page, rows: number): Promise<FrameLocator> {
  await runCommand(page, 'Developer: Reload Webviews');
  const wv = webview(page);
  await wv.locator(`.count[data-count="${rows}"]`).waitFor({ timeout: 60_000 });
  await wv.locator('#row-0 .col-id').waitFor();
  return wv;
}

/** A cell's rendered width; waits for it to be on screen (after a reload the list is rebuilt, and boundingBox() is null until then). */
const widthOf = async (wv: FrameLocator, selector: string) => {
  const cell = wv.locator(selector);
  await cell.waitFor();
  return Math.round((await cell.boundingBox())!.width);
};

describe('dataset workbench in code-server', { timeout: 300_000 }, () => {
  let s: Session;
  before(async () => {
    s = await startSession({ workspaceFrom: DEMO });
  });
  after(async () => {
    await s?.close();
  });

  it('opens a BFCL file: list count, detail with question, tools and possible answers', async () => {
    const rel = 'datasets/bfcl/BFCL_v4_simple_python.json';
    const lines = jsonlLines(rel);
    const first = JSON.parse(lines[0]) as { id: string; question: { content: string }[][]; function: { name: string }[] };
    await openDataset(s.page, rel);
    const wv = webview(s.page);
    const badge = wv.locator('.count');
    await assert.doesNotReject(badge.and(wv.locator(`[data-count="${lines.length}"]`)).waitFor({ timeout: 60_000 }));
    assert.equal(await badge.textContent(), `${lines.length} records`);
    assert.match((await wv.locator('.title').textContent()) ?? '', /BFCL/);
    // First row holds the first record's id and question.
    const row0 = wv.locator('#row-0');
    await row0.waitFor();
    assert.match((await row0.textContent()) ?? '', new RegExp(first.id));
    await row0.click();
    const detail = wv.locator('.detail');
    await detail.locator('.detail-title', { hasText: `Sample ${first.id}` }).waitFor();
    const detailText = (await detail.textContent()) ?? '';
    assert.ok(detailText.includes(first.question[0][0].content), 'detail shows the user question');
    assert.ok(detailText.includes(first.function[0].name), 'detail shows the tool name');
    assert.ok(detailText.includes('Possible answers (BFCL)'), 'detail shows the BFCL possible answers');
    // Keyboard: ↓ moves the selection to the next sample.
    await wv.locator('.list').focus();
    await s.page.keyboard.press('ArrowDown');
    const second = JSON.parse(lines[1]) as { id: string };
    await detail.locator('.detail-title', { hasText: `Sample ${second.id}` }).waitFor();
    await screenshot(s.page, 'bfcl-simple-python');
    // The panel's page and its controls ask the strict CSP (nonce'd script, no inline style) for nothing it refuses.
    assert.deepEqual(cspViolations(s.consoleErrors), [], 'no CSP violation in the console while the panel loaded');
  });

  it('search narrows the list to matching samples', async () => {
    const rel = 'datasets/bfcl/BFCL_v4_simple_python.json';
    const lines = jsonlLines(rel);
    const needle = 'triangle';
    const expected = lines.filter((l) => l.toLowerCase().includes(needle)).length;
    assert.ok(expected > 0 && expected < lines.length, 'the needle must be selective for this test to mean anything');
    const wv = webview(s.page);
    await searchList(wv, needle);
    await wv.locator(`.count[data-count="${expected}"]`).waitFor({ timeout: 30_000 });
    assert.equal(await wv.locator('.count').textContent(), `${expected} of ${lines.length}`);
    await searchList(wv, '');
    await wv.locator(`.count[data-count="${lines.length}"]`).waitFor({ timeout: 30_000 });
  });

  it('columns: resized by drag and by keyboard, hidden and shown, and so after a reload; id and question readable at 1280×720', async () => {
    const rows = jsonlLines('datasets/bfcl/BFCL_v4_simple_python.json');
    await s.page.setViewportSize({ width: 1280, height: 720 });
    let wv = webview(s.page);
    await wv.locator('#row-0 .col-id').waitFor();
    // Sensible defaults: every id on screen whole, the first user message the widest column.
    const ids = wv.locator('.list .row .col-id');
    assert.ok((await ids.count()) >= 10);
    const cut = await ids.evaluateAll((cells) => cells.filter((e) => e.scrollWidth > e.clientWidth).map((e) => e.textContent));
    assert.deepEqual(cut, [], 'no id is cut');
    const userWidth = await widthOf(wv, '.list-header .col-user');
    assert.ok(userWidth >= 180, `the first user message has room to be read (${userWidth}px)`);
    assert.ok(userWidth > (await widthOf(wv, '.list-header .col-id')), 'and more than the id');

    // Drag the id column's right edge 50 px to the right.
    const before = await widthOf(wv, '.list-header .col-id');
    const handle = wv.locator('.list-header .col-resize-id');
    const h = (await handle.boundingBox())!;
    await s.page.mouse.move(h.x + h.width / 2, h.y + h.height / 2);
    await s.page.mouse.down();
    await s.page.mouse.move(h.x + h.width / 2 + 50, h.y + h.height / 2, { steps: 5 });
    await s.page.mouse.up();
    const dragged = await widthOf(wv, '.list-header .col-id');
    assert.ok(Math.abs(dragged - before - 50) <= 2, `dragged from ${before} to ${dragged}`);
    assert.equal(await widthOf(wv, '#row-0 .col-id'), dragged, 'the rows follow the header');
    // The keyboard: the handle is a focusable separator; → widens by 8 px.
    await handle.focus();
    await s.page.keyboard.press('ArrowRight');
    await s.page.keyboard.press('ArrowRight');
    const keyed = await widthOf(wv, '.list-header .col-id');
    assert.equal(keyed, dragged + 16);
    assert.equal(await handle.getAttribute('aria-valuenow'), String(keyed));
    assert.equal(await handle.getAttribute('role'), 'separator');

    // Hide the tools column with the chooser (keyboard: the menu's items are checkable).
    const menuButton = wv.locator('.columns-button');
    await menuButton.click();
    assert.equal(await menuButton.getAttribute('aria-expanded'), 'true');
    const tools = wv.locator('.columns-menu [role="menuitemcheckbox"][data-column="tools"]');
    assert.equal(await tools.getAttribute('aria-checked'), 'true');
    await screenshot(s.page, 'panel-columns-menu-1280x720');
    await tools.press('Space');
    assert.equal(await tools.getAttribute('aria-checked'), 'false');
    await s.page.keyboard.press('Escape');
    assert.equal(await menuButton.getAttribute('aria-expanded'), 'false');
    assert.equal(await wv.locator('.list-header .col-tools').isVisible(), false);
    assert.equal(await wv.locator('#row-0 .col-tools').isVisible(), false);
    assert.equal(await wv.locator('#row-0 .col-calls').isVisible(), true);

    // After a reload: the width and the hidden column as they were.
    wv = await reloadPanel(s.page, rows.length);
    assert.equal(await widthOf(wv, '.list-header .col-id'), keyed, 'the id column kept its width');
    assert.equal(await widthOf(wv, '#row-0 .col-id'), keyed);
    assert.equal(await wv.locator('#row-0 .col-tools').isVisible(), false, 'the tools column stayed hidden');
    await screenshot(s.page, 'panel-columns-after-reload-1280x720');
    // Shown again; the id column back to its default on a double click.
    await wv.locator('.columns-button').click();
    await wv.locator('.columns-menu [data-column="tools"]').click();
    await s.page.keyboard.press('Escape');
    await wv.locator('#row-0 .col-tools').waitFor();
    await wv.locator('.list-header .col-resize-id').dblclick();
    assert.equal(await widthOf(wv, '.list-header .col-id'), before);
    // The list beside the detail view: its separator moves from the keyboard too.
    const list = await widthOf(wv, '.list-pane');
    await wv.locator('.pane-splitter').focus();
    await s.page.keyboard.press('ArrowLeft');
    assert.ok((await widthOf(wv, '.list-pane')) < list, 'the list narrowed');
    await s.page.keyboard.press('ArrowRight');
    await s.page.setViewportSize({ width: 1500, height: 900 });
  });

  it('combines filters: what a sample answers and a search, counted from the file', async () => {
    const rel = 'datasets/openai_sample.jsonl';
    const lines = jsonlLines(rel);
    // The test's own reading: a record's answer is its last assistant message, text or calls.
    const text = lines.map((l) => {
      const m = (JSON.parse(l) as { messages: { role: string; tool_calls?: unknown[] }[] }).messages.filter((x) => x.role === 'assistant');
      return !m.at(-1)?.tool_calls?.length;
    });
    const needle = 'city';
    const want = (isText: boolean) => lines.filter((l, i) => text[i] === isText && l.toLowerCase().includes(needle)).length;
    assert.ok(want(true) > 0 && want(false) > 0 && want(true) < text.filter(Boolean).length, 'both filters narrow the list');
    await openDataset(s.page, rel);
    const wv = webview(s.page);
    await wv.locator(`.count[data-count="${lines.length}"]`).waitFor({ timeout: 60_000 });
    await choose(wv, 'filter', 'Answer is text');
    await wv.locator(`.count[data-count="${text.filter(Boolean).length}"]`).waitFor({ timeout: 30_000 });
    await searchList(wv, needle);
    await wv.locator(`.count[data-count="${want(true)}"]`).waitFor({ timeout: 30_000 });
    assert.equal(await wv.locator('.count').textContent(), `${want(true)} of ${lines.length}`);
    await choose(wv, 'filter', 'Answer calls a tool');
    await wv.locator(`.count[data-count="${want(false)}"]`).waitFor({ timeout: 30_000 });
    // One button clears them all.
    await wv.locator('.ui-button.filter-clear').click();
    await wv.locator(`.count[data-count="${lines.length}"]`).waitFor({ timeout: 30_000 });
    assert.equal(await wv.locator('.ui-textfield.search input').inputValue(), '');
    assert.equal(await wv.locator('.ui-button.filter-clear').isVisible(), false);
  });

  it('lists malformed records by line, loads the good ones, and shows HTML payloads as text', async () => {
    const rel = 'datasets/malformed_sample.jsonl';
    const lines = jsonlLines(rel);
    const bad = lines.filter((l) => {
      if (l.includes('\uFFFD')) return true; // bad UTF-8, decoded leniently by readFileSync
      try {
        const v = JSON.parse(l) as { messages?: unknown };
        return !Array.isArray(v.messages);
      } catch {
        return true;
      }
    }).length;
    assert.ok(bad >= 3, 'fixture has several malformed records');
    await openDataset(s.page, rel);
    const wv = webview(s.page);
    await wv.locator(`.count[data-count="${lines.length}"]`).waitFor({ timeout: 60_000 });
    const problems = wv.locator('.problems summary');
    await problems.waitFor();
    await wv.locator('.problems summary', { hasText: `${bad} malformed record(s)` }).waitFor({ timeout: 30_000 });
    // Each reason in full: wrapped in the list of problems, on hover in its row.
    await problems.click();
    const reasons = wv.locator('.problem-list li');
    assert.equal(await reasons.count(), bad);
    for (let k = 0; k < bad; k++) assert.ok(await reasons.nth(k).evaluate((e) => e.scrollWidth <= e.clientWidth), `problem ${k} is not cut`);
    const firstBad = wv.locator('.row.problem').first();
    await firstBad.waitFor();
    const reason = firstBad.locator('.col-user.problem-text');
    assert.equal(await reason.getAttribute('title'), await reason.textContent(), 'a cut reason reads whole on hover');
    await problems.click();
    // The record with HTML payloads: find its position, open it, and check it is shown as text.
    const payloadIndex = lines.findIndex((l) => l.includes('onerror'));
    assert.ok(payloadIndex >= 0, 'fixture has an HTML payload record');
    const row = wv.locator(`#row-${payloadIndex}`);
    await scrollToRow(wv, payloadIndex);
    await row.click();
    const detail = wv.locator('.detail');
    await detail.locator('.detail-title').filter({ hasText: 'Sample' }).waitFor();
    const shown = (await detail.textContent()) ?? '';
    assert.ok(shown.includes('onerror'), 'the payload text is visible as text');
    assert.equal(await detail.locator('img, script, iframe').count(), 0, 'no element was created from dataset text');
    const frame = s.page.frames().find((f) => f.url().includes('index.html') && f.url().includes('id='))?.childFrames()[0];
    const pwned = await Promise.all(s.page.frames().map((f) => f.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned).catch(() => undefined)));
    assert.ok(pwned.every((v) => v === undefined), 'no payload script ran in any frame');
    assert.ok(frame !== null);
    await screenshot(s.page, 'malformed-and-html-payloads');
  });

  it("LLaMA-Factory messages: one row per record with its answer count, each answer turn marked with its sample id, reasoning folded as text", async () => {
    const rel = 'datasets/llamafactory_v1_sample.jsonl';
    const lines = jsonlLines(rel);
    await openDataset(s.page, rel);
    const wv = webview(s.page);
    await wv.locator(`.count[data-count="${lines.length}"]`).waitFor({ timeout: 60_000 });
    assert.match((await wv.locator('.title').textContent()) ?? '', /LLaMA-Factory messages/);
    // Record 6 holds four assistant answers (two calls, two texts): still one row, saying so.
    const row = wv.locator('#row-5');
    await row.waitFor();
    await row.locator('.answers-pill').waitFor();
    assert.equal(await row.locator('.answers-pill').textContent(), '4 answers');
    assert.equal(await wv.locator('#row-4 .answers-pill').count(), 0, 'a record with one answer shows no count');
    await row.click();
    const detail = wv.locator('.detail');
    await detail.locator('.detail-title', { hasText: 'Sample 6' }).waitFor();
    assert.deepEqual(await detail.locator('.conversation .answer-id').allTextContents(), ['6#0', '6#1', '6#2', '6#3']);
    assert.match((await detail.locator('.detail-header .meta').textContent()) ?? '', /4 answers \(6#0 … 6#3\)/);
    // The reasoning: labelled, folded, apart from the answer's text, shown as text when opened.
    const reasoning = detail.locator('.conversation .turn-reasoning');
    assert.equal(await reasoning.count(), 1);
    assert.equal(await reasoning.locator('.reasoning-label').textContent(), 'reasoning');
    assert.equal(await reasoning.getAttribute('open'), null, 'folded at first');
    await reasoning.locator('summary').click();
    assert.equal(await reasoning.locator('.reasoning-text').textContent(), 'Same tool, other city.');
    assert.equal(await reasoning.locator('.reasoning-text').evaluate((e) => e.children.length), 0, 'reasoning is text, not markup');
    await screenshot(s.page, 'llamafactory-v1-answers-reasoning');
  });

  it('BFCL multi-turn: functions from the class docs, one answer per BFCL turn with its id', async () => {
    const rel = 'datasets/bfcl_multi_turn/BFCL_v4_multi_turn_base.json';
    const lines = jsonlLines(rel);
    const first = JSON.parse(lines[0]) as { id: string; question: { content: string }[][] };
    const docs = readFileSync(join(DEMO, 'datasets/bfcl_multi_turn/multi_turn_func_doc/gorilla_file_system.json'), 'utf8').split('\n').filter((l) => l.trim());
    const fnName = (JSON.parse(docs[0]) as { name: string }).name;
    await openDataset(s.page, rel);
    const wv = webview(s.page);
    await wv.locator(`.count[data-count="${lines.length}"]`).waitFor({ timeout: 60_000 });
    const row = wv.locator('#row-0');
    await row.waitFor();
    const turns = first.question.length;
    assert.equal(await row.locator('.answers-pill').textContent(), `${turns} answers`);
    await row.click();
    const detail = wv.locator('.detail');
    await detail.locator('.detail-title', { hasText: `Sample ${first.id}` }).waitFor();
    assert.deepEqual(await detail.locator('.conversation .answer-id').allTextContents(), Array.from({ length: turns }, (_, k) => `${first.id}#${k}`));
    const text = (await detail.textContent()) ?? '';
    assert.ok(text.includes(first.question[1][0].content), 'a later user turn is in the conversation');
    assert.ok(text.includes(fnName), 'the tools come from multi_turn_func_doc/');
    await screenshot(s.page, 'bfcl-multi-turn');
  });

  it('a 200k-sample file: only the visible rows exist, End jumps to the last sample', async () => {
    const n = 200_000;
    const lines: string[] = [];
    for (let i = 0; i < n; i++) {
      lines.push(JSON.stringify({ id: `rec-${i}`, messages: [{ role: 'user', content: `question number ${i}` }, { role: 'assistant', content: `answer ${i}` }], tools: [] }));
    }
    writeFileSync(join(s.workspace, 'big.jsonl'), lines.join('\n') + '\n');
    await openDataset(s.page, 'big.jsonl');
    const wv = webview(s.page);
    await wv.locator(`.count[data-count="${n}"]`).waitFor({ timeout: 60_000 });
    await wv.locator('#row-0', { hasText: 'question number 0' }).waitFor();
    const rendered = await wv.locator('.list .row').count();
    assert.ok(rendered > 10 && rendered < 120, `virtualised: ${rendered} rows in the DOM for ${n} samples`);
    await wv.locator('#row-0').click();
    await s.page.keyboard.press('End');
    await wv.locator(`#row-${n - 1}`, { hasText: `question number ${n - 1}` }).waitFor();
    await wv.locator('.detail .detail-title', { hasText: `Sample rec-${n - 1}` }).waitFor();
    await s.page.keyboard.press('PageUp');
    await wv.locator('.row.selected').waitFor();
    const sel = Number(await wv.locator('.row.selected').getAttribute('data-position'));
    assert.ok(sel < n - 1 && sel > n - 100, `PageUp moved the selection a page up (to ${sel})`);
    await screenshot(s.page, 'big-200k-end');
  });

  it('follows the colour theme: dark theme gives a dark panel', async () => {
    const wv = webview(s.page);
    const bgBefore = await wv.locator('body').evaluate((b) => getComputedStyle(b).backgroundColor);
    await runCommand(s.page, 'Preferences: Color Theme');
    await s.page.locator('.quick-input-widget input').fill('Dark Modern');
    const theme = s.page.locator('.quick-input-list .monaco-list-row').filter({ has: s.page.locator('.label-name', { hasText: /^Dark Modern$/ }) });
    await theme.click();
    await s.page.locator('.monaco-workbench.vs-dark').waitFor({ timeout: 30_000 });
    const luminance = (rgb: string) => {
      const [r, g, b] = (rgb.match(/\d+/g) ?? ['255', '255', '255']).map(Number);
      return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
    };
    await wv.locator('body').evaluate(() => new Promise((r) => setTimeout(r, 500)));
    const bgAfter = await wv.locator('body').evaluate((b) => getComputedStyle(b).backgroundColor);
    assert.ok(luminance(bgBefore) > 0.7, `light theme panel background ${bgBefore}`);
    assert.ok(luminance(bgAfter) < 0.3, `dark theme panel background ${bgAfter}`);
    const text = await wv.locator('.row').first().evaluate((r) => getComputedStyle(r).color);
    assert.ok(luminance(text) > 0.5, `text stays readable on dark: ${text}`);
    await screenshot(s.page, 'dark-theme');
  });

  it('LLaMA-Factory messages in the dark theme: answer ids and reasoning stay readable', async () => {
    await openDataset(s.page, 'datasets/llamafactory_v1_sample.jsonl');
    const wv = webview(s.page);
    await wv.locator('.count[data-count]').waitFor({ timeout: 60_000 });
    await wv.locator('#row-0').click();
    const detail = wv.locator('.detail');
    await detail.locator('.detail-title', { hasText: 'Sample 1' }).waitFor();
    assert.deepEqual(await detail.locator('.conversation .answer-id').allTextContents(), ['1#0', '1#1']);
    await detail.locator('.conversation .turn-reasoning summary').first().click();
    const luminance = (rgb: string) => {
      const [r, g, b] = (rgb.match(/\d+/g) ?? ['0', '0', '0']).map(Number);
      return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
    };
    const reasoningColour = await detail.locator('.reasoning-text').first().evaluate((e) => getComputedStyle(e).color);
    assert.ok(luminance(reasoningColour) > 0.4, `reasoning readable on dark: ${reasoningColour}`);
    await screenshot(s.page, 'llamafactory-v1-dark');
    // Nor did any panel of the session since (other files, search, the theme switch redrawing the controls).
    assert.deepEqual(cspViolations(s.consoleErrors), [], 'no CSP violation in the console in the whole session');
  });
});
