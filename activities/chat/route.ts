// Decides which model serves the request and what to fail over to: an explicit model if the client's tier
// may use it, otherwise by task complexity, cost or measured latency, skipping endpoints whose circuit is
// open. The decision (with the candidates' scores) is the activity's result, so it is in the history.
import { ApplicationFailure } from '@temporalio/activity';
import type { ModelChoice } from '../../domain/chat/chat-request.js';
import { targetOf, type ModelRegistration } from '../../domain/routing/model-registration.js';
import { decideRoute, type ScoredCandidate } from '../../domain/routing/routing-policy.js';
import { approximateTokens, estimateComplexity } from '../../domain/routing/task-complexity.js';
import type { FusionCandidate } from '../../domain/routing/fusion-candidate.js';
import type { ChatActivityDependencies } from './dependencies.js';
import { RagtimeError } from '../../domain/errors.js';
import { toApplicationFailure } from '../application-failure.js';
import type { RequiredCapability } from '../../domain/chat/model-request.js';

export interface RouteInput {
  workflowId: string;
  tenantId: string;
  requestedModel?: string;
  /** `free` when absent. */
  tier?: string;
  question?: string;
  /** Sources the prompt will carry; absent when routing runs before retrieval (then: a few if the tenant has documents). */
  sourceCount?: number;
  maxTokens?: number;
  /** A fusion request: these models, or the router's best ones when the list is empty. */
  fanOut?: { models: string[]; count?: number };
  /** Capabilities the request needs (client tools, structured output, images…): chosen model and fallbacks have them. */
  requires?: RequiredCapability[];
}

export const defaultTier = 'free';
/** A tenant with documents gets a few retrieved sources: more than two make a task complex. */
const expectedRetrievedSources = 3;

/** The choice plus why: strategy, estimated complexity, scored candidates and skipped endpoints. */
export interface RouteDecision extends ModelChoice {
  strategy: string;
  complexity: string;
  candidates: ScoredCandidate[];
  skipped: string[];
  /** The chosen model supports OpenAI tool calling (registry capability); absent in older histories. */
  toolCalling?: boolean;
}

export function createRouteActivity(deps: ChatActivityDependencies) {
  return async function route(input: RouteInput): Promise<RouteDecision> {
    const routing = deps.routing;
    if (!routing) throw ApplicationFailure.nonRetryable('routing is not configured on this worker', 'model_unavailable');
    const tier = input.tier ?? defaultTier;
    const registrations = await routing.registry.list(routing.environment);
    const [openEndpoints, latency] = await Promise.all([
      routing.breakers.openAmong(registrations.map((registration) => registration.endpoint)),
      routing.latency.estimates(registrations.map((registration) => ({ model: registration.model, endpoint: registration.endpoint }))),
    ]);
    const maxTokens = input.maxTokens ?? 256;
    const sourceCount = input.sourceCount ?? (deps.retriever && (await deps.retriever.hasDocuments(input.tenantId)) ? expectedRetrievedSources : 0);
    const { complexity } = estimateComplexity({ question: input.question ?? '', sourceCount, maxTokens });
    const decision = decideRoute({
      registrations,
      tier,
      requestedModel: input.requestedModel,
      strategy: routing.strategy,
      complexity,
      promptTokens: approximateTokens(input.question ?? ''),
      maxTokens,
      latency,
      openEndpoints,
      ...(input.requires ? { requires: input.requires } : {}),
    });
    if (!decision.ok) throw toApplicationFailure(new RagtimeError(decision.code, decision.message, { retryable: decision.code !== 'bad_request' }));

    const fanOut = input.fanOut ? fanOutOf(input.fanOut.models, decision.chosen, decision.fallbacks, registrations, tier, Math.min(input.fanOut.count ?? routing.fusionMaxModels, routing.fusionMaxModels)) : undefined;
    const chosen = targetOf(decision.chosen);
    return {
      ...chosen,
      fallbacks: decision.fallbacks.map(targetOf),
      reason: decision.reason,
      strategy: routing.strategy,
      complexity,
      candidates: decision.candidates,
      skipped: decision.skipped,
      toolCalling: decision.chosen.capabilities.tools,
      ...(fanOut ? { fanOut } : {}),
    };
  };
}

function fanOutOf(requested: string[], chosen: ModelRegistration, fallbacks: ModelRegistration[], registrations: ModelRegistration[], tier: string, limit: number): FusionCandidate[] {
  const picked = requested.length === 0
    ? [chosen, ...fallbacks].slice(0, limit)
    : requested.map((name) => {
      const registration = registrations.find((candidate) => candidate.model === name && candidate.status === 'ready' && candidate.tiers.includes(tier));
      if (!registration) throw ApplicationFailure.nonRetryable(`model ${name} is not available to tier ${tier}`, 'bad_request');
      return registration;
    });
  return picked.map((registration) => ({ ...targetOf(registration), inputPrice: registration.inputPrice, outputPrice: registration.outputPrice, weight: registration.weight }));
}
