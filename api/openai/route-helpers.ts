// What the OpenAI-compatible routes (chat completions, responses, fusion) share: the request id a client's
// Idempotency-Key gives, the model-not-found and model-access refusals, and a run's failure as an HTTP error.
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { isIdentifier } from '../../domain/limits.js';
import type { ModelCatalog } from '../../domain/chat/ports.js';
import { GatewayError } from '../gateway/gateway-error.js';

export function modelNotFound(model: string): GatewayError {
  return new GatewayError(404, 'model_not_found', `The model '${model}' does not exist or you do not have access to it.`, {}, 'model');
}

/** A client's idempotency key makes its retries join the same run; otherwise every request is new. */
export function requestIdOf(headers: IncomingHttpHeaders): string {
  const key = headers['idempotency-key'];
  return isIdentifier(key) ? key : randomUUID();
}

export function failureOf(error: unknown): GatewayError {
  const cause = error instanceof WorkflowFailedError ? error.cause : undefined;
  const failure = cause instanceof ApplicationFailure ? cause : cause?.cause instanceof ApplicationFailure ? cause.cause : undefined;
  if (failure?.type === 'bad_request') return new GatewayError(400, 'bad_request', failure.message);
  if (failure?.type === 'persist_failed') return new GatewayError(502, 'persist_failed', 'The answer was generated but could not be stored; it was charged.');
  return new GatewayError(502, 'answer_failed', 'The answer could not be completed.');
}

/**
 * Refuses a model the tier may not request now: unknown or another tier's (404 model_not_found), or disabled
 * with no ready model in its fallback chain (404 model_disabled). A disabled model with one is served by it.
 */
export async function requireModel(models: ModelCatalog, model: string, tier: string, param = 'model'): Promise<void> {
  const access = await models.access(model, tier);
  if (access.ok) return;
  if (access.reason === 'disabled') {
    throw new GatewayError(404, 'model_disabled', `The model '${model}' is disabled and none of its fallbacks is available.`, {}, param);
  }
  throw new GatewayError(404, 'model_not_found', `The model '${model}' does not exist or you do not have access to it.`, {}, param);
}
