import type { z } from 'zod';
import type { EditorTab, editorResults } from '../../src/contracts/editorView';
import { AUDIT_PAGE_SIZE } from './auditFormat';
import type { EditorClient } from './client';
import { DEFAULT_MODEL_SORT } from './modelsTable';
import { RUNS_PAGE_SIZE } from './runsFormat';
import { MODELS_PAGE_SIZE } from './useModelPages';

type Result<K extends keyof typeof editorResults> = z.output<(typeof editorResults)[K]>;

/** What the Models, Runs and Audit tabs read first: their first unfiltered page, and the log's verification. */
export interface FirstPages {
  models?: Promise<Result<'modelsPage'>>;
  runs?: Promise<Result<'runsPage'>>;
  audit?: Promise<Result<'auditPage'>>;
  verification?: Promise<Result<'verifyAudit'>>;
}

/**
 * Asks for what the tab the editor opens on reads first, as the editor is first drawn: the
 * client sends it right after its `ready`, a frame before the tab's own effects would. Only
 * that tab's: the others are drawn, and read their pages, when they are first shown.
 */
export function askFirstPages(client: EditorClient, tab: EditorTab): FirstPages {
  const pages: FirstPages = {};
  if (tab === 'models') pages.models = client.request('modelsPage', { offset: 0, limit: MODELS_PAGE_SIZE, filter: {}, sort: DEFAULT_MODEL_SORT });
  if (tab === 'runs') pages.runs = client.request('runsPage', { offset: 0, limit: RUNS_PAGE_SIZE, filter: {} });
  if (tab === 'audit') {
    pages.audit = client.request('auditPage', { offset: 0, limit: AUDIT_PAGE_SIZE, filter: {} });
    // After the page, however it ends: verifying reads and hashes what was written since, and would hold its reply up.
    const verify = () => client.request('verifyAudit', {});
    pages.verification = pages.audit.then(verify, verify);
  }
  // The tab that takes each reply reports its failure; until then a rejection is not unhandled.
  for (const reply of Object.values(pages)) (reply as Promise<unknown>).catch(() => undefined);
  return pages;
}
