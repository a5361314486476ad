#!/usr/bin/env node
// `npm start`: a real VS Code (code-server) on 127.0.0.1 with the extension installed from its
// VSIX and the demo workspace open. Prints the URL to open; Ctrl+C stops it.
// PORT=NNNN picks the port (default 8080, or the next free one). Quiet: building and packaging
// (vsce lists every file) write to .vscode-test/start/package.log; on failure its tail is printed.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, relative } from 'node:path';
import { CODE_SERVER_BIN, ROOT, Step } from './ensure.mjs';
import { VSIX } from './package.mjs';

function portFree(port) {
  return new Promise((res) => {
    const s = createServer();
    s.once('error', () => res(false));
    s.listen(port, '127.0.0.1', () => s.close(() => res(true)));
  });
}

const state = join(ROOT, '.vscode-test', 'start');
// package.mjs builds first: no VSIX from a stale dist/.
try {
  const pack = new Step('package', `building the extension and packaging ${relative(ROOT, VSIX)}`, { prefix: 'start', logPath: join(state, 'package.log') });
  pack.run(process.execPath, [join(ROOT, 'scripts', 'package.mjs')], { cwd: ROOT });
  pack.done();
} catch (err) {
  console.error(`[start] ${err instanceof Error ? err.message : err}`);
  process.exit(1);
}
const vsix = VSIX;
const userData = join(state, 'user-data');
const extensions = join(state, 'extensions');
mkdirSync(join(userData, 'User'), { recursive: true });
const settingsFile = join(userData, 'User', 'settings.json');
if (!existsSync(settingsFile)) {
  // The demo folder sits inside this repository: don't offer to open the parent git repository.
  // Telemetry level off, as --disable-telemetry below means: that flag alone leaves extensions'
  // level at "all", and onnxruntime's telemetry follows it (src/extension/onnxTelemetry.ts).
  writeFileSync(settingsFile, JSON.stringify({ 'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false, 'git.openRepositoryInParentFolders': 'never', 'telemetry.telemetryLevel': 'off' }, null, 2));
}
// The demo model: the project's own tiny tool-calling model (trained by `itool loop`, committed
// with its model card in demo/models/itool-tiny), so calibration, search and review run in the
// demo workspace with nothing to download. Without it (a checkout that dropped it), a tiny
// random-weight model stands in so the commands still work.
const demoModel = join(ROOT, 'demo', 'models', 'itool-tiny');
const tinyModel = join(state, 'tiny-random-model');
let model = demoModel;
if (!existsSync(join(demoModel, 'onnx', 'model.onnx'))) {
  model = tinyModel;
  if (!existsSync(join(tinyModel, 'onnx', 'model.onnx'))) {
    const made = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'make-tiny-model.ts'), tinyModel], { cwd: ROOT, stdio: 'inherit' });
    if (made.status !== 0) console.error('Could not generate the demo model; calibration will ask for a model folder.');
  }
}
const settings = JSON.parse(readFileSync(settingsFile, 'utf8'));
// Keep a model the user chose; replace only one this script set before.
const ours = [demoModel, tinyModel];
if ((!settings['itool.policy.onnx.modelDir'] || ours.includes(settings['itool.policy.onnx.modelDir'])) && existsSync(model)) {
  settings['itool.policy.onnx.modelDir'] = model;
  writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
}

// The local trainer's Python: the setting's default is `python3` on PATH (platform-neutral), but
// Debian's python3-torch lives in /usr/bin/python3, which a pyenv or venv python3 first on PATH
// cannot see. A machine-level setting, so it goes in code-server's Machine (Remote) settings.
const machineFile = join(userData, 'Machine', 'settings.json');
let machine;
try {
  machine = existsSync(machineFile) ? JSON.parse(readFileSync(machineFile, 'utf8')) : {};
} catch {
  machine = undefined; // edited by hand (comments): left as the user wrote it
}
if (machine && !machine['itool.trainer.local.python'] && existsSync('/usr/bin/python3')) {
  mkdirSync(join(userData, 'Machine'), { recursive: true });
  writeFileSync(machineFile, JSON.stringify({ ...machine, 'itool.trainer.local.python': '/usr/bin/python3' }, null, 2));
}

const install = spawnSync(process.execPath, [CODE_SERVER_BIN, '--extensions-dir', extensions, '--user-data-dir', userData, '--install-extension', vsix, '--force'], { encoding: 'utf8' });
if (install.status !== 0) {
  console.error(`Installing the extension into code-server failed:\n${install.stdout}${install.stderr}`);
  process.exit(1);
}

let port = Number(process.env.PORT || 8080);
while (!(await portFree(port))) port++;
const workspace = join(ROOT, 'demo');
const proc = spawn(
  process.execPath,
  [CODE_SERVER_BIN, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--user-data-dir', userData, '--extensions-dir', extensions, '--disable-telemetry', '--disable-update-check', workspace],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`;
for (let i = 0; i < 300; i++) {
  try {
    if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
  } catch {
    // starting
  }
  if (proc.exitCode !== null) process.exit(proc.exitCode);
  await new Promise((r) => setTimeout(r, 200));
}
console.log(
  `\niTool Studio is running in VS Code (code-server 4.100.3):\n\n  ${url}\n\n` +
    'Open a dataset under datasets/ with right-click > "Open Dataset" (or "iTool: Open Dataset" in the command palette).\n' +
    'datasets/bfcl/BFCL_v4_parallel_multiple.json comes with model outputs to check; "Calibrate…" and "Explore…" in any\n' +
    `dataset panel, and "iTool: Run Closed Loop on a Local Model", run ${model === demoModel ? 'the demo model' : 'a tiny random model'} in ${model}. Ctrl+C stops.\n`,
);
const stop = () => proc.kill('SIGTERM');
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
proc.on('exit', (code) => process.exit(code ?? 0));
