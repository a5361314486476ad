// Panel benchmark: time from the index being ready to the first page of rows on screen, in a real
// VS Code (code-server + Chromium), for a 1M-sample file. Baseline: the same measurement, same
// process and browser, for a 40-sample file, so the ratio shows whether list size costs anything.
// Prints one JSON line: {"name","value","unit","baseline","ratio"}.
// Needs code-server (node scripts/ensure.mjs code-server, as npm test / npm start install it),
// /usr/bin/chromium and the packaged extension (dist/itool-studio.vsix: npm run package); without
// them it prints the line with nulls and says why on stderr. The 1M-record file is bench/inputs.ts's
// (made by index.bench.ts earlier in the same run, else here). Quick mode (--quick,
// BENCH_QUICK=1): 50,000 records, one measurement of each instead of the median of 3.
//   node --import tsx bench/panel.bench.ts [--quick]
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { isQuick, onInterrupt, pick, ROOT, workDir } from './env';
import { ONE_M_RECORDS, oneMillionFile } from './inputs';

const NAME = 'panel_first_page_1m';
const RUNS = pick(3, 1);
const CODE_SERVER = join(ROOT, '.vscode-test', 'code-server-4.100.3', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const CHROMIUM = '/usr/bin/chromium';
const VSIX = join(ROOT, 'dist', 'itool-studio.vsix');
const log = (msg: string) => process.stderr.write(`[panel.bench] ${msg}\n`);

async function main(): Promise<void> {
  const missing = [
    [CODE_SERVER, 'code-server (node scripts/ensure.mjs code-server installs it, as npm test and npm start do)'],
    [CHROMIUM, 'Chromium (node scripts/ensure.mjs apt)'],
    [VSIX, 'the packaged extension (npm run package; npm run bench makes it)'],
  ].filter(([path]) => !existsSync(path));
  if (missing.length) {
    log(`cannot run without ${missing.map(([path, what]) => `${what}: ${path} is missing`).join('; ')}; value, baseline and ratio are null`);
    process.stdout.write(`${JSON.stringify({ name: NAME, value: null, unit: 'ms', baseline: null, ratio: null })}\n`);
    return;
  }
  // Imported only now: the harness needs playwright-core and the packaged extension.
  const { openDataset, runCommand, startSession, webview } = await import('../test/e2e/codeServer');
  type Session = Awaited<ReturnType<typeof startSession>>;
  const firstPageMs = async (s: Session, rel: string, count: number): Promise<number> => {
    await openDataset(s.page, rel);
    const wv = webview(s.page);
    await wv.locator(`.count[data-count="${count}"]`).waitFor({ timeout: 300_000 });
    const body = wv.locator('body[data-first-page-ms]');
    await body.waitFor({ timeout: 60_000 });
    const ms = Number(await body.getAttribute('data-first-page-ms'));
    // Close the editor so the next open measures a fresh panel.
    await runCommand(s.page, 'View: Close All Editors');
    return ms;
  };

  const big = await oneMillionFile('panel.bench');
  const records = ONE_M_RECORDS();
  if (isQuick()) log(`quick mode: ${records} records instead of 1M, one measurement each (the JSON line name stays)`);
  const ws = join(workDir('panel.bench'), 'panel-workspace');
  mkdirSync(ws, { recursive: true });
  symlinkSync(join(ROOT, 'demo', 'datasets', 'bfcl', 'BFCL_v4_simple_python.json'), join(ws, 'small.jsonl'));
  const s = await startSession({ workspaceFrom: ws });
  onInterrupt(() => s.close()); // SIGINT mid-run: code-server and Chromium go too
  try {
    // Copying the workspace dereferences nothing big: link the big file into the session's copy.
    symlinkSync(big, join(s.workspace, 'big.jsonl'));
    const runs = async (n: number, f: () => Promise<number>) => {
      const v: number[] = [];
      for (let i = 0; i < n; i++) v.push(await f());
      return v.sort((a, b) => a - b)[Math.floor(n / 2)];
    };
    const small = await runs(RUNS, () => firstPageMs(s, 'small.jsonl', 40));
    const bigMs = await runs(RUNS, () => firstPageMs(s, 'big.jsonl', records));
    log(`first page: ${bigMs} ms for ${records} records, ${small} ms for 40 (median of ${RUNS})`);
    process.stdout.write(`${JSON.stringify({ name: NAME, value: bigMs, unit: 'ms', baseline: small, ratio: Number((small / bigMs).toFixed(3)) })}\n`);
  } finally {
    await s.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
