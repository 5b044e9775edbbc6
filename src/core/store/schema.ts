import { TABLES } from './storageKeys';

const { meta, models, runs, leases, audit, auditHead, chatRecords, tableVersions, usage, usageTotals, usageDays, usageWriters, budgets } = TABLES;

/**
 * The database's schema, one numbered migration per change, applied in order at the first
 * open (`PRAGMA user_version` holds the number applied). A migration is never edited once
 * released: a change is a new entry at the end.
 *
 * Records are stored whole as JSON in `body`, so a field added to a contract passes through
 * without a migration; columns hold only what a query filters or orders by.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: models, runs with their leases, and the audit chain.
  `
  CREATE TABLE ${meta} (key TEXT PRIMARY KEY, value TEXT NOT NULL);

  -- pos keeps registration order. A record that fails its schema is kept with id NULL.
  CREATE TABLE ${models} (
    pos INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE,
    connection_id TEXT,
    provider_model_id TEXT,
    enabled INTEGER,
    body TEXT NOT NULL
  );
  CREATE INDEX ${models}_by_ref ON ${models} (connection_id, provider_model_id);

  -- pos is creation order (newest last); owner is the lease of the window running the run.
  CREATE TABLE ${runs} (
    pos INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    owner TEXT,
    body TEXT NOT NULL
  );
  CREATE INDEX ${runs}_active ON ${runs} (owner) WHERE status IN ('queued', 'running');
  CREATE INDEX ${runs}_finished ON ${runs} (pos) WHERE status NOT IN ('queued', 'running');

  CREATE TABLE ${leases} (owner TEXT PRIMARY KEY, heartbeat_at INTEGER NOT NULL);

  -- One row per entry, the entry's whole JSON as written (a torn or edited one stays visible
  -- to verify). The head row is the last entry's link, so a removed tail is detected.
  CREATE TABLE ${audit} (pos INTEGER PRIMARY KEY, body TEXT NOT NULL);
  CREATE TABLE ${auditHead} (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL);
  `,
  // 2: a record of each VS Code chat request (routing, usage, latency, outcome); pos is creation order.
  `
  CREATE TABLE ${chatRecords} (
    pos INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL
  );
  `,
  // 3: the audit tab's filters in SQL. The entry stays whole in body (its hash covers it as
  // stored); these are virtual columns read from it, so only the indexes take space. A torn or
  // edited row that is not JSON gets NULLs rather than failing the insert.
  `
  ALTER TABLE ${audit} ADD COLUMN kind TEXT GENERATED ALWAYS AS (CASE WHEN json_valid(body) THEN json_extract(body, '$.kind') END) VIRTUAL;
  ALTER TABLE ${audit} ADD COLUMN connection_id TEXT GENERATED ALWAYS AS (CASE WHEN json_valid(body) THEN json_extract(body, '$.connectionId') END) VIRTUAL;
  ALTER TABLE ${audit} ADD COLUMN requester_id TEXT GENERATED ALWAYS AS (CASE WHEN json_valid(body) THEN json_extract(body, '$.requesterId') END) VIRTUAL;
  -- Lower case: the tab finds a run by the start of its id whatever the case, on this index.
  ALTER TABLE ${audit} ADD COLUMN run_id TEXT GENERATED ALWAYS AS (CASE WHEN json_valid(body) THEN lower(json_extract(body, '$.runId')) END) VIRTUAL;
  CREATE INDEX ${audit}_by_kind ON ${audit} (kind);
  CREATE INDEX ${audit}_by_connection ON ${audit} (connection_id);
  CREATE INDEX ${audit}_by_requester ON ${audit} (requester_id);
  CREATE INDEX ${audit}_by_run ON ${audit} (run_id);
  `,
  // 4: a version per cached table, moved by every change to it in the same transaction, by any
  // window and any code path. A cached read of the registry stays valid across the run store's
  // and the audit log's writes, which moved the whole file's data_version before.
  `
  CREATE TABLE ${tableVersions} (name TEXT PRIMARY KEY, version INTEGER NOT NULL) WITHOUT ROWID;
  INSERT INTO ${tableVersions} (name, version) VALUES ('${models}', 0);
  CREATE TRIGGER ${models}_inserted AFTER INSERT ON ${models} BEGIN UPDATE ${tableVersions} SET version = version + 1 WHERE name = '${models}'; END;
  CREATE TRIGGER ${models}_updated AFTER UPDATE ON ${models} BEGIN UPDATE ${tableVersions} SET version = version + 1 WHERE name = '${models}'; END;
  CREATE TRIGGER ${models}_deleted AFTER DELETE ON ${models} BEGIN UPDATE ${tableVersions} SET version = version + 1 WHERE name = '${models}'; END;
  `,
  // 5: the usage ledger, one row per model call (time in ms since the epoch, cost in whole
  // nano-dollars), its running totals per scope and period (kept by UPSERT in the transaction
  // that adds the call, so a budget check is one read of a primary key, never a SUM over the
  // ledger), and the budgets with the period whose warning was given (so two windows warn once).
  `
  CREATE TABLE ${usage} (
    pos INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    time INTEGER NOT NULL,
    run_id TEXT,
    chat_id TEXT,
    agent_id TEXT,
    requester_id TEXT NOT NULL,
    connection_id TEXT NOT NULL,
    provider_id TEXT NOT NULL,
    model_ref TEXT NOT NULL,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    cache_read_tokens INTEGER,
    cache_write_tokens INTEGER,
    reasoning_tokens INTEGER,
    estimated INTEGER NOT NULL,
    cost_nano INTEGER,
    price_source TEXT NOT NULL,
    price_date TEXT
  );
  CREATE INDEX ${usage}_by_time ON ${usage} (time);
  CREATE INDEX ${usage}_by_connection ON ${usage} (connection_id, time);
  CREATE INDEX ${usage}_by_agent ON ${usage} (agent_id, time);
  CREATE INDEX ${usage}_by_requester ON ${usage} (requester_id, time);
  CREATE INDEX ${usage}_by_model ON ${usage} (model_ref, time);

  -- scope_kind: connection, agent, requester or all (scope_id ''); period_kind: day or month;
  -- period_start: its first day, YYYY-MM-DD in the person's local time.
  CREATE TABLE ${usageTotals} (
    scope_kind TEXT NOT NULL,
    scope_id TEXT NOT NULL,
    period_kind TEXT NOT NULL,
    period_start TEXT NOT NULL,
    calls INTEGER NOT NULL,
    tokens INTEGER NOT NULL,
    cost_nano INTEGER NOT NULL,
    PRIMARY KEY (scope_kind, scope_id, period_kind, period_start)
  ) WITHOUT ROWID;

  CREATE TABLE ${budgets} (
    id TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    warned_period TEXT
  );
  INSERT INTO ${tableVersions} (name, version) VALUES ('${budgets}', 0);
  CREATE TRIGGER ${budgets}_inserted AFTER INSERT ON ${budgets} BEGIN UPDATE ${tableVersions} SET version = version + 1 WHERE name = '${budgets}'; END;
  CREATE TRIGGER ${budgets}_updated AFTER UPDATE OF body ON ${budgets} BEGIN UPDATE ${tableVersions} SET version = version + 1 WHERE name = '${budgets}'; END;
  CREATE TRIGGER ${budgets}_deleted AFTER DELETE ON ${budgets} BEGIN UPDATE ${tableVersions} SET version = version + 1 WHERE name = '${budgets}'; END;
  `,
  // 6: the ledger's calls summed per local day, per group of each dimension (connection, model,
  // agent ('' for none), requester), kept in the insert's transaction: the Usage tab's unfiltered
  // report reads these few rows instead of every call. offset_minutes is the person's offset from
  // UTC the day was counted in; a report in another offset reads the calls.
  `
  CREATE TABLE ${usageDays} (
    offset_minutes INTEGER NOT NULL,
    dimension TEXT NOT NULL,
    day INTEGER NOT NULL,
    key TEXT NOT NULL,
    calls INTEGER NOT NULL,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    cache_read_tokens INTEGER NOT NULL,
    cache_write_tokens INTEGER NOT NULL,
    reasoning_tokens INTEGER NOT NULL,
    cost_nano INTEGER NOT NULL,
    estimated_calls INTEGER NOT NULL,
    unpriced_calls INTEGER NOT NULL,
    PRIMARY KEY (offset_minutes, dimension, day, key)
  ) WITHOUT ROWID;
  INSERT INTO ${usageDays}
    SELECT offset_minutes, dimension, day, key, count(*), sum(input_tokens), sum(output_tokens), coalesce(sum(cache_read_tokens), 0),
      coalesce(sum(cache_write_tokens), 0), coalesce(sum(reasoning_tokens), 0), coalesce(sum(cost_nano), 0), sum(estimated), sum(cost_nano IS NULL)
    FROM (SELECT 0 AS offset_minutes, time / 86400000 AS day, u.*, d.dimension,
            CASE d.dimension WHEN 'connection' THEN connection_id WHEN 'model' THEN model_ref WHEN 'agent' THEN coalesce(agent_id, '') ELSE requester_id END AS key
          FROM ${usage} AS u, (SELECT 'connection' AS dimension UNION ALL SELECT 'model' UNION ALL SELECT 'agent' UNION ALL SELECT 'requester') AS d)
    GROUP BY offset_minutes, dimension, day, key;
  `,
  // 7: the ledger rebuilt so recording a call touches as few pages as it can (each page a call
  // changes is written again at its commit): a call's row no longer keeps a unique index on its
  // random id (nothing looks a call up by it) nor a sequence row (AUTOINCREMENT); the running
  // totals are keyed period first, so the rows a call moves (today's and this month's) lie
  // together; the daily sums day first, so a call's four lie together.
  `
  CREATE TABLE ${usage}_new (
    pos INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    time INTEGER NOT NULL,
    run_id TEXT,
    chat_id TEXT,
    agent_id TEXT,
    requester_id TEXT NOT NULL,
    connection_id TEXT NOT NULL,
    provider_id TEXT NOT NULL,
    model_ref TEXT NOT NULL,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    cache_read_tokens INTEGER,
    cache_write_tokens INTEGER,
    reasoning_tokens INTEGER,
    estimated INTEGER NOT NULL,
    cost_nano INTEGER,
    price_source TEXT NOT NULL,
    price_date TEXT
  );
  INSERT INTO ${usage}_new SELECT pos, id, time, run_id, chat_id, agent_id, requester_id, connection_id, provider_id, model_ref, input_tokens, output_tokens,
    cache_read_tokens, cache_write_tokens, reasoning_tokens, estimated, cost_nano, price_source, price_date FROM ${usage};
  DROP TABLE ${usage};
  ALTER TABLE ${usage}_new RENAME TO ${usage};
  CREATE INDEX ${usage}_by_time ON ${usage} (time);
  CREATE INDEX ${usage}_by_connection ON ${usage} (connection_id, time);
  CREATE INDEX ${usage}_by_agent ON ${usage} (agent_id, time);
  CREATE INDEX ${usage}_by_requester ON ${usage} (requester_id, time);
  CREATE INDEX ${usage}_by_model ON ${usage} (model_ref, time);

  CREATE TABLE ${usageTotals}_new (
    period_start TEXT NOT NULL,
    period_kind TEXT NOT NULL,
    scope_kind TEXT NOT NULL,
    scope_id TEXT NOT NULL,
    calls INTEGER NOT NULL,
    tokens INTEGER NOT NULL,
    cost_nano INTEGER NOT NULL,
    PRIMARY KEY (period_start, period_kind, scope_kind, scope_id)
  ) WITHOUT ROWID;
  INSERT INTO ${usageTotals}_new SELECT period_start, period_kind, scope_kind, scope_id, calls, tokens, cost_nano FROM ${usageTotals};
  DROP TABLE ${usageTotals};
  ALTER TABLE ${usageTotals}_new RENAME TO ${usageTotals};

  CREATE TABLE ${usageDays}_new (
    offset_minutes INTEGER NOT NULL,
    day INTEGER NOT NULL,
    dimension TEXT NOT NULL,
    key TEXT NOT NULL,
    calls INTEGER NOT NULL,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    cache_read_tokens INTEGER NOT NULL,
    cache_write_tokens INTEGER NOT NULL,
    reasoning_tokens INTEGER NOT NULL,
    cost_nano INTEGER NOT NULL,
    estimated_calls INTEGER NOT NULL,
    unpriced_calls INTEGER NOT NULL,
    PRIMARY KEY (offset_minutes, day, dimension, key)
  ) WITHOUT ROWID;
  INSERT INTO ${usageDays}_new SELECT offset_minutes, day, dimension, key, calls, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
    reasoning_tokens, cost_nano, estimated_calls, unpriced_calls FROM ${usageDays};
  DROP TABLE ${usageDays};
  ALTER TABLE ${usageDays}_new RENAME TO ${usageDays};
  `,
  // 8: the ledger's writers: each window's last write in the file (its number), so a window
  // whose writes are made by its writer thread knows which of them a read already holds; and a
  // version of the running totals, moved once by each call's write (not by a trigger per row),
  // so a window knows whether the totals it keeps are still those in the file.
  `
  CREATE TABLE ${usageWriters} (
    writer_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    time INTEGER NOT NULL
  ) WITHOUT ROWID;
  INSERT INTO ${tableVersions} (name, version) VALUES ('${usageTotals}', 0);
  `,
];
