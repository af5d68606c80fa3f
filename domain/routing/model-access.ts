// Which registered models a tier may list and request: the one rule the API's catalog and the router share,
// so a model the API accepts is one the workers can route, and a model a tier may not use is neither listed
// nor routable for it. A disabled model is not listed; a request naming it is served by the first ready model
// of its fallback chain (the router does the same), or refused when the chain has none.
import type { ModelRegistration } from './model-registration.js';

export type ModelAccess =
  | { ok: true; registration: ModelRegistration; servedBy: ModelRegistration }
  | { ok: false; reason: 'unknown' | 'disabled'; registration?: ModelRegistration };

/** The ready models a tier may use, in the registry's order. */
export function listedModels(registrations: ModelRegistration[], tier: string): ModelRegistration[] {
  return registrations.filter((registration) => registration.status === 'ready' && registration.tiers.includes(tier));
}

/** Whether `tier` may request `model` now, and which registration would serve it. Another tier's model is unknown. */
export function accessOf(registrations: ModelRegistration[], model: string, tier: string): ModelAccess {
  const registration = registrations.find((candidate) => candidate.model === model && candidate.tiers.includes(tier));
  if (!registration) return { ok: false, reason: 'unknown' };
  if (registration.status === 'ready') return { ok: true, registration, servedBy: registration };
  const servedBy = readyFallbackOf(registration, registrations, tier);
  return servedBy ? { ok: true, registration, servedBy } : { ok: false, reason: 'disabled', registration };
}

/** The first model of a registration's fallback chain that is ready for the tier. */
export function readyFallbackOf(registration: ModelRegistration, registrations: ModelRegistration[], tier: string): ModelRegistration | undefined {
  const listed = listedModels(registrations, tier);
  return registration.fallbacks.map((name) => listed.find((candidate) => candidate.model === name)).find((candidate) => candidate !== undefined);
}
