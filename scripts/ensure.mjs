#!/usr/bin/env node
// Installs what `npm start` / `npm test` need on a fresh machine, and caches it:
//   - npm packages (npm ci, re-run only when package-lock.json changes),
//   - Debian packages for code-server's native modules and for Chromium (apt, only when missing),
//   - code-server (a real VS Code for the browser) under .vscode-test/, installed the way
//     ../shared/docs/REAL_VSCODE.md found works here (its own postinstall fetches from GitHub).
// Only Node built-ins here: this runs before node_modules exists.
//
// Usage: node scripts/ensure.mjs [npm] [apt] [code-server]   (no argument = all three)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync, copyFileSync, chmodSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CODE_SERVER_VERSION = '4.100.3';
export const CODE_SERVER_DIR = join(ROOT, '.vscode-test', `code-server-${CODE_SERVER_VERSION}`);
export const CODE_SERVER_BIN = join(CODE_SERVER_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const CHROMIUM = '/usr/bin/chromium';

// python3-torch (with OpenBLAS for speed) runs the project's own trainer (scripts/train/): the loop
// smoke test and `itool loop` use it with Debian's /usr/bin/python3. python3-requests is what the
// README's reward client uses; test/unit/rewardService.test.ts runs that client.
const APT_PACKAGES = ['libkrb5-dev', 'libx11-dev', 'libxkbfile-dev', 'libsecret-1-dev', 'pkg-config', 'ripgrep', 'chromium', 'python3-torch', 'libopenblas0-pthread', 'python3-requests'];

function log(msg) {
  process.stderr.write(`[ensure] ${msg}\n`);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})${opts.cwd ? ` in ${opts.cwd}` : ''}`);
  }
}

function sha(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

export function ensureNpm() {
  const lock = join(ROOT, 'package-lock.json');
  const stamp = join(ROOT, 'node_modules', '.itool-lock-sha256');
  // The patches applied at install (patches/, by patch-package in npm's postinstall) are part of what is installed.
  const patches = join(ROOT, 'patches');
  const want = [sha(lock), ...(existsSync(patches) ? readdirSync(patches).sort().map((f) => sha(join(patches, f))) : [])].join(',');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  log('installing npm packages (npm ci)');
  // ONNXRUNTIME_NODE_INSTALL=skip: onnxruntime-node's postinstall would fetch CUDA binaries from
  // outside the registry (.npmrc says the same for a plain `npm ci`).
  run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: ROOT, env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' } });
  writeFileSync(stamp, want);
}

function dpkgInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

export function ensureApt() {
  if (process.platform !== 'linux' || !existsSync('/usr/bin/dpkg-query')) {
    log('not a Debian-like system: install Chromium and the build tools for code-server yourself');
    return;
  }
  const missing = APT_PACKAGES.filter((p) => !dpkgInstalled(p));
  if (missing.length === 0) return;
  const isRoot = process.getuid?.() === 0;
  const sudo = isRoot ? [] : ['sudo'];
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const [cmd, ...pre] = [...sudo, 'apt-get'];
  run(cmd, [...pre, 'update', '-qq'], { env });
  run(cmd, [...pre, 'install', '-y', '-qq', ...missing], { env });
}

/** npm 11 reads per-project approvals from package.json `allowScripts`; older npm ignores the field. */
function allowScripts(dir, names) {
  const file = join(dir, 'package.json');
  const pkg = JSON.parse(readFileSync(file, 'utf8'));
  pkg.allowScripts = { ...pkg.allowScripts, ...Object.fromEntries(names.map((n) => [n, true])) };
  writeFileSync(file, JSON.stringify(pkg, null, 2));
}

export function ensureCodeServer() {
  const stamp = join(CODE_SERVER_DIR, '.installed');
  if (existsSync(stamp)) return;
  log(`installing code-server ${CODE_SERVER_VERSION} into ${CODE_SERVER_DIR} (about 3 minutes, once)`);
  rmSync(CODE_SERVER_DIR, { recursive: true, force: true });
  mkdirSync(CODE_SERVER_DIR, { recursive: true });
  writeFileSync(join(CODE_SERVER_DIR, 'package.json'), JSON.stringify({ name: 'itool-code-server', private: true }));
  // Dependency install scripts are approved per package by newer npm; these steps run the
  // ones that are needed by hand instead, and skip the ones that download from GitHub.
  const npmEnv = { ...process.env, npm_config_yes: 'true', npm_config_audit: 'false', npm_config_fund: 'false' };
  run('npm', ['install', '--ignore-scripts', '--no-save', `code-server@${CODE_SERVER_VERSION}`], { cwd: CODE_SERVER_DIR, env: npmEnv });
  const cs = join(CODE_SERVER_DIR, 'node_modules', 'code-server');
  const vs = join(cs, 'lib', 'vscode');
  run('npm', ['install', '--omit=dev', '--ignore-scripts'], { cwd: vs, env: npmEnv });
  const rgDir = join(vs, 'node_modules', '@vscode', 'ripgrep', 'bin');
  mkdirSync(rgDir, { recursive: true });
  copyFileSync('/usr/bin/rg', join(rgDir, 'rg'));
  chmodSync(join(rgDir, 'rg'), 0o755);
  // npm 11 runs dependency install scripts only when allowed by name (older npm ignores the flag
  // and runs them all). The Windows-only modules and ripgrep's GitHub download stay skipped.
  const nativeModules = ['kerberos', 'native-watchdog', 'node-pty', '@parcel/watcher', '@vscode/spdlog', '@vscode/deviceid'];
  allowScripts(vs, nativeModules);
  run('npm', ['rebuild', ...nativeModules], { cwd: vs, env: npmEnv });
  const link = (target, path) => {
    rmSync(path, { force: true, recursive: true });
    symlinkSync(target, path);
  };
  link('node_modules', join(vs, 'node_modules.asar'));
  link('code-linux.sh', join(vs, 'bin', 'remote-cli', 'code-server'));
  link('browser-linux.sh', join(vs, 'bin', 'helpers', 'browser.sh'));
  run('npm', ['install', '--omit=dev', '--ignore-scripts'], { cwd: join(vs, 'extensions'), env: npmEnv });
  allowScripts(CODE_SERVER_DIR, ['argon2']);
  run('npm', ['rebuild', 'argon2', '--build-from-source'], { cwd: CODE_SERVER_DIR, env: npmEnv });
  writeFileSync(stamp, new Date().toISOString());
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const want = process.argv.slice(2);
  const all = want.length === 0;
  try {
    if (all || want.includes('npm')) ensureNpm();
    if (all || want.includes('apt')) ensureApt();
    if (all || want.includes('code-server')) ensureCodeServer();
  } catch (err) {
    log(String(err instanceof Error ? err.message : err));
    process.exit(1);
  }
}
