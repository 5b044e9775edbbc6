import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activate, addConnection, deleteConnection, extension, testConnection } from './helpers';

/**
 * What the real extension host does with Switchboard's words. The suite runs in English, where
 * VS Code loads no translation bundle (vscode.l10n.bundle is undefined) and every l10n.t returns
 * its source string; what it can show is that VS Code substitutes package.nls.json into the
 * manifest, and that a message Switchboard shows is an entry of the source bundle, which sits
 * where package.json's `l10n` tells VS Code to look.
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

  it("shows Switchboard's own messages as the entries of the bundle package.json's l10n points to, with the placeholders filled", async () => {
    const folder = (extension().packageJSON as { l10n: string }).l10n;
    assert.equal(folder, './l10n');
    const bundle = await readJson(folder, 'bundle.l10n.json');
    const { testing } = await activate();
    // Port 9 (discard) on this machine: nothing listens, so the test says Ollama is not reachable.
    const down = await addConnection({ name: 'Unreachable Ollama', providerId: 'ollama', baseUrl: 'http://127.0.0.1:9' });
    try {
      const result = await testConnection(down.id);
      const source = 'Ollama is not reachable at {0}. Is it running? Start it with the command "ollama serve".';
      assert.equal(bundle[source], source, 'the message a person sees is an entry translators get');
      assert.equal(result.message, source.replace('{0}', 'http://127.0.0.1:9'));
    } finally {
      await deleteConnection(testing, down.id);
    }
  });
});
