import * as assert from 'node:assert/strict';
import { ConnectionTransfer, EXPORT_FORMAT_VERSION } from '../../src/core/connections/connectionTransfer';
import { SwitchboardError } from '../../src/core/base/errors';
import { personAt, requesterIds } from '../../src/core/keys/requesters';
import { assertNoCanary, CANARY_KEY } from '../fixtures/canary';
import { buildConnectionsStack } from '../fixtures/keyPathKit';

const PASSPHRASE = 'correct horse battery staple';
const atPalette = personAt(requesterIds.palette);

function refused(pattern: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof SwitchboardError, String(error));
    assert.equal(error.code, 'invalid_input');
    assert.match(error.message, pattern);
    return true;
  };
}

describe('Export and Import Connections', function () {
  // scrypt at its real cost, several times per test.
  this.timeout(30_000);

  /** A window with a keyed OpenAI connection and a keyless Ollama one. */
  async function source() {
    const s = buildConnectionsStack();
    const cloud = await s.connections.create({ name: 'Cloud', providerId: 'openai', baseUrl: 'https://api.openai.example/v1', defaultModel: 'gpt-4o-mini' });
    await s.connections.setKey(cloud.id, CANARY_KEY);
    await s.connections.create({ name: 'Local', providerId: 'ollama', baseUrl: 'http://127.0.0.1:11434' });
    return { ...s, cloud, transfer: new ConnectionTransfer(s) };
  }

  function target() {
    const s = buildConnectionsStack();
    return { ...s, transfer: new ConnectionTransfer(s) };
  }

  it('round-trips connections with their keys when asked, the key never readable in the file, and the export is one audited key use', async () => {
    const from = await source();
    const file = await from.transfer.export({ passphrase: PASSPHRASE, includeKeys: true, requester: atPalette });
    assertNoCanary(Buffer.from(file).toString('latin1'));
    assert.deepEqual((await from.keyReads()).map((e) => `${e.requesterId}:${e.purpose}:${e.outcome}`), [`${requesterIds.palette}:export:granted_by_person`]);

    const to = target();
    const read = await to.transfer.read(file, PASSPHRASE);
    const plan = to.transfer.plan(read);
    assert.deepEqual(plan.add.map((c) => c.name), ['Cloud', 'Local']);
    assert.deepEqual(await to.transfer.apply(plan, { replaceExisting: false }), { added: 2, changed: 0 });
    const cloud = to.connections.list().find((c) => c.name === 'Cloud')!;
    assert.deepEqual([cloud.baseUrl, cloud.defaultModel, cloud.keyHint], ['https://api.openai.example/v1', 'gpt-4o-mini', `****${CANARY_KEY.slice(-4)}`]);
    let received: string | undefined;
    await to.keys.use({ connection: cloud, provider: to.registry.require('openai').descriptor, requester: atPalette, purpose: 'test' }, async (t) => {
      received = t.apiKey;
    });
    assert.equal(received, CANARY_KEY);
    assertNoCanary([to.store.dump(), to.logger.lines, from.store.dump(), from.logger.lines, await from.audit.read()]);
  });

  it('leaves keys out unless asked, and reads no key then', async () => {
    const from = await source();
    const file = await from.transfer.export({ passphrase: PASSPHRASE, includeKeys: false, requester: atPalette });
    assert.deepEqual(await from.keyReads(), []);
    const read = await target().transfer.read(file, PASSPHRASE);
    assert.deepEqual(read.connections.map((c) => [c.name, c.apiKey]), [['Cloud', undefined], ['Local', undefined]]);
  });

  it('refuses, changing nothing, a wrong passphrase, a flipped byte anywhere, a cut file and a newer format version', async () => {
    const from = await source();
    const file = Buffer.from(await from.transfer.export({ passphrase: PASSPHRASE, includeKeys: true, requester: atPalette }));
    const to = target();
    const before = to.store.dump();
    await assert.rejects(to.transfer.read(file, 'not the passphrase'), refused(/passphrase is wrong, or the file was changed/));
    // A byte of the salt (in the authenticated header), of the body and of the tag.
    for (const at of [12, 60, file.length - 1]) {
      const flipped = Buffer.from(file);
      flipped[at] = flipped[at]! ^ 0x01;
      await assert.rejects(to.transfer.read(flipped, PASSPHRASE), refused(/changed or cut/), `a flipped byte at ${at}`);
    }
    await assert.rejects(to.transfer.read(file.subarray(0, file.length - 5), PASSPHRASE), refused(/changed or cut/));
    await assert.rejects(to.transfer.read(file.subarray(0, 20), PASSPHRASE), refused(/cut short/));
    const newer = Buffer.from(file);
    newer[4] = EXPORT_FORMAT_VERSION + 1;
    await assert.rejects(to.transfer.read(newer, PASSPHRASE), refused(/newer Switchboard/));
    assert.equal(to.store.dump(), before);
    assert.deepEqual(to.connections.list(), []);
  });

  it('shows what it would change in a connection of the same name, and changes it only when the person says so', async () => {
    const from = await source();
    const file = await from.transfer.export({ passphrase: PASSPHRASE, includeKeys: true, requester: atPalette });
    const to = target();
    const mine = await to.connections.create({ name: 'cloud', providerId: 'openai', baseUrl: 'https://api.openai.example/v1' });
    await to.connections.setKey(mine.id, 'sk-mine-0000111122223333');
    const plan = to.transfer.plan(await to.transfer.read(file, PASSPHRASE));
    assert.deepEqual(plan.add.map((c) => c.name), ['Local']);
    assert.deepEqual(plan.change.map((c) => [c.existing.id, c.differences]), [[mine.id, ['default model', 'key']]]);

    assert.deepEqual(await to.transfer.apply(plan, { replaceExisting: false }), { added: 1, changed: 0 });
    assert.equal(to.connections.require(mine.id).keyHint, '****3333');
    assert.deepEqual(await to.transfer.apply({ add: [], change: plan.change }, { replaceExisting: true }), { added: 0, changed: 1 });
    const changed = to.connections.require(mine.id);
    assert.deepEqual([changed.name, changed.defaultModel, changed.keyHint], ['cloud', 'gpt-4o-mini', `****${CANARY_KEY.slice(-4)}`]);
  });

  it('refuses a passphrase shorter than 8 characters', async () => {
    const from = await source();
    await assert.rejects(from.transfer.export({ passphrase: 'short', includeKeys: false, requester: atPalette }), refused(/at least 8 characters/));
  });
});
