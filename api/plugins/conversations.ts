// The caller's conversations for chat clients: list them, name one, read its turns with citations and
// usage. Every query is scoped by the caller's org; a conversation is created by its first turn or its name.
import type { onRequestAsyncHookHandler } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { ConversationStore } from '../../infra/postgres/conversation-store.js';
import { principalOf } from '../gateway/authenticate-hook.js';
import { responses } from '../openapi/response-schemas.js';
import { ConversationList, RenamedConversation, TurnList } from '../openapi/web-client-schemas.js';
import { identifierPattern } from '../../domain/limits.js';

const ConversationParams = Type.Object({ conversationId: Type.String({ pattern: identifierPattern }) });
const ListQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) }, { additionalProperties: false });
const RenameBody = Type.Object({ title: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }) }, { additionalProperties: false });

export interface ConversationsOptions {
  authenticate: onRequestAsyncHookHandler;
  conversations: ConversationStore;
  /** Temporal UI base with the namespace, e.g. http://127.0.0.1:8233/namespaces/default: each turn links its run. */
  temporalRunsUrl: string;
}

/** Request types come from the route schemas (TypeBox type provider). */
export const conversationsPlugin: FastifyPluginAsyncTypebox<ConversationsOptions> = async (app, options) => {
  app.get('/v1/conversations', { onRequest: options.authenticate, schema: { querystring: ListQuery, response: responses({ 200: ConversationList }) } }, async (request) => {
    const found = await options.conversations.list(principalOf(request).orgId, request.query.limit ?? 50);
    return { object: 'list', data: found.map((entry) => ({ id: entry.id, title: entry.title, turns: entry.turns, updated_at: entry.updatedAt })) };
  });

  app.patch(
    '/v1/conversations/:conversationId',
    { onRequest: options.authenticate, schema: { params: ConversationParams, body: RenameBody, response: responses({ 200: RenamedConversation }) } },
    async (request) => {
      const title = request.body.title.trim();
      await options.conversations.rename(principalOf(request).orgId, request.params.conversationId, title);
      return { object: 'conversation', id: request.params.conversationId, title };
    },
  );

  app.get(
    '/v1/conversations/:conversationId/turns',
    { onRequest: options.authenticate, schema: { params: ConversationParams, querystring: ListQuery, response: responses({ 200: TurnList }) } },
    async (request) => {
      const turns = await options.conversations.turns(principalOf(request).orgId, request.params.conversationId, request.query.limit ?? 100);
      return {
        object: 'list',
        data: turns.map((turn) => ({
          request_id: turn.requestId, question: turn.question, answer: turn.answer, model: turn.model ?? null, outcome: turn.outcome,
          usage: { prompt_tokens: turn.usage.promptTokens, completion_tokens: turn.usage.completionTokens }, citations: turn.citations,
          workflow_id: turn.workflowId, temporal_ui_url: `${options.temporalRunsUrl}/workflows/${encodeURIComponent(turn.workflowId)}`, created_at: turn.createdAt,
        })),
      };
    },
  );
};
