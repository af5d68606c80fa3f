// Picks the model for a request and its fallback chain from the registry, the tier, the circuit breakers
// and measured latency. Pure: the route activity gathers the inputs and records the decision.
import type { ModelRegistration } from './model-registration.js';
import type { RequiredCapability } from '../chat/model-request.js';
import { capabilityRefusal, missingCapabilities } from './capabilities.js';
import type { Complexity } from './task-complexity.js';

export const routingStrategies = ['complexity', 'cost', 'latency'] as const;
export type RoutingStrategy = (typeof routingStrategies)[number];

/** Moving averages from real calls to one model endpoint. */
export interface LatencyEstimate {
  ttftMs: number;
  msPerToken: number;
  samples: number;
}

export interface RoutingRequest {
  registrations: ModelRegistration[];
  tier: string;
  requestedModel?: string;
  strategy: RoutingStrategy;
  complexity: Complexity;
  promptTokens: number;
  maxTokens: number;
  /** Keyed by latencyKey(model, endpoint). */
  latency: Map<string, LatencyEstimate>;
  /** Endpoints whose circuit breaker is open. */
  openEndpoints: Set<string>;
  /** What the request needs: only models with these capabilities are chosen or fallen back to. */
  requires?: readonly RequiredCapability[];
}

export interface ScoredCandidate {
  model: string;
  endpoint: string;
  estimatedCost: number;
  expectedLatencyMs?: number;
  quality: number;
}

export type RoutingDecision =
  | { ok: true; chosen: ModelRegistration; fallbacks: ModelRegistration[]; reason: string; candidates: ScoredCandidate[]; skipped: string[] }
  | { ok: false; code: 'bad_request' | 'model_unavailable'; message: string };

export function latencyKey(model: string, endpoint: string): string {
  return `${model}@${endpoint}`;
}

/** Tokens assumed for an answer when ranking by expected latency. */
const typicalAnswerTokens = 200;

export function decideRoute(request: RoutingRequest): RoutingDecision {
  const permitted = request.registrations.filter((registration) => registration.status === 'ready' && registration.tiers.includes(request.tier));
  if (request.requestedModel && request.requires?.length) {
    const requested = permitted.find((registration) => registration.model === request.requestedModel);
    const missing = requested ? missingCapabilities(requested, request.requires) : [];
    if (missing.length > 0) return { ok: false, code: 'bad_request', message: capabilityRefusal(requested!.model, missing) };
  }
  const allowed = permitted.filter((registration) => missingCapabilities(registration, request.requires).length === 0);
  const skipped = allowed.filter((registration) => request.openEndpoints.has(registration.endpoint)).map((registration) => `${registration.model}: circuit open`);
  const usable = allowed.filter((registration) => !request.openEndpoints.has(registration.endpoint));
  const scored = usable.map((registration) => score(registration, request));
  const ranked = rank(scored, request).map((candidate) => usable.find((registration) => registration.model === candidate.model)!);

  let chosen: ModelRegistration | undefined;
  let reason: string;
  if (request.requestedModel) {
    const requested = allowed.find((registration) => registration.model === request.requestedModel);
    const disabled = requested ? undefined : request.registrations.find((registration) => registration.model === request.requestedModel && registration.tiers.includes(request.tier));
    if (disabled) {
      // Disabled by an operator: its fallback chain serves it, or the request is refused (see model-access.ts).
      chosen = chainOf(disabled, usable)[0];
      if (!chosen) return { ok: false, code: 'bad_request', message: `model ${disabled.model} is disabled and no model of its fallback chain is available` };
      reason = `requested model ${disabled.model} is disabled; using its fallback`;
    } else if (!requested) return { ok: false, code: 'bad_request', message: `model ${request.requestedModel} is not available to tier ${request.tier}` };
    else if (usable.includes(requested)) {
      chosen = requested;
      reason = 'requested by client';
    } else {
      chosen = chainOf(requested, usable)[0] ?? ranked[0];
      reason = `requested model ${requested.model} is failing (circuit open); using its fallback`;
    }
  } else {
    chosen = ranked[0];
    reason = describe(request, chosen ? scored.find((candidate) => candidate.model === chosen!.model) : undefined);
  }
  if (!chosen) {
    const message = allowed.length === 0
      ? (permitted.length > 0 ? `no model available to tier ${request.tier} has ${request.requires!.join(', ')}` : `no model is available to tier ${request.tier}`)
      : 'every model endpoint for this tier is failing (circuit open)';
    return { ok: false, code: 'model_unavailable', message };
  }
  const fallbacks = unique([...chainOf(chosen, usable), ...ranked]).filter((registration) => registration !== chosen);
  return { ok: true, chosen, fallbacks, reason, candidates: rank(scored, request), skipped };
}

function chainOf(registration: ModelRegistration, usable: ModelRegistration[]): ModelRegistration[] {
  return registration.fallbacks
    .map((name) => usable.find((candidate) => candidate.model === name))
    .filter((candidate): candidate is ModelRegistration => candidate !== undefined);
}

function score(registration: ModelRegistration, request: RoutingRequest): ScoredCandidate {
  const measured = request.latency.get(latencyKey(registration.model, registration.endpoint));
  return {
    model: registration.model,
    endpoint: registration.endpoint,
    estimatedCost: request.promptTokens * registration.inputPrice + request.maxTokens * registration.outputPrice,
    expectedLatencyMs: measured && measured.samples > 0 ? Math.round(measured.ttftMs + measured.msPerToken * Math.min(request.maxTokens, typicalAnswerTokens)) : undefined,
    quality: registration.quality,
  };
}

/** Unmeasured endpoints rank as fastest so that they get measured. */
function latencyOf(candidate: ScoredCandidate): number {
  return candidate.expectedLatencyMs ?? 0;
}

function rank(scored: ScoredCandidate[], request: RoutingRequest): ScoredCandidate[] {
  const byCost = (a: ScoredCandidate, b: ScoredCandidate) => a.estimatedCost - b.estimatedCost || latencyOf(a) - latencyOf(b) || b.quality - a.quality;
  const byLatency = (a: ScoredCandidate, b: ScoredCandidate) => latencyOf(a) - latencyOf(b) || a.estimatedCost - b.estimatedCost || b.quality - a.quality;
  const byQuality = (a: ScoredCandidate, b: ScoredCandidate) => b.quality - a.quality || latencyOf(a) - latencyOf(b) || a.estimatedCost - b.estimatedCost;
  const order = request.strategy === 'cost' ? byCost
    : request.strategy === 'latency' ? byLatency
      : request.complexity === 'complex' ? byQuality : byCost;
  return [...scored].sort(order);
}

function describe(request: RoutingRequest, chosen: ScoredCandidate | undefined): string {
  if (!chosen) return 'no candidate';
  if (request.strategy === 'cost') return `lowest estimated cost ($${chosen.estimatedCost.toFixed(6)})`;
  if (request.strategy === 'latency') {
    return chosen.expectedLatencyMs === undefined ? 'not measured yet (latency strategy samples it)' : `lowest measured latency (~${chosen.expectedLatencyMs} ms)`;
  }
  return request.complexity === 'complex' ? `complex task: highest quality (${chosen.quality})` : `simple task: lowest estimated cost ($${chosen.estimatedCost.toFixed(6)})`;
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
