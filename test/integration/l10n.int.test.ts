import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { extension } from './helpers';

/**
 * What the real extension host does with Switchboard's words. The suite runs in English, where
 * VS Code loads no translation bundle (vscode.l10n.bundle is undefined) and every l10n.t returns
 * its source string; what it can show is that VS Code substitutes package.nls.json into the
 * manifest and that the source bundle sits where package.json's `l10n` tells VS Code to look.
 */
describe('localization in the extension host', () => {
  async function readJson(...segments: string[]): Promise<Record<string, string>> {
    const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(extension().extensionUri, ...segments));
    return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, string>;
  }

  it('reads the manifest words from package.nls.json: command titles, categories, view names and setting descriptions', async () => {
    const nls = await readJson('package.nls.json');
    const manifest = extension().packageJSON as {
      displayName: string;
      contributes: {
        commands: Array<{ command: string; title: string; category: string }>;
        views: { switchboard: Array<{ id: string; name: string }> };
        configuration: { properties: Record<string, { markdownDescription: string }> };
      };
    };
    assert.equal(manifest.displayName, nls.displayName);
    const addConnection = manifest.contributes.commands.find((c) => c.command === 'switchboard.addConnection');
    assert.deepEqual({ title: addConnection?.title, category: addConnection?.category }, { title: 'Add Connection', category: 'Switchboard' });
    assert.deepEqual(
      manifest.contributes.views.switchboard.map((view) => view.name),
      ['Connections', 'Agents'],
    );
    assert.equal(manifest.contributes.configuration.properties['switchboard.defaultConnectionId']?.markdownDescription, nls['configuration.defaultConnectionId.markdownDescription']);
    // No placeholder was left for VS Code to show as "%command.…%".
    assert.doesNotMatch(JSON.stringify(manifest.contributes), /"%[^"%]+%"/);
  });

  it("finds the source bundle where package.json's l10n points, and in English vscode.l10n.t gives its messages back with the placeholders filled", async () => {
    const folder = (extension().packageJSON as { l10n: string }).l10n;
    assert.equal(folder, './l10n');
    const bundle = await readJson(folder, 'bundle.l10n.json');
    assert.equal(vscode.env.language, 'en');
    assert.equal(vscode.l10n.bundle, undefined, 'English needs no bundle');
    assert.equal(bundle['Connection "{0}" added.'], 'Connection "{0}" added.');
    assert.equal(vscode.l10n.t('Connection "{0}" added.', 'Local Ollama'), 'Connection "Local Ollama" added.');
  });
});
