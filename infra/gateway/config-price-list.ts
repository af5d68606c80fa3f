import type { ModelPrice, PriceList } from '../../domain/gateway/pricing.js';

/** Prices from configuration (MODEL_PRICES) until the model registry supplies them. */
export class ConfigPriceList implements PriceList {
  constructor(private readonly prices: Record<string, ModelPrice>) {}

  priceOf(model: string): ModelPrice | undefined {
    return this.prices[model];
  }
}
