/**
 * Finding one of Switchboard's webview views in the workbench. VS Code draws every webview
 * as an `iframe.webview` overlay outside the view's pane, with the document one frame further
 * down (`#active-frame`), so a view is told apart only by what it shows: these helpers look
 * for the webview whose document holds a given selector.
 */
import type { Frame, FrameLocator, Page } from 'playwright-core';

export interface Webview {
  /** The outer iframe's name (VS Code's webview id): stable while the view stays open. */
  name: string;
  /** The view's document, for locators. */
  view: FrameLocator;
  /** The same document as a Frame, for evaluating code in it. */
  frame(): Promise<Frame>;
}

function handle(page: Page, name: string): Webview {
  const outer = `iframe.webview.ready[name="${name}"]`;
  return {
    name,
    view: page.frameLocator(outer).frameLocator('#active-frame'),
    async frame() {
      const outerFrame = await (await page.locator(outer).elementHandle())?.contentFrame();
      const inner = await (await outerFrame?.locator('#active-frame').elementHandle())?.contentFrame();
      if (!inner) throw new Error(`the document of webview ${name} is not there`);
      return inner;
    },
  };
}

/**
 * The webview whose document holds `selector` (e.g. `[data-testid="tab-connections"]`),
 * waiting for it: a view renders only once the extension host has sent its first snapshot.
 */
export async function webviewWith(page: Page, selector: string, timeoutMs = 60_000): Promise<Webview> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const names = await page
      .locator('iframe.webview.ready')
      .evaluateAll((elements) => elements.map((element) => element.getAttribute('name') ?? ''))
      .catch(() => [] as string[]);
    for (const name of names.filter(Boolean)) {
      const candidate = handle(page, name);
      // count() does not wait: a frame that is still loading simply holds nothing yet.
      const found = await candidate.view
        .locator(selector)
        .count()
        .catch(() => 0);
      if (found > 0) return candidate;
    }
    if (Date.now() > deadline) {
      throw new Error(`no webview holds ${selector} after ${timeoutMs / 1000} s (${names.length} webview(s) open)`);
    }
    await page.waitForTimeout(250);
  }
}

/** The Connections view (it always shows its tabs). */
export function connectionsWebview(page: Page, timeoutMs?: number): Promise<Webview> {
  return webviewWith(page, '[data-testid="tab-connections"]', timeoutMs);
}

/** The Agents view: its list of agents, or its empty state. */
export function agentsWebview(page: Page, timeoutMs?: number): Promise<Webview> {
  return webviewWith(page, '[data-testid="agents-list"], [data-testid="agents-empty-state"]', timeoutMs);
}

/** The Switchboard editor (its Runs and Audit tabs). */
export function editorWebview(page: Page, timeoutMs?: number): Promise<Webview> {
  return webviewWith(page, '[data-testid="tab-runs"]', timeoutMs);
}
