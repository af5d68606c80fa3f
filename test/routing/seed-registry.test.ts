// The zero-setup seed of the model registry: an empty registry gets the configured model; an operator's
// registry is left alone; in development a lone earlier default at the configured endpoint is replaced.
import { describe, expect, it } from 'vitest';
import { withDefaults, type DeploymentEnvironment, type ModelRegistration } from '../../domain/routing/model-registration.js';
import type { ModelRegistry } from '../../domain/routing/ports.js';
import { loadConfig } from '../../infra/config.js';
import { seedRegistry } from '../../infra/registry/seed-registry.js';

function memoryRegistry(initial: ModelRegistration[]): ModelRegistry & { all: ModelRegistration[] } {
  const all = [...initial];
  const remove = (model: string, environment: DeploymentEnvironment) => {
    const index = all.findIndex((entry) => entry.model === model && entry.environment === environment);
    if (index >= 0) all.splice(index, 1);
    return index >= 0;
  };
  return {
    all,
    list: async (environment) => all.filter((entry) => entry.environment === environment),
    register: async (registration) => { remove(registration.model, registration.environment); all.push(registration); },
    deregister: async (model, environment) => remove(model, environment),
    setStatus: async () => true,
    recordHealth: async () => undefined,
  };
}

const endpoint = 'http://127.0.0.1:8091/v1';
const config = (environment = 'development') => loadConfig({ LLM_BASE_URL: endpoint, LLM_MODEL: 'qwen2.5-coder-0.5b-instruct', MODEL_ENVIRONMENT: environment });
const earlierDefault = (environment: DeploymentEnvironment = 'development') => withDefaults({ model: 'smollm2-135m-instruct', endpoint, environment, contextLength: 1024 });

describe('seedRegistry', () => {
  it('registers the configured model in an empty registry', async () => {
    const registry = memoryRegistry([]);
    expect(await seedRegistry(registry, config())).toBe(true);
    expect(registry.all).toEqual([expect.objectContaining({ model: 'qwen2.5-coder-0.5b-instruct', endpoint, environment: 'development', contextLength: 2048 })]);
  });

  it('replaces a lone earlier default at the configured endpoint in development', async () => {
    const registry = memoryRegistry([earlierDefault()]);
    expect(await seedRegistry(registry, config())).toBe(true);
    expect(registry.all.map((entry) => entry.model)).toEqual(['qwen2.5-coder-0.5b-instruct']);
  });

  it('leaves an operator\'s registry alone: another endpoint, several models, or not development', async () => {
    const elsewhere = withDefaults({ model: 'smollm2-135m-instruct', endpoint: 'http://10.0.0.5:8000/v1' });
    const several = [earlierDefault(), withDefaults({ model: 'large', endpoint })];
    for (const [entries, environment] of [[[elsewhere], 'development'], [several, 'development'], [[earlierDefault('production')], 'production']] as const) {
      const registry = memoryRegistry([...entries]);
      expect(await seedRegistry(registry, config(environment))).toBe(false);
      expect(registry.all).toEqual(entries);
    }
  });

  it('leaves the configured model\'s own registration alone', async () => {
    const own = withDefaults({ model: 'qwen2.5-coder-0.5b-instruct', endpoint, quality: 3 });
    const registry = memoryRegistry([own]);
    expect(await seedRegistry(registry, config())).toBe(false);
    expect(registry.all).toEqual([own]);
  });
});
