// Headless Chromium through playwright-core, with the Debian browser (playwright's own
// browser download is not reachable here) and a fresh profile per launch.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from './common.mjs';

/**
 * Chromium keeps crash reports under XDG_CONFIG_HOME even with a throwaway profile: point
 * it (and its cache) into the run folder so nothing lands in the user's home.
 */
export function browserEnv(dataDir) {
  const dirs = { XDG_CONFIG_HOME: path.join(dataDir, 'browser-config'), XDG_CACHE_HOME: path.join(dataDir, 'browser-cache') };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  return { ...process.env, ...dirs };
}

export async function launchBrowser(dataDir) {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, env: browserEnv(dataDir), timeout: 60_000 });
}
