import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve(__dirname, '../..');

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(join(REPO, file), 'utf8'));
}

interface Manifest {
  l10n?: string;
  scripts: Record<string, string>;
  contributes: {
    commands: Array<{ title: string; category?: string }>;
    viewsContainers: Record<string, Array<{ title: string }>>;
    views: Record<string, Array<{ name: string }>>;
    languageModelChatProviders?: Array<{ displayName: string }>;
    configuration: { title: string; properties: Record<string, { description?: string; markdownDescription?: string; enumDescriptions?: string[] }> };
  };
}

/** Every `%key%` placeholder anywhere in the manifest. */
function placeholders(value: unknown): string[] {
  if (typeof value === 'string') return /^%([^%]+)%$/.exec(value)?.slice(1) ?? [];
  if (typeof value !== 'object' || value === null) return [];
  return Object.values(value).flatMap(placeholders);
}

describe('localization', () => {
  const manifest = readJson('package.json') as Manifest;
  const nls = readJson('package.nls.json') as Record<string, string>;

  it('l10n/bundle.l10n.json is exactly what `npm run l10n` (vscode-l10n-dev export) extracts from the sources', function () {
    // Parsing 150 files with tree-sitter; a backstop, not a measure.
    this.timeout(60_000);
    const [tool, ...args] = manifest.scripts.l10n!.split(' ');
    assert.equal(tool, 'vscode-l10n-dev');
    const outDir = args.indexOf('--outDir');
    assert.ok(outDir >= 0 && args[outDir + 1] === manifest.l10n, 'the script writes where package.json says the bundle is');
    const scratch = mkdtempSync(join(tmpdir(), 'switchboard-l10n-'));
    try {
      args[outDir + 1] = scratch;
      execFileSync(process.execPath, [join(REPO, 'node_modules/@vscode/l10n-dev/dist/cli.js'), ...args], { cwd: REPO, stdio: 'pipe' });
      const fresh = JSON.parse(readFileSync(join(scratch, 'bundle.l10n.json'), 'utf8')) as Record<string, string>;
      const committed = readJson(join(manifest.l10n!, 'bundle.l10n.json')) as Record<string, string>;
      // Keys compared as sets first, so a failure names the strings that are missing or stale.
      const missing = Object.keys(fresh).filter((key) => !(key in committed));
      const stale = Object.keys(committed).filter((key) => !(key in fresh));
      assert.deepEqual({ missing, stale }, { missing: [], stale: [] }, 'run `npm run l10n` and commit l10n/bundle.l10n.json');
      assert.deepEqual(committed, fresh);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('the source bundle holds the strings of the host (vscode.l10n) and of core (@vscode/l10n)', () => {
    const committed = readJson('l10n/bundle.l10n.json') as Record<string, string>;
    for (const message of ['There are no connections yet.', 'That agent no longer exists.']) assert.equal(committed[message], message);
  });

  it('no localized message is written in Markdown: notifications, dialogs and views show it as plain text', () => {
    const committed = readJson('l10n/bundle.l10n.json') as Record<string, string>;
    const markdown = Object.keys(committed).filter((message) => /`|\*\*|\]\(/.test(message));
    assert.deepEqual(markdown, []);
  });

  it('every %key% of package.json is in package.nls.json, and every key there is used', () => {
    const used = new Set(placeholders(manifest));
    assert.deepEqual([...used].filter((key) => !(key in nls)), [], 'keys missing from package.nls.json');
    assert.deepEqual(Object.keys(nls).filter((key) => !used.has(key)), [], 'keys of package.nls.json that package.json does not use');
    for (const [key, value] of Object.entries(nls)) assert.ok(typeof value === 'string' && value.trim(), `${key} has words`);
  });

  it('the .vsix ships package.nls.json, and not the English source bundle, which VS Code never reads', function () {
    this.timeout(60_000);
    const packed = execFileSync(process.execPath, [join(REPO, 'node_modules/@vscode/vsce/vsce'), 'ls', '--no-dependencies'], { cwd: REPO, encoding: 'utf8' }).split('\n');
    for (const file of ['package.json', 'package.nls.json']) assert.ok(packed.includes(file), `${file} is not in the package: ${packed.join(', ')}`);
    assert.ok(!packed.includes('l10n/bundle.l10n.json'), 'in English VS Code loads no bundle: the source bundle is for translators only');
  });

  it('every word of the manifest a person reads comes from package.nls.json', () => {
    const { contributes } = manifest;
    const read: Array<[string, string | undefined]> = [
      ['displayName', (manifest as unknown as { displayName: string }).displayName],
      ['description', (manifest as unknown as { description: string }).description],
      ...contributes.commands.flatMap((c): Array<[string, string | undefined]> => [[`title of ${c.title}`, c.title], [`category of ${c.title}`, c.category]]),
      ...Object.values(contributes.viewsContainers).flat().map((c): [string, string] => ['view container title', c.title]),
      ...Object.values(contributes.views).flat().map((v): [string, string] => ['view name', v.name]),
      ...(contributes.languageModelChatProviders ?? []).map((p): [string, string] => ['chat provider name', p.displayName]),
      ['configuration title', contributes.configuration.title],
      ...Object.entries(contributes.configuration.properties).flatMap(([name, p]) =>
        [p.description, p.markdownDescription, ...(p.enumDescriptions ?? [])].filter((text) => text !== undefined).map((text): [string, string] => [name, text]),
      ),
    ];
    const literal = read.filter(([, text]) => text === undefined || !/^%[^%]+%$/.test(text));
    assert.deepEqual(literal, [], 'move these into package.nls.json as %key%');
  });
});
