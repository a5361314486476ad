// The architectural rule the linter enforces: src/core (and the CLI and webview) never import
// `vscode`, so the core runs in plain Node. This proves the rule is live, not just configured.
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

const ROOT = resolve(__dirname, '..', '..');
const CODE = "import * as vscode from 'vscode';\nexport const v = vscode.version;\n";

async function restrictedImportErrors(file: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT });
  const [result] = await eslint.lintText(CODE, { filePath: join(ROOT, file) });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('architecture', () => {
  for (const file of ['src/core/dataset/imports-vscode.ts', 'src/core/anything/deep/x.ts', 'src/cli/x.ts', 'webview/x.ts']) {
    it(`lint rejects importing vscode in ${file}`, async () => {
      const errors = await restrictedImportErrors(file);
      assert.equal(errors.length, 1);
      assert.match(errors[0], /must not import vscode/);
    });
  }
  it('lint allows vscode in src/extension', async () => {
    assert.deepEqual(await restrictedImportErrors('src/extension/x.ts'), []);
  });
});
