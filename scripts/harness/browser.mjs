// Headless Chromium through playwright-core, with the Debian browser (playwright's own
// browser download is not reachable here) and a fresh profile per launch.
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from './common.mjs';

export async function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
}
