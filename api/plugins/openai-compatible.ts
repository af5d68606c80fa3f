// OpenAI-compatible endpoints: /v1/chat/completions (streamed and not), /v1/models, /v1/embeddings. Chat runs
// through the same gate and the same chatTurnWorkflow as the WebSocket; provider keys stay in the gateway.
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import { estimateTokens, type TokenUsage } from '../../domain/gateway/pricing.js';
import type { CachedAnswer, ResponseCache } from '../../infra/gateway/response-cache.js';
import { inRequestSpan, requestIdAttribute } from '../../infra/tracing/request-span.js';
import { startAdmittedTurn } from '../chat/admitted-turn.js';
import { finalAnswerFor } from '../chat/final-answer.js';
import { AnswerAssembly } from '../../domain/chat/answer-assembly.js';
import type { ChatTurnRouteOptions } from '../chat/chat-turn-route.js';
import { openEventStream, relayTurnAsSse } from '../chat/sse-relay.js';
import { principalOf } from '../gateway/authenticate-hook.js';
import type { Admission } from '../gateway/gate.js';
import { GatewayError } from '../gateway/gateway-error.js';
import { ChatCompletion, EmbeddingList, ModelList, ModelObject, responses } from '../openapi/response-schemas.js';
import { ChatCompletionRequestSchema, generationOf, maxTokensOf, refuseUnservedOptions, samplingOf, type ChatCompletionRequest } from '../openai/chat-completion-request.js';
import { chunk, completion, finishReasonOf, streamedError, toolCallChunkOf, usageChunk, type CompletionContext, type FinishReason } from '../openai/completion-shapes.js';
import { turnOf } from '../openai/turn-messages.js';
import { turnFieldsOf } from '../openai/turn-request.js';
import { requiredCapabilities, type ModelCapabilityCheck } from '../openai/request-capabilities.js';
import { modelNotFound, requestIdOf, requireModel } from '../openai/route-helpers.js';

export interface OpenAICompatibleOptions extends ChatTurnRouteOptions {
  /** Refuses a named model that lacks a capability the request needs; absent: the router alone decides. */
  capabilities?: ModelCapabilityCheck;
  cache: ResponseCache;
  /** `dimensions` is the model's own vector size, the only one it can serve. */
  embeddings: { baseUrl: string; model: string; apiKey?: string; dimensions?: number };
}

const EmbeddingsRequestSchema = Type.Object({
  input: Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1, maxItems: 2048 })]),
  model: Type.String({ minLength: 1, maxLength: 200 }),
  encoding_format: Type.Optional(Type.Union([Type.Literal('float'), Type.Literal('base64')])),
  dimensions: Type.Optional(Type.Integer({ minimum: 1, maximum: 65_536 })),
  user: Type.Optional(Type.String({ maxLength: 256 })),
});

/** A JSON completion, or with `stream: true` server-sent events of chat.completion.chunk objects. */
const chatCompletionResponses = {
  ...responses({}),
  200: { content: { 'application/json': { schema: ChatCompletion }, 'text/event-stream': { schema: { type: 'string', description: 'data: <chat.completion.chunk JSON> events, then data: [DONE]' } } } },
};

const ModelParams = Type.Object({ model: Type.String({ minLength: 1, maxLength: 200 }) });
/** What a cache hit costs: nothing (the ledger's business); the client still sees the answer's own usage. */
const zeroUsage: TokenUsage = { promptTokens: 0, completionTokens: 0 };
const embeddingsTimeoutMs = 30_000;

