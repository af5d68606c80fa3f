import type { ChatActivityDependencies } from './dependencies.js';
import { createPlanActivity } from './plan.js';
import { createPreSafetyActivity } from './pre-safety.js';
import { createRetrieveActivity } from './retrieve.js';
import { createRunToolsActivity } from './run-tools.js';
import { createProposeToolCallsActivity } from './propose-tool-calls.js';
import { createRouteActivity } from './route.js';
import { createGenerateActivity } from './generate.js';
import { createPostSafetyActivity } from './post-safety.js';
import { createPersistActivity } from './persist.js';
import { createPublishEventActivity } from './publish-event.js';

export function createChatActivities(deps: ChatActivityDependencies) {
  return {
    plan: createPlanActivity(deps),
    preSafety: createPreSafetyActivity(deps),
    retrieve: createRetrieveActivity(deps),
    runTools: createRunToolsActivity(deps),
    proposeToolCalls: createProposeToolCallsActivity(deps),
    route: createRouteActivity(deps),
    generate: createGenerateActivity(deps),
    postSafety: createPostSafetyActivity(deps),
    persist: createPersistActivity(deps),
    publishEvent: createPublishEventActivity(deps),
  };
}

export type ChatActivities = ReturnType<typeof createChatActivities>;
export type { ChatActivityDependencies };
