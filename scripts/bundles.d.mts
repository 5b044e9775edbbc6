import type { BuildOptions } from 'esbuild';

export const MAX_WEBVIEW_BUNDLE_BYTES: number;
export const MAX_EDITOR_BUNDLE_BYTES: number;
export function webviewBundleBudget(name: string): number;
export function bundleTargets(options: { production: boolean }): { host: BuildOptions; webviews: BuildOptions };
