import type { z } from 'zod';
import type { editorResults } from '../../src/contracts/editorView';
import { AUDIT_PAGE_SIZE } from './auditFormat';
import type { EditorClient } from './client';
import { DEFAULT_MODEL_SORT } from './modelsTable';
import { RUNS_PAGE_SIZE } from './runsFormat';
import { MODELS_PAGE_SIZE } from './useModelPages';

type Result<K extends keyof typeof editorResults> = z.output<(typeof editorResults)[K]>;

/** What the Models, Runs and Audit tabs read first: their first unfiltered page, and the log's verification. */
export interface FirstPages {
  models: Promise<Result<'modelsPage'>>;
  runs: Promise<Result<'runsPage'>>;
  audit: Promise<Result<'auditPage'>>;
  verification: Promise<Result<'verifyAudit'>>;
}

/**
 * Asks for the first pages as the editor starts, beside its snapshot rather than after it: the
 * tabs draw once the snapshot is in, and each would otherwise only then send its request and
 * wait for the host again.
 */
export function askFirstPages(client: EditorClient): FirstPages {
  const models = client.request('modelsPage', { offset: 0, limit: MODELS_PAGE_SIZE, filter: {}, sort: DEFAULT_MODEL_SORT });
  const runs = client.request('runsPage', { offset: 0, limit: RUNS_PAGE_SIZE, filter: {} });
  const audit = client.request('auditPage', { offset: 0, limit: AUDIT_PAGE_SIZE, filter: {} });
  const pages: FirstPages = {
    models,
    runs,
    audit,
    // After the pages: verifying reads and hashes the whole log, and would hold their replies up.
    verification: Promise.allSettled([models, runs, audit]).then(() => client.request('verifyAudit', {})),
  };
  // The tab that takes each reply reports its failure; until then a rejection is not unhandled.
  for (const reply of Object.values(pages)) (reply as Promise<unknown>).catch(() => undefined);
  return pages;
}
