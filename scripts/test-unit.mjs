#!/usr/bin/env node
// Runs every test/unit/**/*.test.ts with Node's own test runner (Node 20 takes no globs).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ROOT } from './ensure.mjs';

function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? find(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : []);
}
const only = process.argv.slice(2);
const files = (only.length ? only : find(join(ROOT, 'test', 'unit')).map((f) => relative(ROOT, f))).sort();
// The CLIs the tests run keep their question cache (src/core/toolcall/questionCache.ts) in a
// folder of this run's own, not in the user's ~/.cache.
const cache = mkdtempSync(join(tmpdir(), 'itool-test-cache-'));
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ITOOL_CACHE_DIR: cache } });
rmSync(cache, { recursive: true, force: true });
process.exit(r.status ?? 1);
