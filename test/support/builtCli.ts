// The CLI the tests run is the bundle a user runs: dist/cli.js and the two bundles it loads
// (scripts/build.mjs). Built here when any is missing or older than the sources, so no test runs a
// stale CLI (`npm test` builds first; a single test file run after an edit rebuilds).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'cli.js');
const BUNDLES = ['cli.js', 'itool-main.js', 'itool-check.js'].map((b) => join(ROOT, 'dist', b));

/** Newest modification time of the files under `dir`. */
function newest(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((t, e) => Math.max(t, e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs), 0);
}

export function ensureBuiltCli(): void {
  const sources = newest(join(ROOT, 'src'));
  if (BUNDLES.every((b) => existsSync(b) && statSync(b).mtimeMs >= sources)) return;
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}
