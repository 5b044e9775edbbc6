/**
 * Driving VS Code's workbench (code-server) and Switchboard's webviews from Playwright.
 * scripts/harness/e2e.mjs starts everything and passes it in through the environment:
 *
 *   SWITCHBOARD_E2E_URL            the workbench URL (code-server with the .vsix installed)
 *   SWITCHBOARD_E2E_ARTIFACTS      where screenshots go
 *   SWITCHBOARD_E2E_LOGS_DIR       code-server's log folder (the output channels are files there)
 *   SWITCHBOARD_E2E_VSIX           the .vsix the harness packaged
 *   SWITCHBOARD_E2E_EXTENSIONS_DIR the extensions folder it was installed into
 *   SWITCHBOARD_E2E_CHROMIUM       the browser binary
 *   SWITCHBOARD_E2E_CHROMIUM_ARGS  its flags, as a JSON array
 *   SWITCHBOARD_FIXTURE_OLLAMA_URL, SWITCHBOARD_FIXTURE_OPENAI_URL  the fixture servers
 *
 * Page-side code is passed as strings: this project's TypeScript has no DOM library.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the e2e specs through scripts/harness/e2e.mjs`);
  return value;
}

export interface Session {
  browser: Browser;
  page: Page;
  /** Every console message of the page and its frames (webviews included). */
  console: string[];
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the workbench in a fresh browser. Screenshots are numbered in the order they are
 * taken and named `<prefix>-NN-<step>.png` when a prefix (the journey's name) is given.
 */
export async function openWorkbench(prefix = ''): Promise<Session> {
  let shot = 0;
  const browser = await chromium.launch({
    executablePath: env('SWITCHBOARD_E2E_CHROMIUM'),
    args: JSON.parse(env('SWITCHBOARD_E2E_CHROMIUM_ARGS')) as string[],
    headless: true,
    // Headless Chromium hides scroll bars; the screenshots show them, as a person sees them.
    ignoreDefaultArgs: ['--hide-scrollbars'],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const consoleLines: string[] = [];
  page.on('console', (message) => consoleLines.push(`[${message.type()}] ${message.text()}`));
  page.on('pageerror', (error) => consoleLines.push(`[pageerror] ${error.message}`));
  await page.goto(env('SWITCHBOARD_E2E_URL'));
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  const artifacts = env('SWITCHBOARD_E2E_ARTIFACTS');
  return {
    browser,
    page,
    console: consoleLines,
    async screenshot(name) {
      shot += 1;
      await page.screenshot({ path: path.join(artifacts, `${prefix ? `${prefix}-` : ''}${String(shot).padStart(2, '0')}-${name}.png`) });
    },
    async close() {
      fs.writeFileSync(path.join(artifacts, `${prefix ? `${prefix}-` : ''}browser-console.log`), consoleLines.join('\n') + '\n');
      await browser.close();
    },
  };
}

/**
 * Makes the Ollama fixture answer as `behaviour` (e.g. `stream-endless`, `normal`). The
 * fixtures serve every journey in turn, so a journey that changes it sets it back.
 */
export async function setOllamaBehaviour(behaviour: string): Promise<void> {
  const response = await fetch(`${env('SWITCHBOARD_FIXTURE_OLLAMA_URL')}/__fixture/behaviour`, { method: 'POST', body: JSON.stringify({ behaviour }) });
  if (!response.ok) throw new Error(`the Ollama fixture refused the behaviour ${behaviour}: ${response.status}`);
}

/**
 * Drags the sash between the side bar and the editor so the side bar is `width` px wide: the
 * default is too narrow for a connection's name, and the screenshots should be readable.
 */
export async function widenSideBar(page: Page, width = 560): Promise<void> {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (!box || box.width >= width) return;
  await setSideBarWidth(page, width);
}

/** Drags the sash between the side bar and the editor so the side bar is `width` px wide, narrower or wider. */
export async function setSideBarWidth(page: Page, width: number): Promise<void> {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (!box || Math.abs(box.width - width) < 2) return;
  const x = box.x + box.width;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + (width - box.width), y, { steps: 8 });
  await page.mouse.up();
}

/**
 * Runs a command from the palette (F1). Extension commands appear a few seconds after the
 * workbench renders, so the palette is reopened until the row shows up.
 */
export async function runCommand(page: Page, title: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const input = page.locator('.quick-input-widget input');
  for (;;) {
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    try {
      await row.waitFor({ state: 'visible', timeout: 3_000 });
      await row.click();
      return;
    } catch (error) {
      await page.keyboard.press('Escape');
      if (Date.now() > deadline) throw new Error(`the command "${title}" never appeared in the palette: ${String(error)}`);
      await page.waitForTimeout(1_000);
    }
  }
}

/**
 * Everything a document shows or holds, as [where, text] pairs: its text, every attribute,
 * and the live value of every form control, walking into open shadow roots (the
 * vscode-elements controls keep their inputs there). `where` names the element so that a
 * failure can say where a leak is without printing it.
 */
export const DOCUMENT_DUMP = `(() => {
  const out = [['document text', document.documentElement.innerText || ''], ['document textContent', document.documentElement.textContent || '']];
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const visit = (root) => {
    for (const el of root.querySelectorAll('*')) {
      for (const attr of el.getAttributeNames()) out.push([name(el) + '[' + attr + ']', el.getAttribute(attr) || '']);
      if ('value' in el && typeof el.value === 'string') out.push([name(el) + '.value', el.value]);
      if (el.shadowRoot) visit(el.shadowRoot);
    }
  };
  visit(document);
  return out;
})()`;

/** Where in a DOCUMENT_DUMP result the needle appears (the places, not the text). */
export function placesHolding(dump: Array<[string, string]>, needle: string): string[] {
  return dump.filter(([, text]) => text.includes(needle)).map(([where]) => where);
}

export function readTree(dir: string): { files: string[]; text: string } {
  const files: string[] = [];
  const parts: string[] = [];
  const walk = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) {
        files.push(full);
        parts.push(fs.readFileSync(full, 'latin1'));
      }
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return { files, text: parts.join('\n') };
}
