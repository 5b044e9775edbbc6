import * as assert from 'node:assert/strict';
import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { callingExtension, extensionOfCode } from '../../src/core/keys/callingExtension';
import { chatInitiator, chatRequesterId, commandRequester, extensionRequesterId, OWN_REQUESTER_NAMESPACE, requesterIds } from '../../src/core/keys/requesters';
import { expectFailure } from '../fixtures/expectFailure';
import { tempDirRemovedAtExit } from '../fixtures/tempDirs';

const root = tempDirRemovedAtExit('switchboard-extensions-');
const folderA = path.join(root, 'acme.tool-1.0.0');
const folderAB = path.join(root, 'acme.tool-1.0.0b');
const nested = path.join(folderA, 'node_modules', 'helper');
for (const folder of [folderA, folderAB, nested]) mkdirSync(folder, { recursive: true });
const installed = [
  { id: 'acme.tool', folder: folderA },
  { id: 'acme.toolb', folder: folderAB },
  { id: 'acme.helper', folder: nested },
];
const idOf = (files: (string | undefined)[]) => extensionOfCode(files, installed)?.id;

describe('Which extension calls: from the calling code\'s file', () => {
  it('names the extension whose folder holds the innermost frame with a file, skipping built-ins', () => {
    assert.equal(idOf([path.join(folderA, 'dist', 'extension.js'), path.join(folderAB, 'x.js')]), 'acme.tool');
    assert.equal(idOf([undefined, undefined, path.join(folderAB, 'x.js')]), 'acme.toolb');
  });

  it('takes a folder whole: a sibling whose name begins the same is another extension', () => {
    assert.equal(idOf([`${folderA}b${path.sep}x.js`]), 'acme.toolb');
    assert.equal(idOf([`${folderA}-evil${path.sep}x.js`]), undefined);
  });

  it('names the deepest folder when folders nest, in whatever order VS Code lists them', () => {
    assert.equal(idOf([path.join(nested, 'index.js')]), 'acme.helper');
    assert.equal(extensionOfCode([path.join(nested, 'index.js')], [...installed].reverse())?.id, 'acme.helper');
  });

  it('compares a folder that is not on disk (no real path) as it is given', () => {
    const gone = path.join(root, 'gone.ext-1.0.0');
    assert.equal(extensionOfCode([path.join(gone, 'extension.js')], [{ id: 'gone.ext', folder: gone }])?.id, 'gone.ext');
  });

  it('reads an ES module\'s file: URL as its path', () => {
    assert.equal(idOf([pathToFileURL(path.join(folderA, 'main.mjs')).href]), 'acme.tool');
  });

  it('finds a folder VS Code names through a symbolic link, as Node names the file by its real path', () => {
    const link = path.join(tempDirRemovedAtExit('switchboard-link-'), 'linked.ext');
    symlinkSync(folderA, link);

    assert.equal(extensionOfCode([path.join(folderA, 'extension.js')], [{ id: 'linked.ext', folder: link }])?.id, 'linked.ext');
  });

  it('names no one when the innermost file is in no extension (Node\'s, VS Code\'s), even with an extension further out', () => {
    assert.equal(idOf(['node:events', path.join(folderA, 'extension.js')]), undefined);
    assert.equal(idOf([path.join(root, 'not-an-extension.js'), path.join(folderA, 'extension.js')]), undefined);
    assert.equal(idOf(['evalmachine.<anonymous>']), undefined);
    assert.equal(idOf([]), undefined);
  });

  it('refuses a caller argument naming another extension, or of another type, and takes its own id in any case', async () => {
    const files = [path.join(folderA, 'extension.js')];

    assert.equal(callingExtension(files, undefined, installed), 'acme.tool');
    assert.equal(callingExtension(files, 'ACME.Tool', installed), 'acme.tool');
    await expectFailure((async () => callingExtension(files, 'acme.toolb', installed))(), 'invalid_input', /code of the extension acme\.tool but names acme\.toolb/);
    await expectFailure((async () => callingExtension(files, 42, installed))(), 'invalid_input', /context\.extension\.id/);
    await expectFailure((async () => callingExtension(['node:events'], 'acme.tool', installed))(), 'invalid_input', /could not tell/);
  });
});

describe('Requester ids of extensions and of Switchboard\'s own surfaces', () => {
  it('keeps every one of Switchboard\'s own requester ids in its own namespace', () => {
    for (const id of Object.values(requesterIds)) assert.ok(id.startsWith(OWN_REQUESTER_NAMESPACE), id);
  });

  it('refuses an extension id in that namespace, in any case, and gives others in lower case', async () => {
    for (const id of ['switchboard.palette', 'switchboard.editor', 'switchboard.gateway', 'Switchboard.AgentsView', 'switchboard.anything-later']) {
      await expectFailure((async () => extensionRequesterId(id))(), 'invalid_input', /Switchboard's own views and commands/);
    }
    assert.equal(extensionRequesterId('Switchboard-Dev.Switchboard'), 'switchboard-dev.switchboard');
    assert.equal(extensionRequesterId('acme.switchboard'), 'acme.switchboard');
  });

  it("takes a palette command's own pick as the person's click, and its argument as someone else's request", () => {
    assert.deepEqual(commandRequester(undefined), { id: requesterIds.palette, byPerson: true });
    for (const arg of [null, 'id', { connectionId: 'c' }, 0]) assert.deepEqual(commandRequester(arg), { id: requesterIds.commandArgument, byPerson: false });
  });

  it('names a chat request by the extension VS Code says sent it, in lower case, and plain VS Code chat otherwise', () => {
    assert.equal(chatRequesterId('Acme.Tool'), `${requesterIds.vscodeChat}/acme.tool`);
    for (const initiator of [undefined, 'core', '', 42, 'not an id']) assert.equal(chatRequesterId(initiator), requesterIds.vscodeChat);
    assert.equal(chatInitiator(chatRequesterId('Acme.Tool')), 'acme.tool');
    for (const other of [requesterIds.vscodeChat, requesterIds.palette, 'acme.tool', `x${requesterIds.vscodeChat}/acme.tool`]) assert.equal(chatInitiator(other), undefined, other);
  });
});
