// In-memory implementations of core's ports (src/core/base/ports.ts), for unit tests only.
import { checkGatewayUrl } from '../../src/contracts/gateway';
import { Emitter } from '../../src/core/base/events';
import type { CallTarget } from '../../src/contracts/agents';
import type { RateLimits } from '../../src/core/base/rateLimiter';
import type { Clock, CooldownSettings, Interactions, KeyValueStore, Logger, ProxySettings, RetrySettings, SecretVault, Settings, Timer, Timers } from '../../src/core/base/ports';

export class MemoryStore implements KeyValueStore {
  readonly data = new Map<string, unknown>();
  updates = 0;

  keys(): readonly string[] {
    return [...this.data.keys()];
  }

  get(key: string): unknown {
    // As globalState gives it: the same value on every read until the key is written.
    return this.data.get(key);
  }

  async update(key: string, value: unknown): Promise<void> {
    this.updates++;
    // Yield first, as the real store does, so interleaved writers would lose records without the queue.
    await new Promise((resolve) => setImmediate(resolve));
    // A deep copy, as globalState keeps one: the caller's value is not the stored one.
    if (value === undefined) this.data.delete(key);
    else this.data.set(key, structuredClone(value));
  }

  dump(): string {
    return JSON.stringify([...this.data]);
  }
}

export class MemoryVault implements SecretVault {
  readonly secrets = new Map<string, string>();
  /** Set to make the next calls fail, as SecretStorage does on Linux without a keyring. */
  failStore: Error | undefined;
  /** Set to make stored values come back different (a keyring that silently drops them). */
  loseValues = false;
  /** Set to make storing the values it matches fail, as a keyring that fails midway through. */
  failStoreOf: ((name: string, value: string) => boolean) | undefined;
  /** Set to make reads and deletes fail, as a locked keyring does. */
  failRead: Error | undefined;
  failDelete: Error | undefined;

  async get(name: string): Promise<string | undefined> {
    if (this.failRead) throw this.failRead;
    return this.secrets.get(name);
  }

  async store(name: string, value: string): Promise<void> {
    if (this.failStore) throw this.failStore;
    if (this.failStoreOf?.(name, value)) throw new Error('the keyring refused it');
    if (!this.loseValues) this.secrets.set(name, value);
  }

  async delete(name: string): Promise<void> {
    if (this.failDelete) throw this.failDelete;
    this.secrets.delete(name);
  }

  /** The names of the connections' secrets (keys, credential headers); the audit chain's keys are beside them. */
  connectionSecrets(): string[] {
    return [...this.secrets.keys()].filter((name) => name.startsWith('switchboard.connection.'));
  }
}

/**
 * The timeout of calls that are meant to succeed: far beyond what a busy machine needs, so no
 * test depends on the machine's speed. A hang still ends at mocha's timeout. Tests of a timeout
 * itself set a short one against a server that never answers.
 */
export const PATIENT_TIMEOUT_MS = 60_000;

export class MemorySettings implements Settings {
  private readonly changed = new Emitter<void>();
  readonly onDidChange = this.changed.event;
  defaultId = '';
  requestTimeout = PATIENT_TIMEOUT_MS;
  streamIdleTimeout = PATIENT_TIMEOUT_MS;
  discoveryTimeout = PATIENT_TIMEOUT_MS;
  proxySettings: ProxySettings = { noProxy: [], strictSSL: true };

  defaultConnectionId(): string {
    return this.defaultId;
  }

  async setDefaultConnectionId(id: string): Promise<void> {
    this.defaultId = id;
    this.changed.fire();
  }

  requestTimeoutMs(): number {
    return this.requestTimeout;
  }

  streamIdleTimeoutMs(): number {
    return this.streamIdleTimeout;
  }

  discoveryTimeoutMs(): number {
    return this.discoveryTimeout;
  }

  retention = 500;
  outputMaxKiB = 256;
  maxConcurrent = 4;

  runRetention(): number {
    return this.retention;
  }

  runOutputMaxKiB(): number {
    return this.outputMaxKiB;
  }

  maxConcurrentRequestsPerConnection(): number {
    return this.maxConcurrent;
  }

  /** One try per target unless a test asks for more (the product's default is 3): the tests of other things see each failure as it comes. */
  retrySettings: RetrySettings = { maxAttempts: 1, maxWaitMs: 30_000 };
  cooldownSettings: CooldownSettings = { failures: 3, windowMs: 60_000, periodMs: 60_000 };
  fallbacks: CallTarget[] = [];

  rates: RateLimits = { requestsPerMinute: 0, tokensPerMinute: 0 };
  /** `switchboard.rateLimit.perConnection`, by connection id. */
  ratesPerConnection: Record<string, RateLimits> = {};

