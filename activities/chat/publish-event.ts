import type { OutgoingEvent } from '../../domain/chat/events.js';
import type { ChatActivityDependencies } from './dependencies.js';

/** For events the workflow itself decides on (errors, refusals, skipped retrieval). */
export function createPublishEventActivity(deps: ChatActivityDependencies) {
  return async function publishEvent(input: { workflowId: string; event: OutgoingEvent }): Promise<number> {
    return deps.events.publish(input.workflowId, input.event);
  };
}
