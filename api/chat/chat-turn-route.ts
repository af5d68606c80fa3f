// What every HTTP route that runs a chat turn (chat completions, responses, fusion) is given: the Temporal client
// and where turns start, the gate, the event feed its streams follow, the authentication hook and the models.
import type { onRequestAsyncHookHandler } from 'fastify';
import type { EventFeed } from '../../domain/chat/event-feed.js';
import type { ModelCatalog } from '../../domain/chat/ports.js';
import type { TurnStarter } from './admitted-turn.js';

export interface ChatTurnRouteOptions extends TurnStarter {
  feed: EventFeed;
  authenticate: onRequestAsyncHookHandler;
  models: ModelCatalog;
}
