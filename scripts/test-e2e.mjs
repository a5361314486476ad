#!/usr/bin/env node
// End-to-end tests in a real VS Code (code-server + headless Chromium). Packages the VSIX first;
// screenshots land in test-output/e2e/.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './ensure.mjs';
import { packageVsix } from './package.mjs';

await packageVsix();
const only = process.argv.slice(2);
const files = only.length ? only : readdirSync(join(ROOT, 'test', 'e2e')).filter((f) => f.endsWith('.e2e.ts')).map((f) => join('test', 'e2e', f));
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files], { cwd: ROOT, stdio: 'inherit' });
process.exit(r.status ?? 1);
