// `deployment status`: probes an endpoint's health and models list the way its protocol offers them.
import type { ModelRegistration } from '../../domain/routing/model-registration.js';
import { anthropicVersion } from '../llm/anthropic-chat-model.js';

export interface ProbeResult {
  healthy: boolean;
  /** HTTP status of the health probe, or the network error. */
  health: string;
  /** Whether the endpoint lists the model (OpenAI-compatible servers may serve it under an alias). */
  listed: boolean;
  models: string[];
  latencyMs: number;
}

export async function probeEndpoint(registration: ModelRegistration, options: { apiKey?: string; timeoutMs: number }): Promise<ProbeResult> {
  const started = performance.now();
  const headers: Record<string, string> = registration.provider === 'anthropic'
    ? { 'anthropic-version': anthropicVersion, ...(options.apiKey ? { 'x-api-key': options.apiKey } : {}) }
    : options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {};
  const get = (url: string) => fetch(url, { headers, signal: AbortSignal.timeout(options.timeoutMs) });
  // OpenAI-compatible servers (vLLM, llama.cpp) answer /health at the server root; the Messages API has none.
  const healthUrl = registration.provider === 'anthropic' ? undefined : `${new URL(registration.endpoint).origin}/health`;
  let health = 'not offered';
  let healthy = true;
  if (healthUrl) {
    try {
      const response = await get(healthUrl);
      health = String(response.status);
      healthy = response.ok;
    } catch (error) {
      health = (error as Error).message;
      healthy = false;
    }
  }
  let models: string[] = [];
  try {
    const response = await get(`${registration.endpoint}/models`);
    if (response.ok) {
      const body = (await response.json()) as { data?: { id?: string }[] };
      models = (body.data ?? []).map((entry) => entry.id ?? '').filter(Boolean);
    } else {
      healthy = false;
    }
  } catch {
    healthy = false;
  }
  return { healthy, health, listed: models.includes(registration.model), models, latencyMs: Math.round(performance.now() - started) };
}
