// Panel benchmark: time from the index being ready to the first page of rows on screen, in a real
// VS Code (code-server + Chromium), for a 1M-sample file. Baseline: the same measurement, same
// process and browser, for a 40-sample file, so the ratio shows whether list size costs anything.
// Prints one JSON line: {"name","value","unit","baseline","ratio"}.
import { existsSync, mkdirSync, symlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openDataset, runCommand, startSession, webview, ROOT, type Session } from '../test/e2e/codeServer';

const BIG = join(ROOT, 'bench', 'data', '1m.jsonl');

async function firstPageMs(s: Session, rel: string, count: number): Promise<number> {
  await openDataset(s.page, rel);
  const wv = webview(s.page);
  await wv.locator(`.count[data-count="${count}"]`).waitFor({ timeout: 300_000 });
  const body = wv.locator('body[data-first-page-ms]');
  await body.waitFor({ timeout: 60_000 });
  const ms = Number(await body.getAttribute('data-first-page-ms'));
  // Close the editor so the next open measures a fresh panel.
  await runCommand(s.page, 'View: Close All Editors');
  return ms;
}

async function main(): Promise<void> {
  if (!existsSync(BIG)) throw new Error(`${BIG} is missing: run bench/index.bench.ts first (it generates it)`);
  const ws = join(ROOT, 'bench', 'data', 'panel-workspace');
  rmSync(ws, { recursive: true, force: true });
  mkdirSync(ws, { recursive: true });
  symlinkSync(join(ROOT, 'demo', 'datasets', 'bfcl', 'BFCL_v4_simple_python.json'), join(ws, 'small.jsonl'));
  const s = await startSession({ workspaceFrom: ws });
  try {
    // Copying the workspace dereferences nothing big: link the 1M file into the session's copy.
    symlinkSync(BIG, join(s.workspace, 'big.jsonl'));
    const runs = (n: number, f: () => Promise<number>) => (async () => { const v: number[] = []; for (let i = 0; i < n; i++) v.push(await f()); return v.sort((a, b) => a - b)[Math.floor(n / 2)]; })();
    const small = await runs(3, () => firstPageMs(s, 'small.jsonl', 40));
    const big = await runs(3, () => firstPageMs(s, 'big.jsonl', 1_000_000));
    process.stdout.write(`${JSON.stringify({ name: 'panel_first_page_1m', value: big, unit: 'ms', baseline: small, ratio: Number((small / big).toFixed(3)) })}\n`);
  } finally {
    await s.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
