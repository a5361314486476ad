#!/usr/bin/env node
// Bundles with esbuild: the extension host (Node, `vscode` and native modules external), the CLI,
// and the webview (browser). `--watch` rebuilds on change.
import * as esbuild from 'esbuild';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './ensure.mjs';

const watch = process.argv.includes('--watch');
const common = { bundle: true, sourcemap: true, logLevel: 'warning', absWorkingDir: ROOT, target: 'node20' };
// onnxruntime-node carries native binaries: it is loaded from node_modules at run time, never bundled.
const nodeExternal = ['vscode', 'onnxruntime-node'];

const builds = [
  { ...common, platform: 'node', format: 'cjs', entryPoints: ['src/extension/main.ts'], outfile: 'dist/extension.js', external: nodeExternal },
  // Worker thread for full record checks, loaded from beside the bundles at run time.
  { ...common, platform: 'node', format: 'cjs', entryPoints: ['src/core/dataset/checkWorker.ts'], outfile: 'dist/checkWorker.js', external: nodeExternal },
  // Worker thread holding the ONNX InferenceSession (OnnxPolicy), loaded from beside the bundles.
  { ...common, platform: 'node', format: 'cjs', entryPoints: ['src/core/model/onnx/worker.ts'], outfile: 'dist/onnxWorker.js', external: nodeExternal },
  // The detached supervisor of a training job (src/core/rounds/jobs/runner.ts), started as its own process.
  { ...common, platform: 'node', format: 'cjs', entryPoints: ['src/core/rounds/jobs/runner.ts'], outfile: 'dist/jobRunner.js', external: nodeExternal },
  // The CLI: dist/cli.js only picks the bundle a command needs (src/cli/bin.ts): check and reward
  // start from the small dist/itool-check.js, every other command from the whole dist/itool-main.js.
  { ...common, platform: 'node', format: 'cjs', entryPoints: ['src/cli/bin.ts'], outfile: 'dist/cli.js', external: ['./itool-check.js', './itool-main.js'],
    banner: { js: '#!/usr/bin/env node' } },
  { ...common, platform: 'node', format: 'cjs', entryPoints: ['src/cli/itool.ts'], outfile: 'dist/itool-main.js', external: nodeExternal },
  { ...common, platform: 'node', format: 'cjs', entryPoints: ['src/cli/checkEntry.ts'], outfile: 'dist/itool-check.js', external: nodeExternal },
  { ...common, platform: 'browser', format: 'iife', target: 'chrome120', entryPoints: ['webview/panel/main.ts'], outfile: 'dist/webview/panel.js' },
  { ...common, platform: 'browser', format: 'iife', target: 'chrome120', entryPoints: ['webview/dashboard/main.ts'], outfile: 'dist/webview/dashboard.js' },
];

/**
 * onnxruntime-node is loaded at run time (never bundled). Stage it beside the bundles, with only
 * this platform's binaries (its package carries every platform's, ~290 MB), so that dist/ — and
 * the VSIX made from it — resolves `require('onnxruntime-node')` on its own.
 */
function stageNative() {
  const to = join(ROOT, 'dist', 'node_modules');
  const ort = join(ROOT, 'node_modules', 'onnxruntime-node');
  const bin = join('bin', 'napi-v6', process.platform, process.arch);
  if (!existsSync(join(ort, bin))) return;
  rmSync(to, { recursive: true, force: true });
  for (const part of ['package.json', 'dist', bin]) cpSync(join(ort, part), join(to, 'onnxruntime-node', part), { recursive: true });
  cpSync(join(ROOT, 'node_modules', 'onnxruntime-common'), join(to, 'onnxruntime-common'), { recursive: true });
}

/**
 * Chat templates must render as Python's jinja2 renders them (patches/@huggingface+jinja+*.patch,
 * applied by patch-package after npm install). A bundle built from the unpatched engine would score
 * other text than the model was trained on, in silence: refuse to build one.
 */
function checkPatchedJinja() {
  const dist = join(ROOT, 'node_modules', '@huggingface', 'jinja', 'dist');
  for (const f of ['index.js', 'index.cjs']) {
    if (!readFileSync(join(dist, f), 'utf8').includes('itool-python-parity')) {
      throw new Error(`@huggingface/jinja is not patched (${join(dist, f)}): run \`npx patch-package\` (npm install runs it) and build again`);
    }
  }
}

checkPatchedJinja();
mkdirSync(join(ROOT, 'dist'), { recursive: true });
stageNative();
if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
  console.error('[build] watching');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  chmodSync(join(ROOT, 'dist', 'cli.js'), 0o755);
}
