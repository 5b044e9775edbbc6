import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as l10n from '@vscode/l10n';
import { formatTokensLong, routingLines } from '../../webview/agents/format';
import { modelCount } from '../../webview/connections/modelFormat';
import { AUDIT_PAGE_WORDS, verificationLine } from '../../webview/editor/auditFormat';
import { selectionLabel } from '../../webview/editor/modelsTable';
import { formatCount, formatDecimal, pageLocale } from '../../webview/shared/locale';
import { pageLabel } from '../../webview/shared/paging';

const REPO = resolve(__dirname, '../..');

/** Every .ts and .tsx file under a folder of the repository. */
function sources(folder: string): string[] {
  return readdirSync(join(REPO, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.tsx?$/.test(file))
    .map((file) => join(folder, file));
}

describe('webview localization', () => {
  // A German bundle of a few messages, as the host would put in the page; the rest stay English.
  const GERMAN = {
    '1 model': '1 Modell',
    '{0} models': '{0} Modelle',
    '{0} selected · {1}': '{0} ausgewählt · {1}',
    'Entries {0}–{1} of {2}': 'Einträge {0}–{1} von {2}',
    'Verified: {0} entries, every link of the hash chain checks.': 'Geprüft: {0} Einträge, jedes Glied der Hash-Kette stimmt.',
    '{0} tokens ({1} in, {2} out)': '{0} Token ({1} ein, {2} aus)',
    'connection: {0} (from: {1})': 'Verbindung: {0} (aus: {1})',
    default: 'Standard',
  };

  afterEach(() => l10n.config({ contents: {} }));

  it('reads the whole sentence from the bundle, counts and all, and leaves what it does not have in English', () => {
    l10n.config({ contents: GERMAN });
    assert.equal(modelCount(1), '1 Modell');
    assert.equal(modelCount(2000), '2,000 Modelle');
    assert.equal(selectionLabel(2, 3, 3), '2 ausgewählt · 3 Modelle');
    assert.equal(selectionLabel(0, 1, 2000), '1 of 2,000 models shown', 'not in the bundle: English');
    assert.equal(formatTokensLong({ inputTokens: 1234, outputTokens: 56 }), '1,290 Token (1,234 ein, 56 aus)');
    const connections = [{ id: 'c1', name: 'Local Ollama', providerId: 'ollama', providerName: 'Ollama', status: 'valid' as const, models: [] }];
    const routing = { connectionId: 'c1', providerId: 'ollama', modelRef: 'llama3.2', sources: { connectionId: 'default' as const, modelRef: 'provider' as const } };
    assert.equal(routingLines(routing, connections).connection, 'Verbindung: Local Ollama (aus: Standard)');
  });

  it('writes numbers in the language it is given, and the page language is English outside a page', () => {
    assert.equal(pageLocale(), 'en');
    assert.equal(formatCount(131_072, 'de'), '131.072');
    assert.equal(formatDecimal(1.25, 1, 'de'), '1,3');
    l10n.config({ contents: GERMAN });
    assert.equal(pageLabel(0, 50, 2345, AUDIT_PAGE_WORDS, 'de'), 'Einträge 1–50 von 2.345');
    assert.equal(verificationLine({ ok: true, entries: 12_345 }, 'de'), 'Geprüft: 12.345 Einträge, jedes Glied der Hash-Kette stimmt.');
  });

  it('every l10n.t call in the views and core passes its message as a literal, so `npm run l10n` finds it', () => {
    const dynamic = [...sources('webview'), ...sources('src')].flatMap((file) => {
      const text = readFileSync(join(REPO, file), 'utf8');
      return [...text.matchAll(/\bl10n\.t\((?!\s*['"{)])/g)].map((match) => `${file}: ${text.slice(match.index, match.index + 60)}`);
    });
    assert.deepEqual(dynamic, []);
  });
});
