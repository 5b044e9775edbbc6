import * as vscode from 'vscode';
import type { Logger } from '../core/base/ports';
import type { Redactor } from '../core/base/secrets';

/**
 * The Switchboard output channel. Every line passes the redactor, a second guard behind the
 * rule that no code logs a key. In Test mode the lines are also kept for the tests to read.
 */
export class OutputLogger implements Logger, vscode.Disposable {
  private readonly channel = vscode.window.createOutputChannel('Switchboard', { log: true });
  readonly captured: string[] | undefined;

  constructor(private readonly redactor: Redactor, capture: boolean) {
    this.captured = capture ? [] : undefined;
  }

  info(message: string): void {
    this.channel.info(this.keep(message));
  }

  warn(message: string): void {
    this.channel.warn(this.keep(message));
  }

  error(message: string): void {
    this.channel.error(this.keep(message));
  }

  show(): void {
    this.channel.show(true);
  }

  private keep(message: string): string {
    const safe = this.redactor.redact(message);
    this.captured?.push(safe);
    return safe;
  }

  dispose(): void {
    this.channel.dispose();
  }
}