export async function openAICompatiblePlugin(fastify: FastifyInstance, options: OpenAICompatibleOptions): Promise<void> {
  // Handlers are typed from their schemas.
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { gate, cache, temporal } = options;
  const relay = { feed: options.feed, temporal, log: app.log };

  // The registry's ready models the caller's tier may use (the workers route with the same cached registry).
  const modelIds = async (tier: string) => [...(await options.models.modelsFor(tier)).map((endpoint) => endpoint.model), options.embeddings.model];
  const modelObject = (id: string) => ({ id, object: 'model', created: 0, owned_by: 'ragtime' });

  app.get('/v1/models', { onRequest: options.authenticate, schema: { response: responses({ 200: ModelList }) } }, async (request) => ({
    object: 'list',
    data: (await modelIds(principalOf(request).tier)).map(modelObject),
  }));

  app.get('/v1/models/:model', { onRequest: options.authenticate, schema: { params: ModelParams, response: responses({ 200: ModelObject }) } }, async (request) => {
    if (!(await modelIds(principalOf(request).tier)).includes(request.params.model)) throw modelNotFound(request.params.model);
    return modelObject(request.params.model);
  });

  // Each completion is the root span of its trace, streamed answers included.
  app.post('/v1/chat/completions', { onRequest: options.authenticate, schema: { body: ChatCompletionRequestSchema, response: chatCompletionResponses } }, (request, reply) => inRequestSpan('chat.completions', { tenantId: principalOf(request).orgId }, async (span) => {
    const principal = principalOf(request);
    const body = request.body;
    await requireModel(options.models, body.model, principal.tier);
    refuseUnservedOptions(body);
    const turn = turnOf(body.messages);
    const requires = requiredCapabilities(body, turn);
    await options.capabilities?.check(body.model, requires);
    const sampling = samplingOf(body);
    const generation = generationOf(body);
    const maxTokens = maxTokensOf(body);
    const requestId = requestIdOf(request.headers);
    span.setAttribute(requestIdAttribute, requestId);

    // An answer with log probabilities is not cached: its tokens' numbers are not kept.
    const cacheKey = cache.enabled && !cacheOptOut(request.headers) && body.logprobs !== true
      ? cache.key(principal.orgId, cacheableOf(body, maxTokens))
      : undefined;
    const hit = cacheKey ? await cache.get(cacheKey) : undefined;
    const admission = await gate.admit(principal, { requestId, endpoint: 'chat.completions', model: body.model, promptText: turn.promptText, maxTokens, cached: !!hit });
    const context: CompletionContext = { id: `chatcmpl-${requestId}`, created: Math.floor(Date.now() / 1000), model: body.model, ragtime: { cached: !!hit } };
    const headers = { ...admission.headers, 'x-ragtime-cache': hit ? 'hit' : cacheKey ? 'miss' : 'bypass' };

    if (hit) {
      // Free in the ledger (cached), but the client's token accounting sees what the answer is made of.
      await gate.settle(admission, { model: hit.model, usage: zeroUsage, outcome: 'completed', cached: true, usageSource: 'cache' });
      if (!body.stream) return reply.headers(headers).send(completion(context, hit.answer, hit.finishReason as FinishReason, hit.usage, hit.toolCalls));
      return streamCachedAnswer(reply, headers, context, hit, body.stream_options?.include_usage === true);
    }

    const workflowId = await startAdmittedTurn(options, admission, {
      // Stateless: the request carries its own history, so each completion is its own conversation.
      conversationId: requestId, model: body.model, maxTokens, ...turnFieldsOf({ turn, sampling, generation, requires }),
      // Nothing reads a completion's stored turn: its answer is done before the turn is stored.
      storeAfterAnswer: true,
    });
    context.ragtime.workflow_id = workflowId;
    request.log.info({ requestId, workflowId }, 'chat completion started');
    // The workflow settles the reservation when it stores the turn, whether or not the client is still there.

    if (body.stream) {
      return streamAnswer({ reply, headers, context, workflowId, maxTokens, includeUsage: body.stream_options?.include_usage === true, cacheKey });
    }

    // Answered as soon as the answer is final and safe; the run stores the turn after.
    const result = await finalAnswerFor(relay, reply, workflowId);
    if (result.outcome === 'blocked') return reply.headers(headers).send(completion(context, '', 'content_filter', result.usage));
    const finishReason = finishReasonOf(result.usage.completionTokens, maxTokens, !!result.toolCalls?.length);
    if (cacheKey) await cache.set(cacheKey, { model: result.model ?? body.model, answer: result.answer, finishReason, usage: result.usage, ...(result.toolCalls ? { toolCalls: result.toolCalls } : {}) });
    const logprobs = body.logprobs === true ? { content: result.logprobs?.content ?? null, refusal: null } : null;
    return reply.headers(headers).send(completion(context, result.answer, finishReason, result.usage, result.toolCalls, logprobs));
  }));

  interface StreamRun {
    reply: FastifyReply;
    headers: Record<string, string>;
    context: CompletionContext;
    workflowId: string;
    maxTokens: number;
    includeUsage: boolean;
    cacheKey?: string;
  }

  function streamAnswer(run: StreamRun): Promise<void> {
    const { context } = run;
    // What a later identical request is answered from: the answer as kept (answer.done says what the whole check changed).
    const assembly = new AnswerAssembly();
    let calledTools = false;
    return relayTurnAsSse(relay, { reply: run.reply, headers: run.headers, workflowId: run.workflowId, name: 'a completion' }, (stream) => ({
      start: () => stream.data(chunk(context, { role: 'assistant', content: '' })),
      event: (event) => {
        assembly.add(event);
        if (event.type === 'answer.delta') {
          stream.data(chunk(context, { content: event.data.text }));
        } else if (event.type === 'answer.tool_call') {
          calledTools = true;
          stream.data(chunk(context, { tool_calls: [toolCallChunkOf(event.data)] }));
        } else if (event.type === 'answer.logprobs') {
          stream.data(chunk(context, {}, null, { content: event.data.content, refusal: null }));
        } else if (event.type === 'answer.done') {
          const { usage } = event.data;
          const finishReason = finishReasonOf(usage.completionTokens, run.maxTokens, calledTools);
          stream.data(chunk(context, {}, finishReason));
          if (run.includeUsage) stream.data(usageChunk(context, usage));
          stream.raw('data: [DONE]\n\n');
          if (run.cacheKey) {
            const { answer, toolCalls } = assembly.done(event.data);
            cache.set(run.cacheKey, { model: event.data.model ?? context.model, answer, finishReason, usage, ...(toolCalls ? { toolCalls } : {}) })
              .catch((error) => app.log.warn({ err: error }, 'could not cache an answer'));
          }
        }
      },
      blocked: () => {
        stream.data(chunk(context, {}, 'content_filter'));
        stream.raw('data: [DONE]\n\n');
      },
      fail: (failure) => stream.data(streamedError(failure)),
    }));
  }

  function streamCachedAnswer(reply: FastifyReply, headers: Record<string, string>, context: CompletionContext, hit: CachedAnswer, includeUsage: boolean): void {
    const raw = openEventStream(reply, headers);
    const write = (data: unknown) => raw.write(`data: ${JSON.stringify(data)}\n\n`);
    write(chunk(context, { role: 'assistant', content: '' }));
    if (hit.answer) write(chunk(context, { content: hit.answer }));
    hit.toolCalls?.forEach((call, index) => write(chunk(context, { tool_calls: [{ index, id: call.id, type: 'function', function: call.function }] })));
    write(chunk(context, {}, hit.finishReason as FinishReason));
    if (includeUsage) write(usageChunk(context, hit.usage));
    raw.end('data: [DONE]\n\n');
  }

  app.post('/v1/embeddings', { onRequest: options.authenticate, schema: { body: EmbeddingsRequestSchema, response: responses({ 200: EmbeddingList }) } }, async (request, reply) => {
    const principal = principalOf(request);
    const body = request.body;
    if (body.model !== options.embeddings.model) throw modelNotFound(body.model);
    // The model has one vector size: another one is refused, not silently ignored.
    if (body.dimensions !== undefined && body.dimensions !== options.embeddings.dimensions) {
      const served = options.embeddings.dimensions === undefined ? 'its own size only' : `${options.embeddings.dimensions} only`;
      throw new GatewayError(400, 'bad_request', `The model '${body.model}' cannot serve ${body.dimensions} dimensions; it serves ${served}.`, {}, 'dimensions');
    }
    const inputs = typeof body.input === 'string' ? [body.input] : body.input;
    const admission = await gate.admit(principal, {
      requestId: requestIdOf(request.headers), endpoint: 'embeddings', model: body.model, promptText: inputs.join(' '), maxTokens: 0,
    });
    let upstream: { data: unknown[]; model?: string; usage?: { prompt_tokens?: number } };
    try {
      upstream = await callEmbeddings(body, admission);
    } catch (error) {
      await gate.abandon(admission);
      throw error;
    }
    const promptTokens = upstream.usage?.prompt_tokens;
    // Settled after the answer is on its way: the client does not wait for the ledger.
    gate.settle(admission, {
      model: body.model,
      usage: { promptTokens: promptTokens ?? estimateTokens(inputs.join(' ')), completionTokens: 0 },
      outcome: 'completed', cached: false, usageSource: promptTokens === undefined ? 'stream' : 'model',
    }).catch((error) => request.log.error({ err: error, requestId: admission.requestId }, 'settling embeddings usage failed'));
    const usage = { prompt_tokens: promptTokens ?? 0, total_tokens: promptTokens ?? 0 };
    return reply.headers(admission.headers).send({ object: 'list', data: upstream.data, model: body.model, usage });
  });

  /** Calls the embeddings upstream with the gateway's own provider key; the client's credential never leaves. */
  async function callEmbeddings(body: Static<typeof EmbeddingsRequestSchema>, admission: Admission) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (options.embeddings.apiKey) headers.authorization = `Bearer ${options.embeddings.apiKey}`;
    let response: Response;
    try {
      response = await fetch(`${options.embeddings.baseUrl}/embeddings`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ input: body.input, model: body.model, encoding_format: body.encoding_format }),
        signal: AbortSignal.timeout(embeddingsTimeoutMs),
      });
    } catch (error) {
      app.log.error({ err: error, requestId: admission.requestId }, 'embeddings upstream unreachable');
      throw new GatewayError(502, 'upstream_error', 'The embedding model is unavailable; try again shortly.');
    }
    const payload = await response.json().catch(() => undefined) as { data?: unknown[]; error?: { message?: string } } | undefined;
    if (response.status >= 400 && response.status < 500 && response.status !== 401 && response.status !== 403 && response.status !== 429) {
      throw new GatewayError(400, 'bad_request', payload?.error?.message ?? 'The embedding model refused the input.', {}, 'input');
    }
    if (!response.ok || !Array.isArray(payload?.data)) {
      app.log.error({ status: response.status, requestId: admission.requestId }, 'embeddings upstream failed');
      throw new GatewayError(502, 'upstream_error', 'The embedding model is unavailable; try again shortly.');
    }
    return payload as { data: unknown[]; model?: string; usage?: { prompt_tokens?: number } };
  }
}

/** Everything that shapes the answer (the stream flags and the user tag do not). */
function cacheableOf(body: ChatCompletionRequest, maxTokens: number): Record<string, unknown> {
  const { stream: _stream, stream_options: _options, user: _user, max_tokens: _max, max_completion_tokens: _maxCompletion, ...shaping } = body;
  return { ...shaping, maxTokens };
}

/** `Cache-Control: no-cache` / `no-store` or `x-ragtime-cache: off` skip the response cache. */
function cacheOptOut(headers: IncomingHttpHeaders): boolean {
  const control = headers['cache-control'];
  if (typeof control === 'string' && /no-cache|no-store/i.test(control)) return true;
  return headers['x-ragtime-cache'] === 'off';
}
