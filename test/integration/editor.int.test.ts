import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activate, waitFor } from './helpers';

/** The tabs that show the Switchboard editor (VS Code prefixes the panel's view type). */
function editorTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((group) => group.tabs).filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('switchboard.editor'));
}

describe('the Switchboard editor', () => {
  after(async () => {
    for (const tab of editorTabs()) await vscode.window.tabGroups.close(tab);
  });

  it('opens one panel, and the same one again from Open Switchboard and Show Audit Log', async () => {
    const { testing } = await activate();
    await vscode.commands.executeCommand('switchboard.openEditor');
    await waitFor('the editor tab', () => (editorTabs().length === 1) || undefined);
    await vscode.commands.executeCommand('switchboard.openEditor');
    await vscode.commands.executeCommand('switchboard.showAuditLog');
    assert.equal(editorTabs().length, 1, 'one Switchboard editor, revealed, not a second one');
    assert.equal(editorTabs()[0]!.label, 'Switchboard');
    // The webview asked for its first audit page and got it: the whole path, host to view, works.
    await waitFor('an audit page sent to the editor', () => testing.webviewMessages().some(isAuditPage) || undefined);
  });

  it('opens a new, working panel after the editor was closed', async () => {
    const { testing } = await activate();
    await vscode.commands.executeCommand('switchboard.openEditor');
    await waitFor('the editor tab', () => (editorTabs().length === 1) || undefined);
    for (const tab of editorTabs()) await vscode.window.tabGroups.close(tab);
    await waitFor('the editor closed', () => (editorTabs().length === 0) || undefined);

    const before = testing.webviewMessages().length;
    await vscode.commands.executeCommand('switchboard.openEditor');
    await waitFor('the new editor tab', () => (editorTabs().length === 1) || undefined);
    // The closed panel's bridge is gone and the new one carries messages both ways: it opens on
    // the Models tab (not on the Audit tab an earlier command asked of the closed one) and gets its page.
    await waitFor('a page of models sent to the new editor', () => testing.webviewMessages().slice(before).some(isModelsPage) || undefined);
  });
});

/** An answer that carries a page of registered models. */
function isModelsPage(message: unknown): boolean {
  const value = (message as { value?: { models?: unknown; total?: unknown; registered?: unknown } }).value;
  return Array.isArray(value?.models) && typeof value?.total === 'number' && typeof value?.registered === 'number';
}

/** An answer that carries a page of audit entries. */
function isAuditPage(message: unknown): boolean {
  const value = (message as { value?: { entries?: unknown; total?: unknown } }).value;
  return Array.isArray(value?.entries) && typeof value?.total === 'number';
}
