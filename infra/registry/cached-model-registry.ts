// Reads the registry through Redis (shared by every worker and API instance) with a TTL. Every change made
// through this class bumps a version key, and a cached copy counts only while it carries the current version:
// the next read of any process goes to the database, and a slow read that raced a change (it read the old
// rows, then cached them) is never served. A last known good copy (in Redis without expiry, and in memory)
// serves when the database cannot be reached, so routing keeps working through a registry outage. Without
// Redis every read goes to the database; a change made then is still seen at once by the processes reading
// the database, and a copy cached before the outage ages out with its TTL.
import type { Redis } from 'ioredis';
import type { DeploymentEnvironment, ModelRegistration, ModelStatus } from '../../domain/routing/model-registration.js';
import type { ModelRegistry } from '../../domain/routing/ports.js';

export interface CachedModelRegistryOptions {
  ttlSeconds: number;
  /** Told when the last known good copy serves because the registry failed. */
  onStale?: (environment: DeploymentEnvironment, error: unknown) => void;
  /** Told when a change could not drop the shared cache (Redis unreachable): other copies age out with the TTL. */
  onInvalidationFailed?: (environment: DeploymentEnvironment, error: unknown) => void;
}

interface CachedCopy {
  version: string;
  registrations: ModelRegistration[];
}

export class CachedModelRegistry implements ModelRegistry {
  private readonly lastKnownGood = new Map<DeploymentEnvironment, ModelRegistration[]>();

  constructor(
    private readonly store: ModelRegistry,
    private readonly redis: Redis,
    private readonly options: CachedModelRegistryOptions,
  ) {}

  async list(environment: DeploymentEnvironment): Promise<ModelRegistration[]> {
    const [cached, version] = await this.redis.mget(cacheKey(environment), versionKey(environment)).catch(() => [null, null]);
    const copy = cached ? (JSON.parse(cached) as CachedCopy) : undefined;
    if (copy && copy.version === (version ?? '0')) return remember(this.lastKnownGood, environment, copy.registrations);
    let fresh: ModelRegistration[];
    try {
      fresh = await this.store.list(environment);
    } catch (error) {
      const fallback = this.lastKnownGood.get(environment) ?? (await this.storedLastKnownGood(environment));
      if (!fallback) throw error;
      this.options.onStale?.(environment, error);
      return fallback;
    }
    // Cached under the version read before the database: a change since then has bumped it past this copy.
    const serialized = JSON.stringify({ version: version ?? '0', registrations: fresh } satisfies CachedCopy);
    await this.redis
      .multi()
      .set(cacheKey(environment), serialized, 'EX', this.options.ttlSeconds)
      .set(lastKnownGoodKey(environment), JSON.stringify(fresh))
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

  /** Makes every cached copy stale; the next read of any process goes to the database. The change itself stands either way. */
  async invalidate(environment: DeploymentEnvironment): Promise<void> {
    try {
      await this.redis.multi().incr(versionKey(environment)).del(cacheKey(environment)).exec();
    } catch (error) {
      this.options.onInvalidationFailed?.(environment, error);
    }
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

function versionKey(environment: DeploymentEnvironment): string {
  return `registry:${environment}:version`;
}

function lastKnownGoodKey(environment: DeploymentEnvironment): string {
  return `registry:${environment}:last-known-good`;
}
