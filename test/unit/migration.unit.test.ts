import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AuditEntrySchema } from '../../src/contracts/agents';
import { AgentService } from '../../src/core/runs/agentService';
import { AuditLog } from '../../src/core/audit/auditLog';
import { ConnectionService } from '../../src/core/connections/connectionService';
import { ConsentService } from '../../src/core/keys/consent';
import type { Database } from '../../src/core/store/database';
import { SwitchboardError } from '../../src/core/base/errors';
import { HttpClient } from '../../src/core/http/httpClient';
import { KeyPath } from '../../src/core/keys/keyPath';
import { moveLegacyState } from '../../src/core/store/legacyImport';
import { ModelRegistry } from '../../src/core/models/modelRegistry';
import { ProviderRegistry } from '../../src/core/providers/providerRegistry';
import { registerCoreProviders } from '../../src/core/providers/coreProviders';
import { RunStore } from '../../src/core/runs/runStore';
import { LEGACY, TABLES } from '../../src/core/store/storageKeys';
import { auditAnchor } from '../fixtures/auditAnchor';
import { tempDatabase } from '../fixtures/tempDatabase';
import { FixedClock, MemoryLogger, MemorySettings, MemoryStore, MemoryVault } from '../helpers/fakes';

/** What Switchboard 0.1.0 saved, written by its own stores (see the fixture's `about`). */
const FIXTURE = JSON.parse(readFileSync(join(__dirname, '../fixtures/legacy/state-0.1.0.json'), 'utf8')) as { globalState: Record<string, unknown>; auditJsonl: string };
const LEGACY_AUDIT = FIXTURE.auditJsonl.trim().split('\n').map((line) => AuditEntrySchema.parse(JSON.parse(line)));

