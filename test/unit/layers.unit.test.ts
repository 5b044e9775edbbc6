import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { ESLint } from 'eslint';

// Each fixture under test/fixtures/layers is linted with the repository's own eslint.config.mjs
// as if it stood at its path inside the repository, so the real zones judge it.
const REPO = resolve(__dirname, '../..');
const FIXTURES = join(REPO, 'test/fixtures/layers');
/** `Layer rule "..."` / `Room rule "..."` / `Test rule "..."`: how every layer message names its rule. */
const RULE_NAME = /\b(?:Layer|Room|Test) rule "([^"]+)"/g;

function fixtureFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? fixtureFiles(join(dir, entry.name)) : /\.tsx?$/.test(entry.name) ? [join(dir, entry.name)] : [],
  );
}

/** The rule names on a fixture's first line: `// Breaks: "a", "b"` or `// Breaks: nothing (...)`. */
function expectedRules(text: string): string[] {
  const first = text.split('\n', 1)[0]!;
  assert.match(first, /^\/\/ Breaks: /, 'a layer fixture starts with "// Breaks: ..."');
  return [...first.matchAll(/"([^"]+)"/g)].map((match) => match[1]!).sort();
}

/** Every string in a resolved rule configuration (messages sit deep in rule options). */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object' || value === null) return [];
  return Object.values(value).flatMap(stringsIn);
}

function rulesNamed(messages: readonly string[]): string[] {
  return [...new Set(messages.flatMap((message) => [...message.matchAll(RULE_NAME)].map((match) => match[1]!)))].sort();
}

describe('layer rules (eslint.config.mjs)', function () {
  // Building the config and linting 20 small files; a backstop, not a measure.
  this.timeout(60_000);
  const eslint = new ESLint({ cwd: REPO });
  const files = fixtureFiles(FIXTURES);

  for (const file of files) {
    const virtualPath = relative(FIXTURES, file).split(sep).join('/');
    const text = readFileSync(file, 'utf8');
    const expected = expectedRules(text);
    it(`${virtualPath}: ${expected.length ? `fails with ${expected.map((rule) => `"${rule}"`).join(' and ')}` : 'passes'}`, async () => {
      const [result] = await eslint.lintText(text, { filePath: join(REPO, virtualPath) });
      const messages = result!.messages.map((message) => `${message.ruleId}: ${message.message}`);
      assert.deepEqual(rulesNamed(messages), expected, messages.join('\n'));
      // Nothing else is wrong with a fixture, so it proves the layer rule alone.
      assert.equal(messages.length, expected.length, messages.join('\n'));
    });
  }

  it('has a fixture that breaks every layer rule the config declares', async () => {
    const declared = new Set<string>();
    for (const probe of ['src/contracts/x.ts', 'src/core/x.ts', 'webview/shared/x.ts', 'test/unit/x.ts']) {
      const config = (await eslint.calculateConfigForFile(join(REPO, probe))) as { rules: Record<string, unknown> };
      for (const name of rulesNamed(stringsIn(config.rules))) declared.add(name);
    }
    const broken = new Set(files.flatMap((file) => expectedRules(readFileSync(file, 'utf8'))));
    assert.ok(declared.size >= 10, `found only ${[...declared].join(', ')} in the config`);
    assert.deepEqual([...declared].filter((rule) => !broken.has(rule)), [], 'rules without a fixture that breaks them');
  });

  it('keeps the fixtures out of the normal lint run', async () => {
    assert.equal(await eslint.isPathIgnored(files[0]!), true);
  });
});
