import type { Config } from '../config.js';
import { withDefaults, type ModelRegistration } from '../../domain/routing/model-registration.js';
import type { ModelRegistry } from '../../domain/routing/ports.js';

/**
 * An empty registry gets the configured model (LLM_MODEL at LLM_BASE_URL) for every tier, so a fresh
 * stack answers with zero setup. A registry with any entry for the environment is left alone, but for one
 * case: in development (what `./ragtime up` runs), a lone entry naming another model at LLM_BASE_URL is an
 * earlier default's seed (SmolLM2 before Qwen2.5-Coder-0.5B). That server serves only the model it was
 * started with, whatever name a request gives, so the entry is replaced: answers are recorded, priced and
 * routed under the model that wrote them.
 */
export async function seedRegistry(registry: ModelRegistry, config: Config): Promise<boolean> {
  const existing = await registry.list(config.MODEL_ENVIRONMENT);
  if (existing.length > 0 && !isEarlierDefault(existing, config)) return false;
  for (const stale of existing) await registry.deregister(stale.model, stale.environment);
  await registry.register(withDefaults({
    model: config.LLM_MODEL,
    endpoint: config.LLM_BASE_URL,
    environment: config.MODEL_ENVIRONMENT,
    contextLength: config.LLM_CONTEXT_TOKENS,
  }));
  return true;
}

function isEarlierDefault(existing: readonly ModelRegistration[], config: Config): boolean {
  const [only] = existing;
  return config.MODEL_ENVIRONMENT === 'development' && existing.length === 1
    && only!.endpoint === config.LLM_BASE_URL && only!.model !== config.LLM_MODEL;
}
