import * as l10n from '@vscode/l10n';
import { randomUUID } from 'node:crypto';
import { BudgetInputSchema, BudgetSchema, NANO_PER_DOLLAR, type Budget, type BudgetScope, type BudgetStatus } from '../../contracts/usage';
import { describeIssues } from '../../contracts/issues';
import type { AuditLog } from '../audit/auditLog';
import { SwitchboardError } from '../base/errors';
import { Emitter } from '../base/events';
import type { Disposable, Logger } from '../base/ports';
import { parseRow, type Database, type ReadCache } from '../store/database';
import { TABLES } from '../store/storageKeys';
import { totalKey, type RunningTotal, type ScopeKind, type UsageLedger, type WarningCheck } from './usageLedger';

const { budgets: BUDGETS } = TABLES;

/** What a budget is checked against: the call's connection, agent and requester. */
export interface BudgetedCall {
  connectionId: string;
  agentId?: string;
  requesterId: string;
  runId?: string;
  modelRef: string;
  connectionName?: string;
}

export interface BudgetsDeps {
  db: Database;
  ledger: UsageLedger;
  audit: Pick<AuditLog, 'append'>;
  logger: Logger;
  /** What a budget's scope names for a person: a connection's or agent's name, an extension's id, VS Code chat. */
  label(scope: BudgetScope): string;
  /** Tells the person a budget passed its warning threshold: once per budget and period, across windows. */
  warn?(message: string): void;
  newId?: () => string;
}

/**
 * Budgets per connection, agent or requester, per day or month (the person's local time), in
 * dollars or tokens, stored in SQLite so every window sees them at once.
 *
 * Before a call is sent (before its key is read) each budget that matches it is compared with its
 * scope's running total (one indexed read): at or over the limit the call is refused with
 * `budget_exceeded` and the refusal is audited. Totals move when calls are recorded, in the
 * database every window writes, so two windows together overspend by at most the calls already
 * in flight when the limit was reached.
 */
