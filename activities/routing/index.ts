import type { ChatActivityDependencies } from '../chat/dependencies.js';
import { createGenerateCandidateActivity } from './generate-candidate.js';
import { createPublishAnswerActivity } from './publish-answer.js';

/** Activities of multi-model generation; they share the chat dependencies (with routing). */
export function createRoutingActivities(deps: ChatActivityDependencies) {
  return {
    generateCandidate: createGenerateCandidateActivity(deps),
    publishAnswer: createPublishAnswerActivity(deps),
  };
}

export type RoutingActivities = ReturnType<typeof createRoutingActivities>;
