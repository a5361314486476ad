// The architectural rules the linter enforces: src/core (and the CLI and webview) never import
// `vscode`, so the core runs in plain Node; the rooms of ARCHITECTURE.md import only what they may.
// This proves each rule is live, not just configured.
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

const ROOT = resolve(__dirname, '..', '..');
const CODE = "import * as vscode from 'vscode';\nexport const v = vscode.version;\n";

async function restrictedImportErrors(file: string, code = CODE): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT });
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
  // ESLint's rule, and typescript-eslint's (which tells `import type` apart) for what webviews take from src/.
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
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
    ['src/core/rounds/x.ts', '../../../webview/shared/kindStyle', /src\/core must not import/],
    ['src/core/rounds/x.ts', '../toolcall/errorKinds', null],
    ['src/cli/x.ts', '../extension/log', /src\/cli must not import/],
    ['src/cli/x.ts', '../core/rounds/loop', null],
    ['src/extension/x.ts', '../cli/itool', /src\/extension must not import src\/cli/],
    ['src/extension/x.ts', '../core/rounds/loop', null],
    ['webview/x.ts', 'node:fs', /no node:\* imports/],
    ['webview/dashboard/x.ts', 'node:path', /no node:\* imports/],
    ['webview/panel/x.ts', 'node:fs', /no node:\* imports/],
    ['webview/shared/x.ts', 'node:path', /no node:\* imports/],
    // A folder per webview; what both use lives in webview/shared, which imports neither.
    ['webview/panel/x.ts', '../dashboard/charts', /share code only through webview\/shared/],
    ['webview/dashboard/x.ts', '../panel/host', /share code only through webview\/shared/],
    ['webview/shared/x.ts', '../panel/host', /imports neither/],
    ['webview/panel/x.ts', '../shared/dom', null],
    ['webview/dashboard/x.ts', '../shared/kindStyle', null],
    // Webviews take code from the core only from its Node-free modules (and types from any: below).
    ['webview/panel/x.ts', '../../src/core/dataset/row', /take only types from src\/core/],
    ['webview/dashboard/x.ts', '../../src/core/rounds/registry', /take only types from src\/core/],
    ['webview/panel/x.ts', '../../src/core/chars', null],
    ['webview/panel/x.ts', '../../src/core/toolcall/errorKinds', null],
    ['webview/dashboard/x.ts', '../../src/core/rounds/dashboardData', null],
    ['webview/panel/x.ts', '../../src/extension/log', /nothing from src\/ but src\/core/],
    // Those modules run in a browser too: no Node in them, while the rest of the core has it.
    ['src/core/chars.ts', 'node:crypto', /no node:\* imports/],
    ['src/core/rounds/dashboardData.ts', 'node:fs', /no node:\* imports/],
    ['src/core/rounds/x.ts', 'node:fs', null],
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

  // Types cross from the core to a webview (`import type`, or every name marked `type`); code does not.
  const typeCases: [string, string, RegExp | null][] = [
    ['webview/panel/x.ts', "import type { SampleRow } from '../../src/core/dataset/sample';\nexport type R = SampleRow;\n", null],
    ['webview/panel/x.ts', "import { type SearchTree } from '../../src/core/search/types';\nexport type T = SearchTree;\n", null],
    ['webview/dashboard/x.ts', "export type { RoundRecord } from '../../src/core/rounds/types';\n", null],
    ['webview/panel/x.ts', "import { rowOf, type SampleRow } from '../../src/core/dataset/row';\nexport const r: (s: never) => SampleRow = rowOf;\n", /take only types from src\/core/],
    ['webview/panel/x.ts', "export { rowOf } from '../../src/core/dataset/row';\n", /take only types from src\/core/],
    ['webview/panel/x.ts', "import type { Log } from '../../src/extension/log';\nexport type L = Log;\n", /nothing from src\/ but src\/core/],
  ];
  for (const [file, code, want] of typeCases) {
    it(`${file}: ${code.split('\n')[0]} ${want ? 'refused' : 'allowed'}`, async () => {
      const errors = await restrictedImportErrors(file, code);
      if (want) {
        assert.equal(errors.length, 1, JSON.stringify(errors));
        assert.match(errors[0], want);
      } else assert.deepEqual(errors, []);
    });
  }
});