export class Budgets implements Disposable {
  private readonly cache: ReadCache<Budget[]> = {};
  private readonly changed = new Emitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly deps: BudgetsDeps) {}

  list(): Budget[] {
    return this.deps.db.cachedRead(this.cache, BUDGETS, (sql) =>
      sql.all<{ id: string; body: string }>(`SELECT id, body FROM ${BUDGETS} ORDER BY rowid`).flatMap((row) => parseRow(BudgetSchema, row.body, { what: 'budget', id: row.id }, this.deps.logger) ?? []),
    );
  }

  /** The budgets that match a call, from the cached read: for `check`, and `warningChecks` when the call is recorded. */
  matching(call: BudgetedCall): Budget[] {
    return this.list().filter((budget) => matches(budget.scope, call));
  }

  /** Every budget with what its current period has used, for the Usage tab. */
  statuses(): BudgetStatus[] {
    return this.list().map((budget) => this.status(budget));
  }

  status(budget: Budget, used = this.used(budget)): BudgetStatus {
    return { budget, label: this.deps.label(budget.scope).slice(0, 300), used, resetsAt: this.deps.ledger.period(budget.period).endsAt.toISOString() };
  }

  /** What the budget's current period has used, in its unit. */
  private used(budget: Budget): number {
    return usedOf(budget, this.deps.ledger.total(scopeKey(budget.scope), budget.period, this.deps.ledger.periodStart(budget.period)));
  }

  /** Adds a budget (no id) or changes one; a bad one is refused with the reason and changes nothing. Audited. */
  async set(input: unknown, requesterId: string): Promise<Budget> {
    const parsed = BudgetInputSchema.safeParse(input);
    if (!parsed.success) throw new SwitchboardError('invalid_input', l10n.t('The budget is not valid: {0}. Nothing was changed.', describeIssues(parsed.error.issues)));
    const budget: Budget = { ...parsed.data, id: parsed.data.id ?? (this.deps.newId ?? randomUUID)() };
    const added = await this.deps.db.write((sql) => {
      const existing = sql.get<{ id: string }>(`SELECT id FROM ${BUDGETS} WHERE id = ?`, budget.id);
      if (parsed.data.id && !existing) throw new SwitchboardError('not_found', l10n.t('That budget no longer exists. Nothing was changed.'));
      // A changed budget warns again for this period if it is still past its threshold.
      sql.run(`INSERT INTO ${BUDGETS} (id, body) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET body = excluded.body, warned_period = NULL`, budget.id, JSON.stringify(budget));
      return !existing;
    });
    await this.audit(budget, added ? 'added' : 'changed', requesterId);
    this.changed.fire();
    return budget;
  }

  async delete(id: string, requesterId: string): Promise<boolean> {
    const budget = this.list().find((each) => each.id === id);
    if (!budget) return false;
    const deleted = await this.deps.db.write((sql) => Number(sql.run(`DELETE FROM ${BUDGETS} WHERE id = ?`, id).changes) > 0);
    if (!deleted) return false;
    await this.audit(budget, 'deleted', requesterId);
    this.changed.fire();
    return true;
  }

  /**
   * Refuses the call with `budget_exceeded` (audited) when a budget that matches it has used its
   * limit this period. Nothing was sent and no key was read. Resolves with the budgets that
   * match the call, for `warningChecks` when it is recorded.
   */
  async check(call: BudgetedCall): Promise<Budget[]> {
    const matching = this.matching(call);
    if (!matching.length) return matching;
    // Every matching budget's running total in one statement.
    const used = this.deps.ledger.currentTotals(matching.map((budget) => ({ scope: scopeKey(budget.scope), period: budget.period }))).map((total, index) => usedOf(matching[index]!, total));
    for (const [index, budget] of matching.entries()) {
      if (used[index]! < limitOf(budget)) continue;
      const error = new SwitchboardError('budget_exceeded', this.refusal(this.status(budget, used[index])));
      await this.deps.audit
        .append({
          kind: 'budget_refused',
          requesterId: call.requesterId,
          ...(call.runId ? { runId: call.runId } : {}),
          connectionId: call.connectionId,
          ...(call.connectionName ? { connectionName: call.connectionName } : {}),
          modelRef: call.modelRef,
          outcome: 'budget_exceeded',
        })
        .catch((failure: unknown) => this.deps.logger.error(`Could not write the audit log: ${String(failure)}`));
      throw error;
    }
    return matching;
  }

  /**
   * What the write that records a call checks of the budgets that match it: each one the call
   * takes past its warning threshold is marked warned for its period, once across windows.
   */
  warningChecks(matching: readonly Budget[]): WarningCheck[] {
    return matching.map((budget) => ({
      budgetId: budget.id,
      total: totalKey(scopeKey(budget.scope), budget.period),
      unit: budget.limit.unit,
      limit: limitOf(budget),
      warnAtPercent: budget.warnAtPercent,
      periodStart: this.deps.ledger.periodStart(budget.period),
    }));
  }

  /** The warnings of the budgets a recorded call marked warned, with what each had used. */
  warnings(matching: readonly Budget[], warned: readonly { budgetId: string; used: number }[]): string[] {
    return warned.flatMap(({ budgetId, used }) => {
      const budget = matching.find((each) => each.id === budgetId);
      return budget ? [this.warning(this.status(budget, used))] : [];
    });
  }

  /** Tells the person of each claimed warning; a failure to tell never fails the call. */
  tell(messages: readonly string[]): void {
    for (const message of messages) {
      try {
        this.deps.warn?.(message);
      } catch (error) {
        this.deps.logger.warn(`Could not show a budget warning: ${String(error)}`);
      }
    }
  }

  dispose(): void {
    this.changed.dispose();
  }

  private refusal(status: BudgetStatus): string {
    const { budget } = status;
    return budget.period === 'day'
      ? l10n.t(
          'The daily budget of {0} is used up: {1} of {2} today. The call was not sent. Raise the budget in the Usage tab of the Switchboard editor (Switchboard: Show Usage), or wait until it starts over at {3}.',
          status.label,
          amount(budget, status.used),
          amount(budget, limitOf(budget)),
          status.resetsAt,
        )
      : l10n.t(
          'The monthly budget of {0} is used up: {1} of {2} this month. The call was not sent. Raise the budget in the Usage tab of the Switchboard editor (Switchboard: Show Usage), or wait until it starts over at {3}.',
          status.label,
          amount(budget, status.used),
          amount(budget, limitOf(budget)),
          status.resetsAt,
        );
  }

  private warning(status: BudgetStatus): string {
    const { budget } = status;
    return budget.period === 'day'
      ? l10n.t('The daily budget of {0} has passed {1}%: {2} of {3} used today. At the limit, calls are refused.', status.label, budget.warnAtPercent, amount(budget, status.used), amount(budget, limitOf(budget)))
      : l10n.t('The monthly budget of {0} has passed {1}%: {2} of {3} used this month. At the limit, calls are refused.', status.label, budget.warnAtPercent, amount(budget, status.used), amount(budget, limitOf(budget)));
  }

  private async audit(budget: Budget, outcome: 'added' | 'changed' | 'deleted', requesterId: string): Promise<void> {
    await this.deps.audit.append({
      kind: 'budget_changed',
      requesterId,
      ...(budget.scope.kind === 'connection' ? { connectionId: budget.scope.connectionId } : {}),
      outcome: `${outcome}: ${budget.scope.kind} ${this.deps.label(budget.scope)}, ${budget.period}, ${amount(budget, limitOf(budget))}`.slice(0, 100),
    });
  }
}

/** The running-totals scope of a budget. */
export function scopeKey(scope: BudgetScope): { kind: ScopeKind; id: string } {
  switch (scope.kind) {
    case 'connection':
      return { kind: 'connection', id: scope.connectionId };
    case 'agent':
      return { kind: 'agent', id: scope.agentId };
    default:
      return { kind: 'requester', id: scope.requesterId };
  }
}

function matches(scope: BudgetScope, call: BudgetedCall): boolean {
  switch (scope.kind) {
    case 'connection':
      return scope.connectionId === call.connectionId;
    case 'agent':
      return scope.agentId === call.agentId;
    default:
      return scope.requesterId === call.requesterId;
  }
}

/** A running total in the budget's unit. */
function usedOf(budget: Budget, total: RunningTotal): number {
  return budget.limit.unit === 'usd' ? total.costNano : total.tokens;
}

function limitOf(budget: Budget): number {
  return budget.limit.unit === 'usd' ? budget.limit.nano : budget.limit.tokens;
}

/** An amount of a budget's unit, for a person: dollars with cents (more digits under a cent), or tokens. */
export function amount(budget: Pick<Budget, 'limit'>, value: number): string {
  if (budget.limit.unit === 'tokens') return l10n.t('{0} tokens', value.toLocaleString('en'));
  return formatDollars(value);
}

export function formatDollars(nano: number): string {
  const dollars = nano / NANO_PER_DOLLAR;
  return `$${dollars.toFixed(dollars !== 0 && Math.abs(dollars) < 0.01 ? 4 : 2)}`;
}
