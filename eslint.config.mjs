import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.harness/**', '.test-artifacts/**', 'out/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { console: 'readonly', process: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly', Buffer: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The layer rule: only src/vscode may import vscode at runtime; everything else may
    // import its types (ARCHITECTURE.md, "Layers in the code").
    files: ['src/**/*.ts', 'webview/**/*.ts', 'webview/**/*.tsx', 'test/unit/**/*.ts', 'test/fixtures/**/*.ts', 'bench/**/*.ts'],
    ignores: ['src/vscode/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'Only src/vscode/ may import vscode at runtime; use `import type` elsewhere.', allowTypeImports: true }],
      }],
    },
  },
  {
    // Webviews reach the host only through the protocol in src/contracts.
    files: ['webview/**/*.ts', 'webview/**/*.tsx'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'Webviews never import vscode.' }],
        patterns: [{ group: ['**/src/core/**', '**/src/vscode/**', '**/src/agent-host/**', 'node:*'], message: 'Webviews may import only src/contracts.' }],
      }],
    },
  },
);
