// The architectural rule the linter enforces: src/core (and the CLI and webview) never import
// `vscode`, so the core runs in plain Node. This proves the rule is live, not just configured.
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

const ROOT = resolve(__dirname, '..', '..');
const CODE = "import * as vscode from 'vscode';\nexport const v = vscode.version;\n";

async function restrictedImportErrors(file: string, code = CODE): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT });
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
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

  // The rooms of ARCHITECTURE.md: each rule proven live on a file of that room, and the allowed
  // direction proven not to trip it.
  const importing = (spec: string) => `import { x } from '${spec}';\nexport const y = x;\n`;
  const cases: [string, string, RegExp | null][] = [
    ['src/core/rounds/x.ts', '../../cli/itool', /src\/core must not import/],
    ['src/core/rounds/x.ts', '../../extension/log', /src\/core must not import/],
    ['src/core/rounds/x.ts', '../../../webview/kindStyle', /src\/core must not import/],
    ['src/core/rounds/x.ts', '../toolcall/errorKinds', null],
    ['src/cli/x.ts', '../extension/log', /src\/cli must not import/],
    ['src/cli/x.ts', '../core/rounds/loop', null],
    ['src/extension/x.ts', '../cli/itool', /src\/extension must not import src\/cli/],
    ['src/extension/x.ts', '../core/rounds/loop', null],
    ['webview/x.ts', 'node:fs', /no node:\* imports/],
    ['webview/dashboard/x.ts', 'node:path', /no node:\* imports/],
  ];
  for (const [file, spec, want] of cases) {
    it(`${file} importing ${spec}: ${want ? 'refused' : 'allowed'}`, async () => {
      const errors = await restrictedImportErrors(file, importing(spec));
      if (want) {
        assert.equal(errors.length, 1, JSON.stringify(errors));
        assert.match(errors[0], want);
      } else assert.deepEqual(errors, []);
    });
  }
});
