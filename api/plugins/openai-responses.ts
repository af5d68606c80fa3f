// OpenAI's Responses API (POST /v1/responses), streamed and not, through the same gate and the same chat-turn
// workflow as chat completions (one run per response, visible in the Temporal UI). previous_response_id reads the
// conversation's stored turns; `store: false` keeps no turn. The legacy /v1/completions answers a 404 in OpenAI's
// error shape that points to the APIs Ragtime serves.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { ChatTurnResult } from '../../domain/chat/chat-request.js';
import type { FinalAnswer } from '../../domain/chat/answer-assembly.js';
import type { TokenUsage } from '../../domain/gateway/pricing.js';
import type { ConversationStore } from '../../infra/postgres/conversation-store.js';
import { inRequestSpan, requestIdAttribute } from '../../infra/tracing/request-span.js';
import { startAdmittedTurn, turnResultFor } from '../chat/admitted-turn.js';
import { finalAnswerFor } from '../chat/final-answer.js';
import type { ChatTurnRouteOptions } from '../chat/chat-turn-route.js';
import { relayTurnAsSse } from '../chat/sse-relay.js';
import { principalOf } from '../gateway/authenticate-hook.js';
import { GatewayError } from '../gateway/gateway-error.js';
import { ResponseObject, responses } from '../openapi/response-schemas.js';
import { generationOf, maxTokensOf, refuseUnservedOptions, samplingOf } from '../openai/chat-completion-request.js';
import { finishReasonOf, toolCallChunkOf } from '../openai/completion-shapes.js';
import { requiredCapabilities, type ModelCapabilityCheck } from '../openai/request-capabilities.js';
import { turnOf } from '../openai/turn-messages.js';
import { turnFieldsOf } from '../openai/turn-request.js';
import { asResponsesError, asResponsesErrorAsync, chatRequestOf } from '../openai/responses/chat-request.js';
import { continuationOf, historyMessages, refuseStatelessToolResults, storedItemResolver } from '../openai/responses/continuation.js';
import { chatMessagesOf } from '../openai/responses/input-messages.js';
import { ResponsesRequestSchema, refuseUnservedResponseOptions } from '../openai/responses/request-schema.js';
import { functionCallOutput, messageOutput, requestIdIn, responseObject, type ResponseContext } from '../openai/responses/response-object.js';
import { ResponsesStreamWriter } from '../openai/responses/stream-writer.js';
import { requestIdOf, requireModel } from '../openai/route-helpers.js';

export interface OpenAIResponsesOptions extends ChatTurnRouteOptions {
  /** Refuses a model that lacks what the request needs (tools, JSON schema, images). */
  capabilities?: ModelCapabilityCheck;
  conversations: ConversationStore;
}

/** A Response object, or with `stream: true` server-sent events (`event: <type>`, `data: <event JSON>`). */
const responsesRouteResponses = {
  ...responses({}),
  200: {
    content: {
      'application/json': { schema: ResponseObject },
      'text/event-stream': { schema: { type: 'string', description: 'event: <type> / data: <JSON> pairs: response.created, response.in_progress, response.output_item.added, response.content_part.added, response.output_text.delta, response.function_call_arguments.delta, their .done events, then response.completed, response.incomplete or response.failed' } },
    },
  },
};

const zeroUsage: TokenUsage = { promptTokens: 0, completionTokens: 0 };