describe('Moving the storage of Switchboard 0.1.0 into the database', () => {
  let temp: Awaited<ReturnType<typeof tempDatabase>>;
  let store: MemoryStore;
  let auditFile: string;
  /** SecretStorage: every activation of the profile has the same. */
  let vault: MemoryVault;
  const disposables: { dispose(): void }[] = [];

  beforeEach(async () => {
    temp = await tempDatabase();
    store = new MemoryStore();
    vault = new MemoryVault();
    for (const [key, value] of Object.entries(FIXTURE.globalState)) store.data.set(key, structuredClone(value));
    auditFile = join(temp.dir, LEGACY.auditFile);
    await writeFile(auditFile, FIXTURE.auditJsonl);
  });
  afterEach(async () => {
    for (const each of disposables.splice(0)) each.dispose();
    await temp.cleanup();
  });

  /** The stores as extension.ts wires them, over this globalState and a new connection to the database file. */
  function activate(options: { loadSqlite?: () => never } = {}) {
    const logger = new MemoryLogger();
    const db: Database = temp.open({ logger, afterMigrations: moveLegacyState({ store, auditFile, logger }), ...(options.loadSqlite ? { loadSqlite: options.loadSqlite } : {}) });
    const clock = new FixedClock(new Date('2026-12-01T09:00:00.000Z'));
    const settings = new MemorySettings();
    const registry = new ProviderRegistry();
    registerCoreProviders(registry);
    const http = new HttpClient({ proxy: () => settings.proxy(), env: {} });
    const audit = new AuditLog(db, clock, auditAnchor({ vault, state: store, logger }));
    const consent = new ConsentService({ store, prompt: { ask: async () => 'deny', allowGatewayToken: async () => false }, clock, logger, describeRequester: (id) => id });
    const keys = new KeyPath({ vault, consent, audit, logger });
    const connections = new ConnectionService({ store, keys, registry, settings, clock, http, logger, audit });
    const models = new ModelRegistry({ db, store, connections, providers: registry, keys, settings, clock, http, logger });
    const agents = new AgentService({ store, clock, logger, connectionExists: (id) => connections.get(id) !== undefined });
    const runs = new RunStore({ db, retention: () => 500, outputMaxKiB: () => 256, logger, clock });
    disposables.push(runs, models, { dispose: () => void http.dispose() });
    return { db, logger, audit, connections, models, agents, consent, runs };
  }

  const legacyModels = FIXTURE.globalState[LEGACY.modelsKey] as Array<{ id: string; connectionId: string; providerModelId: string; enabled?: boolean }>;
  const legacyRunKeys = Object.keys(FIXTURE.globalState).filter((key) => key.startsWith(LEGACY.runKeyPrefix));

  it('moves the registered models, the runs and the audit chain, then removes the old keys, and finds nothing to move the second time', async () => {
    const first = activate();
    // Nothing is moved at activation: the first use opens the database.
    assert.equal(existsSync(temp.file), false);
    const models = first.models.list();
    await first.db.settled();

    const valid = legacyModels.filter((model) => model.id !== 'not-a-uuid');
    assert.deepEqual(models.map((m) => [m.id, m.providerModelId, m.enabled]), valid.map((m) => [m.id, m.providerModelId, m.enabled]), 'same models, same order, same flags');
    assert.equal(first.models.isDisabled(valid[1]!.connectionId, 'qwen2.5:7b'), true);
    assert.equal(first.models.isDisabled(valid[0]!.connectionId, 'llama3.2:latest'), false);
    const kept = first.db.read((sql) => sql.all<{ body: string }>(`SELECT body FROM ${TABLES.models} WHERE id IS NULL`));
    assert.deepEqual(kept.map((row) => JSON.parse(row.body) as unknown), [{ id: 'not-a-uuid', enabled: 'yes' }], 'the record today\'s schema refuses is moved as it was');

    const runs = first.runs.page({ limit: 10 });
    assert.equal(runs.total, legacyRunKeys.length);
    assert.deepEqual(runs.runs.map((r) => r.input), ['question 3', 'question 2', 'question 1'], 'newest first, in their creation order');
    const [interrupted, failed, succeeded] = runs.runs;
    assert.equal(succeeded!.status, 'succeeded');
    assert.equal(succeeded!.output, 'answer 1');
    assert.equal(failed!.error?.code, 'timeout');
    assert.equal(interrupted!.status, 'failed', 'the run 0.1.0 left running belongs to no live window');
    assert.match(interrupted!.error?.message ?? '', /interrupted/);

    const entries = (await first.audit.read()).reverse();
    assert.deepEqual(entries, LEGACY_AUDIT, 'every entry with its seq and hash');
    assert.deepEqual(await first.audit.verify(), { ok: true, entries: LEGACY_AUDIT.length });
    const next = await first.audit.append({ kind: 'model_call', outcome: 'ok' });
    assert.equal(next.seq, LEGACY_AUDIT.length + 1);
    assert.equal(next.prevHash, LEGACY_AUDIT.at(-1)!.hash, 'the chain goes on from the last entry of audit.jsonl');
    assert.ok(LEGACY_AUDIT.every((entry) => entry.chainKey === undefined));
    assert.match(next.chainKey ?? '', /^[0-9a-f]{16}$/, 'keyed from the first entry after those of 0.1.0');
    assert.equal((await first.audit.verify()).ok, true);

    assert.equal(store.get(LEGACY.modelsKey), undefined);
    assert.deepEqual(store.keys().filter((key) => key.startsWith(LEGACY.runKeyPrefix)), []);
    for (const key of ['switchboard.connections', 'switchboard.agents', 'switchboard.consents']) assert.deepEqual(store.get(key), FIXTURE.globalState[key], `${key} stays in globalState as it was`);
    assert.equal(first.agents.list().length, 1);
    assert.equal(first.consent.grants().length, 1);
    assert.equal(existsSync(auditFile), false);
    assert.equal(existsSync(join(temp.dir, LEGACY.importedAuditFile)), true, 'audit.jsonl is kept, renamed');
    assert.ok(first.logger.lines.some((line) => /Moved 4 registered models, 3 runs and 4 audit entries/.test(line)), first.logger.lines.join('\n'));

    // The next activation (another window, or the next session) finds nothing left to move.
    const second = activate();
    assert.equal(second.models.list().length, valid.length);
    await second.db.settled();
    assert.equal(second.runs.page({ limit: 10 }).total, legacyRunKeys.length);
    // The first window verified the log after its append: this one checks only what came since.
    assert.deepEqual(await second.audit.verify(), { ok: true, entries: LEGACY_AUDIT.length + 1, newSince: 0 });
    assert.ok(!second.logger.lines.some((line) => line.includes('Moved')), second.logger.lines.join('\n'));
  });

  it('moves nothing twice when the window died after the move was committed but before the old keys were removed', async () => {
    const failing = store.update.bind(store);
    store.update = async () => {
      throw new Error('the window closed');
    };
    const first = activate();
    first.models.list();
    await first.db.settled();
    assert.ok(store.get(LEGACY.modelsKey), 'the keys are still there');
    store.update = failing;
    const second = activate();
    assert.equal(second.models.list().length, 3);
    await second.db.settled();
    assert.equal(second.runs.page({ limit: 10 }).total, 3);
    assert.equal(second.db.read((sql) => sql.all(`SELECT 1 FROM ${TABLES.models} WHERE id IS NULL`)).length, 1);
    assert.deepEqual(await second.audit.verify(), { ok: true, entries: LEGACY_AUDIT.length });
    assert.equal(store.get(LEGACY.modelsKey), undefined, 'removed by the second activation');
  });

  it('says clearly when node:sqlite cannot be loaded, and leaves what 0.1.0 stored where it was', async () => {
    const broken = activate({
      loadSqlite: () => {
        throw new Error("No such built-in module: node:sqlite");
      },
    });
    assert.throws(
      () => broken.models.list(),
      (error: unknown) => error instanceof SwitchboardError && error.code === 'storage_unavailable' && /node:sqlite/.test(error.message) && /left as they were/.test(error.message),
    );
    await assert.rejects(broken.runs.add({ id: '00000000-0000-4000-8000-0000000000aa', agentId: '00000000-0000-4000-8000-000000000004', agentName: 'x', requesterId: 'x', status: 'queued', input: 'x', trace: [], createdAt: '2026-12-01T09:00:00.000Z' }), /node:sqlite/);
    assert.ok(broken.logger.lines.some((line) => line.startsWith('error') && line.includes('node:sqlite')));
    assert.deepEqual(Object.fromEntries(store.data), FIXTURE.globalState, 'globalState untouched');
    assert.equal(readFileSync(auditFile, 'utf8'), FIXTURE.auditJsonl);
    assert.equal(existsSync(temp.file), false);
  });
});
