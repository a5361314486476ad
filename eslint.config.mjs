// Lint: typescript-eslint's recommended rules, plus the architectural rules: the core (src/core)
// runs in plain Node (CLI, workers, tests) and must never import `vscode`; the archived
// @vscode/webview-ui-toolkit is imported nowhere; and in the webviews only
// webview/shared/components.ts names the component library (@vscode-elements/elements): the rest
// asks it for a control.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noVscode = { name: 'vscode', message: 'src/core, src/cli and webview must not import vscode: keep VS Code code in src/extension.' };
const noToolkit = { group: ['@vscode/webview-ui-toolkit', '@vscode/webview-ui-toolkit/**'], message: '@vscode/webview-ui-toolkit is archived (and broke the CSP): make controls with webview/shared/components.ts.' };
const noElements = { group: ['@vscode-elements/**'], message: 'only webview/shared/components.ts names the component library: make controls with its functions.' };
// The rooms (ARCHITECTURE.md): the core is imported by the front doors, never the reverse; the CLI
// and the extension are two front doors that do not lean on each other; webviews run in a browser.
const noFrontDoors = { regex: '(^|/)(cli|extension|webview)/', message: 'src/core must not import src/cli, src/extension or webview: they build on the core, not the reverse.' };
const noExtension = { regex: '(^|/)(extension|webview)/', message: 'src/cli must not import src/extension or webview: the CLI runs without VS Code.' };
const noCli = { regex: '(^|/)cli/', message: 'src/extension must not import src/cli: share code through src/core.' };
const noNode = { regex: '^node:', message: 'webviews run in a browser: no node:* imports.' };
// Each webview in its folder (webview/panel, webview/dashboard); what both use is in webview/shared.
const onlyShared = (other) => ({ regex: `(^|/)${other}/`, message: 'the dataset panel and the round dashboard share code only through webview/shared.' });
const noWebviewFolders = { regex: '(^|/)(panel|dashboard)/', message: 'webview/shared serves both webviews: it imports neither.' };
// What a webview takes from the core: types (`import type`), and at run time only these modules,
// which import nothing from Node (the lint block below says so; webview/tsconfig.json type-checks
// them, and every core module a webview reaches, without Node's types): text clipping, the error
// kinds and their table, the reject reasons, the dashboard's number formats (and the statistics and
// the seeded randomness they use). Everything else a page shows comes over its protocol.
const NODE_FREE_CORE = ['chars', 'toolcall/types', 'toolcall/errorKinds', 'pairs/reasons', 'rounds/dashboardData'];
const NODE_FREE_FILES = [...NODE_FREE_CORE, 'rounds/stats', 'random'].map((m) => `src/core/${m}.ts`);
const coreTypesOnly = {
  regex: `(^|/)src/core/(?!(${NODE_FREE_CORE.join('|')})$)`,
  allowTypeImports: true,
  message: `webviews take only types from src/core (import type), and code only from its Node-free modules (${NODE_FREE_CORE.join(', ')}); send anything else over the webview's protocol.`,
};
const noSrcButCore = { regex: '(^|/)src/(?!core/)', message: 'webviews import nothing from src/ but src/core: the extension talks to them over their protocol.' };
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
  { files: NODE_FREE_FILES, rules: restricted([noVscode], [noToolkit, noFrontDoors, { ...noNode, message: 'the webviews run this core module in a browser: no node:* imports.' }]) },
  { files: ['webview/**/*.ts'], rules: restricted([noVscode], [noToolkit, noElements, noNode]) },
  { files: ['webview/panel/**/*.ts'], rules: restricted([noVscode], [noToolkit, noElements, noNode, onlyShared('dashboard')]) },
  { files: ['webview/dashboard/**/*.ts'], rules: restricted([noVscode], [noToolkit, noElements, noNode, onlyShared('panel')]) },
  { files: ['webview/shared/**/*.ts'], ignores: ['webview/shared/components.ts'], rules: restricted([noVscode], [noToolkit, noElements, noNode, noWebviewFolders]) },
  { files: ['webview/shared/components.ts'], rules: restricted([noVscode], [noToolkit, noNode, noWebviewFolders]) },
  // A second rule (typescript-eslint's, which knows `import type`) for what webviews take from src/.
  { files: ['webview/**/*.ts'], rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [coreTypesOnly, noSrcButCore] }] } },
  {
    files: ['scripts/**/*.mjs', 'bench/**/*.mjs', 'test/**/*.mjs'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly', setTimeout: 'readonly', fetch: 'readonly' } },
  },
);
