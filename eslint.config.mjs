import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const REPO = import.meta.dirname;

/**
 * The layer rules of docs/architecture.md ("Layers in the code"), one zone per "never". Each message
 * starts with the rule's name so a lint error says which rule broke. `from: '.'` with
 * exceptions reads "anything of ours but ...": a new folder is forbidden until a zone allows it.
 * `node_modules` is excepted because packages (zod, preact) are not ours.
 */
const LAYER_ZONES = [
  {
    target: 'src/contracts',
    from: '.',
    except: ['./src/contracts', './node_modules'],
    message: 'Layer rule "contracts import nothing of ours": src/contracts may import only src/contracts and packages.',
  },
  {
    target: 'src/core',
    from: ['src/vscode', 'src/agent-host', 'webview'],
    message: 'Layer rule "core imports no vscode, agent-host or webview": reach VS Code through the ports in src/core/base/ports.ts.',
  },
  {
    target: 'src/agent-host',
    from: '.',
    except: ['./src/agent-host', './src/contracts', './node_modules'],
    message: 'Layer rule "the agent host imports only contracts": it talks to the host by message, never through host code.',
  },
  {
    target: 'src/api',
    from: '.',
    except: ['./src/api', './src/contracts', './node_modules'],
    message: 'Layer rule "src/api imports only contracts": other extensions copy it, so it builds on contracts alone.',
  },
  {
    // The webview's TypeScript and TSX; webview/dev/*.mjs are Node scripts that drive a browser.
    target: 'webview/**/*.{ts,tsx}',
    from: '.',
    except: ['./webview', './src/contracts', './node_modules'],
    message: 'Layer rule "webviews import only contracts and their own folder": reach the host through the protocol in src/contracts.',
  },
  {
    target: ['src', 'webview'],
    from: ['test', 'bench'],
    message: 'Layer rule "src and webview never import test or bench": product code cannot depend on tests or benchmarks.',
  },
  {
    // Importing a test file runs its describe() blocks too, so running one file alone would run
    // another's tests; shared builders live in test/helpers or test/fixtures.
    target: 'test/**',
    from: '**/*.test.ts',
    message: 'Test rule "a test file never imports another test file": move what it shares to test/helpers or test/fixtures.',
  },
];

/**
 * The rooms of src/core (src/core/README.md), in the order imports point: a room may import any
 * room before it in this list, never one after it. `chat` and `gateway` stand side by side.
 */
const CORE_ROOMS = ['base', 'store', 'audit', 'http', 'providers', 'keys', 'connections', 'models', 'calls', 'runs', ['chat', 'gateway'], 'views'];

/** One zone per room: everything to its right is out of reach. */
function roomZones() {
  const ranks = CORE_ROOMS.map((entry) => [entry].flat());
  return ranks.slice(0, -1).flatMap((rank, index) => {
    const later = ranks.slice(index + 1).flat();
    return rank.map((room) => {
      const siblings = rank.filter((other) => other !== room);
      const from = [...later, ...siblings];
      return {
        target: `src/core/${room}`,
        from: from.map((other) => `src/core/${other}`),
        message: `Room rule "core's rooms import only rooms to their left": src/core/${room} may not import ${from.join(', ')} (order: base, store, audit, http, providers, keys, connections, models, calls, runs, chat and gateway, views).`,
      };
    });
  });
}

const ROOM_ZONES = [
  ...roomZones(),
  {
    target: ['src/core/{base,store,audit,http,providers,keys,connections,models,calls,runs,chat,gateway}/**', 'src/agent-host', 'src/api', 'src/contracts', 'webview'],
    from: 'src/core/views',
    message: 'Room rule "only src/vscode imports core\'s views": the view controllers and the API host are wired by the extension.',
  },
  {
    // Controllers share what they need through views/viewShared.ts and views/viewHost.ts.
    target: 'src/core/views/*Controller.ts',
    from: 'src/core/views/*Controller.ts',
    message: 'Room rule "views never import each other": share through src/core/views/viewShared.ts.',
  },
  {
    target: 'src/core/{base,store,audit,http,providers,keys,connections,models,calls,runs,chat,gateway}/**',
    from: 'src/contracts/{agentsView,connectionsView,editorView}.ts',
    message: 'Room rule "below views, core imports no view contract": the views\' protocols are for src/core/views alone.',
  },
];

/** Only src/vscode may import vscode at runtime; elsewhere `import type` is fine (it is erased). */
const RUNTIME_VSCODE = {
  name: 'vscode',
  message: 'Layer rule "only src/vscode imports vscode at runtime": use `import type` elsewhere, or a port in src/core/base/ports.ts.',
  allowTypeImports: true,
};

export default tseslint.config(
  {
    ignores: [
      'dist/**', 'node_modules/**', '.harness/**', '.test-artifacts/**', 'out/**',
      // Files that break the layer rules on purpose; test/unit/layers.unit.test.ts lints them.
      'test/fixtures/layers/**',
    ],
  },
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
    plugins: { 'import-x': importX },
    settings: {
      // no-restricted-paths judges the file an import resolves to; an import it cannot resolve
      // is not judged, and tsc fails on those.
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.mts', '.js', '.mjs', '.json'] })],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { basePath: REPO, zones: [...LAYER_ZONES, ...ROOM_ZONES] }],
      // A module imported twice reads as two dependencies; `import type` beside a value import is one.
      'no-duplicate-imports': ['error', { allowSeparateTypeImports: true }],
    },
  },
  {
    // Folders and files alike: a cycle makes the order of the rooms meaningless.
    files: ['src/**/*.ts', 'webview/**/*.{ts,tsx}'],
    rules: { 'import-x/no-cycle': 'error' },
  },
  {
    files: ['src/**/*.ts', 'test/unit/**/*.ts', 'test/helpers/**/*.ts', 'test/fixtures/**/*.ts', 'bench/**/*.ts'],
    ignores: ['src/vscode/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [RUNTIME_VSCODE] }],
    },
  },
  {
    // Contracts run on both sides of every boundary (host, worker, browser).
    files: ['src/contracts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'Layer rule "contracts import no vscode, DOM or Node": they are shared by the host, the worker and the webviews.' }],
        patterns: [{ group: ['node:*'], message: 'Layer rule "contracts import no vscode, DOM or Node": they are shared by the host, the worker and the webviews.' }],
      }],
    },
  },
  {
    // Webviews run in a browser: neither vscode nor Node is there.
    files: ['webview/**/*.ts', 'webview/**/*.tsx'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'Layer rule "webviews never import vscode": they run in a browser and reach the host by message.' }],
        patterns: [{ group: ['node:*'], message: 'Layer rule "webviews import no Node modules": they run in a browser.' }],
      }],
    },
  },
  {
    // Fixture extensions are plain CommonJS, as an extension loaded from a folder is.
    files: ['test/fixtures/extensions/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', fetch: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
