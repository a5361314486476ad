// Lint: typescript-eslint's recommended rules, plus the architectural rules: the core (src/core)
// runs in plain Node (CLI, workers, tests) and must never import `vscode`; the archived
// @vscode/webview-ui-toolkit is imported nowhere; and in the webviews only webview/components.ts
// names the component library (@vscode-elements/elements): the rest asks it for a control.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noVscode = { name: 'vscode', message: 'src/core, src/cli and webview must not import vscode: keep VS Code code in src/extension.' };
const noToolkit = { group: ['@vscode/webview-ui-toolkit', '@vscode/webview-ui-toolkit/**'], message: '@vscode/webview-ui-toolkit is archived (and broke the CSP): make controls with webview/components.ts.' };
const noElements = { group: ['@vscode-elements/**'], message: 'only webview/components.ts names the component library: make controls with its functions.' };
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
  { files: ['src/core/**/*.ts', 'src/cli/**/*.ts'], rules: restricted([noVscode], [noToolkit]) },
  { files: ['webview/**/*.ts'], ignores: ['webview/components.ts'], rules: restricted([noVscode], [noToolkit, noElements]) },
  { files: ['webview/components.ts'], rules: restricted([noVscode], [noToolkit]) },
  {
    files: ['scripts/**/*.mjs', 'bench/**/*.mjs', 'test/**/*.mjs'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly', setTimeout: 'readonly', fetch: 'readonly' } },
  },
);
