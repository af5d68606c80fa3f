// Cost of usage. Prices come through a small port: the model registry supplies them (configuration as fallback).

export interface ModelPrice {
  inputPerMillionUsd: number;
  outputPerMillionUsd: number;
}

export interface PriceList {
  /** The model's price, or undefined when it has none (its usage is then free). */
  priceOf(model: string): Promise<ModelPrice | undefined>;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}

/** Micro-USD: a price per million tokens in USD is exactly micro-USD per token. */
export function costMicros(price: ModelPrice | undefined, usage: TokenUsage): number {
  if (!price) return 0;
  return Math.ceil(usage.promptTokens * price.inputPerMillionUsd + usage.completionTokens * price.outputPerMillionUsd);
}

/** Before the call the prompt is estimated from its length (about four characters a token). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
