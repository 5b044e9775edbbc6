import type { CallTarget } from '../../contracts/agents';
import type { RateLimits } from './rateLimiter';

/**
 * The ports through which core talks to VS Code. src/vscode implements them; unit tests use
 * in-memory fakes (test/helpers/fakes.ts). No vscode import here.
 */

/** A disposable, shaped like vscode.Disposable so either can be returned. */
export interface Disposable {
  dispose(): void;
}

/** A minimal event, shaped like vscode.Event. */
export type Event<T> = (listener: (value: T) => void) => Disposable;

/** Key-value storage over globalState. Values are plain JSON; `update(key, undefined)` removes a key. */
export interface KeyValueStore {
  keys(): readonly string[];
  /** The stored value: as globalState gives it, the same one on every read until the key is written, never to be changed in place. */
  get(key: string): unknown;
  update(key: string, value: unknown): Promise<void>;
}

/** SecretStorage. Any method may throw (e.g. Linux without a keyring). */
export interface SecretVault {
  get(name: string): Promise<string | undefined>;
  store(name: string, value: string): Promise<void>;
  delete(name: string): Promise<void>;
}

/** The proxy settings VS Code users set (`http.proxy`, `http.noProxy`, `http.proxyStrictSSL`). */
export interface ProxySettings {
  proxy?: string;
  noProxy: string[];
  strictSSL: boolean;
  /** VS Code's `http.systemCertificates`: HTTPS trusts the system's certificate store too. Off when absent. */
  systemCertificates?: boolean;
  /** `switchboard.caCertificatesFile`: a PEM file of more certificate authorities to trust. */
  caFile?: string;
}

/** How a model call tries again: `switchboard.retry.*`. */
export interface RetrySettings {
  /** Tries per target, the first included (1: no retry on the same target). */
  maxAttempts: number;
  /** The most one call waits in all between its tries (back-offs, `Retry-After`); a wait that does not fit moves on at once. */
  maxWaitMs: number;
}

/** When a target is rested: `switchboard.cooldown.*`. */
export interface CooldownSettings {
  /** Retryable failures within `windowMs` that put a target in a cool-down; 0 turns cool-downs off. */
  failures: number;
  windowMs: number;
  /** How long a cooling target is skipped. */
  periodMs: number;
}

export interface Settings {
  /** Fires when any Switchboard or proxy setting changes. */
  onDidChange: Event<void>;
  defaultConnectionId(): string;
  setDefaultConnectionId(id: string): Promise<void>;
  /** The whole model call; for a streamed one, the time to the answer's first byte. */
  requestTimeoutMs(): number;
  /** The longest silence between two chunks of a streamed answer. */
  streamIdleTimeoutMs(): number;
  discoveryTimeoutMs(): number;
  /** How many finished runs to keep. */
  runRetention(): number;
  /** The largest run output stored, in KiB. */
  runOutputMaxKiB(): number;
  /** How many model calls may be in flight on one connection; the others wait their turn. */
  maxConcurrentRequestsPerConnection(): number;
  retry(): RetrySettings;
  /**
   * The requests and tokens a minute a connection may take (0: no limit): its entry in
   * `switchboard.rateLimit.perConnection`, else `switchboard.rateLimit.*`.
   */
  rateLimits(connectionId: string): RateLimits;
  cooldown(): CooldownSettings;
  /** `switchboard.fallbacks`: where VS Code chat and runs of agents that name none move to, in order; malformed entries left out. */
  defaultFallbacks(): CallTarget[];
  /** `switchboard.gateway.url`, checked (checkGatewayUrl): '' when sync is off or the value is unusable. */
  gatewayUrl(): string;
  proxy(): ProxySettings;
}

export interface Clock {
  now(): Date;
}

/** The output channel. Callers pass no secret; the logger redacts known keys as a second guard. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const systemClock: Clock = { now: () => new Date() };

/** A timer that has not fired yet can be cancelled. */
export interface Timer {
  cancel(): void;
}

/**
 * One-shot timers, behind a port so that a test fires a timeout or a watchdog when it chooses
 * instead of waiting for it (test/helpers/fakes.ts ManualTimers).
 */
export interface Timers {
  /** Calls `callback` once, `ms` from now, unless the timer is cancelled first. */
  start(ms: number, callback: () => void): Timer;
}

export const systemTimers: Timers = {
  start(ms, callback) {
    const handle = setTimeout(callback, ms);
    return { cancel: () => clearTimeout(handle) };
  },
};

/**
 * What core asks of the person while it works: a confirmation, a secret typed into VS Code's
 * password box, and progress with a Cancel button. src/vscode shows them with VS Code's own UI.
 */
export interface Interactions {
  confirm(request: { message: string; detail: string; confirmLabel: string }): Promise<boolean>;
  /** A modal with several answers; the chosen label, or undefined when the person cancels. */
  choose<C extends string>(request: { message: string; detail: string; choices: readonly C[] }): Promise<C | undefined>;
  inputSecret(request: { title: string; prompt: string }): Promise<string | undefined>;
  inputText(request: { title: string; prompt: string; value?: string; validate?: (value: string) => string | undefined }): Promise<string | undefined>;
  withProgress<T>(title: string, task: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /** A notification that does not block: the action the person clicks, or undefined when it is dismissed. */
  notify(request: { message: string; actions: readonly string[] }): Promise<string | undefined>;
}
