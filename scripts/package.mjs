#!/usr/bin/env node
// Packages the extension as platform-specific VSIXs (`vsce package --target`). onnxruntime-node is
// the one native dependency and its npm package carries every platform's binaries (~290 MB): each
// VSIX carries its own platform's only, so a user on macOS, Windows or arm64 gets a package whose
// binding loads, and the marketplace serves each platform its own.
//
//   node scripts/package.mjs              this machine's target → dist/itool-studio.vsix
//                                         (what `npm start` and the end-to-end tests install)
//   node scripts/package.mjs --all        every target below → dist/vsix/itool-studio-<target>-<version>.vsix
//   node scripts/package.mjs --target linux-arm64 [--target win32-x64 …]   those targets
//   --out DIR                             where --all / --target write (default dist/vsix)
//   --no-build                            package dist/ as it is (for a caller that has just built it:
//                                         the packaging unit test, which must not rewrite dist/ while
//                                         other tests run dist/cli.js)
//
// It builds first (no VSIX from a stale dist/; --no-build only warns when dist/ is older than the
// sources), keeps the license, prints vsce's own output (its warnings included) and, per package,
// its size, file count and native files; it also writes them to DIR/packages.json. Each target is staged in a folder of its own (package.json
// without developer fields, the marketplace README, the bundles, that platform's binaries), so
// dist/ itself keeps the binaries of the machine it was built on and the CLI keeps running.
import { Buffer } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { ROOT } from './ensure.mjs';

const require = createRequire(import.meta.url);

export const VSIX = join(ROOT, 'dist', 'itool-studio.vsix');
export const OUT_DIR = join(ROOT, 'dist', 'vsix');

/**
 * The VS Code targets onnxruntime-node publishes binaries for (bin/napi-v6/<platform>/<arch>), and
 * the folder each one's binaries are in. src/core/model/onnx/runtime.ts names the same list in its
 * messages; test/unit/packaging.test.ts checks both against the installed package.
 */
export const TARGETS = {
  'linux-x64': ['linux', 'x64'],
  'linux-arm64': ['linux', 'arm64'],
  'darwin-arm64': ['darwin', 'arm64'],
  'win32-x64': ['win32', 'x64'],
  'win32-arm64': ['win32', 'arm64'],
};

/** vsce's other targets, and why no VSIX is made for them (it could not run a local model). */
const UNSUPPORTED = {
  'darwin-x64': 'onnxruntime-node publishes no macOS x64 (Intel) binaries since 1.24 (microsoft/onnxruntime#27961: no official x86_64 macOS build)',
  'linux-armhf': 'onnxruntime-node publishes no 32-bit ARM binaries',
  'alpine-x64': "onnxruntime-node's Linux binaries are built against glibc; Alpine's musl cannot load them",
  'alpine-arm64': "onnxruntime-node's Linux binaries are built against glibc; Alpine's musl cannot load them",
  web: 'a web extension runs no Node.js, so no onnxruntime-node (and no dataset files on disk)',
};

const NATIVE = /\.(node|so(\.\d+)*|dylib|dll)$/i;

function run(cmd, args, opts = {}) {
  return spawnSync(cmd, args, { encoding: 'utf8', ...opts });
}

/** The newest source file's mtime, to say when dist/ is older than the code it was built from. */
function newestSource() {
  let newest = 0;
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of ['src', 'webview']) walk(join(ROOT, d));
  return newest;
}

function build(skip) {
  if (skip) {
    const bundle = join(ROOT, 'dist', 'extension.js');
    if (!existsSync(bundle)) throw new Error('--no-build: dist/extension.js is missing; run `npm run build` first');
    if (newestSource() > statSync(bundle).mtimeMs) console.error('[package] warning: --no-build with sources newer than dist/extension.js: the package holds the last build, not the current code');
    return;
  }
  const r = run(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`build failed (exit ${r.status ?? r.signal}): no VSIX made from a stale dist/`);
}