  rateLimits(connectionId: string): RateLimits {
    return this.ratesPerConnection[connectionId] ?? this.rates;
  }

  retry(): RetrySettings {
    return this.retrySettings;
  }

  cooldown(): CooldownSettings {
    return this.cooldownSettings;
  }

  defaultFallbacks(): CallTarget[] {
    return this.fallbacks;
  }

  /** Raw, as a person types it; `gatewayUrl()` checks it like VS Code's settings do. */
  gateway = '';

  gatewayUrl(): string {
    const checked = checkGatewayUrl(this.gateway);
    return 'url' in checked ? checked.url : '';
  }

  /** Changes a setting as the Settings editor would: the change event fires. */
  fireChange(): void {
    this.changed.fire();
  }

  proxy(): ProxySettings {
    return this.proxySettings;
  }
}

export class FixedClock implements Clock {
  constructor(public time = new Date('2026-11-22T10:00:00.000Z')) {}

  now(): Date {
    return new Date(this.time);
  }
}

/** A heartbeat (RunStoreDeps.every) that beats only when the test says so, so nothing waits for the wall clock. */
export class ManualHeartbeat {
  private readonly beats = new Set<() => unknown>();

  readonly every = (_ms: number, beat: () => unknown) => {
    this.beats.add(beat);
    return { dispose: () => this.beats.delete(beat) };
  };

  /** One beat of every heartbeat still running; resolves when each beat's work (a write, and what follows it) is done. */
  async beat(): Promise<void> {
    await Promise.all([...this.beats].map((beat) => beat()));
  }
}

/**
 * Timers that fire only when the test says so: a timeout or a watchdog is driven by the test's
 * events, never waited for.
 */
export class ManualTimers implements Timers {
  private readonly running = new Set<{ ms: number; callback: () => void }>();
  private readonly waiting: { ms: number; resolve(): void }[] = [];

  start(ms: number, callback: () => void): Timer {
    const timer = { ms, callback };
    this.running.add(timer);
    for (const wait of this.waiting.filter((w) => w.ms === ms)) {
      this.waiting.splice(this.waiting.indexOf(wait), 1);
      wait.resolve();
    }
    return { cancel: () => this.running.delete(timer) };
  }

  /** Resolves once a timer of `ms` is running (at once if one is). */
  started(ms: number): Promise<void> {
    if ([...this.running].some((timer) => timer.ms === ms)) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push({ ms, resolve }));
  }

  /** Fires the running timers of `ms` (every running timer without it), as if that much time had passed; returns how many fired. */
  fire(ms?: number): number {
    const due = [...this.running].filter((timer) => ms === undefined || timer.ms === ms);
    for (const timer of due) {
      this.running.delete(timer);
      timer.callback();
    }
    return due.length;
  }
}

export class MemoryLogger implements Logger {
  readonly lines: string[] = [];

  info(message: string): void {
    this.lines.push(`info ${message}`);
  }

  warn(message: string): void {
    this.lines.push(`warn ${message}`);
  }

  error(message: string): void {
    this.lines.push(`error ${message}`);
  }
}

/** Answers the person's part from a script: each call takes the next answer. */
export class ScriptedInteractions implements Interactions {
  readonly asked: string[] = [];

  constructor(public answers: Array<string | boolean | undefined> = []) {}

  async confirm(request: { message: string }): Promise<boolean> {
    this.asked.push(request.message);
    return this.answers.shift() === true;
  }

  async choose<C extends string>(request: { message: string; choices: readonly C[] }): Promise<C | undefined> {
    this.asked.push(request.message);
    const answer = this.answers.shift();
    return request.choices.find((choice) => choice === answer);
  }

  async inputText(request: { title: string }): Promise<string | undefined> {
    this.asked.push(request.title);
    const answer = this.answers.shift();
    return typeof answer === 'string' ? answer : undefined;
  }

  async inputSecret(request: { title: string }): Promise<string | undefined> {
    this.asked.push(request.title);
    const answer = this.answers.shift();
    return typeof answer === 'string' ? answer : undefined;
  }

  /** The titles of the progress notifications shown, in order. */
  readonly progress: string[] = [];

  withProgress<T>(title: string, task: (signal: AbortSignal) => Promise<T>): Promise<T> {
    this.progress.push(title);
    return task(new AbortController().signal);
  }

  /** The notifications shown, in order; each is answered with `noticeAnswer` (a person who ignores it: undefined). */
  readonly notices: string[] = [];
  noticeAnswer: string | undefined;

  notify(request: { message: string }): Promise<string | undefined> {
    this.notices.push(request.message);
    return Promise.resolve(this.noticeAnswer);
  }
}
