// `registry deployment …`: the state of an environment's endpoints, and promotion along
// development → staging → production with rollback (domain/routing/deployments.ts).
//   deployment status [--env ENV]                                     probes /health and /v1/models of every endpoint
//   deployment promote --model M --from staging --to production        health probe + smoke chat, then registers
//   deployment rollback --model M --env production                     restores the entry the last promotion replaced
//   deployment history --model M [--env ENV]
import { userInfo } from 'node:os';
import type { Config } from '../infra/config.js';
import { RagtimeError } from '../domain/errors.js';
import type { Pool } from '../infra/postgres/pool.js';
import type { Redis } from 'ioredis';
import { CachedModelRegistry } from '../infra/registry/cached-model-registry.js';
import { RedisCircuitBreakers } from '../infra/registry/redis-circuit-breakers.js';
import { probeEndpoint } from '../infra/registry/endpoint-probe.js';
import { PostgresDeploymentHistory } from '../infra/registry/postgres-deployment-history.js';
import { smokeChat } from '../infra/registry/smoke-chat.js';
import { ProviderChatModel } from '../infra/llm/provider-chat-model.js';
import { OpenAICompatibleChatModel } from '../infra/llm/openai-compatible-chat-model.js';
import { AnthropicChatModel } from '../infra/llm/anthropic-chat-model.js';
import { environments, type DeploymentEnvironment, type ModelRegistration } from '../domain/routing/model-registration.js';
import { DeploymentError, promote, rollback, type DeploymentDependencies, type DeploymentRecord } from '../domain/routing/deployments.js';

export interface DeploymentOptions {
  model?: string;
  env?: string;
  from?: string;
  to?: string;
  actor?: string;
}

export interface DeploymentContext {
  config: Config;
  pool: Pool;
  redis: Redis;
  registry: CachedModelRegistry;
  environment: DeploymentEnvironment;
}

export async function runDeployment(command: string | undefined, options: DeploymentOptions, context: DeploymentContext): Promise<number> {
  const { config, registry } = context;
  const history = new PostgresDeploymentHistory(context.pool);
  const actor = options.actor ?? userInfo().username;
  const apiKeyOf = (registration: ModelRegistration) => (registration.provider === 'anthropic' ? config.ANTHROPIC_API_KEY : config.LLM_API_KEY);
  const chatModel = new ProviderChatModel({
    'openai-compatible': new OpenAICompatibleChatModel({ apiKey: config.LLM_API_KEY }),
    anthropic: new AnthropicChatModel({ apiKey: config.ANTHROPIC_API_KEY }),
  });
  const dependencies: DeploymentDependencies = {
    registry,
    history,
    probe: (registration) => probeEndpoint(registration, { apiKey: apiKeyOf(registration), timeoutMs: 3_000 }),
    smoke: (registration) => smokeChat(chatModel, registration, { timeoutMs: 60_000 }),
    changed: (environment) => registry.invalidate(environment),
  };
  const model = () => {
    if (!options.model) throw new DeploymentUsageError('--model is required');
    return options.model;
  };
  try {
    switch (command) {
      case 'status':
        return await deploymentStatus(context, apiKeyOf);
      case 'promote': {
        const record = await promote({ model: model(), from: environmentOption(options.from, '--from'), to: environmentOption(options.to, '--to'), actor }, dependencies);
        const smoke = record.checks.smoke;
        console.log(`promoted ${record.model} ${record.sourceEnvironment} → ${record.environment} (deployment ${record.id}): ${record.registration?.endpoint}`);
        console.log(`  health ${record.checks.health?.health} in ${record.checks.health?.latencyMs} ms; smoke chat ${smoke?.latencyMs} ms: ${JSON.stringify(smoke?.answer.trim().slice(0, 80))}`);
        console.log(record.previousRegistration ? `  replaced ${record.previousRegistration.endpoint} (kept for rollback)` : `  ${record.model} was not in ${record.environment} before`);
        return 0;
      }
      case 'rollback': {
        const record = await rollback({ model: model(), environment: environmentOption(options.env, '--env'), actor }, dependencies);
        console.log(record.registration
          ? `rolled back ${record.model} in ${record.environment} (deployment ${record.previousDeploymentId}): restored ${record.registration.endpoint} (${record.registration.status})`
          : `rolled back ${record.model} in ${record.environment} (deployment ${record.previousDeploymentId}): it had no entry before, so it is now disabled there`);
        return 0;
      }
      case 'history': {
        const records = await history.list(model(), options.env ? context.environment : undefined);
        console.table(records.map(historyRow));
        return 0;
      }
      default:
        throw new DeploymentUsageError('usage: deployment status|promote|rollback|history');
    }
  } catch (error) {
    if (error instanceof DeploymentError) {
      console.error(`error (${error.code}): ${error.message}`);
      return 1;
    }
    if (error instanceof DeploymentUsageError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
}

class DeploymentUsageError extends RagtimeError {
  constructor(message: string) {
    super('usage', message);
  }
}

function environmentOption(value: string | undefined, name: string): DeploymentEnvironment {
  if (!value) throw new DeploymentUsageError(`${name} is required (one of ${environments.join(', ')})`);
  if (!environments.includes(value as DeploymentEnvironment)) throw new DeploymentUsageError(`${name} must be one of ${environments.join(', ')}`);
  return value as DeploymentEnvironment;
}

function historyRow(record: DeploymentRecord) {
  return {
    id: record.id, when: record.createdAt, who: record.actor, action: record.action, env: record.environment,
    from: record.sourceEnvironment ?? '', state: record.state ?? '', endpoint: record.registration?.endpoint ?? '(disabled)',
    previous: record.previousRegistration?.endpoint ?? '', 'of deployment': record.previousDeploymentId ?? '',
  };
}

async function deploymentStatus(context: DeploymentContext, apiKeyOf: (registration: ModelRegistration) => string | undefined): Promise<number> {
  const { config, registry, environment } = context;
  const breakers = new RedisCircuitBreakers(context.redis, {
    failureThreshold: config.BREAKER_FAILURE_THRESHOLD, openMs: config.BREAKER_OPEN_MS, probeLeaseMs: config.BREAKER_PROBE_LEASE_MS,
  });
  const registrations = await registry.list(environment);
  const rows = await Promise.all(registrations.map(async (registration) => {
    const probe = await probeEndpoint(registration, { apiKey: apiKeyOf(registration), timeoutMs: 3_000 });
    const status = probe.healthy ? 'healthy' : 'unhealthy';
    await registry.recordHealth(registration.model, environment, status, new Date());
    const breaker = await breakers.snapshot(registration.endpoint);
    return {
      model: registration.model, endpoint: registration.endpoint, registry: registration.status, status, health: probe.health,
      models: probe.models.join(',') || '-', listed: probe.listed, circuit: breaker.state, 'probe ms': probe.latencyMs,
    };
  }));
  console.table(rows);
  return rows.every((row) => row.status === 'healthy') ? 0 : 1;
}
