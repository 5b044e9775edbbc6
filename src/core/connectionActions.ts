import type { Connection, TestResult } from '../contracts/connections';
import type { ConnectionService } from './connectionService';
import type { Interactions, Settings } from './ports';

/**
 * The steps that involve the person (confirm, type a key, watch progress), shared by the
 * palette commands and the Connections view so both behave the same.
 */
export class ConnectionActions {
  constructor(
    private readonly connections: ConnectionService,
    private readonly settings: Settings,
    private readonly interactions: Interactions,
  ) {}

  /** Opens VS Code's password box; `stored: false` when the person cancels it. */
  async setKey(id: string): Promise<{ stored: boolean; keyHint?: string }> {
    const connection = this.connections.require(id);
    const key = await this.interactions.inputSecret({
      title: `API key for ${connection.name}`,
      prompt: 'The key is stored in VS Code\'s SecretStorage (your system keyring) and never shown again.',
    });
    if (key === undefined) return { stored: false };
    const { keyHint } = await this.connections.setKey(id, key);
    return { stored: true, keyHint };
  }

  /** Asks first; `deleted: false` when the person says no. */
  async delete(id: string): Promise<{ deleted: boolean }> {
    const connection = this.connections.require(id);
    const confirmed = await this.interactions.confirm({
      message: `Delete the connection "${connection.name}"?`,
      detail: 'Its API key is removed from SecretStorage too. This cannot be undone.',
      confirmLabel: 'Delete',
    });
    if (!confirmed) return { deleted: false };
    await this.connections.delete(id);
    return { deleted: true };
  }

  /** Runs the test under a cancellable progress notification. */
  test(id: string): Promise<TestResult> {
    const connection = this.connections.require(id);
    return this.interactions.withProgress(`Testing ${connection.name}…`, (signal) => this.connections.test(id, signal));
  }

  async setDefault(id: string): Promise<{ defaultConnectionId: string }> {
    const connection: Connection = this.connections.require(id);
    await this.settings.setDefaultConnectionId(connection.id);
    return { defaultConnectionId: connection.id };
  }
}
