#!/usr/bin/env node
// `npm run test:desktop`: the same end-to-end tests as `npm test`, in desktop VS Code instead of
// code-server, for machines with internet. @vscode/test-electron downloads VS Code from Microsoft
// (impossible on the offline build machines); the tests then drive it through playwright-core's
// Electron support (test/e2e/codeServer.ts switches on ITOOL_VSCODE_EXECUTABLE).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { downloadAndUnzipVSCode, resolveCliArgsFromVSCodeExecutablePath } from '@vscode/test-electron';
import { ROOT } from './ensure.mjs';
import { packageVsix } from './package.mjs';

const executable = await downloadAndUnzipVSCode('1.100.3');
const [cli, ...cliArgs] = resolveCliArgsFromVSCodeExecutablePath(executable);
await packageVsix();
const files = readdirSync(join(ROOT, 'test', 'e2e')).filter((f) => f.endsWith('.e2e.ts')).map((f) => join('test', 'e2e', f));
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, ITOOL_VSCODE_EXECUTABLE: executable, ITOOL_VSCODE_CLI: JSON.stringify([cli, ...cliArgs]) },
});
process.exit(r.status ?? 1);
