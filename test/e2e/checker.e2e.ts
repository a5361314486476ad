// The checker where users read, in a real VS Code: a BFCL dataset with a predictions file shows
// verdicts in the list, highlighted faulty fragments in the detail view, a summary chart, and
// filters by error kind; the same predictions open as text get diagnostics at the exact ranges.
// The panel must agree with `itool check` on every row. Each error kind has its own colour (the
// kind table, src/core/toolcall/errorKinds.ts) with its name beside it, in light and dark themes.
// Screenshots at 1280×720: test-output/e2e/error-kinds-light.png and error-kinds-dark.png.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ERROR_KIND_INFO } from '../../src/core/toolcall/errorKinds';
import { decodedToRaw, locateStringValue, rawSpan } from '../../src/core/toolcall/jsonSpans';
import type { ErrorKind } from '../../src/core/toolcall/types';
import { ROOT, openDataset, pickFileInDialog, quickOpen, runCommand, screenshot, startSession, webview, type Session, scrollToRow } from './codeServer';

const DEMO = join(ROOT, 'demo');
const DATASET = 'datasets/bfcl/BFCL_v4_simple_python.json';
const ANSWERS = 'datasets/bfcl/possible_answer/BFCL_v4_simple_python.json';

type GroundTruth = Record<string, Record<string, unknown[]>>;

function py(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (Array.isArray(v)) return `[${v.map(py).join(', ')}]`;
  if (typeof v === 'object') return `{${Object.entries(v as object).map(([k, x]) => `${JSON.stringify(k)}: ${py(x)}`).join(', ')}}`;
  return String(v);
}

/** The ground truth as a model would write it: first accepted value of each parameter that is given. */
function render(gt: GroundTruth): { name: string; args: [string, unknown][] } {
  const [name, params] = Object.entries(gt)[0];
  const args = Object.entries(params).flatMap(([k, vals]) => (vals[0] === '' ? [] : [[k, vals[0]] as [string, unknown]]));
  return { name, args };
}
const call = (c: { name: string; args: [string, unknown][] }) => `[${c.name}(${c.args.map(([k, v]) => `${k}=${py(v)}`).join(', ')})]`;

/** '#rrggbb' as getComputedStyle writes it. */
const rgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;

/** The first argument's value made wrong (+7, or another string). */
const wrongValue = (v: unknown): unknown => (typeof v === 'number' ? v + 7 : 'definitely wrong');
/** The value in the wrong type (a number as a string, anything else as a number). */
const wrongType = (v: unknown): unknown => (typeof v === 'number' ? String(v) : 7);

/**
 * Outputs for the first 24 samples: every 6th right, the others each with one kind of fault (eight
 * kinds in all), and output 21 with three (a wrong value, a wrong type and an invented argument).
 */
function predictions(): { id: string; output: string }[] {
  const answers = readFileSync(join(DEMO, ANSWERS), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; ground_truth: GroundTruth[] });
  return answers.slice(0, 24).map(({ id, ground_truth }, k) => {
    const c = render(ground_truth[0]);
    switch (k % 6) {
      case 1: // a wrong value in the first argument
        return { id, output: call({ ...c, args: c.args.map(([n, v], j) => [n, j === 0 ? wrongValue(v) : v]) }) };
      case 2: // the first argument left out
        return { id, output: call({ ...c, args: c.args.slice(1) }) };
      case 3:
        if (k === 15) return { id, output: call({ ...c, args: c.args.map(([n, v], j) => [n, j === 0 ? wrongType(v) : v]) }) }; // a wrong type
        if (k === 21) return { id, output: call({ ...c, args: [...c.args.map(([n, v], j): [string, unknown] => [n, j === 0 ? wrongValue(v) : j === 1 ? wrongType(v) : v]), ['invented_flag', true]] }) }; // three faults
        return { id, output: call({ ...c, args: [...c.args, ['invented_flag', true]] }) }; // an invented argument
      case 4:
        if (k === 16) return { id, output: `[${call(c).slice(1, -1)}, ${call(c).slice(1, -1)}]` }; // the call twice
        if (k === 22) return { id, output: 'I am sorry, I cannot compute that.' }; // an answer in text instead of a call
        return { id, output: call({ ...c, name: `${c.name}_v2` }) }; // a function that is not the one asked for
      case 5: // cut off mid-call
        return { id, output: call(c).slice(0, -3) };
      default:
        return { id, output: call(c) };
    }
  });
}

