#!/usr/bin/env node
// Installs what `npm start` / `npm test` need on a fresh machine, and caches it:
//   - npm packages (npm ci, re-run only when package-lock.json or patches/ change),
//   - Debian packages (apt, only the missing ones): code-server's native modules and Chromium for
//     the editor; PyTorch and requests only when training or the tests ask for them,
//   - code-server (a real VS Code for the browser) under .vscode-test/, installed the way
//     ../shared/docs/REAL_VSCODE.md found works here (its own postinstall fetches from GitHub).
// Quiet: each step prints one line when it starts and one when it ends; what the installers say
// goes to a log under .vscode-test/ensure/ (on failure its last lines are printed, and the path).
// Only Node built-ins here: this runs before node_modules exists.
//
// Usage: node scripts/ensure.mjs [GROUP...]   (no group = start)
//   npm          npm packages
//   apt          what the editor needs from apt: Chromium, ripgrep, headers for code-server's native modules
//   code-server  code-server
//   torch        PyTorch for the project's own trainer (python3-torch, OpenBLAS): training only
//   requests     python3-requests (the reward client's test)
//   start        npm apt code-server: what `npm start` needs
//   test         start + torch + requests: what `npm test` needs
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync, writeSync, copyFileSync, chmodSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CODE_SERVER_VERSION = '4.100.3';
export const CODE_SERVER_DIR = join(ROOT, '.vscode-test', `code-server-${CODE_SERVER_VERSION}`);
export const CODE_SERVER_BIN = join(CODE_SERVER_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const CHROMIUM = '/usr/bin/chromium';
/** Where each step's installer output goes (apt.log, npm.log, code-server.log). */
export const LOG_DIR = join(ROOT, '.vscode-test', 'ensure');

/**
 * Debian packages by group. `apt`: the headers code-server's native modules build against,
 * ripgrep for its search, Chromium for the end-to-end tests and the bench. `torch`:
 * python3-torch (with OpenBLAS for speed) runs the project's own trainer (scripts/train/) with
 * Debian's /usr/bin/python3 — hundreds of MB, so only `npm test` (the loop and trainer tests) and
 * `node scripts/ensure.mjs torch` install it, never `npm start`. `requests`: the README's reward
 * client, which test/unit/rewardService.test.ts runs.
 */
export const APT_GROUPS = {
  apt: ['libkrb5-dev', 'libx11-dev', 'libxkbfile-dev', 'libsecret-1-dev', 'pkg-config', 'ripgrep', 'chromium'],
  torch: ['python3-torch', 'libopenblas0-pthread'],
  requests: ['python3-requests'],
};
const GROUPS = ['npm', 'apt', 'code-server', 'torch', 'requests'];
const ALIASES = { start: ['npm', 'apt', 'code-server'], test: ['npm', 'apt', 'code-server', 'torch', 'requests'] };

function log(msg) {
  process.stderr.write(`[ensure] ${msg}\n`);
}

/** A path as short as it can be said from here. */
function shown(path) {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

const TAIL_LINES = 30;

/**
 * One quiet step: its commands' output goes to a log (by default LOG_DIR/<name>.log, started
 * afresh), one line says it started and one that it ended. A failing command ends the step with the
 * log's last lines on stderr and an error naming the log. start.mjs packages the extension with one.
 */
export class Step {
  constructor(name, what, { prefix = 'ensure', logPath = join(LOG_DIR, `${name}.log`) } = {}) {
    this.name = name;
    this.prefix = prefix;
    this.started = Date.now();
    mkdirSync(dirname(logPath), { recursive: true });
    this.logPath = logPath;
    writeFileSync(this.logPath, `# ${new Date().toISOString()} ${what}\n`);
    this.say(`${what} (log: ${shown(this.logPath)})`);
  }

  say(msg) {
    process.stderr.write(`[${this.prefix}] ${this.name}: ${msg}\n`);
  }

  seconds() {
    return Math.round((Date.now() - this.started) / 1000);
  }

  /** Run a program (never a shell line) with its stdout and stderr in the log. */
  run(cmd, args, opts = {}) {
    const fd = openSync(this.logPath, 'a');
    let r;
    try {
      writeSync(fd, `\n$ ${[cmd, ...args].join(' ')}${opts.cwd ? `   (in ${opts.cwd})` : ''}\n`);
      // stdin stays the terminal's where there is one: sudo asks for its password there.
      r = spawnSync(cmd, args, { ...opts, stdio: [opts.stdin ?? 'ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    if (r.status === 0) return;
    const why = r.error ? r.error.message : `exit ${r.status ?? r.signal}`;
    const tail = readFileSync(this.logPath, 'utf8').trimEnd().split('\n').slice(-TAIL_LINES);
    process.stderr.write(`${tail.map((l) => `  | ${l}`).join('\n')}\n`);
    throw new Error(`${this.name}: \`${cmd} ${args.join(' ')}\` failed (${why}) after ${this.seconds()} s; the whole output is in ${shown(this.logPath)}`);
  }

  done(extra = '') {
    this.say(`done in ${this.seconds()} s${extra}`);
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
  const step = new Step('npm', 'installing npm packages (npm ci, under a minute)');
  // onnxruntime-node's postinstall would fetch CUDA binaries from outside the registry:
  // package.json's allowScripts denies it on npm 11; ONNXRUNTIME_NODE_INSTALL=skip tells older npm.
  step.run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: ROOT, env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' } });
  writeFileSync(stamp, want);
  const added = /added (\d+) packages?/.exec(readFileSync(step.logPath, 'utf8'));
  step.done(added ? ` (${added[1]} packages)` : '');
}

function dpkgInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

function pythonImports(module) {
  const r = spawnSync('python3', ['-c', `import ${module}`], { stdio: 'ignore', timeout: 120_000 });
  return r.status === 0;
}

/** The Debian packages of `groups` (apt, torch, requests) that are missing, in one apt-get run. */
export function ensureApt(groups = ['apt']) {
  if (process.platform !== 'linux' || !existsSync('/usr/bin/dpkg-query')) {
    if (groups.includes('apt')) log('apt: not a Debian-like system: install Chromium, ripgrep and the build tools for code-server yourself');
    if (groups.includes('torch') && !pythonImports('torch')) log('torch: python3 cannot import torch: install PyTorch (`pip install torch`) to train or to run the trainer tests');
    if (groups.includes('requests') && !pythonImports('requests')) log('requests: python3 cannot import requests: `pip install requests` for the reward client test');
    return;
  }
  const missing = groups.flatMap((g) => APT_GROUPS[g]).filter((p) => !dpkgInstalled(p));
  if (missing.length === 0) return;
  const isRoot = process.getuid?.() === 0;
  const [cmd, ...pre] = [...(isRoot ? [] : ['sudo']), 'apt-get'];
  const size = missing.includes('python3-torch') ? ', PyTorch is several hundred MB' : '';
  const step = new Step('apt', `installing ${missing.join(' ')}${isRoot ? '' : ' with sudo'}${size}`);
  const opts = { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, stdin: isRoot ? 'ignore' : 'inherit' };
  step.run(cmd, [...pre, 'update', '-qq'], opts);
  step.run(cmd, [...pre, 'install', '-y', '-qq', ...missing], opts);
  step.done();
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
  const step = new Step('code-server', `installing code-server ${CODE_SERVER_VERSION} into ${shown(CODE_SERVER_DIR)} (a few minutes, once)`);
  rmSync(CODE_SERVER_DIR, { recursive: true, force: true });
  mkdirSync(CODE_SERVER_DIR, { recursive: true });
  writeFileSync(join(CODE_SERVER_DIR, 'package.json'), JSON.stringify({ name: 'itool-code-server', private: true }));
  // Dependency install scripts are approved per package by newer npm; these steps run the
  // ones that are needed by hand instead, and skip the ones that download from GitHub.
  const npmEnv = { ...process.env, npm_config_yes: 'true', npm_config_audit: 'false', npm_config_fund: 'false' };
  step.run('npm', ['install', '--ignore-scripts', '--no-save', `code-server@${CODE_SERVER_VERSION}`], { cwd: CODE_SERVER_DIR, env: npmEnv });
  const cs = join(CODE_SERVER_DIR, 'node_modules', 'code-server');
  const vs = join(cs, 'lib', 'vscode');
  step.run('npm', ['install', '--omit=dev', '--ignore-scripts'], { cwd: vs, env: npmEnv });
  const rgDir = join(vs, 'node_modules', '@vscode', 'ripgrep', 'bin');
  mkdirSync(rgDir, { recursive: true });
  copyFileSync('/usr/bin/rg', join(rgDir, 'rg'));
  chmodSync(join(rgDir, 'rg'), 0o755);
  // npm 11 runs dependency install scripts only when allowed by name (older npm ignores the flag
  // and runs them all). The Windows-only modules and ripgrep's GitHub download stay skipped.
  const nativeModules = ['kerberos', 'native-watchdog', 'node-pty', '@parcel/watcher', '@vscode/spdlog', '@vscode/deviceid'];
  allowScripts(vs, nativeModules);
  step.run('npm', ['rebuild', ...nativeModules], { cwd: vs, env: npmEnv });
  const link = (target, path) => {
    rmSync(path, { force: true, recursive: true });
    symlinkSync(target, path);
  };
  link('node_modules', join(vs, 'node_modules.asar'));
  link('code-linux.sh', join(vs, 'bin', 'remote-cli', 'code-server'));
  link('browser-linux.sh', join(vs, 'bin', 'helpers', 'browser.sh'));
  step.run('npm', ['install', '--omit=dev', '--ignore-scripts'], { cwd: join(vs, 'extensions'), env: npmEnv });
  allowScripts(CODE_SERVER_DIR, ['argon2']);
  step.run('npm', ['rebuild', 'argon2', '--build-from-source'], { cwd: CODE_SERVER_DIR, env: npmEnv });
  writeFileSync(stamp, new Date().toISOString());
  step.done();
}

/** The groups named on the command line, aliases expanded; none = start. */
export function parseGroups(argv) {
  const want = new Set();
  for (const a of argv.length ? argv : ['start']) {
    if (ALIASES[a]) ALIASES[a].forEach((g) => want.add(g));
    else if (GROUPS.includes(a)) want.add(a);
    else throw new Error(`unknown group ${JSON.stringify(a)} (${[...GROUPS, ...Object.keys(ALIASES)].join(', ')})`);
  }
  return want;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const want = parseGroups(process.argv.slice(2));
    if (want.has('npm')) ensureNpm();
    const apt = ['apt', 'torch', 'requests'].filter((g) => want.has(g));
    if (apt.length) ensureApt(apt);
    if (want.has('code-server')) ensureCodeServer();
  } catch (err) {
    log(String(err instanceof Error ? err.message : err));
    process.exit(1);
  }
}
