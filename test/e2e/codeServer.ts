// A real VS Code for end-to-end tests: code-server (installed by scripts/ensure.mjs) with the
// packaged extension installed from its VSIX, driven in Debian's Chromium by playwright-core.
// Each session gets its own user-data and extensions folders and a copy of the workspace, so tests
// never touch the user's files or each other.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { _electron, chromium, type Browser, type FrameLocator, type Page } from 'playwright-core';

export const ROOT = resolve(__dirname, '..', '..');
const CODE_SERVER = join(ROOT, '.vscode-test', 'code-server-4.100.3', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const VSIX = join(ROOT, 'dist', 'itool-studio.vsix');
export const OUTPUT = join(ROOT, 'test-output', 'e2e');
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export interface Session {
  page: Page;
  workspace: string;
  /** The user settings.json this VS Code reads (and watches). */
  settingsFile: string;
  /** The user-data folder (its logs/ holds the extension host's logs). */
  userData: string;
  url: string;
  consoleErrors: string[];
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

async function waitHttp(url: string, ms: number, proc: ChildProcess, logs: string[]): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (proc.exitCode !== null) throw new Error(`code-server exited (${proc.exitCode}):\n${logs.join('')}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer at ${url} within ${ms} ms:\n${logs.join('')}`);
}

export interface StartOptions {
  /** Folder copied into the session's workspace. */
  workspaceFrom: string;
  settings?: Record<string, unknown>;
  /**
   * Machine-scoped settings (trainer programs): code-server reads them from the Machine settings
   * of its user-data folder, where a workspace cannot reach.
   */
  machineSettings?: Record<string, unknown>;
  viewport?: { width: number; height: number };
  /** Environment of code-server (and so of the extension host): e.g. a fresh HOME. */
  env?: NodeJS.ProcessEnv;
}

export async function startSession(opts: StartOptions): Promise<Session> {
  const base = mkdtempSync(join(tmpdir(), 'itool-e2e-'));
  const userData = join(base, 'user-data');
  const extensions = join(base, 'extensions');
  const workspace = join(base, 'workspace');
  mkdirSync(join(userData, 'User'), { recursive: true });
  // The startup walkthrough is itself a webview and kept later webviews blank in headless runs.
  // Telemetry level off: code-server's --disable-telemetry leaves extensions' level at "all"
  // (vscode.env.isTelemetryEnabled stays true), which would let onnxruntime report from test runs.
  writeFileSync(
    join(userData, 'User', 'settings.json'),
    JSON.stringify({ 'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false, 'workbench.tips.enabled': false, 'telemetry.telemetryLevel': 'off', ...opts.settings }),
  );
  if (opts.machineSettings) {
    mkdirSync(join(userData, 'Machine'), { recursive: true });
    writeFileSync(join(userData, 'Machine', 'settings.json'), JSON.stringify(opts.machineSettings));
  }
  // Timestamps kept: metadata beside a dataset (calibration, search journals) is keyed to its mtime.
  cpSync(opts.workspaceFrom, workspace, { recursive: true, preserveTimestamps: true });
  if (process.env.ITOOL_VSCODE_EXECUTABLE) return startDesktop(base, userData, extensions, workspace);
  const install = spawnSync(process.execPath, [CODE_SERVER, '--extensions-dir', extensions, '--user-data-dir', userData, '--install-extension', VSIX], { encoding: 'utf8' });
  if (install.status !== 0) throw new Error(`installing the VSIX failed:\n${install.stdout}\n${install.stderr}`);

  const port = await freePort();
  const logs: string[] = [];
  const proc = spawn(
    process.execPath,
    [CODE_SERVER, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--user-data-dir', userData, '--extensions-dir', extensions, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', workspace],
    { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env },
  );
  proc.stdout?.on('data', (d) => logs.push(String(d)));
  proc.stderr?.on('data', (d) => logs.push(String(d)));
  await waitHttp(`http://127.0.0.1:${port}/healthz`, 60_000, proc, logs);

  const browser: Browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: opts.viewport ?? { width: 1500, height: 900 } });
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`;
  await page.goto(url);
  await waitForWorkbench(page);

  return {
    page,
    workspace,
    settingsFile: join(userData, 'User', 'settings.json'),
    userData,
    url,
    consoleErrors,
    async close() {
      await browser.close().catch(() => undefined);
      proc.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      if (proc.exitCode === null) proc.kill('SIGKILL');
      rmSync(base, { recursive: true, force: true });
    },
  };
}

async function waitForWorkbench(page: Page): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  // The explorer shows the workspace once the window has fully restored.
  await page.locator('.explorer-folders-view').waitFor({ timeout: 60_000 });
}

/**
 * Desktop VS Code (npm run test:desktop, machines with internet): same tests, driven through
 * playwright's Electron support; the VSIX is installed with the desktop CLI.
 */
async function startDesktop(base: string, userData: string, extensions: string, workspace: string): Promise<Session> {
  const [cli, ...cliArgs] = JSON.parse(process.env.ITOOL_VSCODE_CLI ?? '[]') as string[];
  const install = spawnSync(cli, [...cliArgs, '--extensions-dir', extensions, '--user-data-dir', userData, '--install-extension', VSIX], { encoding: 'utf8' });
  if (install.status !== 0) throw new Error(`installing the VSIX failed:\n${install.stdout}\n${install.stderr}`);
  const app = await _electron.launch({
    executablePath: process.env.ITOOL_VSCODE_EXECUTABLE,
    args: ['--extensions-dir', extensions, '--user-data-dir', userData, '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes', workspace],
  });
  const page = await app.firstWindow();
  const consoleErrors: string[] = [];
  await waitForWorkbench(page);
  return {
    page,
    workspace,
    settingsFile: join(userData, 'User', 'settings.json'),
    userData,
    url: 'electron',
    consoleErrors,
    async close() {
      await app.close().catch(() => undefined);
      rmSync(base, { recursive: true, force: true });
    },
  };
}

/**
 * Run a command from the palette by its title, as a user would. Extension contributions arrive a
 * little after the workbench shows, so the palette is reopened until the command is listed.
 */
export async function runCommand(page: Page, title: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(`>${title}`);
    // The row whose label is exactly the title (fuzzy matching lists look-alikes first at times).
    const row = page.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) }).first();
    try {
      await row.waitFor({ timeout: 3000 });
      await row.click();
      return;
    } catch (err) {
      await page.keyboard.press('Escape');
      if (Date.now() > end) throw err;
    }
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * `iTool: Open Dataset` from the palette, then pick the file in its quick pick by relative path.
 * A quick pick closes when focus leaves it, and a webview that finishes loading as it opens can
 * take the focus (seen once: its rows were there, hidden): then the command is run again, up to
 * three times.
 */
export async function openDataset(page: Page, relPath: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await runCommand(page, 'iTool: Open Dataset');
      const input = page.locator('.quick-input-widget input');
      // The list is filled once the workspace search returns (its last row, Browse…, may be scrolled out of view).
      await page.locator('.quick-input-widget .quick-input-list .monaco-list-row').first().waitFor({ timeout: 20_000 });
      await input.fill(relPath);
      await page.locator('.quick-input-list .monaco-list-row[aria-label^="' + relPath + '"]').first().waitFor({ timeout: 20_000 });
      await page.keyboard.press('Enter');
      return;
    } catch (err) {
      if (attempt >= 3 || !(await page.locator('.quick-input-widget').isHidden())) throw err;
    }
  }
}

/**
 * Answer VS Code's own file dialog (in the browser it is a quick input that takes a path). The
 * dialog fills in its folder after it appears, so type only once its listing is there.
 */
export async function pickFileInDialog(page: Page, path: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: '..' }).first().waitFor();
  await input.fill(path);
  await page.waitForFunction((p) => (document.querySelector('.quick-input-widget input') as HTMLInputElement | null)?.value === p, path);
  await page.keyboard.press('Enter');
}

/** Open a workspace file in a text editor with Quick Open (via F1, which works even when a webview has focus). */
export async function quickOpen(page: Page, relPath: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  // Without the leading '>' the palette searches files by name.
  await input.fill(relPath);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: relPath.split('/').pop() }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.editor-instance .monaco-editor .view-lines >> visible=true').first().waitFor();
}

/** The DOM of the visible webview (webviews live two iframes deep; hidden ones stay in the page). */
export function webview(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready >> visible=true').frameLocator('iframe#active-frame');
}

/** Pick an option of one of the dataset panel's drop-downs (its options lie in its shadow root). */
export async function choose(wv: FrameLocator, cls: string, option: string): Promise<void> {
  await wv.locator(`.ui-select.${cls}`).click();
  await wv.locator(`.ui-select.${cls} [role="option"]`, { hasText: option }).click();
}

/** Search the dataset panel's list for `text` ('' clears the search), as a user types it and presses Enter. */
export async function searchList(wv: FrameLocator, text: string): Promise<void> {
  const search = wv.locator('.ui-textfield.search input');
  await search.fill(text);
  await search.press('Enter');
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(OUTPUT, { recursive: true });
  const path = join(OUTPUT, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/**
 * Bring list position `k` on screen by scrolling the virtualised list itself (rows are created as
 * they scroll in, and may be rebuilt when their data arrives, so element-bound scrolling races).
 */
export async function scrollToRow(wv: FrameLocator, k: number): Promise<void> {
  await wv.locator('.list').evaluate((el, pos) => {
    const rowHeight = 26;
    el.scrollTop = Math.max(0, pos * rowHeight - el.clientHeight / 2);
  }, k);
  await wv.locator(`#row-${k}`).waitFor();
}
