// Reads the registry through Redis (shared by every worker) with a TTL; every change made through this
// class drops the cached copy at once. A last known good copy (in Redis without expiry, and in memory)
// serves when the database cannot be reached, so routing keeps working through a registry outage.
import type { Redis } from 'ioredis';
import type { DeploymentEnvironment, ModelRegistration, ModelStatus } from '../../domain/routing/model-registration.js';
import type { ModelRegistry } from '../../domain/routing/ports.js';

export interface CachedModelRegistryOptions {
  ttlSeconds: number;
  /** Told when the last known good copy serves because the registry failed. */
  onStale?: (environment: DeploymentEnvironment, error: unknown) => void;
}

export class CachedModelRegistry implements ModelRegistry {
  private readonly lastKnownGood = new Map<DeploymentEnvironment, ModelRegistration[]>();

  constructor(
    private readonly store: ModelRegistry,
    private readonly redis: Redis,
    private readonly options: CachedModelRegistryOptions,
  ) {}

  async list(environment: DeploymentEnvironment): Promise<ModelRegistration[]> {
    const cached = await this.redis.get(cacheKey(environment)).catch(() => null);
    if (cached) return remember(this.lastKnownGood, environment, JSON.parse(cached) as ModelRegistration[]);
    let fresh: ModelRegistration[];
    try {
      fresh = await this.store.list(environment);
    } catch (error) {
      const fallback = this.lastKnownGood.get(environment) ?? (await this.storedLastKnownGood(environment));
      if (!fallback) throw error;
      this.options.onStale?.(environment, error);
      return fallback;
    }
    const serialized = JSON.stringify(fresh);
    await this.redis
      .multi()
      .set(cacheKey(environment), serialized, 'EX', this.options.ttlSeconds)
      .set(lastKnownGoodKey(environment), serialized)
      .exec()
      .catch(() => undefined);
    return remember(this.lastKnownGood, environment, fresh);
  }

  async register(registration: ModelRegistration): Promise<void> {
    await this.store.register(registration);
    await this.invalidate(registration.environment);
  }

  async deregister(model: string, environment: DeploymentEnvironment): Promise<boolean> {
    const removed = await this.store.deregister(model, environment);
    await this.invalidate(environment);
    return removed;
  }

  async setStatus(model: string, environment: DeploymentEnvironment, status: ModelStatus): Promise<boolean> {
    const found = await this.store.setStatus(model, environment, status);
    await this.invalidate(environment);
    return found;
  }

  async recordHealth(model: string, environment: DeploymentEnvironment, status: string, checkedAt: Date): Promise<void> {
    await this.store.recordHealth(model, environment, status, checkedAt);
    await this.invalidate(environment);
  }

  /** Drops the cached copy; the next read goes to the database. */
  async invalidate(environment: DeploymentEnvironment): Promise<void> {
    await this.redis.del(cacheKey(environment));
  }

  private async storedLastKnownGood(environment: DeploymentEnvironment): Promise<ModelRegistration[] | undefined> {
    const stored = await this.redis.get(lastKnownGoodKey(environment)).catch(() => null);
    return stored ? (JSON.parse(stored) as ModelRegistration[]) : undefined;
  }
}

function remember(memory: Map<DeploymentEnvironment, ModelRegistration[]>, environment: DeploymentEnvironment, registrations: ModelRegistration[]): ModelRegistration[] {
  memory.set(environment, registrations);
  return registrations;
}

function cacheKey(environment: DeploymentEnvironment): string {
  return `registry:${environment}`;
}

function lastKnownGoodKey(environment: DeploymentEnvironment): string {
  return `registry:${environment}:last-known-good`;
}