/** A clear refusal for a target with no binaries, before anything is staged. */
function checkTarget(target) {
  if (UNSUPPORTED[target]) throw new Error(`${target}: not packaged: ${UNSUPPORTED[target]}.`);
  if (!TARGETS[target]) throw new Error(`${target}: not a VS Code target iTool Studio packages (${Object.keys(TARGETS).join(', ')})`);
  const [platform, arch] = TARGETS[target];
  const ort = join(ROOT, 'node_modules', 'onnxruntime-node');
  const bin = join(ort, 'bin', 'napi-v6', platform, arch);
  if (!existsSync(join(bin, 'onnxruntime_binding.node'))) {
    const version = JSON.parse(readFileSync(join(ort, 'package.json'), 'utf8')).version;
    throw new Error(`${target}: not packaged: the installed onnxruntime-node ${version} has no ${relative(ROOT, bin)}/onnxruntime_binding.node; a VSIX without it could not run a local model`);
  }
  return bin;
}

/**
 * package.json as the VSIX carries it: without the fields that only mean something in a source
 * checkout (`bin` names dist/cli.js, which the VSIX does not carry; scripts and devDependencies
 * run nothing in an installed extension).
 */
function packagedManifest() {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  for (const k of ['bin', 'scripts', 'devDependencies']) delete pkg[k];
  return pkg;
}

/** The folder vsce packages for `target`: what .vscodeignore lets in, with only that target's binaries. */
function stage(target, bin) {
  const dir = mkdtempSync(join(tmpdir(), `itool-vsix-${target}-`));
  const copy = (from, to = from) => cpSync(join(ROOT, from), join(dir, to), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify(packagedManifest(), null, 2));
  for (const f of ['LICENSE', '.vscodeignore', 'docs/MARKETPLACE.md', 'media']) copy(f);
  for (const f of readdirSync(join(ROOT, 'scripts', 'train')).filter((f) => f.endsWith('.py'))) copy(join('scripts', 'train', f));
  for (const f of readdirSync(join(ROOT, 'dist'))) {
    // Bundles and the webview; not dist/node_modules (this machine's binaries) nor earlier packages.
    if (f === 'node_modules' || f === 'vsix' || f.endsWith('.vsix')) continue;
    copy(join('dist', f));
  }
  // onnxruntime-node and onnxruntime-common as Node loads them: package.json and the CommonJS code,
  // without source maps, type declarations or the ESM copy (a third of the files, none of them read).
  const modules = join(ROOT, 'node_modules');
  const to = join(dir, 'dist', 'node_modules');
  const code = (src) => statSync(src).isDirectory() || (/\.(js|json)$/.test(src) && !src.endsWith('.map'));
  const take = (from) => cpSync(join(modules, from), join(to, from), { recursive: true, filter: code });
  for (const part of ['onnxruntime-node/package.json', 'onnxruntime-node/dist', 'onnxruntime-common/package.json', 'onnxruntime-common/dist/cjs']) take(part);
  const binTo = join(to, relative(modules, bin));
  cpSync(bin, binTo, { recursive: true });
  dropUnnamedCopies(binTo);
  return dir;
}

/**
 * npm cannot carry symlinks, so a library's version-numbered alias arrives as a second full copy:
 * darwin/arm64 has libonnxruntime.1.30.0.dylib beside libonnxruntime.1.dylib, byte for byte the
 * same (44.6 MB). The loader only opens the name the binaries record (the binding's load command
 * and the library's own install name are @rpath/libonnxruntime.1.dylib). A file is dropped only
 * when another file there has the same bytes and no file there names it while that other one is
 * named: what the loader opens is always kept.
 */
function dropUnnamedCopies(dir) {
  const files = readdirSync(dir).map((name) => ({ name, bytes: readFileSync(join(dir, name)) }));
  const named = (name) => files.some((f) => f.name !== name && f.bytes.includes(Buffer.from(name)));
  for (const f of files) {
    const twin = files.find((g) => g !== f && g.bytes.equals(f.bytes) && existsSync(join(dir, g.name)));
    if (twin && !named(f.name) && named(twin.name)) {
      rmSync(join(dir, f.name));
      console.error(`[package] left out ${f.name}: the same bytes as ${twin.name}, and no binary loads it by that name`);
    }
  }
}

