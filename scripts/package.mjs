#!/usr/bin/env node
// Packages the extension as a VSIX (what the e2e tests and `npm start` install into code-server).
// Dependencies are bundled by esbuild, so the VSIX carries no node_modules.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './ensure.mjs';

export const VSIX = join(ROOT, 'dist', 'itool-studio.vsix');

export function packageVsix() {
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  const vsce = join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  const r = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--skip-license', '--out', VSIX], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`vsce package failed:\n${r.stdout}\n${r.stderr}`);
  return VSIX;
}

if (process.argv[1] && process.argv[1].endsWith('package.mjs')) {
  console.log(packageVsix());
}
