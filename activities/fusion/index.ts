// The fusion activities (one model's answer, the fused answer published), registered on the chat worker under their recorded names.
import type { ChatActivityDependencies } from '../chat/dependencies.js';
import { createGenerateCandidateActivity } from './generate-candidate.js';
import { createPublishAnswerActivity } from './publish-answer.js';

/** Activities of multi-model generation; they share the chat dependencies (with routing). */
export function createFusionActivities(deps: ChatActivityDependencies) {
  return {
    generateCandidate: createGenerateCandidateActivity(deps),
    publishAnswer: createPublishAnswerActivity(deps),
  };
}

export type FusionActivities = ReturnType<typeof createFusionActivities>;
