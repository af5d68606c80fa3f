// The Anthropic Messages API adapter against a local server speaking its streaming protocol, and a
// failover from an Anthropic endpoint that errors mid-stream to the local OpenAI-compatible model.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { AnthropicChatModel, anthropicVersion } from '../../infra/llm/anthropic-chat-model.js';
import { OpenAICompatibleChatModel } from '../../infra/llm/openai-compatible-chat-model.js';
import { ProviderChatModel } from '../../infra/llm/provider-chat-model.js';
import { ModelError } from '../../domain/chat/errors.js';
import type { ChatStreamChunk } from '../../domain/chat/ports.js';
import { ConversationStore } from '../../infra/postgres/conversation-store.js';
import { RedisCircuitBreakers } from '../../infra/registry/redis-circuit-breakers.js';
import { RedisLatencyStats } from '../../infra/registry/redis-latency-stats.js';
import { createGenerateActivity, type GenerateInput } from '../../activities/chat/generate.js';
import type { GenerationResult } from '../../domain/chat/chat-request.js';
import { startAnthropicServer, type AnthropicServer } from '../support/anthropic-server.js';
import { routingHarness, streamedAnswer, type RoutingHarness } from '../support/routing-stack.js';
import { services } from '../support/services.js';

async function collect(stream: AsyncIterable<ChatStreamChunk>): Promise<ChatStreamChunk[]> {
  const chunks: ChatStreamChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

describe('Anthropic Messages adapter', () => {
  let server: AnthropicServer;
  const model = new AnthropicChatModel({ apiKey: 'test-key' });

  beforeAll(async () => {
    server = await startAnthropicServer({ deltas: ['Hello', ' from', ' Claude.'] });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('streams text deltas, the stop reason and usage, with the API headers and a separate system prompt', async () => {
    const chunks = await collect(model.stream({
      baseUrl: server.baseUrl, model: 'claude-test', maxTokens: 50,
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }],
    }));
    expect(chunks).toEqual([
      { type: 'delta', text: 'Hello' }, { type: 'delta', text: ' from' }, { type: 'delta', text: ' Claude.' },
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: { promptTokens: 25, completionTokens: 3 } },
    ]);
    const { headers, body } = server.requests.at(-1)!;
    expect(headers['x-api-key']).toBe('test-key');
    expect(headers['anthropic-version']).toBe(anthropicVersion);
    expect(body).toMatchObject({ model: 'claude-test', max_tokens: 50, stream: true, system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }] });
  });

  it('continues a prefilled assistant message without trailing whitespace and without doubling it', async () => {
    server.script = { deltas: [' and', ' more.'], stopReason: 'max_tokens' };
    const chunks = await collect(model.stream({ baseUrl: server.baseUrl, model: 'claude-test', maxTokens: 5, messages: [{ role: 'user', content: 'Go' }], assistantPrefix: 'Some text ' }));
    expect(server.requests.at(-1)!.body.messages).toEqual([{ role: 'user', content: 'Go' }, { role: 'assistant', content: 'Some text' }]);
    expect(chunks.filter((chunk) => chunk.type === 'delta')).toEqual([{ type: 'delta', text: 'and' }, { type: 'delta', text: ' more.' }]);
    expect(chunks).toContainEqual({ type: 'finish', reason: 'length' });
  });

  it('turns error events and HTTP errors into errors that know whether a retry can help', async () => {
    server.script = { deltas: ['Partial', ' answer', ' never'], streamError: { type: 'overloaded_error', afterDeltas: 2 } };
    const received: string[] = [];
    const overloaded = (async () => {
      for await (const chunk of model.stream({ baseUrl: server.baseUrl, model: 'm', maxTokens: 5, messages: [] })) if (chunk.type === 'delta') received.push(chunk.text);
    })();
    await expect(overloaded).rejects.toMatchObject({ name: 'ModelError', retryable: true });
    expect(received).toEqual(['Partial', ' answer']);

    server.script = { deltas: [], httpError: { status: 400, type: 'invalid_request_error' } };
    const invalid = collect(model.stream({ baseUrl: server.baseUrl, model: 'm', maxTokens: 5, messages: [] }));
    await expect(invalid).rejects.toBeInstanceOf(ModelError);
    await expect(invalid).rejects.toMatchObject({ retryable: false, status: 400 });

    server.script = { deltas: [], httpError: { status: 529, type: 'overloaded_error' } };
    await expect(collect(model.stream({ baseUrl: server.baseUrl, model: 'm', maxTokens: 5, messages: [] }))).rejects.toMatchObject({ retryable: true, status: 529 });
  });
});

describe('failover across providers', () => {
  let server: AnthropicServer;
  let harness: RoutingHarness;

  beforeAll(async () => {
    server = await startAnthropicServer({ deltas: ['The', ' answer', ' is', ' being', ' written'], streamError: { type: 'overloaded_error', afterDeltas: 4 } });
    harness = await routingHarness({ MODEL_ENVIRONMENT: 'staging' });
  });
  afterAll(async () => {
    await server?.close();
    await harness?.close();
  });

  it('an Anthropic stream that errors mid-answer is continued by the local model from the emitted text', { timeout: 60_000 }, async () => {
    const workflowId = `anthropic-failover-${randomUUID()}`;
    const generate = createGenerateActivity({
      events: harness.events,
      conversations: new ConversationStore(harness.pool),
      chatModel: new ProviderChatModel({ 'openai-compatible': new OpenAICompatibleChatModel(), anthropic: new AnthropicChatModel({ apiKey: 'k' }) }),
      routing: {
        registry: harness.registry,
        environment: 'staging',
        breakers: new RedisCircuitBreakers(harness.redis, { failureThreshold: 3, openMs: 10_000, probeLeaseMs: 5_000 }),
        latency: new RedisLatencyStats(harness.redis),
        strategy: 'complexity',
        firstTokenTimeoutMs: 20_000,
        stallTimeoutMs: 10_000,
        fusionMaxModels: 3,
      },
      historyTurns: 0,
      temporalUiUrl: 'http://127.0.0.1:8233',
      temporalNamespace: 'default',
    });
    const input: GenerateInput = {
      workflowId, tenantId: 'anthropic', model: 'claude-local', baseUrl: server.baseUrl, provider: 'anthropic',
      fallbacks: [{ model: 'smollm2-135m-instruct', baseUrl: services().modelBaseUrl, provider: 'openai-compatible' }],
      messages: [{ role: 'user', content: 'Tell me a short fact about the sea.' }], maxTokens: 40,
    };
    const result: GenerationResult = await new MockActivityEnvironment().run(generate, input);

    const events = await harness.events.range(workflowId, 0);
    const failover = events.find((event) => event.type === 'model.failover')!;
    expect(failover.data).toMatchObject({ from: 'claude-local', to: 'smollm2-135m-instruct', offset: 'The answer is being'.length });
    expect(String(failover.data.reason)).toContain('overloaded_error');
    const answer = streamedAnswer(events);
    expect(answer.startsWith('The answer is being')).toBe(true);
    expect(answer.length).toBeGreaterThan('The answer is being'.length);
    expect(result.text).toBe(answer);
    expect(result.model).toBe('smollm2-135m-instruct');
    expect(result.usageByEndpoint).toMatchObject([
      { model: 'claude-local', completionTokens: 4, estimated: true },
      { model: 'smollm2-135m-instruct', estimated: false },
    ]);
    expect(result.usage.completionTokens).toBe(4 + result.usageByEndpoint![1]!.completionTokens);
  });
});