/** Every entry of a VSIX (a zip), read the way VS Code's installer reads it (yauzl). */
export function listVsix(file) {
  const yauzl = require('yauzl');
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const entries = [];
      zip.on('entry', (e) => {
        entries.push({ name: e.fileName, size: e.uncompressedSize });
        zip.readEntry();
      });
      zip.on('end', () => resolve(entries));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

/** Packages one target into `out`; returns what it holds. */
export async function packageTarget(target, out) {
  const bin = checkTarget(target);
  const dir = stage(target, bin);
  try {
    const vsce = join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
    const args = ['package', '--no-dependencies', '--target', target, '--readme-path', 'docs/MARKETPLACE.md', '--out', out];
    // The manifest has no repository on purpose (no public one yet): say so instead of vsce's
    // prompt, which a non-terminal answers "yes" by itself.
    if (!packagedManifest().repository) args.push('--allow-missing-repository');
    mkdirSync(dirname(out), { recursive: true });
    console.error(`[package] ${target}: vsce ${args.join(' ')}`);
    // stdin closed: vsce never waits on a prompt. Its output is shown as it is, warnings included.
    const r = run(process.execPath, [vsce, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const said = `${r.stdout}${r.stderr}`;
    process.stderr.write(said.replace(/^(?=.)/gm, `[vsce ${target}] `));
    if (r.status !== 0) throw new Error(`${target}: vsce package failed (exit ${r.status ?? r.signal})`);
    const warnings = said.split('\n').filter((l) => /\bWARNING\b/.test(l)).map((l) => l.trim());
    const entries = await listVsix(out);
    const native = entries.filter((e) => NATIVE.test(e.name)).map((e) => e.name).sort();
    // Never ship a package whose binding is missing or that carries another platform's binaries.
    const [platform, arch] = TARGETS[target];
    const own = `extension/dist/node_modules/onnxruntime-node/bin/napi-v6/${platform}/${arch}/`;
    const foreign = native.filter((n) => !n.startsWith(own));
    if (foreign.length) throw new Error(`${target}: the VSIX carries other platforms' native files: ${foreign.join(', ')}`);
    if (!native.includes(`${own}onnxruntime_binding.node`)) throw new Error(`${target}: the VSIX has no ${own}onnxruntime_binding.node`);
    return { target, file: basename(out), path: out, bytes: statSync(out).size, files: entries.length, native, warnings };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;

function report(p) {
  console.error(`[package] ${p.target}: ${relative(process.cwd(), p.path)}, ${mb(p.bytes)}, ${p.files} files; native: ${p.native.map((n) => n.split('/').pop()).join(', ')}`);
}

/** This machine's VSIX at dist/itool-studio.vsix (npm start, the end-to-end tests); builds first. */
export async function packageVsix({ noBuild = false } = {}) {
  build(noBuild);
  const p = await packageTarget(`${process.platform}-${process.arch}`, VSIX);
  report(p);
  return VSIX;
}

/** The VSIX of each target in `targets` into `outDir`, and outDir/packages.json describing them. */
export async function packageTargets(targets, outDir = OUT_DIR, { noBuild = false } = {}) {
  // Refuse an unsupported target before the build and before any package is made.
  for (const t of targets) checkTarget(t);
  build(noBuild);
  const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
  const onnxruntimeNode = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'onnxruntime-node', 'package.json'), 'utf8')).version;
  const packages = [];
  for (const t of targets) {
    const p = await packageTarget(t, join(outDir, `itool-studio-${t}-${version}.vsix`));
    report(p);
    packages.push(p);
  }
  // `file` is relative to outDir, where this summary lies.
  const summary = { version, onnxruntimeNode, notPackaged: UNSUPPORTED, packages: packages.map(({ path: _path, ...p }) => p) };
  writeFileSync(join(outDir, 'packages.json'), JSON.stringify(summary, null, 2) + '\n');
  return summary;
}

function parseArgs(argv) {
  const targets = [];
  let all = false;
  let out = OUT_DIR;
  let noBuild = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--all') all = true;
    else if (a === '--no-build') noBuild = true;
    else if (a === '--target') targets.push(...String(argv[++i] ?? '').split(',').filter(Boolean));
    else if (a === '--out') out = resolve(String(argv[++i] ?? ''));
    else throw new Error(`unknown argument ${a} (usage: node scripts/package.mjs [--all | --target T …] [--out DIR] [--no-build])`);
  }
  if (all && targets.length) throw new Error('give --all or --target, not both');
  return { targets: all ? Object.keys(TARGETS) : targets, out, noBuild };
}

if (process.argv[1] && process.argv[1].endsWith('package.mjs')) {
  try {
    const { targets, out, noBuild } = parseArgs(process.argv.slice(2));
    if (targets.length) await packageTargets(targets, out, { noBuild });
    else console.log(await packageVsix({ noBuild }));
  } catch (err) {
    console.error(`[package] ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  }
}
