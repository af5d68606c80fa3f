import type { Config } from '../config.js';
import { withDefaults } from '../../domain/routing/model-registration.js';
import type { ModelRegistry } from '../../domain/routing/ports.js';

/**
 * An empty registry gets the configured model (LLM_MODEL at LLM_BASE_URL) for every tier, so a fresh
 * stack answers with zero setup. A registry with any entry for the environment is left alone.
 */
export async function seedRegistry(registry: ModelRegistry, config: Config): Promise<boolean> {
  const existing = await registry.list(config.MODEL_ENVIRONMENT);
  if (existing.length > 0) return false;
  await registry.register(withDefaults({
    model: config.LLM_MODEL,
    endpoint: config.LLM_BASE_URL,
    environment: config.MODEL_ENVIRONMENT,
    contextLength: config.LLM_CONTEXT_TOKENS,
  }));
  return true;
}
