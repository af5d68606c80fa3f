// Promotion of a model's registry entry along development → staging → production, behind two gates
// (the source endpoint answers its health probe, and a smoke chat through it returns a non-empty answer),
// and rollback to the entry a promotion replaced. The history port keeps every step, so the registry
// and the deployment record always change together.
import { environments, type DeploymentEnvironment, type ModelRegistration } from './model-registration.js';
import type { ModelRegistryReader } from './ports.js';
import { RagtimeError } from '../errors.js';

export type DeploymentErrorCode = 'invalid_step' | 'unknown_model' | 'model_disabled' | 'unhealthy' | 'smoke_failed' | 'nothing_to_roll_back';

/** A refusal the operator can act on; the CLI prints it and exits non-zero. */
export class DeploymentError extends RagtimeError {
  declare readonly code: DeploymentErrorCode;

  constructor(code: DeploymentErrorCode, message: string) {
    super(code, message);
  }
}

export interface HealthCheck {
  healthy: boolean;
  /** HTTP status of the health probe, or the network error. */
  health: string;
  latencyMs: number;
}

export interface SmokeResult {
  ok: boolean;
  answer: string;
  latencyMs: number;
  error?: string;
}

export interface PromotionChecks {
  health: HealthCheck;
  smoke?: SmokeResult;
}

export interface DeploymentRecord {
  id: number;
  model: string;
  environment: DeploymentEnvironment;
  action: 'promote' | 'rollback';
  sourceEnvironment?: DeploymentEnvironment;
  state?: 'active' | 'superseded' | 'rolled-back';
  registration?: ModelRegistration;
  previousRegistration?: ModelRegistration;
  previousDeploymentId?: number;
  checks: Partial<PromotionChecks>;
  actor: string;
  createdAt: string;
}

/** Deployment history and the registry writes that go with it, each call one atomic step. */
export interface DeploymentHistory {
  /** Writes the registration to its environment, supersedes the active promotion, records the new one. */
  promote(input: { registration: ModelRegistration; sourceEnvironment: DeploymentEnvironment; checks: PromotionChecks; actor: string }): Promise<DeploymentRecord>;
  /**
   * Marks the active promotion rolled back and restores the entry it replaced (disables the model when
   * it replaced none); undefined when no promotion is active.
   */
  rollback(input: { model: string; environment: DeploymentEnvironment; actor: string }): Promise<DeploymentRecord | undefined>;
  list(model: string, environment?: DeploymentEnvironment): Promise<DeploymentRecord[]>;
}

export interface DeploymentDependencies {
  registry: ModelRegistryReader & { recordHealth(model: string, environment: DeploymentEnvironment, status: string, checkedAt: Date): Promise<void> };
  history: DeploymentHistory;
  probe(registration: ModelRegistration): Promise<HealthCheck>;
  smoke(registration: ModelRegistration): Promise<SmokeResult>;
  /** Tells every reader of the environment's registry (the shared cache) that it changed. */
  changed(environment: DeploymentEnvironment): Promise<void>;
}

/** Promotion goes one step at a time along the path: development → staging → production. */
export function checkPromotionStep(from: DeploymentEnvironment, to: DeploymentEnvironment): void {
  if (environments.indexOf(to) !== environments.indexOf(from) + 1) {
    throw new DeploymentError('invalid_step', `cannot promote from ${from} to ${to}: the path is ${environments.join(' → ')}, one step at a time`);
  }
}

export async function promote(
  request: { model: string; from: DeploymentEnvironment; to: DeploymentEnvironment; actor: string },
  dependencies: DeploymentDependencies,
): Promise<DeploymentRecord> {
  checkPromotionStep(request.from, request.to);
  const source = (await dependencies.registry.list(request.from)).find((registration) => registration.model === request.model);
  if (!source) throw new DeploymentError('unknown_model', `model ${request.model} is not registered in ${request.from}`);
  if (source.status !== 'ready') throw new DeploymentError('model_disabled', `model ${request.model} is ${source.status} in ${request.from}: enable it there before promoting`);

  const health = await dependencies.probe(source);
  await dependencies.registry.recordHealth(source.model, source.environment, health.healthy ? 'healthy' : 'unhealthy', new Date());
  if (!health.healthy) {
    throw new DeploymentError('unhealthy', `refusing to promote ${request.model}: its ${request.from} endpoint ${source.endpoint} is unhealthy (health: ${health.health})`);
  }
  const smoke = await dependencies.smoke(source);
  if (!smoke.ok) {
    throw new DeploymentError('smoke_failed', `refusing to promote ${request.model}: the smoke chat through ${source.endpoint} failed (${smoke.error ?? 'empty answer'})`);
  }

  const { lastHealthCheck: _checked, lastHealthStatus: _status, ...copied } = source;
  const record = await dependencies.history.promote({
    registration: { ...copied, environment: request.to, status: 'ready' },
    sourceEnvironment: request.from,
    checks: { health, smoke },
    actor: request.actor,
  });
  await dependencies.changed(request.to);
  return record;
}

export async function rollback(
  request: { model: string; environment: DeploymentEnvironment; actor: string },
  dependencies: Pick<DeploymentDependencies, 'registry' | 'history' | 'changed'>,
): Promise<DeploymentRecord> {
  const record = await dependencies.history.rollback(request);
  if (!record) {
    const registered = (await dependencies.registry.list(request.environment)).some((registration) => registration.model === request.model);
    if (!registered && (await dependencies.history.list(request.model)).length === 0) {
      throw new DeploymentError('unknown_model', `model ${request.model} is not registered in ${request.environment} and has never been deployed`);
    }
    throw new DeploymentError('nothing_to_roll_back', `nothing to roll back: no promotion of ${request.model} is active in ${request.environment}`);
  }
  await dependencies.changed(request.environment);
  return record;
}
