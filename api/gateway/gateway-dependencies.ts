// What the gateway plugins need; the server entry (api/server.ts: createGatewayDependencies) or a test builds it.
import type { ModelCatalog } from '../../domain/chat/ports.js';
import type { PriceList } from '../../domain/gateway/pricing.js';
import type { RateLimiter } from '../../domain/gateway/rate-limits.js';
import type { TierLimits } from '../../infra/gateway/gateway-config.js';
import type { CachedModelRegistry } from '../../infra/registry/cached-model-registry.js';
import type { IdentityStore } from '../../infra/gateway/identity-store.js';
import type { JwtVerifier } from '../../infra/gateway/jwt-verifier.js';
import type { ResponseCache } from '../../infra/gateway/response-cache.js';
import type { UsageLedger } from '../../infra/gateway/usage-ledger.js';
import type { DeploymentEnvironment } from '../../domain/routing/model-registration.js';
import type { CircuitBreakers, LatencyStats } from '../../domain/routing/ports.js';
import type { ConversationStore } from '../../infra/postgres/conversation-store.js';

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
