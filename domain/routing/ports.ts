// Ports of the router. Adapters live in infra/registry/.
import type { DeploymentEnvironment, ModelRegistration, ModelStatus } from './model-registration.js';
import type { LatencyEstimate } from './routing-policy.js';

/** What routing reads: the registered models of one environment. */
export interface ModelRegistryReader {
  list(environment: DeploymentEnvironment): Promise<ModelRegistration[]>;
}

export interface ModelRegistry extends ModelRegistryReader {
  /** Inserts or replaces the registration of (model, environment). */
  register(registration: ModelRegistration): Promise<void>;
  /** Returns whether a registration was removed. */
  deregister(model: string, environment: DeploymentEnvironment): Promise<boolean>;
  /** Returns whether the registration exists. */
  setStatus(model: string, environment: DeploymentEnvironment, status: ModelStatus): Promise<boolean>;
  recordHealth(model: string, environment: DeploymentEnvironment, status: string, checkedAt: Date): Promise<void>;
}

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerSnapshot {
  state: BreakerState;
  consecutiveFailures: number;
  /** When an open circuit lets the next probe through (epoch ms). */
  retryAt?: number;
}

/** Circuit breakers per endpoint, shared by every worker. */
export interface CircuitBreakers {
  /** The endpoints among these that a router must skip now. */
  openAmong(endpoints: string[]): Promise<Set<string>>;
  /** Whether a request may go to the endpoint now; in half-open state one probe at a time gets through. */
  acquire(endpoint: string): Promise<boolean>;
  recordSuccess(endpoint: string): Promise<void>;
  recordFailure(endpoint: string): Promise<BreakerSnapshot>;
  snapshot(endpoint: string): Promise<BreakerSnapshot>;
}

export interface LatencySample {
  /** Time to the first token. */
  ttftMs: number;
  /** Mean time per token after the first; omitted when the answer had one token. */
  msPerToken?: number;
}

/** Moving averages of real calls, per model endpoint. */
export interface LatencyStats {
  record(model: string, endpoint: string, sample: LatencySample): Promise<void>;
  estimates(targets: { model: string; endpoint: string }[]): Promise<Map<string, LatencyEstimate>>;
}
