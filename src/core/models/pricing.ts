import * as l10n from '@vscode/l10n';
import { isLoopbackUrl, type Connection } from '../../contracts/connections';
import { BUILTIN_TABLE_DATE } from '../../contracts/modelFacts';
import type { RegisteredModel, Usage } from '../../contracts/models';
import { MAX_PRICE_PER_1K, type PriceSource } from '../../contracts/usage';
import { SwitchboardError } from '../base/errors';
import { builtinModel } from '../providers/builtinModelLookup';

/** The price a call is made at, in dollars per 1,000 tokens, and where it came from. */
export interface Price {
  source: PriceSource;
  /** The built-in table's date (`builtin` only). */
  date?: string;
  inputPer1k: number;
  outputPer1k: number;
  /** Prompt tokens read from the cache; the input price where the cached one is not known. */
  cachedInputPer1k?: number;
}

const FREE: Price = { source: 'local', inputPer1k: 0, outputPer1k: 0 };
const UNKNOWN: Price = { source: 'unknown', inputPer1k: 0, outputPer1k: 0 };

/**
 * The price of `modelRef` on `connection` at the time of a call: the person's own price first;
 * Ollama free; the registry's price (from the provider or the built-in table); any other
 * connection to a loopback address free (a server on the person's machine, unless its models
 * carry a price: a local proxy to a paid API); the built-in table for a model not registered;
 * else unknown (its cost is not counted).
 */
export function priceOf(connection: Pick<Connection, 'providerId' | 'baseUrl'>, modelRef: string, model: RegisteredModel | undefined): Price {
  if (model && model.sources.costs === 'user' && hasPrice(model)) return priced('person', model);
  if (connection.providerId === 'ollama') return FREE;
  if (model && hasPrice(model)) return priced(model.sources.costs === 'api' ? 'provider' : 'builtin', model);
  if (isLoopbackUrl(connection.baseUrl)) return FREE;
  const builtin = builtinModel(connection.providerId, modelRef);
  if (builtin && hasPrice(builtin)) return priced('builtin', builtin);
  return UNKNOWN;
}

function hasPrice(model: Pick<RegisteredModel, 'inputCostPer1k' | 'outputCostPer1k'>): boolean {
  return model.inputCostPer1k !== undefined || model.outputCostPer1k !== undefined;
}

function priced(source: PriceSource, model: Pick<RegisteredModel, 'inputCostPer1k' | 'outputCostPer1k' | 'cachedInputCostPer1k'>): Price {
  return {
    source,
    ...(source === 'builtin' ? { date: BUILTIN_TABLE_DATE } : {}),
    inputPer1k: model.inputCostPer1k ?? 0,
    outputPer1k: model.outputCostPer1k ?? 0,
    ...(model.cachedInputCostPer1k !== undefined ? { cachedInputPer1k: model.cachedInputCostPer1k } : {}),
  };
}

/** Dollars per 1,000 tokens → nano-dollars per token. */
const NANO_PER_TOKEN_PER_DOLLAR_PER_1K = 1_000_000;

/**
 * A call's cost in whole nano-dollars, rounded once: the prompt tokens read from the cache at the
 * cached price where it is known, the rest of the prompt at the input price, the answer at the
 * output price. Undefined when the price is unknown.
 */
export function costNano(usage: Usage, price: Price): number | undefined {
  if (price.source === 'unknown') return undefined;
  const cached = Math.min(usage.cacheReadTokens ?? 0, usage.inputTokens);
  const cachedPrice = price.cachedInputPer1k ?? price.inputPer1k;
  const dollarsPer1k = (usage.inputTokens - cached) * price.inputPer1k + cached * cachedPrice + usage.outputTokens * price.outputPer1k;
  return Math.round(dollarsPer1k * NANO_PER_TOKEN_PER_DOLLAR_PER_1K);
}

/** A price a person typed, checked: a number, not negative, not absurdly large. The reason otherwise. */
export function checkPrice(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new SwitchboardError('invalid_input', l10n.t('The {0} price must be a number of dollars per 1,000 tokens. Nothing was changed.', what));
  }
  if (value < 0) throw new SwitchboardError('invalid_input', l10n.t('The {0} price cannot be negative. Nothing was changed.', what));
  if (value > MAX_PRICE_PER_1K) {
    throw new SwitchboardError('invalid_input', l10n.t('The {0} price of ${1} per 1,000 tokens is more than the ${2} Switchboard accepts: check for a typo. Nothing was changed.', what, String(value), String(MAX_PRICE_PER_1K)));
  }
  return value;
}
