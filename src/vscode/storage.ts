import * as vscode from 'vscode';
import type { KeyValueStore, SecretVault } from '../core/base/ports';

export function globalStateStore(memento: vscode.Memento): KeyValueStore {
  return {
    keys: () => memento.keys(),
    get: (key) => memento.get<unknown>(key),
    update: async (key, value) => memento.update(key, value),
  };
}

export function secretStorageVault(secrets: vscode.SecretStorage): SecretVault {
  return {
    get: async (name) => secrets.get(name),
    store: async (name, value) => secrets.store(name, value),
    delete: async (name) => secrets.delete(name),
  };
}
