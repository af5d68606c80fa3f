import { ApplicationFailure } from '@temporalio/activity';
import type { ModelChoice } from '../../domain/chat/chat-request.js';
import type { ChatActivityDependencies } from './dependencies.js';

export interface RouteInput {
  workflowId: string;
  tenantId: string;
  requestedModel?: string;
}

export function createRouteActivity(deps: ChatActivityDependencies) {
  return async function route(input: RouteInput): Promise<ModelChoice> {
    const allowed = await deps.models.modelsFor(input.tenantId);
    if (allowed.length === 0) throw ApplicationFailure.nonRetryable(`no model is available to tenant ${input.tenantId}`, 'model_unavailable');
    let chosen = allowed[0]!;
    let reason = 'default model';
    if (input.requestedModel) {
      const requested = allowed.find((candidate) => candidate.model === input.requestedModel);
      if (!requested) throw ApplicationFailure.nonRetryable(`model ${input.requestedModel} is not available to this tenant`, 'bad_request');
      chosen = requested;
      reason = 'requested by client';
    }
    const fallbacks = allowed.filter((candidate) => candidate !== chosen);
    await deps.events.publish(input.workflowId, { type: 'model.selected', dedupeKey: 'model.selected', data: { model: chosen.model, reason } });
    return { model: chosen.model, baseUrl: chosen.baseUrl, fallbacks, reason };
  };
}
