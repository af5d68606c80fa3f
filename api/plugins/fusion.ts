// POST /v1/fusion: one question asked of several models at once, their answers fused by a strategy (first,
// voting, ranking, merging) into one answer with a confidence. It runs the chat turn workflow with a fusion
// request, so the fusionWorkflow child asks the models (each answer an activity result, visible in the
// Temporal UI with its search attributes), and the turn's persist step settles the ledger with one entry per
// model call. Same gate as chat: auth, rate limits, budget (reserved for every model asked).
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import type { ChatTurnResult } from '../../domain/chat/chat-request.js';
import type { ModelCatalog } from '../../domain/chat/ports.js';
import type { TokenUsage } from '../../domain/gateway/pricing.js';
import { maxOutputTokens } from '../../domain/limits.js';
import { fusionStrategies } from '../../domain/routing/fusion.js';
import { chatTurnResult } from '../../clients/chat-turns.js';
import { startAdmittedTurn, turnResultFor } from '../chat/admitted-turn.js';
import type { ChatTurnRouteOptions } from '../chat/chat-turn-route.js';
import { relayTurnAsSse } from '../chat/sse-relay.js';
import { principalOf } from '../gateway/authenticate-hook.js';
import { GatewayError } from '../gateway/gateway-error.js';
import { responses } from '../openapi/response-schemas.js';
import { FusionResult } from '../openapi/multi-model-schemas.js';
import { ChatCompletionRequestSchema, defaultMaxTokens } from '../openai/chat-completion-request.js';
import { turnOf } from '../openai/turn-messages.js';
import { requestIdOf } from '../openai/route-helpers.js';
import { streamedError } from '../openai/completion-shapes.js';

export interface FusionOptions extends ChatTurnRouteOptions {
  /** The most models one request may ask (the workers' FUSION_MAX_MODELS). */
  maxModels: number;
}

const modelName = Type.String({ minLength: 1, maxLength: 200 });
const FusionRequestSchema = Type.Object({
  models: Type.Optional(Type.Array(modelName, { minItems: 1, maxItems: 8, uniqueItems: true, description: 'Models to ask; absent: the router picks them' })),
  n: Type.Optional(Type.Integer({ minimum: 2, maximum: 8, description: 'Without models: how many the router picks (at most the deployment\'s limit)' })),
  strategy: Type.Union(fusionStrategies.map((strategy) => Type.Literal(strategy))),
  messages: ChatCompletionRequestSchema.properties.messages,
  max_tokens: Type.Optional(Type.Integer({ minimum: 1, maximum: maxOutputTokens })),
  stream: Type.Optional(Type.Boolean({ description: 'Stream the fused answer as server-sent events, then the whole result' })),
}, { additionalProperties: false });
type FusionRequest = Static<typeof FusionRequestSchema>;

/** JSON, or with `stream: true` server-sent events: fusion.models, fusion.chunk deltas, then the fusion object and [DONE]. */
const fusionResponses = {
  ...responses({}),
  200: { content: { 'application/json': { schema: FusionResult }, 'text/event-stream': { schema: { type: 'string', description: 'data: {"object":"fusion.models"|"fusion.chunk"|"fusion",…} events, then data: [DONE]' } } } },
};

interface Run {
  requestId: string;
  workflowId: string;
  created: number;
  startedAt: number;
  strategy: FusionRequest['strategy'];
}

