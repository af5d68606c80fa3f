// What routing, failover and fusion need besides the chat dependencies: the registry and the live state of its endpoints.
import type { DeploymentEnvironment } from '../../domain/routing/model-registration.js';
import type { CircuitBreakers, LatencyStats, ModelRegistryReader } from '../../domain/routing/ports.js';
import type { RoutingStrategy } from '../../domain/routing/routing-policy.js';

/** What routing, failover and fusion need besides the chat dependencies. */
export interface RoutingDependencies {
  registry: ModelRegistryReader;
  environment: DeploymentEnvironment;
  breakers: CircuitBreakers;
  latency: LatencyStats;
  strategy: RoutingStrategy;
  /** A request with no first token after this long is a failure of its endpoint. */
  firstTokenTimeoutMs: number;
  /** A stream with no token for this long mid-answer has stalled: the next endpoint continues it. */
  stallTimeoutMs: number;
  /** Models a fusion request asks when the client names none. */
  fusionMaxModels: number;
}
