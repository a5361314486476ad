// The checker where users read, in a real VS Code: a BFCL dataset with a predictions file shows
// verdicts in the list, highlighted faulty fragments in the detail view, a summary chart, and
// filters by error kind; the same predictions open as text get diagnostics at the exact ranges.
// The panel must agree with `itool check` on every row.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodedToRaw, locateStringValue, rawSpan } from '../../src/core/toolcall/jsonSpans';
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

/** Outputs for the first 24 samples: every 6th right, the others each with one kind of fault. */
function predictions(): { id: string; output: string }[] {
  const answers = readFileSync(join(DEMO, ANSWERS), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; ground_truth: GroundTruth[] });
  return answers.slice(0, 24).map(({ id, ground_truth }, k) => {
    const c = render(ground_truth[0]);
    switch (k % 6) {
      case 1: // a wrong value in the first argument
        return { id, output: call({ ...c, args: c.args.map(([n, v], j) => [n, j === 0 ? (typeof v === 'number' ? v + 7 : 'definitely wrong') : v]) }) };
      case 2: // the first argument left out
        return { id, output: call({ ...c, args: c.args.slice(1) }) };
      case 3: // an invented argument
        return { id, output: call({ ...c, args: [...c.args, ['invented_flag', true]] }) };
      case 4: // a function that is not the one asked for
        return { id, output: call({ ...c, name: `${c.name}_v2` }) };
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
    await wv.locator('.ui-select.filter').click();
    await wv.locator('.ui-select.filter [role="option"]', { hasText: 'Error: wrong value' }).click();
    await wv.locator(`.count[data-count="${wrongValue}"]`).waitFor({ timeout: 30_000 });
    await wv.locator('.ui-select.filter').click();
    await wv.locator('.ui-select.filter [role="option"]', { hasText: 'All samples' }).click();
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
