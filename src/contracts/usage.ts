import * as z from 'zod';
import { MAX_BUDGET_NANO, MAX_BUDGET_TOKENS, MAX_PRICE_PER_1K, NANO_PER_DOLLAR } from './vocabulary';

export { MAX_BUDGET_NANO, MAX_BUDGET_TOKENS, MAX_PRICE_PER_1K, NANO_PER_DOLLAR };

/**
 * Where a call's price came from:
 * - `provider`: the provider's model list said it;
 * - `builtin`: Switchboard's built-in table (its date in `priceDate`);
 * - `person`: the person set it on the model;
 * - `local`: a model on the person's own machine (Ollama), free unless they set a price;
 * - `unknown`: no price is known; the call's cost is not counted.
 */
export const PriceSourceSchema = z.enum(['provider', 'builtin', 'person', 'local', 'unknown']);
export type PriceSource = z.infer<typeof PriceSourceSchema>;

/** Who a call was made for, as the usage ledger groups it. */
export const UsageDimensionSchema = z.enum(['connection', 'model', 'agent', 'requester']);
export type UsageDimension = z.infer<typeof UsageDimensionSchema>;

/** The width of one bar of the Usage tab's charts. */
export const UsagePeriodSchema = z.enum(['day', 'week', 'month']);
export type UsagePeriod = z.infer<typeof UsagePeriodSchema>;

const tokens = z.number().int().nonnegative();
const nano = z.number().int().nonnegative();

/**
 * One model call's usage as the ledger stores it: one row per call that reached a provider (a
 * run's step, a VS Code chat request, an API run), whatever its outcome.
 */
export const UsageRecordSchema = z.object({
  id: z.string().uuid(),
  time: z.string().datetime(),
  runId: z.string().uuid().optional(),
  /** The VS Code chat record, for a chat request. */
  chatId: z.string().uuid().optional(),
  agentId: z.string().uuid().optional(),
  requesterId: z.string().min(1).max(300),
  connectionId: z.string().uuid(),
  providerId: z.string().min(1).max(200),
  modelRef: z.string().min(1).max(256),
  inputTokens: tokens,
  outputTokens: tokens,
  cacheReadTokens: tokens.optional(),
  cacheWriteTokens: tokens.optional(),
  reasoningTokens: tokens.optional(),
  /** The provider reported no usage, or only part of it: the counts are Switchboard's estimate. */
  estimated: z.boolean(),
  /** The call's cost in nano-dollars at the price it was made at; absent when `priceSource` is `unknown`. */
  costNano: nano.optional(),
  priceSource: PriceSourceSchema,
  /** The date of the built-in table the price came from (`builtin` only). */
  priceDate: z.string().max(40).optional(),
});
export type UsageRecord = z.infer<typeof UsageRecordSchema>;

/** The sums of a set of calls. */
export const UsageTotalsSchema = z.object({
  calls: z.number().int().nonnegative(),
  inputTokens: tokens,
  outputTokens: tokens,
  cacheReadTokens: tokens,
  cacheWriteTokens: tokens,
  reasoningTokens: tokens,
  costNano: nano,
  /** Calls whose token counts are estimates. */
  estimatedCalls: z.number().int().nonnegative(),
  /** Calls with no known price: their cost is not in `costNano`. */
  unpricedCalls: z.number().int().nonnegative(),
});
export type UsageTotals = z.infer<typeof UsageTotalsSchema>;

/** What the Usage tab (and the API, for a caller's own calls) filters by; every field matched on the host in SQL. */
export const UsageFilterSchema = z
  .object({
    connectionId: z.string().uuid().optional(),
    modelRef: z.string().min(1).max(256).optional(),
    agentId: z.string().uuid().optional(),
    requesterId: z.string().min(1).max(300).optional(),
  })
  .strict();
export type UsageFilter = z.infer<typeof UsageFilterSchema>;

