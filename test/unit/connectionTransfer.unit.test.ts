import * as assert from 'node:assert/strict';
import { ConnectionTransfer, EXPORT_FORMAT_VERSION, seal, type ExportedConnection } from '../../src/core/connections/connectionTransfer';
import { SwitchboardError } from '../../src/core/base/errors';
import { personAt, requesterIds } from '../../src/core/keys/requesters';
import { keyHint } from '../../src/core/base/secrets';
import { assertNoCanary, CANARY_KEY } from '../fixtures/canary';
import { agentsView, buildConnectionsStack } from '../fixtures/keyPathKit';

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
    const plan = await to.transfer.plan(read);
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

  it('checks the plan again at apply: a name taken, or a connection deleted, while the person looked at it imports nothing', async () => {
    const from = await source();
    const file = await from.transfer.export({ passphrase: PASSPHRASE, includeKeys: false, requester: atPalette });
    const to = target();
    const plan = await to.transfer.plan(await to.transfer.read(file, PASSPHRASE));
    // Another window creates "local" (any case) before the person confirms.
    await to.connections.create({ name: 'LOCAL', providerId: 'ollama', baseUrl: 'http://127.0.0.1:11435' });
    await assert.rejects(to.transfer.apply(plan, { replaceExisting: false }), (error: unknown) => error instanceof SwitchboardError && error.code === 'conflict' && /A connection named "Local" was created while the import waited\. Import the file again\. Nothing was imported\./.test(error.message));
    assert.deepEqual(to.connections.list().map((c) => c.name), ['LOCAL']);

    // A connection the plan would change is deleted before the person confirms.
    const again = await to.transfer.plan(await to.transfer.read(file, PASSPHRASE));
    assert.deepEqual(again.change.map((c) => c.existing.name), ['LOCAL']);
    to.interactions.answers = [true];
    await to.actions.delete(again.change[0]!.existing.id);
    await assert.rejects(to.transfer.apply({ add: [], change: again.change }, { replaceExisting: true }), (error: unknown) => error instanceof SwitchboardError && error.code === 'missing_connection' && /The connection "LOCAL" was deleted while the import waited/.test(error.message));
    assert.deepEqual(to.connections.list(), []);
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
    const plan = await to.transfer.plan(await to.transfer.read(file, PASSPHRASE));
    assert.deepEqual(plan.add.map((c) => c.name), ['Local']);
    assert.deepEqual(plan.change.map((c) => [c.existing.id, c.differences]), [[mine.id, ['default model', 'key']]]);

    assert.deepEqual(await to.transfer.apply(plan, { replaceExisting: false }), { added: 1, changed: 0 });
    assert.equal(to.connections.require(mine.id).keyHint, '****3333');
    assert.deepEqual(await to.transfer.apply({ add: [], change: plan.change }, { replaceExisting: true }), { added: 0, changed: 1 });
    const changed = to.connections.require(mine.id);
    assert.deepEqual([changed.name, changed.defaultModel, changed.keyHint], ['cloud', 'gpt-4o-mini', `****${CANARY_KEY.slice(-4)}`]);
  });

  /** A file as Switchboard would write it, holding `connections` as they are given. */
  function fileOf(connections: ExportedConnection[]): Promise<Uint8Array> {
    return seal(Buffer.from(JSON.stringify({ format: 'switchboard.connections', exportedAt: new Date().toISOString(), connections })), PASSPHRASE);
  }

  /** What an import could change: the connection records and the connections' secrets. */
  function state(stack: ReturnType<typeof target>) {
    const secrets = [...stack.vault.secrets].filter(([name]) => name.startsWith('switchboard.connection.'));
    return { connections: stack.store.get('switchboard.connections') ?? [], secrets: new Map(secrets), grants: stack.consent.grants() };
  }

  /** A window with a keyed 'Cloud' connection that the Agents view may always use. */
  async function targetWithCloud() {
    const to = target();
    const cloud = await to.connections.create({ name: 'Cloud', providerId: 'openai', baseUrl: 'https://api.openai.example/v1' });
    await to.connections.setKey(cloud.id, CANARY_KEY);
    to.prompt.answers = ['always'];
    await useCloud(to, cloud.id);
    assert.equal(to.consent.grants().length, 1);
    return { ...to, cloud };
  }

  /** A use of the 'Cloud' key by the Agents view, which asks unless a standing permission covers it. */
  async function useCloud(stack: ReturnType<typeof target>, id: string) {
    await stack.keys.use({ connection: stack.connections.require(id), provider: stack.registry.require('openai').descriptor, requester: agentsView, purpose: 'chat' }, async () => undefined);
  }

  const good: ExportedConnection = { name: 'Local', providerId: 'ollama', baseUrl: 'http://127.0.0.1:11434', options: {} };
  const badFiles: Array<[string, ExportedConnection, RegExp]> = [
    [
      'an option its provider refuses (a credential in plain custom headers)',
      { name: 'Gateway', providerId: 'openai-compatible', baseUrl: 'https://gateway.example/v1', options: { customHeaders: 'Authorization: Bearer abcdefgh12345678' } },
      /"Gateway" in the file cannot be imported: Custom header "Authorization" carries a credential/,
    ],
    ['an option its provider does not have', { name: 'Gateway', providerId: 'openai', options: { organisation: 'acme' } }, /"Gateway" in the file cannot be imported: OpenAI has no field "organisation"/],
    [
      'a credential header its provider does not take',
      { name: 'Gateway', providerId: 'ollama', baseUrl: 'http://127.0.0.1:11434', options: {}, credentialHeaders: { 'x-api-token': 'token-12345678' } },
      /"Gateway" in the file cannot be imported: Ollama connections do not send custom headers/,
    ],
    [
      'a credential header with a name that is not a header name',
      { name: 'Gateway', providerId: 'openai-compatible', baseUrl: 'https://gateway.example/v1', options: {}, credentialHeaders: { 'x api token': 'token-12345678' } },
      /"Gateway" in the file cannot be imported: The header name is not a valid HTTP header name/,
    ],
    ['a key of blanks', { name: 'Gateway', providerId: 'openai', options: {}, apiKey: '   ' }, /"Gateway" in the file cannot be imported: The key is empty/],
  ];
  for (const [what, bad, message] of badFiles) {
    it(`refuses a file whose last connection has ${what} before anything changes`, async () => {
      const to = await targetWithCloud();
      const before = state(to);
      const file = await fileOf([good, { name: 'Cloud', providerId: 'openai', options: {}, defaultModel: 'gpt-4o', apiKey: 'sk-other-key-12345678' }, bad]);
      await assert.rejects(to.transfer.read(file, PASSPHRASE), refused(message));
      // And a plan that holds it, handed to apply without the check of read: refused whole too.
      const plan = { add: [good, bad], change: [{ existing: to.cloud, incoming: { name: 'Cloud', providerId: 'openai', options: {}, apiKey: 'sk-other-key-12345678' }, differences: ['key'] }] };
      await assert.rejects(to.transfer.apply(plan, { replaceExisting: true }), refused(message));
      assert.deepEqual(state(to), before);
    });
  }

  it('undoes what it applied when a step fails midway (the keyring refuses the last key): the changed connection gets its key, key id and permissions back', async () => {
    const to = await targetWithCloud();
    const other = await to.connections.create({ name: 'Other', providerId: 'openai', baseUrl: 'https://api.openai.example/v1' });
    await to.connections.setKey(other.id, 'sk-other-old-12345678');
    const before = state(to);
    const file = await fileOf([
      good,
      { name: 'Cloud', providerId: 'openai', baseUrl: 'https://api.openai.example/v1', options: {}, apiKey: 'sk-cloud-new-12345678' },
      { name: 'Other', providerId: 'openai', baseUrl: 'https://api.openai.example/v1', options: {}, apiKey: 'sk-other-new-12345678' },
    ]);
    const plan = await to.transfer.plan(await to.transfer.read(file, PASSPHRASE));
    assert.deepEqual([plan.add.length, plan.change.map((c) => c.differences)], [1, [['key'], ['key']]]);
    to.vault.failStoreOf = (_name, value) => value === 'sk-other-new-12345678';
    await assert.rejects(to.transfer.apply(plan, { replaceExisting: true }), (error: unknown) => {
      assert.ok(error instanceof SwitchboardError);
      assert.equal(error.code, 'secret_storage_failed');
      assert.match(error.message, /^Importing "Other" failed: .* The import was undone: nothing changed\.$/s);
      return true;
    });
    to.vault.failStoreOf = undefined;
    assert.deepEqual(state(to), before);
    // The Agents view's standing permission holds again: no question.
    await useCloud(to, to.cloud.id);
    assert.equal(to.prompt.asked.length, 1);
  });

  it('recognises its own export: the same keys are no change, and an import that changes something else keeps the key id and its permissions', async () => {
    const to = await targetWithCloud();
    const file = await to.transfer.export({ passphrase: PASSPHRASE, includeKeys: true, requester: atPalette });
    assert.deepEqual(await to.transfer.plan(await to.transfer.read(file, PASSPHRASE)), { add: [], change: [] });

    const keyId = to.connections.require(to.cloud.id).keyId;
    const edited = await fileOf([{ name: 'Cloud', providerId: 'openai', baseUrl: 'https://api.openai.example/v1', options: {}, defaultModel: 'gpt-4o', apiKey: CANARY_KEY }]);
    const plan = await to.transfer.plan(await to.transfer.read(edited, PASSPHRASE));
    assert.deepEqual(plan.change.map((c) => c.differences), [['default model']]);
    assert.deepEqual(await to.transfer.apply(plan, { replaceExisting: true }), { added: 0, changed: 1 });
    assert.equal(to.connections.require(to.cloud.id).keyId, keyId);
    await useCloud(to, to.cloud.id);
    assert.equal(to.prompt.asked.length, 1, 'the standing permission still covers the key');
    assertNoCanary([to.store.dump(), to.logger.lines]);
  });

  it('refuses at once a file that names any other scrypt cost than the one Switchboard writes, before deriving a key', async () => {
    const from = await source();
    const file = Buffer.from(await from.transfer.export({ passphrase: PASSPHRASE, includeKeys: false, requester: atPalette }));
    // log2 N, r and p are bytes 5 to 7. A cheaper cost too: the file was not written by Switchboard.
    for (const [logN, r, p] of [[20, 32, 4], [20, 8, 1], [14, 8, 1], [15, 9, 1], [15, 8, 2]] as const) {
      const other = Buffer.from(file);
      other.set([logN, r, p], 5);
      const message = new RegExp(`scrypt N=2\\^${logN}, r=${r}, p=${p}\\) that Switchboard never writes`);
      // A wrong passphrase too: the answer is about the cost, so no key was derived to find the passphrase wrong.
      for (const passphrase of [PASSPHRASE, 'not the passphrase']) await assert.rejects(from.transfer.read(other, passphrase), refused(message), `${logN}/${r}/${p}`);
    }
  });

  it('refuses a passphrase shorter than 8 characters, and takes one of 8', async () => {
    const from = await source();
    await assert.rejects(from.transfer.export({ passphrase: 'short', includeKeys: false, requester: atPalette }), refused(/at least 8 characters/));
    await assert.rejects(from.transfer.export({ passphrase: '1234567', includeKeys: false, requester: atPalette }), refused(/^The passphrase must have at least 8 characters\.$/));
    const file = await from.transfer.export({ passphrase: '12345678', includeKeys: false, requester: atPalette });
    assert.equal((await target().transfer.read(file, '12345678')).connections.length, 2);
  });

  /** A file sealed with the passphrase, whatever it holds. */
  const sealed = (content: unknown) => seal(Buffer.from(typeof content === 'string' ? content : JSON.stringify(content)), PASSPHRASE);
  const exportOf = (connections: unknown[]) => ({ format: 'switchboard.connections', exportedAt: '2026-01-01T00:00:00.000Z', connections });

  it('refuses, whole, a file that decrypts to something else than a valid export: not JSON, not the format, an unknown provider, a name twice', async () => {
    const to = target();
    const cases: Array<[unknown, RegExp]> = [
      ['{ not json', /^The file decrypted, but its content is not a Switchboard export\. Nothing was imported\.$/],
      [{ format: 'other' }, /^The file is not a valid Switchboard export \(.+\)\. Nothing was imported\.$/],
      [
        exportOf([{ name: 'A', providerId: 'acme.ext/acme' }, { name: 'B', providerId: 'other.ext/x' }, { name: 'C', providerId: 'acme.ext/acme' }, { name: 'D', providerId: 'ollama' }]),
        /^The file has connections of providers that are not available here \(acme\.ext\/acme, other\.ext\/x\)\. Install the extensions that provide them, then import again\. Nothing was imported\.$/,
      ],
      [exportOf([{ name: 'Same', providerId: 'ollama' }, { name: 'SAME', providerId: 'ollama' }]), /^The file names two connections the same\. Nothing was imported\.$/],
    ];
    for (const [content, reason] of cases) await assert.rejects(to.transfer.read(await sealed(content), PASSPHRASE), refused(reason));
    assert.deepEqual(to.connections.list(), []);
  });

  it('reads a file an earlier build wrote: the format, the header and the key derivation do not change under it', async () => {
    // Written by Switchboard's export (seal) with PASSPHRASE, by the build before the keyed audit
    // chain (branch tests19); this build reads it as it was (the format did not change, so the
    // file was not regenerated). The key is a made-up one.
    const golden = Buffer.from(
      'U1dCWAEPCAFp8LZmurBj7eiJ9/XOaFRhcChjVm4G3itJToiuFCBzLEIA6ZUW5X9QmZsCjHpP0FN63qlDziJLKZuBT0yE/d0LerujS7HpC6iThlMU1wr9QVgXy7v9YhmnHWsEKFfg5NF2y6L8b7T85cIvifzZB4VtqxK7QXCta7RrmDj9U3CIjc0bUCiO3EkbcirJGxv/I3vVHQZirPl+1wF6wUPB3LJraVI2eV6mFIE5j+XIVQAnTjkSreSQxCtH1cQyhtcAVmWmOE8lmVyPS+gTcs7HFDoou17MCIPVQG1tlQhWC4sIkP7gAkoTuzpRw6ukt7VyBTYq6QgKBDCx+8rWyOIHBeTANfpgABL7EzIyKDI=',
      'base64',
    );
    const file = await target().transfer.read(golden, PASSPHRASE);
    assert.deepEqual(file.connections, [{ name: 'Golden', providerId: 'openai', baseUrl: 'https://api.openai.example/v1', options: {}, apiKey: 'sk-golden-key-0123456789' }]);
  });

  it('refuses a damaged header, and a file too short to hold a header and a tag, before deriving anything', async () => {
    const from = await source();
    const file = Buffer.from(await from.transfer.export({ passphrase: PASSPHRASE, includeKeys: false, requester: atPalette }));
    const to = target();
    const changed = (at: number, value: number) => {
      const copy = Buffer.from(file);
      copy[at] = value;
      return copy;
    };
    // Byte 4 is the format version: 0 was never written.
    await assert.rejects(to.transfer.read(changed(4, 0), PASSPHRASE), refused(/^The file's header is damaged\. Nothing was imported\.$/));
    // Not SWBX.
    await assert.rejects(to.transfer.read(changed(0, 0x53 ^ 0x20), PASSPHRASE), refused(/^This is not a Switchboard connections export, or it is cut short\. Nothing was imported\.$/));
    // A header (36 bytes) and a tag with nothing between them is not cut short; it does not authenticate either. One byte less is.
    const empty = Buffer.concat([file.subarray(0, 36), file.subarray(file.length - 16)]);
    await assert.rejects(to.transfer.read(empty, PASSPHRASE), refused(/passphrase is wrong, or the file was changed/));
    await assert.rejects(to.transfer.read(empty.subarray(1), PASSPHRASE), refused(/cut short/));
  });

  it("carries credential headers with the keys, and moves a key with its connection only within the key's origin", async () => {
    const s = await source();
    const gateway = await s.connections.create({ name: 'Gateway', providerId: 'openai-compatible', baseUrl: 'https://gw.example/v1' });
    await s.connections.setCredentialHeader(gateway.id, 'X-Api-Token', 'header-secret-value');
    const exported = await s.transfer.read(await s.transfer.export({ passphrase: PASSPHRASE, includeKeys: true, requester: atPalette }), PASSPHRASE);
    assert.deepEqual(exported.connections.find((c) => c.name === 'Gateway')?.credentialHeaders, { 'x-api-token': 'header-secret-value' });

    const to = target();
    const keyed = await to.connections.create({ name: 'Keyed', providerId: 'openai', baseUrl: 'https://api.example.com/v1' });
    await to.connections.setKey(keyed.id, CANARY_KEY);
    const update = async (fields: Record<string, unknown>) => {
      const file = await to.transfer.read(await sealed(exportOf([{ name: 'Keyed', providerId: 'openai', ...fields }])), PASSPHRASE);
      assert.deepEqual(await to.transfer.apply(await to.transfer.plan(file), { replaceExisting: true }), { added: 0, changed: 1 });
      return to.connections.require(keyed.id);
    };
    assert.equal((await update({ defaultModel: 'gpt-4o' })).keyHint, keyHint(CANARY_KEY), 'no address in the file');
    assert.equal((await update({ baseUrl: 'https://api.example.com/v2' })).keyHint, keyHint(CANARY_KEY), 'a new path on the same origin');
    const moved = await update({ baseUrl: 'https://elsewhere.example/v1' });
    assert.deepEqual([moved.baseUrl, moved.keyHint], ['https://elsewhere.example/v1', undefined], 'another origin: the key stays behind');
    assert.deepEqual(to.vault.connectionSecrets(), []);
    // A connection without a key takes a file's change with or without an address.
    const plain = await to.connections.create({ name: 'Plain', providerId: 'ollama', baseUrl: 'http://127.0.0.1:11434' });
    for (const fields of [{ defaultModel: 'llama3.2' }, { baseUrl: 'http://127.0.0.2:11434' }]) {
      const file = await to.transfer.read(await sealed(exportOf([{ name: 'Plain', providerId: 'ollama', ...fields }])), PASSPHRASE);
      assert.deepEqual(await to.transfer.apply(await to.transfer.plan(file), { replaceExisting: true }), { added: 0, changed: 1 });
    }
    assert.deepEqual([to.connections.require(plain.id).defaultModel, to.connections.require(plain.id).baseUrl], ['llama3.2', 'http://127.0.0.2:11434']);
  });

  it('names each difference of a connection of the same name, and leaves an identical one alone', async () => {
    const to = target();
    const other = await to.connections.create({ name: 'Other', providerId: 'ollama', baseUrl: 'http://127.0.0.1:11434', defaultModel: 'llama3.2' });
    const moved = await to.connections.create({ name: 'Moved', providerId: 'openai-compatible', baseUrl: 'https://a.example/v1', options: { customHeaders: 'X-Team: one' } });
    await to.connections.setKey(moved.id, CANARY_KEY);
    await to.connections.create({ name: 'Same', providerId: 'ollama', baseUrl: 'http://127.0.0.1:11434', defaultModel: 'llama3.2' });
    const file = await to.transfer.read(
      await sealed(
        exportOf([
          { name: 'same', providerId: 'ollama', baseUrl: 'http://127.0.0.1:11434/', defaultModel: 'llama3.2' },
          { name: 'MOVED', providerId: 'openai-compatible', baseUrl: 'https://b.example/v1', options: { customHeaders: 'X-Team: two' }, credentialHeaders: { 'x-api-token': 'header-secret-value' } },
          { name: 'OTHER', providerId: 'openai' },
        ]),
      ),
      PASSPHRASE,
    );
    const plan = await to.transfer.plan(file);
    assert.deepEqual(plan.add, []);
    assert.deepEqual(
      plan.change.map((c) => [c.existing.id, c.differences]),
      [
        [moved.id, ['address', 'options', 'credential headers']],
        [other.id, ['provider', 'default model']],
      ],
    );
    // Applied: a connection of another provider is never changed; a keyed one moved to another origin loses its key.
    assert.deepEqual(await to.transfer.apply(plan, { replaceExisting: true }), { added: 0, changed: 1 });
    const after = to.connections.require(moved.id);
    assert.deepEqual([after.baseUrl, after.keyHint, after.credentialHeaders?.map((h) => h.name)], ['https://b.example/v1', undefined, ['x-api-token']]);
    assert.equal(to.connections.require(other.id).providerId, 'ollama');
  });
});