describe('checker in code-server', { timeout: 300_000 }, () => {
  let s: Session;
  let cli: { id: string; valid: boolean; errors: { kind: string; span?: { start: number; end: number } }[] }[];
  let predsFile: string;
  before(async () => {
    s = await startSession({ workspaceFrom: DEMO });
    predsFile = join(s.workspace, 'datasets', 'bfcl', 'simple_outputs.jsonl');
    writeFileSync(predsFile, predictions().map((p) => JSON.stringify(p)).join('\n') + '\n');
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'check', join(s.workspace, DATASET), '--outputs', predsFile, '--json'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    cli = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  });
  after(async () => {
    await s?.close();
  });

  it('loads predictions into the panel: verdicts, summary and filters agree with itool check', async () => {
    const validCli = cli.filter((r) => r.valid).length;
    assert.equal(validCli, 4, 'every sixth output is right');
    await openDataset(s.page, DATASET);
    const wv = webview(s.page);
    await wv.locator('.count[data-count="40"]').waitFor({ timeout: 60_000 });
    await runCommand(s.page, 'iTool: Load Predictions to Check');
    await pickFileInDialog(s.page, predsFile);
    const summary = wv.locator('.summary.checker');
    await summary.and(wv.locator(`[data-checked="${cli.length}"]`)).waitFor({ timeout: 60_000 });
    assert.equal(await summary.getAttribute('data-valid'), String(validCli));
    // Each row's verdict equals the CLI's, kinds included.
    for (let k = 0; k < cli.length; k++) {
      const cell = wv.locator(`#row-${k} .cell.check[data-kinds]`);
      await scrollToRow(wv, k);
      await cell.waitFor();
      const kinds = [...new Set(cli[k].errors.map((e) => e.kind))].sort().join(' ');
      assert.equal((await cell.getAttribute('data-kinds'))?.split(' ').filter(Boolean).sort().join(' ') ?? '', kinds, `row ${k}`);
      assert.equal(await cell.textContent(), cli[k].valid ? '✓' : `✗${kinds.split(' ').length > 1 ? kinds.split(' ').length : ''}`);
    }
    // Filter: only the outputs with a wrong value.
    const wrongValue = cli.filter((r) => r.errors.some((e) => e.kind === 'wrong_value')).length;
    assert.ok(wrongValue > 0);
    await wv.locator('.ui-select.filter-kind').click();
    await wv.locator('.ui-select.filter-kind [role="option"]', { hasText: 'Error: wrong value' }).click();
    await wv.locator(`.count[data-count="${wrongValue}"]`).waitFor({ timeout: 30_000 });
    await wv.locator('.ui-select.filter-kind').click();
    await wv.locator('.ui-select.filter-kind [role="option"]', { hasText: 'Any error kind' }).click();
    await wv.locator('.count[data-count="40"]').waitFor();
  });

  it('highlights the faulty fragment in the detail view', async () => {
    const wv = webview(s.page);
    const k = 1; // the wrong-value output
    const out = predictions()[k].output;
    const err = cli[k].errors.find((e) => e.kind === 'wrong_value')!;
    await wv.locator(`#row-${k}`).click();
    const mark = wv.locator('.detail .verdict mark.err-wrong_value').first();
    await mark.waitFor();
    assert.equal(await mark.textContent(), out.slice(err.span!.start, err.span!.end));
    assert.match((await mark.getAttribute('title')) ?? '', /wrong value/);
    await wv.locator('.detail .verdict-badge.invalid').waitFor();
    await screenshot(s.page, 'checker-panel-highlights');
  });

  it('one colour per error kind, named beside it: summary chart, highlights, error list; light and dark (1280×720)', async () => {
    const wv = webview(s.page);
    const present = [...new Set(cli.flatMap((r) => r.errors.map((e) => e.kind)))].sort();
    assert.deepEqual(present, ['missing_required_param', 'parse_error', 'should_call', 'unexpected_param', 'wrong_call_count', 'wrong_function', 'wrong_type', 'wrong_value']);
    await s.page.setViewportSize({ width: 1280, height: 720 });
    // The sample with three faults: three highlights in three colours, each kind named in the list beside a swatch of its colour.
    const k = 21;
    await scrollToRow(wv, k);
    await wv.locator(`#row-${k}`).click();
    const verdict = wv.locator('.detail .verdict').first();
    await verdict.locator('mark.err-wrong_type').waitFor();
    const check = async (theme: 'light' | 'dark') => {
      const kinds = [...new Set(cli[k].errors.map((e) => e.kind))].sort() as ErrorKind[];
      assert.deepEqual(kinds, ['unexpected_param', 'wrong_type', 'wrong_value']);
      for (const kind of kinds) {
        const want = rgb(ERROR_KIND_INFO[kind].colour[theme]);
        const mark = verdict.locator(`mark.err-${kind}`).first();
        assert.equal(await mark.evaluate((m) => getComputedStyle(m).textDecorationColor), want, `${kind}: underline`);
        const item = verdict.locator(`.error-list li[data-kind="${kind}"]`).first();
        assert.equal(await item.locator('.kind-tag').textContent(), ERROR_KIND_INFO[kind].label, `${kind}: named`);
        assert.equal(await item.locator('.kind-swatch').evaluate((w) => getComputedStyle(w).backgroundColor), want, `${kind}: swatch beside the name`);
      }
      // The summary chart: one bar per kind, each in its kind's colour, named on the axis (chart.js labels).
      const colours = JSON.parse((await wv.locator('.summary.checker').getAttribute('data-colours')) ?? '{}') as Record<string, string>;
      assert.deepEqual(Object.keys(colours).sort(), present);
      for (const [kind, c] of Object.entries(colours)) assert.equal(c, ERROR_KIND_INFO[kind as ErrorKind].colour[theme], `${kind}: bar`);
    };
    await check('light');
    await screenshot(s.page, 'error-kinds-light');
    const setTheme = async (name: string) => {
      await runCommand(s.page, 'Preferences: Color Theme');
      await s.page.locator('.quick-input-widget input').fill(name);
      await s.page.locator('.quick-input-list .monaco-list-row').filter({ has: s.page.locator('.label-name', { hasText: new RegExp(`^${name}$`) }) }).click();
    };
    await setTheme('Dark Modern');
    await wv.locator('body.vscode-dark').waitFor({ timeout: 30_000 });
    await wv.locator('.summary.checker[data-colours*="#2fbda8"]').waitFor({ timeout: 30_000 });
    await check('dark');
    await screenshot(s.page, 'error-kinds-dark');
    await setTheme('Light Modern');
    await wv.locator('body.vscode-light').waitFor({ timeout: 30_000 });
    await s.page.setViewportSize({ width: 1500, height: 900 });
  });

  it('shows the same errors as diagnostics when the predictions file is open as text', async () => {
    const total = cli.reduce((n, r) => n + r.errors.length, 0);
    await quickOpen(s.page, 'simple_outputs.jsonl');
    // Status bar: the error count of the whole workspace equals the CLI's number of errors.
    const errorsItem = s.page.locator('#status\\.problems');
    await s.page.waitForFunction((n) => (document.getElementById('status.problems')?.textContent ?? '').trim().startsWith(String(n)), total, { timeout: 30_000 });
    assert.match((await errorsItem.textContent()) ?? '', new RegExp(`^\\s*${total}`));
    // The wrong-value diagnostic of line 2 starts at the raw column of the faulty fragment.
    const lineText = readFileSync(predsFile, 'utf8').split('\n')[1];
    const lit = locateStringValue(lineText, 'output')!;
    const err = cli[1].errors.find((e) => e.kind === 'wrong_value')!;
    const col = rawSpan(decodedToRaw(lineText, lit.start, lit.end), err.span!).start + 1;
    await runCommand(s.page, 'View: Focus Problems (Errors, Warnings, Infos)');
    await s.page.locator('.markers-panel .monaco-list-row', { hasText: `[Ln 2, Col ${col}]` }).first().waitFor({ timeout: 30_000 });
    assert.ok(await s.page.locator('.markers-panel .monaco-list-row', { hasText: 'iTool checker' }).count());
    await s.page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 30_000 });
    await screenshot(s.page, 'checker-text-diagnostics');
  });

  it('a predictions sidecar beside the dataset loads by itself, with the same totals as itool check', async () => {
    const rel = 'datasets/bfcl/BFCL_v4_parallel_multiple.json';
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'check', join(s.workspace, rel), '--outputs', join(s.workspace, 'datasets/bfcl/BFCL_v4_parallel_multiple.predictions.jsonl'), '--json'], { encoding: 'utf8' });
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { valid: boolean });
    await openDataset(s.page, rel);
    const wv = webview(s.page);
    await wv.locator(`.summary.checker[data-checked="${rows.length}"]`).waitFor({ timeout: 60_000 });
    assert.equal(await wv.locator('.summary.checker').getAttribute('data-valid'), String(rows.filter((x) => x.valid).length));
    await wv.locator('.ui-select.filter').click();
    await wv.locator('.ui-select.filter [role="option"]', { hasText: 'Output invalid' }).click();
    await wv.locator(`.count[data-count="${rows.filter((x) => !x.valid).length}"]`).waitFor({ timeout: 30_000 });
    await wv.locator('#row-0').click();
    await wv.locator('.detail .verdict-badge.invalid').waitFor();
    await screenshot(s.page, 'checker-sidecar-parallel-multiple');
  });
});
