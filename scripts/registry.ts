// Model registry admin CLI (run with tsx), against DATABASE_URL and REDIS_URL from the environment:
//   registry register --model NAME --endpoint URL [--provider openai-compatible|anthropic] [--env development]
//            [--input-price USD] [--output-price USD] [--context 4096] [--tools] [--json-mode] [--vision] [--logprobs] [--sampling-params top_k,min_p]
//            [--tiers free,pro] [--fallbacks a,b] [--quality 1] [--weight 1] [--disabled]
//   registry deregister|enable|disable --model NAME [--env development]
//   registry list [--env development]
//   deployment status|promote|rollback|history …   see scripts/deployment-commands.ts
// Every change drops the shared cache at once, so workers route on it immediately.
import { parseArgs } from 'node:util';
import { loadConfig } from '../infra/config.js';
import { createPool } from '../infra/postgres/pool.js';
import { migrate } from '../infra/postgres/migrate.js';
import { createRedis } from '../infra/redis/redis-client.js';
import { CachedModelRegistry } from '../infra/registry/cached-model-registry.js';
import { PostgresModelRegistry } from '../infra/registry/postgres-model-registry.js';
import { runDeployment } from './deployment-commands.js';
import { environments, providerKinds, withDefaults, type DeploymentEnvironment, type ModelRegistration, type ProviderKind } from '../domain/routing/model-registration.js';
import { serverSamplingNames } from '../domain/chat/model-request.js';

const usage = 'usage: registry register|deregister|enable|disable|list …  |  deployment status|promote|rollback|history …';

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const [group, command] = argv[0] === 'registry' || argv[0] === 'deployment' ? [argv[0], argv[1]] : ['registry', argv[0]];
  const rest = argv.slice(argv[0] === 'registry' || argv[0] === 'deployment' ? 2 : 1);
  const { values } = parseArgs({
    args: rest,
    options: {
      model: { type: 'string' }, endpoint: { type: 'string' }, provider: { type: 'string' }, env: { type: 'string' },
      'input-price': { type: 'string' }, 'output-price': { type: 'string' }, context: { type: 'string' },
      tools: { type: 'boolean' }, 'json-mode': { type: 'boolean' }, vision: { type: 'boolean' }, logprobs: { type: 'boolean' }, 'sampling-params': { type: 'string' }, tiers: { type: 'string' }, fallbacks: { type: 'string' },
      quality: { type: 'string' }, weight: { type: 'string' }, disabled: { type: 'boolean' },
      from: { type: 'string' }, to: { type: 'string' }, actor: { type: 'string' },
    },
  });
  const config = loadConfig();
  const environment = (values.env ?? config.MODEL_ENVIRONMENT) as DeploymentEnvironment;
  if (!environments.includes(environment)) throw new Error(`--env must be one of ${environments.join(', ')}`);
  const pool = createPool(config.DATABASE_URL);
  const redis = createRedis(config.REDIS_URL, config.REDIS_KEY_PREFIX);
  const registry = new CachedModelRegistry(new PostgresModelRegistry(pool), redis, { ttlSeconds: config.REGISTRY_CACHE_TTL_SECONDS });
  const model = () => {
    if (!values.model) throw new Error('--model is required');
    return values.model;
  };
  try {
    await migrate(pool);
    if (group === 'deployment') return await runDeployment(command, values, { config, pool, redis, registry, environment });
    switch (group === 'registry' ? command : undefined) {
      case 'register': {
        if (!values.endpoint) throw new Error('--endpoint is required');
        new URL(values.endpoint);
        const provider = (values.provider ?? 'openai-compatible') as ProviderKind;
        if (!providerKinds.includes(provider)) throw new Error(`--provider must be one of ${providerKinds.join(', ')}`);
        const list = (text: string | undefined) => text?.split(',').map((item) => item.trim()).filter(Boolean);
        const number = (text: string | undefined, name: string) => {
          if (text === undefined) return undefined;
          const value = Number(text);
          if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number`);
          return value;
        };
        const registration = withDefaults({
          model: model(), endpoint: values.endpoint.replace(/\/$/, ''), environment, provider,
          status: values.disabled ? 'disabled' : 'ready',
          capabilities: {
            tools: !!values.tools, jsonMode: !!values['json-mode'], vision: !!values.vision, logprobs: !!values.logprobs,
            samplingParams: samplingParamsOf(list(values['sampling-params']) ?? []),
          },
          ...defined({
            inputPrice: number(values['input-price'], 'input-price'), outputPrice: number(values['output-price'], 'output-price'),
            contextLength: number(values.context, 'context'), quality: number(values.quality, 'quality'), weight: number(values.weight, 'weight'),
            tiers: list(values.tiers), fallbacks: list(values.fallbacks),
          }),
        });
        await registry.register(registration);
        console.log(`registered ${registration.model} (${environment}) → ${registration.endpoint}`);
        return 0;
      }
      case 'deregister':
        return report(await registry.deregister(model(), environment), `deregistered ${values.model} (${environment})`);
      case 'enable':
        return report(await registry.setStatus(model(), environment, 'ready'), `enabled ${values.model} (${environment})`);
      case 'disable':
        return report(await registry.setStatus(model(), environment, 'disabled'), `disabled ${values.model} (${environment})`);
      case 'list': {
        const registrations = await registry.list(environment);
        console.table(registrations.map((registration) => ({
          model: registration.model, provider: registration.provider, endpoint: registration.endpoint, status: registration.status,
          tiers: registration.tiers.join(','), fallbacks: registration.fallbacks.join(','), quality: registration.quality, weight: registration.weight,
          'in $/Mtok': registration.inputPrice * 1e6, 'out $/Mtok': registration.outputPrice * 1e6, context: registration.contextLength,
          capabilities: capabilityNames(registration).join(','),
          health: registration.lastHealthStatus ?? '', checked: registration.lastHealthCheck ?? '',
        })));
        return 0;
      }
      default:
        console.error(usage);
        return 2;
    }
  } finally {
    await pool.end();
    redis.disconnect();
  }
}

function report(found: boolean, message: string): number {
  console.log(found ? message : 'no such registration');
  return found ? 0 : 1;
}

function defined<T extends Record<string, unknown>>(record: T): Partial<{ [K in keyof T]: Exclude<T[K], undefined> }> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Partial<{ [K in keyof T]: Exclude<T[K], undefined> }>;
}

main().then((code) => process.exit(code), (error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

/** The model-server sampling fields a registration may accept: only names Ragtime carries. */
function samplingParamsOf(names: string[]): string[] {
  const unknown = names.filter((name) => !(serverSamplingNames as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`--sampling-params: unknown ${unknown.join(', ')}; known: ${serverSamplingNames.join(', ')}`);
  return names;
}

function capabilityNames(registration: ModelRegistration): string[] {
  const { tools, jsonMode, vision, logprobs, samplingParams } = registration.capabilities;
  return [...(tools ? ['tools'] : []), ...(jsonMode ? ['json_mode'] : []), ...(vision ? ['vision'] : []), ...(logprobs ? ['logprobs'] : []), ...(samplingParams ?? [])];
}