export async function openAIResponsesPlugin(fastify: FastifyInstance, options: OpenAIResponsesOptions): Promise<void> {
  // Handlers are typed from their schemas.
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { gate, temporal } = options;
  const relay = { feed: options.feed, temporal, log: app.log };

  app.post('/v1/responses', { onRequest: options.authenticate, schema: { body: ResponsesRequestSchema, response: responsesRouteResponses } }, (request, reply) => inRequestSpan('responses', { tenantId: principalOf(request).orgId }, async (span) => {
    const principal = principalOf(request);
    const body = request.body;
    await requireModel(options.models, body.model, principal.tier);
    refuseUnservedResponseOptions(body);
    const requestId = requestIdOf(request.headers);
    span.setAttribute(requestIdAttribute, requestId);

    if (body.previous_response_id) refuseStatelessToolResults(body);
    const continuation = body.previous_response_id
      ? await continuationOf({ conversations: options.conversations, temporal }, principal.orgId, body.previous_response_id, requestId)
      : undefined;
    const own = await chatMessagesOf(body, storedItemResolver(options.conversations, principal.orgId));
    const chatRequest = chatRequestOf(body, [...historyMessages(continuation?.history ?? []), ...own]);
    const { turn, sampling, generation, requires } = asResponsesError(() => {
      refuseUnservedOptions(chatRequest);
      const messages = turnOf(chatRequest.messages);
      return { turn: messages, sampling: samplingOf(chatRequest), generation: generationOf(chatRequest), requires: requiredCapabilities(chatRequest, messages) };
    });
    await asResponsesErrorAsync(async () => options.capabilities?.check(body.model, requires));
    const maxTokens = maxTokensOf(chatRequest);

    const admission = await gate.admit(principal, { requestId, endpoint: 'responses', model: body.model, promptText: turn.promptText, maxTokens });
    const context: ResponseContext = { requestId, createdAt: Math.floor(Date.now() / 1000), model: body.model, request: body, ragtime: {} };
    const workflowId = await startAdmittedTurn(options, admission, {
      // A new response starts its own conversation; a continued one joins its predecessor's.
      conversationId: continuation?.conversationId ?? requestId,
      model: body.model, maxTokens, ...turnFieldsOf({ turn, sampling, generation, requires }),
      ...(body.store === false ? { store: false } : {}),
    });
    context.ragtime.workflow_id = workflowId;
    request.log.info({ requestId, workflowId }, 'response started');

    if (body.stream) return streamResponse(reply, admission.headers, context, workflowId, maxTokens);
    // A response kept nowhere is answered as soon as it is final and safe (the run stores its turn after); a
    // stored one once it is stored, since a continuation may read it as soon as the client has its id.
    const result = body.store === false ? await finalAnswerFor(relay, reply, workflowId) : await turnResultFor(temporal, reply, workflowId);
    return reply.headers(admission.headers).send(finishedResponse(context, result, maxTokens));
  }));

  function streamResponse(reply: FastifyReply, headers: Record<string, string>, context: ResponseContext, workflowId: string, maxTokens: number): Promise<void> {
    return relayTurnAsSse(relay, { reply, headers, workflowId, name: 'a response' }, (stream) => {
      const writer = new ResponsesStreamWriter(context, (event) => stream.event(event.type, event));
      return {
        start: () => writer.start(),
        event: (event) => {
          if (event.type === 'answer.delta') {
            writer.text(event.data.text);
          } else if (event.type === 'answer.tool_call') {
            const fragment = toolCallChunkOf(event.data);
            writer.toolCall({ index: fragment.index, ...(fragment.id ? { id: fragment.id } : {}), ...(fragment.function.name ? { name: fragment.function.name } : {}), arguments: fragment.function.arguments });
          } else if (event.type === 'answer.done') {
            const { usage } = event.data;
            writer.finish(usage, finishReasonOf(usage.completionTokens, maxTokens, writer.calledTools) === 'length' ? 'max_output_tokens' : undefined);
          }
        },
        blocked: () => writer.finish(zeroUsage, 'content_filter'),
        fail: (failure) => writer.fail(failure),
      };
    });
  }

  // A stored response read back: its output, status and usage as the turn was stored (the request's settings are
  // not kept, so they read as their defaults). A response made with store: false, or another org's, is not found.
  app.get('/v1/responses/:response_id', {
    onRequest: options.authenticate,
    schema: { params: Type.Object({ response_id: Type.String({ minLength: 1, maxLength: 200 }) }), response: responses({ 200: ResponseObject }) },
  }, async (request) => {
    const principal = principalOf(request);
    const requestId = requestIdIn(request.params.response_id, 'resp_');
    const turn = requestId ? await options.conversations.turn(principal.orgId, requestId) : undefined;
    if (!turn || !requestId) throw new GatewayError(404, 'not_found', `No stored response with id '${request.params.response_id.slice(0, 200)}'.`, {}, 'response_id');
    const context: ResponseContext = {
      requestId, createdAt: Math.floor(Date.parse(turn.createdAt) / 1000), model: turn.model ?? 'unknown',
      request: { model: turn.model ?? 'unknown', input: turn.question }, ragtime: { workflow_id: turn.workflowId },
    };
    return storedResponse(context, turn.outcome, turn.answer, turn.usage);
  });

  // Served by neither Ragtime nor, for current models, OpenAI: the answer says where to go instead.
  app.post('/v1/completions', { schema: { hide: true } }, async () => {
    throw new GatewayError(404, 'not_found', 'The legacy completions endpoint is not served here; use POST /v1/chat/completions or POST /v1/responses.');
  });
}

function storedResponse(context: ResponseContext, outcome: ChatTurnResult['outcome'], answer: string, usage: TokenUsage) {
  if (outcome === 'blocked') return responseObject(context, { status: 'incomplete', output: [], usage, incompleteReason: 'content_filter' });
  if (outcome === 'completed') return responseObject(context, { status: 'completed', output: [messageOutput(context.requestId, answer, 'completed')], usage });
  const output = answer ? [messageOutput(context.requestId, answer, 'incomplete')] : [];
  if (outcome === 'cancelled') return responseObject(context, { status: 'cancelled', output, usage });
  return responseObject(context, { status: 'failed', output, usage, error: { code: 'answer_failed', message: 'The answer could not be completed.' } });
}

/** The non-streamed Response of a finished turn. */
function finishedResponse(context: ResponseContext, result: FinalAnswer, maxTokens: number) {
  if (result.outcome === 'blocked') return responseObject(context, { status: 'incomplete', output: [], usage: result.usage, incompleteReason: 'content_filter' });
  const calls = result.toolCalls ?? [];
  const truncated = finishReasonOf(result.usage.completionTokens, maxTokens, calls.length > 0) === 'length';
  const status = truncated ? 'incomplete' : 'completed';
  // A turn that only calls tools has no message; any text the model wrote before its calls comes first.
  return responseObject(context, {
    status,
    output: [
      ...(result.answer !== '' || calls.length === 0 ? [messageOutput(context.requestId, result.answer, status)] : []),
      ...calls.map((call, index) => functionCallOutput(context.requestId, index, call, status)),
    ],
    usage: result.usage,
    ...(truncated ? { incompleteReason: 'max_output_tokens' as const } : {}),
  });
}
