// The AI SDK's default OpenAI provider (`openai(model)` from @ai-sdk/openai, which speaks the Responses API)
// against Ragtime with only the base URL and key changed: generateText, streamText, a conversation the SDK
// continues with item references to its earlier answers (resolved from Ragtime's stored turns), and
// previousResponseId. The model server is the real llama.cpp behind a recording proxy.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAI, type OpenAIProvider } from '@ai-sdk/openai';
import { generateText, streamText, type ModelMessage } from 'ai';
import { apiKeyFor } from '../support/identities.js';
import { startProxiedModelStack, type ProxiedModelStack } from '../support/proxied-model-stack.js';
import { ledgerPool, settledRow } from './gateway-helpers.js';

const model = 'smollm2-135m-instruct';

describe('the AI SDK default (Responses) provider against Ragtime', () => {
  const org = `ai-sdk-${randomUUID().slice(0, 6)}`;
  let stack: ProxiedModelStack;
  let openai: OpenAIProvider;
  const sent: Record<string, unknown>[] = [];
  const pool = ledgerPool();
  const upstream = () => stack.upstream;

  beforeAll(async () => {
    stack = await startProxiedModelStack('responses-ai-sdk', model);
    // The SDK's own requests are kept, to show what it sent Ragtime.
    openai = createOpenAI({
      baseURL: stack.baseUrl, apiKey: await apiKeyFor(org),
      fetch: (url, init) => {
        if (typeof init?.body === 'string') sent.push(JSON.parse(init.body) as Record<string, unknown>);
        return fetch(url, init);
      },
    });
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
    await pool.end();
  });

  const generations = (from: number) => upstream().chatRequests(from).filter((body) => body.stream === true);
  const messagesOf = (body: Record<string, unknown>) => body.messages as { role: string; content: string }[];

  it('generates text, with the system prompt and the output cap reaching the model server', async () => {
    const before = upstream().received.length;
    const result = await generateText({ model: openai(model), system: 'Answer in one word.', prompt: 'Name a primary color.', maxOutputTokens: 16, maxRetries: 0 });
    expect(result.text.trim().length).toBeGreaterThan(0);
    expect(['stop', 'length']).toContain(result.finishReason);
    expect(result.usage.outputTokens).toBeGreaterThan(0);
    const responseId = result.providerMetadata!.openai!.responseId as string;
    expect(responseId).toMatch(/^resp_/);
    const [sent] = generations(before);
    expect(sent!.max_tokens).toBe(16);
    expect(messagesOf(sent!)[0]!.content).toContain('Answer in one word.');
    expect(messagesOf(sent!).at(-1)).toEqual({ role: 'user', content: 'Name a primary color.' });
    const row = await settledRow(pool, org, responseId.replace(/^resp_/, ''));
    expect(row).toMatchObject({ endpoint: 'responses', outcome: 'completed' });
    expect(row.completion_tokens).toBe(result.usage.outputTokens);
  });

  it('streams text, assembled by the SDK from the Responses events', async () => {
    const result = streamText({ model: openai(model), prompt: 'Count to five.', maxOutputTokens: 24, maxRetries: 0 });
    const parts: string[] = [];
    for await (const part of result.textStream) parts.push(part);
    expect(parts.length).toBeGreaterThan(0);
    expect(parts.join('')).toBe(await result.text);
    expect((await result.usage).outputTokens).toBeGreaterThan(0);
    expect(['stop', 'length']).toContain(await result.finishReason);
  });

  it('continues a conversation whose earlier answer it sends as an item reference, resolved from the stored turn', async () => {
    const first = await generateText({ model: openai(model), prompt: 'My favourite colour is teal.', maxOutputTokens: 12, maxRetries: 0 });
    const messages: ModelMessage[] = [
      { role: 'user', content: 'My favourite colour is teal.' },
      ...first.response.messages,
      { role: 'user', content: 'What is my favourite colour?' },
    ];
    const before = upstream().received.length;
    const second = await generateText({ model: openai(model), messages, maxOutputTokens: 12, maxRetries: 0 });
    expect(second.text.trim().length).toBeGreaterThan(0);
    // The SDK sent its earlier answer by reference (msg_<request id>), not as text.
    const firstRequestId = (first.providerMetadata!.openai!.responseId as string).replace(/^resp_/, '');
    expect(sent.at(-1)!.input).toContainEqual({ type: 'item_reference', id: `msg_${firstRequestId}` });
    expect(messagesOf(generations(before)[0]!).slice(1)).toEqual([
      { role: 'user', content: 'My favourite colour is teal.' },
      { role: 'assistant', content: first.text },
      { role: 'user', content: 'What is my favourite colour?' },
    ]);
  });

  it('continues with previousResponseId: the model server reads the stored conversation', async () => {
    const first = await generateText({ model: openai(model), prompt: 'Remember the number 42.', maxOutputTokens: 12, maxRetries: 0 });
    const before = upstream().received.length;
    const second = await generateText({
      model: openai(model), prompt: 'Which number did I ask you to remember?', maxOutputTokens: 12, maxRetries: 0,
      providerOptions: { openai: { previousResponseId: first.providerMetadata!.openai!.responseId as string } },
    });
    expect(second.text.trim().length).toBeGreaterThan(0);
    expect(messagesOf(generations(before)[0]!).slice(1)).toEqual([
      { role: 'user', content: 'Remember the number 42.' },
      { role: 'assistant', content: first.text },
      { role: 'user', content: 'Which number did I ask you to remember?' },
    ]);
  });
});
