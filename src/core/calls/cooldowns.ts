import { Emitter } from '../base/events';
import type { CooldownSettings } from '../base/ports';

/**
 * Targets that failed too often lately: `failures` retryable failures within `windowMs` put a
 * target (a connection and model) in a cool-down of `periodMs`, in which a call with somewhere
 * else to go skips it. In memory: a new window starts without any.
 */
export class Cooldowns {
  private readonly failures = new Map<string, number[]>();
  private readonly until = new Map<string, number>();
  private readonly changed = new Emitter<void>();
  /** Fires when a target starts a cool-down or leaves one early (an answer from it); an expiry is read lazily. */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly settings: () => CooldownSettings,
    private readonly now: () => number,
  ) {}

  /** When the target's cool-down ends (ms since the epoch), or undefined when it is not cooling. */
  coolingUntil(key: string): number | undefined {
    const until = this.until.get(key);
    if (until === undefined) return undefined;
    if (until > this.now()) return until;
    this.until.delete(key);
    return undefined;
  }

  noteFailure(key: string): void {
    const { failures, windowMs, periodMs } = this.settings();
    if (failures <= 0) return;
    const now = this.now();
    const recent = (this.failures.get(key) ?? []).filter((time) => time > now - windowMs);
    recent.push(now);
    if (recent.length >= failures) {
      this.until.set(key, now + periodMs);
      this.failures.delete(key);
      this.changed.fire();
    } else this.failures.set(key, recent);
  }

  noteSuccess(key: string): void {
    this.failures.delete(key);
    if (this.until.delete(key)) this.changed.fire();
  }

  /** Every target cooling now, with the end of its cool-down (ms since the epoch): for the Connections view. */
  cooling(): { connectionId: string; modelRef: string; until: number }[] {
    return [...this.until.keys()].flatMap((key) => {
      const until = this.coolingUntil(key);
      const slash = key.indexOf('/');
      return until === undefined ? [] : [{ connectionId: key.slice(0, slash), modelRef: key.slice(slash + 1), until }];
    });
  }
}

/** The key of a target in {@link Cooldowns}: a connection id is a UUID, so the first `/` splits it. */
export function targetKey(target: { connectionId: string; modelRef: string }): string {
  return `${target.connectionId}/${target.modelRef}`;
}
