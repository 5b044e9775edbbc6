// Where `vscode` resolves in every layer but src/vscode and the tests (see the `paths` in their
// tsconfig.json). This file belongs to no project, so an import of `vscode` there (even
// `import type`) fails with TS6307 naming this file. Without the mapping TypeScript would find
// node_modules/@types/vscode for an explicit import, whatever the layer's `types` say.
export {};
