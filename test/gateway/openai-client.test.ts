// The official `openai` npm client, unchanged, against Ragtime: chat (streamed and not), models, embeddings,
// error shapes, and the response cache.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { defaultPayloadConverter } from '@temporalio/client';
import { LocalEmbeddingServer, localEmbeddingModel } from '../../infra/embeddings/local-embedding-server.js';
import { freePort } from '../support/free-port.js';
import { apiKeyFor } from '../support/identities.js';
import { startApi, startWorker, uniqueTaskQueue, type RunningWorker, type TestApi } from '../support/stack.js';
import { ledgerPool, settledRow } from './gateway-helpers.js';
import { chatWorkflowId } from '../../domain/chat/ids.js';
import { statusQuery } from '../../workflows/messages.js';
import { waitUntil } from '../support/processes.js';

const model = 'smollm2-135m-instruct';

describe('the openai client against Ragtime', () => {
  const taskQueue = uniqueTaskQueue('openai');
  const org = `openai-${randomUUID().slice(0, 6)}`;
  let worker: RunningWorker;
  let api: TestApi;
  let embeddings: LocalEmbeddingServer;
  let client: OpenAI;
  const pool = ledgerPool();

  beforeAll(async () => {
    embeddings = await LocalEmbeddingServer.start({ port: await freePort(), threads: 1 });
    [worker, api] = await Promise.all([
      startWorker(taskQueue),
      startApi(taskQueue, { EMBEDDINGS_BASE_URL: embeddings.baseUrl, EMBEDDINGS_MODEL: localEmbeddingModel.model, EMBEDDINGS_API_KEY: 'provider-secret-key' }),
    ]);
    client = new OpenAI({ baseURL: `${api.url}/v1`, apiKey: await apiKeyFor(org), maxRetries: 0 });
  }, 120_000);
  afterAll(async () => {
    await api?.close();
    await worker?.stop();
    await embeddings?.stop();
    await pool.end();
  });

  it('lists and retrieves models', async () => {
    const models = [];
    for await (const entry of client.models.list()) models.push(entry.id);
    expect(models).toEqual([model, localEmbeddingModel.model]);
    expect((await client.models.retrieve(model)).id).toBe(model);
    await expect(client.models.retrieve('gpt-17')).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
  });

  it('completes a chat without streaming, through the chat workflow, and records it in the ledger', async () => {
    const { data: completion, response } = await client.chat.completions.create({
      model,
      messages: [{ role: 'system', content: 'Answer briefly.' }, { role: 'user', content: 'Name a primary color.' }],
      max_tokens: 16,
    }, { headers: { 'cache-control': 'no-cache' } }).withResponse();
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]!.message.role).toBe('assistant');
    expect(completion.choices[0]!.message.content!.trim().length).toBeGreaterThan(0);
    expect(['stop', 'length']).toContain(completion.choices[0]!.finish_reason);
    expect(completion.usage!.completion_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-ratelimit-limit-requests')).not.toBeNull();
    expect(response.headers.get('x-ragtime-cache')).toBe('bypass');

    const requestId = completion.id.replace(/^chatcmpl-/, '');
    const result = await api.temporal.workflow.getHandle(chatWorkflowId(org, requestId)).result() as { answer: string };
    expect(result.answer).toBe(completion.choices[0]!.message.content);
    const row = await settledRow(pool, org, requestId);
    expect(row).toMatchObject({ endpoint: 'chat.completions', user_id: 'test-user', outcome: 'completed', cached: false });
    expect(row.completion_tokens).toBe(completion.usage!.completion_tokens);
  });

  it('answers a repeated non-streamed request (same Idempotency-Key) with the same answer from the one run', async () => {
    const key = randomUUID();
    const ask = () => client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Name a fruit.' }], max_tokens: 12 }, { headers: { 'idempotency-key': key, 'cache-control': 'no-cache' } });
    const [first, joined] = await Promise.all([ask(), ask()]);
    const again = await ask();
    for (const answer of [joined, again]) {
      expect(answer.choices).toEqual(first.choices);
      expect(answer.usage).toEqual(first.usage);
    }
    const result = await api.temporal.workflow.getHandle(chatWorkflowId(org, key)).result() as { answer: string };
    expect(first.choices[0]!.message.content).toBe(result.answer);
  });

  it('cancels the run when a non-streamed client hangs up before its answer, and charges what was served', async () => {
    const key = randomUUID();
    const controller = new AbortController();
    const request = fetch(`${api.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await apiKeyFor(org)}`, 'content-type': 'application/json', 'idempotency-key': key, 'cache-control': 'no-cache' },
      // A question the small model answers at length (a short one can finish before the hang-up).
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Write a very long story about a dragon who learns to sail. Make it at least 1500 words.' }], max_tokens: 400 }),
      signal: controller.signal,
    }).catch((error: unknown) => error);
    const handle = api.temporal.workflow.getHandle(chatWorkflowId(org, key));
    let step: string | undefined;
    await waitUntil('the turn generating', async () => {
      step = (await handle.query(statusQuery).catch(() => undefined))?.step;
      return step === 'generating' || step === 'done';
    }, 60_000);
    expect(step, 'the turn was still generating when the client hung up').toBe('generating');
    controller.abort();
    expect(await request).toMatchObject({ name: 'AbortError' });
    await expect(handle.result()).rejects.toThrow();
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    expect(await settledRow(pool, org, key)).toMatchObject({ outcome: 'cancelled' });
  });

  it('passes a conversation on as separate turns, and sampling settings through to the model server', async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [
      { role: 'system', content: 'Answer in one word.' },
      { role: 'user', content: 'My favourite colour is teal.' },
      { role: 'assistant', content: 'Noted.' },
      { role: 'user', content: 'What is my favourite colour?' },
    ];
    const ask = () => client.chat.completions.create({ model, messages, max_tokens: 12, temperature: 0, top_p: 0.5, stop: ['\n\n'] }, { headers: { 'cache-control': 'no-cache' } });
    const [first, second] = [await ask(), await ask()];
    // Greedy decoding (temperature 0 reached llama.cpp): the same conversation gets the same answer.
    expect(second.choices[0]!.message.content).toBe(first.choices[0]!.message.content);

    const history = await api.temporal.workflow.getHandle(chatWorkflowId(org, first.id.replace(/^chatcmpl-/, ''))).fetchHistory();
    const scheduled = history.events!.find((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'generate')!;
    const input = defaultPayloadConverter.fromPayload(scheduled.activityTaskScheduledEventAttributes!.input!.payloads![0]!) as { messages: { role: string; content: string }[]; sampling: unknown };
    expect(input.sampling).toEqual({ temperature: 0, topP: 0.5, stop: ['\n\n'] });
    expect(input.messages.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(input.messages[0]!.content).toContain('Instructions from the client:\nAnswer in one word.');
    expect(input.messages.slice(1).map((message) => message.content)).toEqual(['My favourite colour is teal.', 'Noted.', 'What is my favourite colour?']);
  });

  it('refuses a conversation whose earlier messages exceed the context limit', async () => {
    const long = 'x'.repeat(40_000);
    const error = await client.chat.completions.create({
      model, messages: [{ role: 'user', content: long }, { role: 'assistant', content: long }, { role: 'user', content: 'And now?' }], max_tokens: 8,
    }).catch((failure: unknown) => failure);
    expect(error).toMatchObject({ status: 400, code: 'context_length_exceeded' });
  });

  it('streams a chat as chunks with usage at the end', async () => {
    const stream = await client.chat.completions.create({
      model, messages: [{ role: 'user', content: 'Count to five.' }], max_tokens: 24, stream: true, stream_options: { include_usage: true },
    }, { headers: { 'x-ragtime-cache': 'off' } });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined | null;
    const finishReasons: string[] = [];
    for await (const chunk of stream) {
      expect(chunk.object).toBe('chat.completion.chunk');
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.choices[0]?.finish_reason) finishReasons.push(chunk.choices[0].finish_reason);
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text.trim().length).toBeGreaterThan(0);
    expect(finishReasons).toHaveLength(1);
    expect(usage!.completion_tokens).toBeGreaterThan(0);
    expect(usage!.total_tokens).toBe(usage!.prompt_tokens + usage!.completion_tokens);
  });

  it('answers an identical request from the cache, free and marked, unless the client opts out', async () => {
    const request = { model, messages: [{ role: 'user' as const, content: `Say the word ${randomUUID().slice(0, 4)}.` }], max_tokens: 12 };
    const first = await client.chat.completions.create(request).withResponse();
    expect(first.response.headers.get('x-ragtime-cache')).toBe('miss');
    const second = await client.chat.completions.create(request).withResponse();
    expect(second.response.headers.get('x-ragtime-cache')).toBe('hit');
    expect(second.data.choices[0]!.message.content).toBe(first.data.choices[0]!.message.content);
    // The cached answer's own usage (client token accounting); that it cost nothing is the ledger's business.
    expect(second.data.usage).toEqual(first.data.usage);
    expect((second.data as unknown as { ragtime: { cached: boolean } }).ragtime.cached).toBe(true);
    const hit = await settledRow(pool, org, second.data.id.replace(/^chatcmpl-/, ''));
    expect(hit).toMatchObject({ cached: true, cost_micros: '0', usage_source: 'cache', prompt_tokens: 0, completion_tokens: 0 });

    const streamedHit = await client.chat.completions.create({ ...request, stream: true });
    let text = '';
    for await (const chunk of streamedHit) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(first.data.choices[0]!.message.content);

    const optedOut = await client.chat.completions.create(request, { headers: { 'cache-control': 'no-store' } }).withResponse();
    expect(optedOut.response.headers.get('x-ragtime-cache')).toBe('bypass');
    const other = new OpenAI({ baseURL: `${api.url}/v1`, apiKey: await apiKeyFor(`${org}-other`), maxRetries: 0 });
    const otherTenant = await other.chat.completions.create(request).withResponse();
    expect(otherTenant.response.headers.get('x-ragtime-cache')).toBe('miss');
  });

  it('embeds through the configured upstream in float and base64 encodings, with the provider key injected', async () => {
    const floats = await client.embeddings.create({ model: localEmbeddingModel.model, input: ['a sailing dragon', 'a sleeping cat'], encoding_format: 'float' });
    expect(floats.data).toHaveLength(2);
    expect(floats.data[0]!.embedding).toHaveLength(localEmbeddingModel.dimensions);
    expect(floats.usage.prompt_tokens).toBeGreaterThan(0);
    // The client's default asks for base64 and decodes it.
    const decoded = await client.embeddings.create({ model: localEmbeddingModel.model, input: 'a sailing dragon' });
    expect(decoded.data[0]!.embedding).toHaveLength(localEmbeddingModel.dimensions);
    decoded.data[0]!.embedding.forEach((value, index) => expect(value).toBeCloseTo(floats.data[0]!.embedding[index]!, 5));
    await expect(client.embeddings.create({ model: 'text-embedding-3-small', input: 'x' })).rejects.toMatchObject({ status: 404 });
  });

  it('sends the provider key upstream and never the client credential', async () => {
    const seen: (string | undefined)[] = [];
    const upstream = createServer((request, response) => {
      seen.push(request.headers.authorization);
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
        object: 'list', model: 'm', data: [{ object: 'embedding', index: 0, embedding: [0.5, 0.25] }], usage: { prompt_tokens: 3, total_tokens: 3 },
      }));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const proxied = await startApi(uniqueTaskQueue('openai-upstream'), {
      EMBEDDINGS_BASE_URL: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`, EMBEDDINGS_MODEL: 'm', EMBEDDINGS_API_KEY: 'provider-secret-key',
    });
    try {
      const viaProxy = new OpenAI({ baseURL: `${proxied.url}/v1`, apiKey: await apiKeyFor(org), maxRetries: 0 });
      const result = await viaProxy.embeddings.create({ model: 'm', input: 'hello', encoding_format: 'float' });
      expect(result.data[0]!.embedding).toEqual([0.5, 0.25]);
      expect(JSON.stringify(result)).not.toContain('provider-secret-key');
      expect(seen).toEqual(['Bearer provider-secret-key']);
    } finally {
      await proxied.close();
      upstream.close();
    }
  });

  it('speaks OpenAI error shapes: bad requests, unknown models, bad keys', async () => {
    await expect(client.chat.completions.create({ model, messages: [] })).rejects.toMatchObject({ status: 400, type: 'invalid_request_error', code: 'bad_request' });
    await expect(client.chat.completions.create({ model, messages: [{ role: 'assistant', content: 'hi' }] })).rejects.toMatchObject({ status: 400, param: 'messages' });
    await expect(client.chat.completions.create({ model: 'gpt-17', messages: [{ role: 'user', content: 'hi' }] })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const stranger = new OpenAI({ baseURL: `${api.url}/v1`, apiKey: 'sk-not-a-ragtime-key', maxRetries: 0 });
    await expect(stranger.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });
});
