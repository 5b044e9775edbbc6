import { BOOTSTRAP_ELEMENT_ID, type PageBootstrap } from '../../src/contracts/webviewPage';

/**
 * What the host wrote into this page for it to start from (src/vscode/webviewHtml.ts), unless
 * it is the one with the id `used`: VS Code loads a hidden panel's page again from the same
 * HTML, and what it was written with is old by then. None when the page has none, or one that
 * is not JSON of that shape.
 */
export function pageBootstrap(used: string | undefined, doc: Pick<Document, 'getElementById'> = document): PageBootstrap | undefined {
  const text = doc.getElementById(BOOTSTRAP_ELEMENT_ID)?.textContent;
  if (!text) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const bootstrap = value as Partial<PageBootstrap> | null;
  if (typeof bootstrap !== 'object' || bootstrap === null || typeof bootstrap.id !== 'string' || bootstrap.id === used) return undefined;
  if (typeof bootstrap.snapshot !== 'object' || bootstrap.snapshot === null || !Array.isArray(bootstrap.answers)) return undefined;
  return bootstrap as PageBootstrap;
}
