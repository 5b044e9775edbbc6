import * as vscode from 'vscode';
import { Emitter } from '../core/events';
import type { Logger, ProxySettings, Settings } from '../core/ports';

const SECTION = 'switchboard';
const DEFAULT_REQUEST_TIMEOUT_S = 60;
const DEFAULT_DISCOVERY_TIMEOUT_S = 15;

/** Switchboard's settings and VS Code's proxy settings, read fresh on every call. */
export class VsCodeSettings implements Settings, vscode.Disposable {
  private readonly changed = new Emitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;
  private readonly warned = new Set<string>();

  constructor(private readonly logger: Logger) {
    this.subscription = vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(SECTION) || event.affectsConfiguration('http')) {
        this.warned.clear();
        this.changed.fire();
      }
    });
  }

  defaultConnectionId(): string {
    return vscode.workspace.getConfiguration(SECTION).get<string>('defaultConnectionId', '').trim();
  }

  async setDefaultConnectionId(id: string): Promise<void> {
    await vscode.workspace.getConfiguration(SECTION).update('defaultConnectionId', id, vscode.ConfigurationTarget.Global);
  }

  requestTimeoutMs(): number {
    return this.positiveSeconds('requestTimeoutSeconds', DEFAULT_REQUEST_TIMEOUT_S) * 1000;
  }

  discoveryTimeoutMs(): number {
    return this.positiveSeconds('discoveryTimeoutSeconds', DEFAULT_DISCOVERY_TIMEOUT_S) * 1000;
  }

  proxy(): ProxySettings {
    const http = vscode.workspace.getConfiguration('http');
    const proxy = http.get<string>('proxy', '').trim();
    return {
      ...(proxy ? { proxy } : {}),
      noProxy: http.get<string[]>('noProxy', []),
      strictSSL: http.get<boolean>('proxyStrictSSL', true),
    };
  }

  /**
   * A timeout of 0 or less would mean "fail at once" or "wait forever"; neither is what anyone
   * wants, so such a value is refused with a message that says what to do, and the default applies.
   */
  private positiveSeconds(name: string, fallback: number): number {
    const value = vscode.workspace.getConfiguration(SECTION).get<unknown>(name, fallback);
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
    if (!this.warned.has(name)) {
      this.warned.add(name);
      const message = `The setting switchboard.${name} must be a number of seconds greater than 0 (it is ${JSON.stringify(value)}). Using ${fallback} seconds until it is fixed.`;
      this.logger.warn(message);
      void vscode.window.showWarningMessage(message, 'Open Settings').then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', `switchboard.${name}`);
      });
    }
    return fallback;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
