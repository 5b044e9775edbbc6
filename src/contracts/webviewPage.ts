import type { ModelSort } from './modelTable';

/**
 * What the host puts in a webview's HTML besides the view's script (src/vscode/webviewHtml.ts),
 * read by webview/shared/l10nSetup.ts, webview/shared/browserApi.ts and the editor's App.
 * Zod-free, so the webview bundles may import it at run time.
 */

/** The id of the JSON data block that carries `vscode.l10n.bundle`: the translations of VS Code's display language, absent in English. */
export const L10N_BUNDLE_ELEMENT_ID = 'switchboard-l10n';

/** The Switchboard editor's tabs, in their order. */
export const EDITOR_TABS = ['models', 'runs', 'chat', 'usage', 'audit'] as const;
export type EditorTab = (typeof EDITOR_TABS)[number];

/**
 * The tab a command asked the editor to open on, from the `data-tab` and `data-request` of the
 * page's body (the editor panel writes them when it opens a new page for that command); none
 * when the page names no tab, or one that is not a tab.
 */
export function requestedOnPage(data: { tab?: string; request?: string }): { tab: EditorTab; request: number } | undefined {
  const tab = EDITOR_TABS.find((name) => name === data.tab);
  const request = /^\d{1,15}$/.test(data.request ?? '') ? Number(data.request) : undefined;
  return tab && request !== undefined ? { tab, request } : undefined;
}

/** The id of the JSON data block with what a new page starts from (PageBootstrap). */
export const BOOTSTRAP_ELEMENT_ID = 'switchboard-bootstrap';

/**
 * What a new page starts from, written into it by the host so its first rows need no message
 * to the host and back: the snapshot the host would answer `ready` with, and the answers to the
 * first requests the page makes. The page still says `ready` and gets the host's snapshot, and
 * whatever the host heard of since it wrote these. `id` is new with each page: a document VS
 * Code loads again from the same HTML (after the panel was hidden) starts as any other.
 */
export interface PageBootstrap {
  id: string;
  snapshot: unknown;
  answers: { method: string; params: unknown; value: unknown }[];
}

/** The size of the editor's pages of models and of audit entries. */
export const MODELS_PAGE_SIZE = 100;
export const AUDIT_PAGE_SIZE = 50;

/** The sort the Models table starts with, and asks the host for first: by model, A to Z. */
export const DEFAULT_MODEL_SORT: ModelSort = { column: 'model', descending: false };

/**
 * The first page the editor asks for when it opens on `tab`, for the tabs a new editor opens on
 * (Open Switchboard: Models; Show Audit Log: Audit): the host answers it in the page itself.
 */
export function firstPageRequest(tab: EditorTab): { method: 'modelsPage' | 'auditPage'; params: Record<string, unknown> } | undefined {
  if (tab === 'models') return { method: 'modelsPage', params: { offset: 0, limit: MODELS_PAGE_SIZE, filter: {}, sort: DEFAULT_MODEL_SORT } };
  if (tab === 'audit') return { method: 'auditPage', params: { offset: 0, limit: AUDIT_PAGE_SIZE, filter: {} } };
  return undefined;
}