export async function fusionPlugin(fastify: FastifyInstance, options: FusionOptions): Promise<void> {
  // Handlers are typed from their schemas.
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { temporal, gate } = options;
  const relay = { feed: options.feed, temporal, log: app.log };

  app.post('/v1/fusion', { onRequest: options.authenticate, schema: { body: FusionRequestSchema, response: fusionResponses } }, async (request, reply) => {
    const principal = principalOf(request);
    const body = request.body;
    if (body.models && body.n !== undefined) throw new GatewayError(400, 'bad_request', 'Send either models or n (the router picks n models), not both.', {}, 'n');
    if (body.models && body.models.length > options.maxModels) {
      throw new GatewayError(400, 'bad_request', `At most ${options.maxModels} models answer one fusion request.`, {}, 'models');
    }
    await requireListed(options.models, body.models ?? [], principal.tier);
    const calls = body.models?.length ?? Math.min(body.n ?? options.maxModels, options.maxModels);
    const turn = turnOf(body.messages);
    const maxTokens = body.max_tokens ?? defaultMaxTokens;
    const requestId = requestIdOf(request.headers);
    const startedAt = Date.now();
    const admission = await gate.admit(principal, { requestId, endpoint: 'fusion', ...(body.models ? { model: body.models[0] } : {}), promptText: turn.promptText, maxTokens, calls });
    const workflowId = await startAdmittedTurn(options, admission, {
      conversationId: requestId, question: turn.question, history: turn.history, maxTokens,
      ...(turn.instructions ? { instructions: turn.instructions } : {}),
      fusion: { strategy: body.strategy, ...(body.models ? { models: body.models } : {}), ...(body.n !== undefined ? { count: body.n } : {}) },
    });
    request.log.info({ requestId, workflowId, strategy: body.strategy }, 'fusion started');
    const run: Run = { requestId, workflowId, created: Math.floor(startedAt / 1000), startedAt, strategy: body.strategy };
    if (body.stream) return streamFusion(reply, admission.headers, run);
    const result = await turnResultFor(temporal, reply, workflowId);
    return reply.headers(admission.headers).send(fusionBody(run, result));
  });

  function streamFusion(reply: FastifyReply, headers: Record<string, string>, run: Run): Promise<void> {
    return relayTurnAsSse(relay, { reply, headers, workflowId: run.workflowId, name: 'a fusion' }, (stream) => ({
      event: (event) => {
        if (event.type === 'model.selected' && event.data.fusion) stream.data({ object: 'fusion.models', models: event.data.fusion });
        else if (event.type === 'answer.delta') stream.data({ object: 'fusion.chunk', delta: event.data.text });
      },
      blocked: () => undefined,
      fail: (failure) => stream.data(streamedError(failure)),
      // The whole result (every model's answer, the confidence, the cost) closes the stream.
      end: async () => {
        stream.data(fusionBody(run, await chatTurnResult(temporal, run.workflowId)));
        stream.raw('data: [DONE]\n\n');
      },
    }));
  }
}

/** Every named model must be one the tier may use now (ready): a fusion asks exactly the models it names. */
async function requireListed(models: ModelCatalog, names: string[], tier: string): Promise<void> {
  if (names.length === 0) return;
  const listed = new Set((await models.modelsFor(tier)).map((endpoint) => endpoint.model));
  for (const name of names.filter((candidate) => !listed.has(candidate))) {
    const access = await models.access(name, tier);
    if (access.ok || access.reason === 'disabled') throw new GatewayError(404, 'model_disabled', `The model '${name}' is disabled.`, {}, 'models');
    throw new GatewayError(404, 'model_not_found', `The model '${name}' does not exist or you do not have access to it.`, {}, 'models');
  }
}

const usageOf = (usage: TokenUsage) => ({ prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, total_tokens: usage.promptTokens + usage.completionTokens });

function fusionBody(run: Run, result: ChatTurnResult) {
  const fusion = result.fusion;
  const scores = new Map((fusion?.decision.scores ?? []).map((entry) => [entry.model, entry.score]));
  const answers = (fusion?.answers ?? []).map((answer) => ({
    model: answer.model,
    answer: answer.text,
    latency_ms: Math.round(answer.latencyMs),
    usage: usageOf(answer.usage),
    cost_usd: answer.costUsd,
    finish_reason: answer.finishReason,
    score: scores.get(answer.model) ?? null,
  }));
  return {
    id: `fusion-${run.requestId}`,
    object: 'fusion' as const,
    created: run.created,
    strategy: run.strategy,
    outcome: result.outcome === 'blocked' ? 'blocked' as const : 'completed' as const,
    answer: result.answer,
    confidence: fusion?.decision.confidence ?? 0,
    winner: fusion?.decision.winner ?? null,
    reason: fusion?.decision.reason ?? (result.outcome === 'blocked' ? 'the input was blocked by the safety policy' : ''),
    answers,
    ...(fusion?.decision.attribution ? { attribution: fusion.decision.attribution } : {}),
    usage: usageOf(result.usage),
    cost_usd: answers.reduce((sum, answer) => sum + answer.cost_usd, 0),
    latency_ms: Date.now() - run.startedAt,
    workflow_id: run.workflowId,
    fusion_workflow_id: fusion?.workflowId ?? null,
  };
}
