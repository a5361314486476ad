// The webviews' controls come from one module (webview/shared/components.ts) over @vscode-elements/elements.
// The archived @vscode/webview-ui-toolkit (it logged CSP violations on every panel load: issue 20)
// must not come back: not as a dependency, not as an import, not as a tag; and the component
// library stays behind webview/shared/components.ts (the lint rule is live, not just configured).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

const ROOT = resolve(__dirname, '..', '..');
const TOOLKIT = '@vscode/webview-ui-toolkit';
const COMPONENTS = 'webview/shared/components.ts';

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|mts|js|mjs|css|html)$/.test(e.name))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)).split('\\').join('/'));
}

const read = (rel: string) => readFileSync(join(ROOT, rel), 'utf8');
const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

async function restrictedImportErrors(file: string, from: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT });
  const [result] = await eslint.lintText(`import '${from}';\n`, { filePath: join(ROOT, file) });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('webview components', () => {
  it('package.json and package-lock.json have no @vscode/webview-ui-toolkit', () => {
    assert.equal(pkg.dependencies[TOOLKIT], undefined);
    assert.equal(pkg.devDependencies[TOOLKIT], undefined);
    assert.ok(!read('package-lock.json').includes(TOOLKIT), 'package-lock.json names the archived toolkit');
  });

  it('@vscode-elements/elements is a dependency at an exact version', () => {
    assert.match(pkg.dependencies['@vscode-elements/elements'] ?? '', /^\d+\.\d+\.\d+$/);
  });

  it('no file in src/, webview/ or media/ names the toolkit, its design system or its tags', () => {
    const files = [...sources('src'), ...sources('webview'), ...sources('media')];
    assert.ok(files.includes(COMPONENTS) && files.includes('webview/panel/main.ts'), 'the walk finds the webview sources');
    // A tag, not a theme variable (--vscode-panel-border) nor a longer name.
    const old = /webview-ui-toolkit|provideVSCodeDesignSystem|(?<![-\w])vscode-(dropdown|text-field|text-area|data-grid|data-grid-row|data-grid-cell|panels|panel-tab|panel-view|progress-ring|divider|link|tag|radio-group)(?![-\w])/;
    assert.deepEqual(files.filter((f) => old.test(read(f))), []);
  });

  it('only webview/shared/components.ts names @vscode-elements or creates its elements', () => {
    const library = /@vscode-elements|['"`]vscode-(button|single-select|multi-select|option|textfield|textarea|badge|checkbox|tabs|tab-header|tab-panel|icon|table)['"`]/;
    const named = [...sources('src'), ...sources('webview')].filter((f) => library.test(read(f)));
    assert.deepEqual(named, [COMPONENTS]);
  });

  for (const file of ['src/extension/x.ts', 'src/core/x.ts', 'webview/x.ts', COMPONENTS]) {
    it(`lint rejects importing the toolkit in ${file}`, async () => {
      const errors = await restrictedImportErrors(file, TOOLKIT);
      assert.equal(errors.length, 1);
      assert.match(errors[0], /archived/);
    });
  }

  it('lint rejects importing @vscode-elements/elements in webview/ outside components.ts', async () => {
    for (const file of ['webview/panel/main.ts', 'webview/dashboard/main.ts']) {
      const errors = await restrictedImportErrors(file, '@vscode-elements/elements/dist/vscode-button/index.js');
      assert.equal(errors.length, 1, file);
      assert.match(errors[0], /only webview\/shared\/components\.ts/);
    }
    assert.deepEqual(await restrictedImportErrors(COMPONENTS, '@vscode-elements/elements/dist/vscode-button/index.js'), []);
  });
});
