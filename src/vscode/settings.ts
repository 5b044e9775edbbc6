import * as vscode from 'vscode';
import * as z from 'zod';
import { Emitter } from '../core/base/events';
import { checkGatewayUrl } from '../contracts/gateway';
import type { CooldownSettings, Logger, ProxySettings, RetrySettings, Settings } from '../core/base/ports';
import type { RateLimits } from '../core/base/rateLimiter';
import { FallbacksSchema, MAX_FALLBACKS, type CallTarget } from '../contracts/agents';

const SECTION = 'switchboard';
const DEFAULT_REQUEST_TIMEOUT_S = 60;
const DEFAULT_STREAM_IDLE_TIMEOUT_S = 30;
const DEFAULT_DISCOVERY_TIMEOUT_S = 15;
const DEFAULT_RUN_RETENTION = 500;
const DEFAULT_RUN_OUTPUT_MAX_KIB = 256;
const DEFAULT_MAX_CONCURRENT_REQUESTS = 4;
/**
 * Upper bounds: an hour for a model call, ten minutes for a list of models. Past them a value is
 * a typo, and far past them a timer overflows (Node fires a timer over 2^31 ms at once). An
 * output is never larger than the 8 MiB an answer may have.
 */
const MAX_REQUEST_TIMEOUT_S = 3600;
const MAX_DISCOVERY_TIMEOUT_S = 600;
const MAX_RUN_RETENTION = 100_000;
const MAX_RUN_OUTPUT_KIB = 8192;
const MAX_CONCURRENT_REQUESTS = 64;
const DEFAULT_RETRY_ATTEMPTS = 3;
const MAX_RETRY_ATTEMPTS = 10;
const DEFAULT_RETRY_WAIT_S = 30;
const MAX_RETRY_WAIT_S = 600;
const DEFAULT_COOLDOWN_FAILURES = 3;
const MAX_COOLDOWN_FAILURES = 100;
const DEFAULT_COOLDOWN_S = 60;
const MAX_COOLDOWN_S = 3600;
const MAX_RATE_LIMIT = 100_000_000;
const RateLimitEntrySchema = z
  .object({ requestsPerMinute: z.number().int().min(0).max(MAX_RATE_LIMIT), tokensPerMinute: z.number().int().min(0).max(MAX_RATE_LIMIT) })
  .partial()
  .strict();

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
    return this.bounded('requestTimeoutSeconds', DEFAULT_REQUEST_TIMEOUT_S, MAX_REQUEST_TIMEOUT_S, vscode.l10n.t('a number of seconds')) * 1000;
  }

  streamIdleTimeoutMs(): number {
    // Bounded like the request timeout: a silence longer than an hour is a typo.
    return this.bounded('streamIdleTimeoutSeconds', DEFAULT_STREAM_IDLE_TIMEOUT_S, MAX_REQUEST_TIMEOUT_S, vscode.l10n.t('a number of seconds')) * 1000;
  }

  discoveryTimeoutMs(): number {
    return this.bounded('discoveryTimeoutSeconds', DEFAULT_DISCOVERY_TIMEOUT_S, MAX_DISCOVERY_TIMEOUT_S, vscode.l10n.t('a number of seconds')) * 1000;
  }

  runRetention(): number {
    return Math.round(this.bounded('runRetention', DEFAULT_RUN_RETENTION, MAX_RUN_RETENTION, vscode.l10n.t('a whole number of runs')));
  }

  runOutputMaxKiB(): number {
    return Math.round(this.bounded('runOutputMaxKiB', DEFAULT_RUN_OUTPUT_MAX_KIB, MAX_RUN_OUTPUT_KIB, vscode.l10n.t('a whole number of KiB')));
  }

  maxConcurrentRequestsPerConnection(): number {
    return Math.round(this.bounded('maxConcurrentRequestsPerConnection', DEFAULT_MAX_CONCURRENT_REQUESTS, MAX_CONCURRENT_REQUESTS, vscode.l10n.t('a whole number of requests')));
  }

  retry(): RetrySettings {
    return {
      maxAttempts: Math.round(this.bounded('retry.maxAttempts', DEFAULT_RETRY_ATTEMPTS, MAX_RETRY_ATTEMPTS, vscode.l10n.t('a whole number of tries'))),
      maxWaitMs: this.bounded('retry.maxWaitSeconds', DEFAULT_RETRY_WAIT_S, MAX_RETRY_WAIT_S, vscode.l10n.t('a number of seconds')) * 1000,
    };
  }

  rateLimits(connectionId: string): RateLimits {
    // 0 (the default) is no limit, so these are read without the "greater than 0" rule.
    const read = (name: string, unit: string) => {
      const value = vscode.workspace.getConfiguration(SECTION).get<unknown>(name, 0);
      return value === 0 ? 0 : Math.round(this.bounded(name, 0, MAX_RATE_LIMIT, unit));
    };
    const every = {
      requestsPerMinute: read('rateLimit.requestsPerMinute', vscode.l10n.t('a whole number of requests')),
      tokensPerMinute: read('rateLimit.tokensPerMinute', vscode.l10n.t('a whole number of tokens')),
    };
    const own = vscode.workspace.getConfiguration(SECTION).get<unknown>('rateLimit.perConnection', {});
    const entry = own && typeof own === 'object' ? (own as Record<string, unknown>)[connectionId] : undefined;
    if (entry === undefined) return every;
    const parsed = RateLimitEntrySchema.safeParse(entry);
    if (parsed.success) return { ...every, ...parsed.data };
    this.warnOnce('rateLimit.perConnection', vscode.l10n.t('The entry of a connection in switchboard.rateLimit.perConnection must be an object with requestsPerMinute and tokensPerMinute, each a whole number from 0 to {0}. The limits for every connection apply to it until it is fixed.', MAX_RATE_LIMIT));
    return every;
  }

  cooldown(): CooldownSettings {
    // 0 failures turns cool-downs off, so that one is read without the "greater than 0" rule.
    const failures = vscode.workspace.getConfiguration(SECTION).get<unknown>('cooldown.failures', DEFAULT_COOLDOWN_FAILURES);
    return {
      failures: failures === 0 ? 0 : Math.round(this.bounded('cooldown.failures', DEFAULT_COOLDOWN_FAILURES, MAX_COOLDOWN_FAILURES, vscode.l10n.t('a whole number of failures'))),
      windowMs: this.bounded('cooldown.windowSeconds', DEFAULT_COOLDOWN_S, MAX_COOLDOWN_S, vscode.l10n.t('a number of seconds')) * 1000,
      periodMs: this.bounded('cooldown.periodSeconds', DEFAULT_COOLDOWN_S, MAX_COOLDOWN_S, vscode.l10n.t('a number of seconds')) * 1000,
    };
  }

  defaultFallbacks(): CallTarget[] {
    const raw = vscode.workspace.getConfiguration(SECTION).get<unknown>('fallbacks', []);
    const parsed = FallbacksSchema.safeParse(raw);
    if (parsed.success) return parsed.data;
    this.warnOnce('fallbacks', vscode.l10n.t('The setting switchboard.fallbacks must be a list of at most {0} entries, each with a connectionId (a connection\'s id) and a modelRef. No fallbacks are used until it is fixed.', MAX_FALLBACKS));
    return [];
  }

  gatewayUrl(): string {
    const raw = vscode.workspace.getConfiguration(SECTION).get<unknown>('gateway.url', '');
    const checked = checkGatewayUrl(typeof raw === 'string' ? raw : '');
    if ('url' in checked) return checked.url;
    this.warnOnce('gateway.url', vscode.l10n.t('The setting switchboard.gateway.url {0}. Agents are not synced until it is fixed.', checked.problem));
    return '';
  }

  proxy(): ProxySettings {
    const http = vscode.workspace.getConfiguration('http');
    const proxy = http.get<string>('proxy', '').trim();
    return {
      ...(proxy ? { proxy } : {}),
      noProxy: http.get<string[]>('noProxy', []),
      strictSSL: http.get<boolean>('proxyStrictSSL', true),
      systemCertificates: http.get<boolean>('systemCertificates', true),
      caFile: vscode.workspace.getConfiguration(SECTION).get<string>('caCertificatesFile', '').trim(),
    };
  }

  /**
   * A timeout (or retention) of 0 or less would mean "fail at once", "wait forever" or "keep
   * nothing", and one past its bound a typo or an overflowing timer; none is what anyone wants,
   * so such a value is refused with a message that says what to do, and the default applies.
   */
  private bounded(name: string, fallback: number, max: number, unit: string): number {
    const value = vscode.workspace.getConfiguration(SECTION).get<unknown>(name, fallback);
    if (typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= max) return value;
    const shown = JSON.stringify(value)?.slice(0, 40) ?? String(value);
    this.warnOnce(name, vscode.l10n.t('The setting switchboard.{0} must be {1} greater than 0 and at most {2} (it is {3}). Using {4} until it is fixed.', name, unit, max, shown, fallback));
    return fallback;
  }

  /** Says once per change of the settings that `switchboard.${name}` is unusable, with a way to fix it. */
  private warnOnce(name: string, message: string): void {
    if (this.warned.has(name)) return;
    this.warned.add(name);
    this.logger.warn(message);
    void vscode.window.showWarningMessage(message, vscode.l10n.t('Open Settings')).then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', `switchboard.${name}`);
    });
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