/** The most periods one report spans: two years of days. */
export const MAX_USAGE_BUCKETS = 732;

/** The most groups a report breaks a chart into; the rest are summed into one "other" group. */
export const MAX_USAGE_GROUPS = 12;

export const UsageReportRequestSchema = z
  .object({
    period: UsagePeriodSchema,
    groupBy: UsageDimensionSchema,
    /** The first and the last day reported, inclusive, as `YYYY-MM-DD` in the person's time zone. */
    from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    /** Minutes east of UTC of the person's time zone, so a day starts at their midnight. */
    utcOffsetMinutes: z.number().int().min(-840).max(840),
    filter: UsageFilterSchema,
  })
  .strict();
export type UsageReportRequest = z.infer<typeof UsageReportRequestSchema>;

/** One group of a report (a connection, a model, an agent, a requester), named for a person. */
export const UsageGroupSchema = z.object({
  /** The id the group is keyed by (`other` for the groups past MAX_USAGE_GROUPS). */
  key: z.string().max(300),
  label: z.string().max(300),
  totals: UsageTotalsSchema,
});
export type UsageGroup = z.infer<typeof UsageGroupSchema>;

/** A report: per period, per group, the sums; each chart's figures and the table under it. */
export const UsageReportSchema = z.object({
  /** The first day of each period, `YYYY-MM-DD`, oldest first, every period of the range present. */
  periods: z.array(z.string()).max(MAX_USAGE_BUCKETS),
  groups: z.array(UsageGroupSchema).max(MAX_USAGE_GROUPS + 1),
  /** `cells[g][p]`: the sums of group g in period p. */
  cells: z.array(z.array(UsageTotalsSchema)),
  totals: UsageTotalsSchema,
});
export type UsageReport = z.infer<typeof UsageReportSchema>;

export const BudgetScopeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('connection'), connectionId: z.string().uuid() }).strict(),
  z.object({ kind: z.literal('agent'), agentId: z.string().uuid() }).strict(),
  /** An extension's id, `vscode.chat`, or the person's views (`person`). */
  z.object({ kind: z.literal('requester'), requesterId: z.string().min(1).max(300) }).strict(),
]);
export type BudgetScope = z.infer<typeof BudgetScopeSchema>;

export const BudgetLimitSchema = z.discriminatedUnion('unit', [
  z.object({ unit: z.literal('usd'), nano: z.number().int().positive().max(MAX_BUDGET_NANO) }).strict(),
  z.object({ unit: z.literal('tokens'), tokens: z.number().int().positive().max(MAX_BUDGET_TOKENS) }).strict(),
]);
export type BudgetLimit = z.infer<typeof BudgetLimitSchema>;

/** A budget as the person sets it; `id` is absent for a new one. */
export const BudgetInputSchema = z
  .object({
    id: z.string().uuid().optional(),
    scope: BudgetScopeSchema,
    period: z.enum(['day', 'month']),
    limit: BudgetLimitSchema,
    /** The person is told once a period when spending passes this share of the limit. */
    warnAtPercent: z.number().int().min(1).max(100).default(80),
  })
  .strict();
export type BudgetInput = z.input<typeof BudgetInputSchema>;

export const BudgetSchema = BudgetInputSchema.extend({ id: z.string().uuid(), warnAtPercent: z.number().int().min(1).max(100) });
export type Budget = z.infer<typeof BudgetSchema>;

/** A budget with what the current period has used of it. */
export const BudgetStatusSchema = z.object({
  budget: BudgetSchema,
  /** What the scope names, for a person ("Claude work", "ext.publisher.name"). */
  label: z.string().max(300),
  /** Used this period: nano-dollars for a `usd` limit, tokens for a `tokens` limit. */
  used: z.number().int().nonnegative(),
  /** When the current period ends and the budget starts over (ISO time). */
  resetsAt: z.string().datetime(),
});
export type BudgetStatus = z.infer<typeof BudgetStatusSchema>;
