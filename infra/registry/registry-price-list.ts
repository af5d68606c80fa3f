import type { ModelPrice, PriceList } from '../../domain/gateway/pricing.js';
import type { ModelRegistry } from '../../domain/routing/ports.js';
import type { DeploymentEnvironment, ModelRegistration } from '../../domain/routing/model-registration.js';

/**
 * Prices for usage accounting: a model registered with a price (USD per token) is charged that; a model the
 * registry has no price for falls back to the configured list (MODEL_PRICES). The gate's ledger and the
 * chat workflow's memo both read prices here, so the two agree.
 */
export class RegistryPriceList implements PriceList {
  private snapshot?: { registrations: Promise<ModelRegistration[]>; expires: number };

  /** Prices are read on every request's admission: the registry's list is kept in memory for `ttlMs`. */
  constructor(
    private readonly registry: Pick<ModelRegistry, 'list'>,
    private readonly environment: DeploymentEnvironment,
    private readonly configured: Record<string, ModelPrice>,
    private readonly ttlMs = 5_000,
  ) {}

  async priceOf(model: string): Promise<ModelPrice | undefined> {
    const registered = (await this.registrations()).find((entry) => entry.model === model && (entry.inputPrice > 0 || entry.outputPrice > 0));
    if (registered) return { inputPerMillionUsd: registered.inputPrice * 1_000_000, outputPerMillionUsd: registered.outputPrice * 1_000_000 };
    return this.configured[model];
  }

  private registrations(): Promise<ModelRegistration[]> {
    if (!this.snapshot || this.snapshot.expires <= Date.now()) {
      const registrations = this.registry.list(this.environment);
      registrations.catch(() => { this.snapshot = undefined; });
      this.snapshot = { registrations, expires: Date.now() + this.ttlMs };
    }
    return this.snapshot.registrations;
  }
}
