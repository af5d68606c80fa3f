// What the gateway plugins need, built from configuration by the server entry (or a test).
import type { Pool } from '../../infra/postgres/pool.js';
import type { Redis } from '../../infra/redis/redis-client.js';
import type { Config } from '../../infra/config.js';
import type { ModelCatalog } from '../../domain/chat/ports.js';
import type { PriceList } from '../../domain/gateway/pricing.js';
import type { RateLimiter } from '../../domain/gateway/rate-limits.js';
import type { TierLimits } from '../../infra/gateway/gateway-config.js';
import { CachedModelRegistry } from '../../infra/registry/cached-model-registry.js';
import { PostgresModelRegistry } from '../../infra/registry/postgres-model-registry.js';
import { RegistryPriceList } from '../../infra/registry/registry-price-list.js';
import { IdentityStore } from '../../infra/gateway/identity-store.js';
import { JwtVerifier } from '../../infra/gateway/jwt-verifier.js';
import { RedisRateLimiter } from '../../infra/gateway/redis-rate-limiter.js';
import { ResponseCache } from '../../infra/gateway/response-cache.js';
import { UsageLedger } from '../../infra/gateway/usage-ledger.js';
import { RegistryModelCatalog } from '../../infra/registry/registry-model-catalog.js';
import { RedisCircuitBreakers } from '../../infra/registry/redis-circuit-breakers.js';
import { RedisLatencyStats } from '../../infra/registry/redis-latency-stats.js';
import type { DeploymentEnvironment } from '../../domain/routing/model-registration.js';
import type { CircuitBreakers, LatencyStats } from '../../domain/routing/ports.js';
import { ConversationStore } from '../../infra/postgres/conversation-store.js';
import { credentialChannel } from '../../infra/gateway/credential-changes.js';

export interface GatewayDependencies {
  identities: IdentityStore;
  ledger: UsageLedger;
  conversations: ConversationStore;
  /** The limiter shared by all instances; the gate falls back to a local one when it does not answer. */
  sharedLimiter: RateLimiter;
  prices: PriceList;
  cache: ResponseCache;
  jwt?: JwtVerifier;
  /** The models the API offers: the same cached registry the workers route with (no second catalog). */
  models: ModelCatalog;
  /** That registry, its environment, and the breakers and latency averages the workers keep, for /v1/providers. */
  registry: CachedModelRegistry;
  environment: DeploymentEnvironment;
  breakers: CircuitBreakers;
  latency: LatencyStats;
  /** At most this many models answer one fusion request (the workers' FUSION_MAX_MODELS). */
  fusionMaxModels: number;
  /** SHA-256 (hex) of the operator token that reads every org's provider metrics; absent: no operator access. */
  adminTokenSha256?: string;
  defaultModel: string;
  tiers: TierLimits;
  orgClaim: string;
  failureMode: 'open' | 'closed';
  limiterTimeoutMs: number;
  leaseMs: number;
  embeddings: { baseUrl: string; model: string; apiKey?: string; dimensions?: number };
  /** How open connections re-check their credentials, and the Redis channel credential changes arrive on. */
  credentialRecheck: { intervalMs: number; cacheMs: number; channel: string };
}

export function createGatewayDependencies(config: Config, adapters: { pool: Pool; redis: Redis }): GatewayDependencies {
  const jwtConfigured = config.AUTH_JWT_ISSUER && config.AUTH_JWT_AUDIENCE && (config.AUTH_JWT_SECRET || config.AUTH_JWT_JWKS_URL);
  const registry = new CachedModelRegistry(new PostgresModelRegistry(adapters.pool), adapters.redis, { ttlSeconds: config.REGISTRY_CACHE_TTL_SECONDS });
  return {
    identities: new IdentityStore(adapters.pool),
    ledger: new UsageLedger(adapters.pool),
    conversations: new ConversationStore(adapters.pool),
    sharedLimiter: new RedisRateLimiter(adapters.redis),
    prices: new RegistryPriceList(registry, config.MODEL_ENVIRONMENT, config.MODEL_PRICES),
    cache: new ResponseCache(adapters.redis, config.RESPONSE_CACHE_TTL_SECONDS),
    jwt: jwtConfigured ? new JwtVerifier({
      issuer: config.AUTH_JWT_ISSUER!,
      audience: config.AUTH_JWT_AUDIENCE!,
      secret: config.AUTH_JWT_SECRET,
      jwksUrl: config.AUTH_JWT_JWKS_URL,
      algorithms: config.AUTH_JWT_ALGORITHMS,
      clockToleranceSeconds: config.AUTH_JWT_CLOCK_TOLERANCE_SECONDS,
    }) : undefined,
    models: new RegistryModelCatalog(registry, config.MODEL_ENVIRONMENT),
    registry,
    environment: config.MODEL_ENVIRONMENT,
    breakers: new RedisCircuitBreakers(adapters.redis, {
      failureThreshold: config.BREAKER_FAILURE_THRESHOLD, openMs: config.BREAKER_OPEN_MS, probeLeaseMs: config.BREAKER_PROBE_LEASE_MS,
    }),
    latency: new RedisLatencyStats(adapters.redis),
    fusionMaxModels: config.FUSION_MAX_MODELS,
    ...(config.ADMIN_API_TOKEN_SHA256 ? { adminTokenSha256: config.ADMIN_API_TOKEN_SHA256 } : {}),
    defaultModel: config.LLM_MODEL,
    tiers: config.GATEWAY_TIERS,
    orgClaim: config.AUTH_JWT_ORG_CLAIM,
    failureMode: config.RATE_LIMIT_FAILURE_MODE,
    limiterTimeoutMs: config.RATE_LIMIT_REDIS_TIMEOUT_MS,
    leaseMs: config.STREAM_LEASE_SECONDS * 1000,
    embeddings: { baseUrl: config.EMBEDDINGS_BASE_URL, model: config.EMBEDDINGS_MODEL, apiKey: config.EMBEDDINGS_API_KEY, dimensions: config.EMBEDDINGS_DIMENSIONS },
    credentialRecheck: { intervalMs: config.AUTH_RECHECK_INTERVAL_MS, cacheMs: config.AUTH_RECHECK_CACHE_MS, channel: credentialChannel(config.REDIS_KEY_PREFIX) },
  };
}
