// Lint: typescript-eslint's recommended rules, plus the architectural rules: the core (src/core)
// runs in plain Node (CLI, workers, tests) and must never import `vscode`; the archived
// @vscode/webview-ui-toolkit is imported nowhere; and in the webviews only webview/components.ts
// names the component library (@vscode-elements/elements): the rest asks it for a control.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noVscode = { name: 'vscode', message: 'src/core, src/cli and webview must not import vscode: keep VS Code code in src/extension.' };
const noToolkit = { group: ['@vscode/webview-ui-toolkit', '@vscode/webview-ui-toolkit/**'], message: '@vscode/webview-ui-toolkit is archived (and broke the CSP): make controls with webview/components.ts.' };
const noElements = { group: ['@vscode-elements/**'], message: 'only webview/components.ts names the component library: make controls with its functions.' };
// The rooms (ARCHITECTURE.md): the core is imported by the front doors, never the reverse; the CLI
// and the extension are two front doors that do not lean on each other; webviews run in a browser.
const noFrontDoors = { regex: '(^|/)(cli|extension|webview)/', message: 'src/core must not import src/cli, src/extension or webview: they build on the core, not the reverse.' };
const noExtension = { regex: '(^|/)(extension|webview)/', message: 'src/cli must not import src/extension or webview: the CLI runs without VS Code.' };
const noCli = { regex: '(^|/)cli/', message: 'src/extension must not import src/cli: share code through src/core.' };
const noNode = { regex: '^node:', message: 'webviews run in a browser: no node:* imports.' };
const restricted = (paths, patterns) => ({ 'no-restricted-imports': ['error', { paths, patterns }] });

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.vscode-test/**', 'test-output/**', 'demo/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // One block per file set: a later block's no-restricted-imports replaces an earlier one's.
  { files: ['**/*.ts', '**/*.mjs'], rules: restricted([], [noToolkit]) },
  { files: ['src/core/**/*.ts'], rules: restricted([noVscode], [noToolkit, noFrontDoors]) },
  { files: ['src/cli/**/*.ts'], rules: restricted([noVscode], [noToolkit, noExtension]) },
  { files: ['src/extension/**/*.ts'], rules: restricted([], [noToolkit, noCli]) },
  { files: ['webview/**/*.ts'], ignores: ['webview/components.ts'], rules: restricted([noVscode], [noToolkit, noElements, noNode]) },
  { files: ['webview/components.ts'], rules: restricted([noVscode], [noToolkit, noNode]) },
  {
    files: ['scripts/**/*.mjs', 'bench/**/*.mjs', 'test/**/*.mjs'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly', setTimeout: 'readonly', fetch: 'readonly' } },
  },
);
