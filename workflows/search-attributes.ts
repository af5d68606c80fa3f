// Search attributes operators filter runs by in the Temporal UI. They are registered on the server by
// the local stack and the test setup (see clients/search-attributes.ts for the list).
import { defineSearchAttributeKey } from '@temporalio/common';

export const tenantAttribute = defineSearchAttributeKey('RagtimeTenant', 'KEYWORD');
export const conversationAttribute = defineSearchAttributeKey('RagtimeConversation', 'KEYWORD');
export const modelAttribute = defineSearchAttributeKey('RagtimeModel', 'KEYWORD');
export const outcomeAttribute = defineSearchAttributeKey('RagtimeOutcome', 'KEYWORD');
/** A fusion run's strategy (first, voting, ranking, merging). */
export const fusionStrategyAttribute = defineSearchAttributeKey('RagtimeFusionStrategy', 'KEYWORD');

export const ragtimeSearchAttributes = [tenantAttribute, conversationAttribute, modelAttribute, outcomeAttribute, fusionStrategyAttribute];
