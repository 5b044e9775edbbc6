import type * as vscode from 'vscode';
import type { OutputLogger } from './logger';
import type { Prompter, ScriptedAnswer } from './prompter';

/** Hooks for the integration tests, present only when the extension runs in Test mode. */
export interface TestingApi {
  /** The next prompts take these answers instead of opening UI. */
  queueAnswers(...answers: ScriptedAnswer[]): void;
  readSecret(name: string): Promise<string | undefined>;
  /** Every key and value in this extension's globalState. */
  globalState(): Record<string, unknown>;
  /** Lines written to the Switchboard output channel. */
  logLines(): string[];
  /** Every message the host posted to a webview. */
  webviewMessages(): unknown[];
  /** The audit log file, for the canary check. */
  readonly auditLogPath: string;
  /** How long activate() took, in milliseconds. */
  readonly activationMs: number;
}

export function createTestingApi(deps: {
  context: vscode.ExtensionContext;
  prompter: Prompter;
  logger: OutputLogger;
  postedToWebviews: unknown[];
  auditLogPath: string;
  activationMs: number;
}): TestingApi {
  const { context } = deps;
  return {
    queueAnswers: (...answers) => deps.prompter.queue(...answers),
    readSecret: async (name) => context.secrets.get(name),
    globalState: () => Object.fromEntries(context.globalState.keys().map((key) => [key, context.globalState.get(key)])),
    logLines: () => [...(deps.logger.captured ?? [])],
    webviewMessages: () => [...deps.postedToWebviews],
    auditLogPath: deps.auditLogPath,
    activationMs: deps.activationMs,
  };
}
