// The Responses API (POST /v1/responses) with the official `openai` npm client, unchanged: plain and streamed
// answers through the chat-turn workflow, previous_response_id continuing the stored conversation, store: false
// keeping nothing, and the refusals in OpenAI's shape. The model server is the real llama.cpp behind a recording
// proxy, so each test asserts the request the model server actually received.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { chatWorkflowId } from '../../domain/chat/ids.js';
import { apiKeyFor } from '../support/identities.js';
import { startProxiedModelStack, type ProxiedModelStack } from '../support/proxied-model-stack.js';
import { holdTable, ledgerPool, settledRow, writeWaitingOn } from './gateway-helpers.js';

const model = 'smollm2-135m-instruct';

describe('the Responses API with the openai client', () => {
  const org = `responses-${randomUUID().slice(0, 6)}`;
  let stack: ProxiedModelStack;
  let client: OpenAI;
  const pool = ledgerPool();
  const upstream = () => stack.upstream;

  beforeAll(async () => {
    stack = await startProxiedModelStack('responses', model);
    client = new OpenAI({ baseURL: stack.baseUrl, apiKey: await apiKeyFor(org), maxRetries: 0 });
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
    await pool.end();
  });

  /** The last generation request the model server received. */
  const lastGeneration = () => upstream().chatRequests().filter((body) => body.stream === true).at(-1)!;
  const requestIdOf = (responseId: string) => responseId.replace(/^resp_/, '');

  it('answers a string input with instructions through the chat workflow, and charges it in the ledger', async () => {
    const { data: response, response: http } = await client.responses.create({
      model, input: 'Name a primary color.', instructions: 'Answer in one word.', max_output_tokens: 16,
    }).withResponse();
    expect(response.object).toBe('response');
    expect(response.id).toMatch(/^resp_/);
    expect(response.instructions).toBe('Answer in one word.');
    expect(response.output[0]).toMatchObject({ type: 'message', role: 'assistant', id: `msg_${requestIdOf(response.id)}` });
    expect(response.output_text.trim().length).toBeGreaterThan(0);
    expect(response.usage!.output_tokens).toBeGreaterThan(0);
    expect(response.usage!.total_tokens).toBe(response.usage!.input_tokens + response.usage!.output_tokens);
    expect(http.headers.get('x-ratelimit-limit-requests')).not.toBeNull();

    const sent = lastGeneration();
    expect(sent.max_tokens).toBe(16);
    const messages = sent.messages as { role: string; content: string }[];
    expect(messages[0]!.role).toBe('system');
    expect(messages[0]!.content).toContain('Answer in one word.');
    expect(messages.at(-1)).toEqual({ role: 'user', content: 'Name a primary color.' });

    const requestId = requestIdOf(response.id);
    const result = await stack.api.temporal.workflow.getHandle(chatWorkflowId(org, requestId)).result() as { answer: string };
    expect(result.answer).toBe(response.output_text);
    const row = await settledRow(pool, org, requestId);
    expect(row).toMatchObject({ endpoint: 'responses', outcome: 'completed', cached: false });
    expect(row.completion_tokens).toBe(response.usage!.output_tokens);
  });

  it('takes message items with content parts, and max_output_tokens exactly (an incomplete response at the cap)', async () => {
    const response = await client.responses.create({
      model,
      input: [
        { role: 'developer', content: 'Be terse.' },
        { role: 'user', content: [{ type: 'input_text', text: 'Tell me a long story ' }, { type: 'input_text', text: 'about a fox.' }] },
      ],
      max_output_tokens: 3,
    });
    expect(lastGeneration().max_tokens).toBe(3);
    expect((lastGeneration().messages as { content: string }[]).at(-1)!.content).toBe('Tell me a long story about a fox.');
    expect(response.status).toBe('incomplete');
    expect(response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(response.usage!.output_tokens).toBe(3);
  });

  it('streams the Responses event sequence, which the client assembles into the final response', async () => {
    const stream = await client.responses.create({ model, input: 'Count to five.', max_output_tokens: 24, stream: true });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const types = events.map((event) => event.type);
    expect(types.slice(0, 4)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
    expect(types.slice(-4)).toEqual(['response.output_text.done', 'response.content_part.done', 'response.output_item.done', types.at(-1)]);
    expect(['response.completed', 'response.incomplete']).toContain(types.at(-1));
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    const deltas = events.filter((event): event is OpenAI.Responses.ResponseTextDeltaEvent => event.type === 'response.output_text.delta');
    expect(deltas.length).toBeGreaterThan(0);
    const final = (events.at(-1) as OpenAI.Responses.ResponseCompletedEvent).response;
    const text = deltas.map((delta) => delta.delta).join('');
    expect((final.output[0] as OpenAI.Responses.ResponseOutputMessage).content[0]).toMatchObject({ type: 'output_text', text });
    expect(final.usage!.output_tokens).toBeGreaterThan(0);

    // The client's own stream helper accumulates the same events into a response.
    const helper = client.responses.stream({ model, input: 'Say hello.', max_output_tokens: 12 });
    const assembled = await helper.finalResponse();
    expect(assembled.output_text.trim().length).toBeGreaterThan(0);
    expect(assembled.id).toMatch(/^resp_/);
  });

  it('continues a conversation from its stored turns with previous_response_id', async () => {
    // Greedy decoding: the first answer becomes history the input policy screens, and a sampled answer now and then
    // reads to the learned injection scorer as an injection (a false positive seen in a full run); a fixed answer
    // keeps the test about continuation.
    const first = await client.responses.create({ model, input: 'My favourite colour is teal.', max_output_tokens: 12, temperature: 0 });
    const before = upstream().received.length;
    const second = await client.responses.create({ model, input: 'What is my favourite colour?', previous_response_id: first.id, max_output_tokens: 12, temperature: 0 });
    expect(second.status).not.toBe('failed');
    expect(second.previous_response_id).toBe(first.id);

    // The model server read the first turn, from Postgres, before the new question.
    const messages = (upstream().chatRequests(before).find((body) => body.stream === true)!.messages as { role: string; content: string }[]).slice(1);
    expect(messages).toEqual([
      { role: 'user', content: 'My favourite colour is teal.' },
      { role: 'assistant', content: first.output_text },
      { role: 'user', content: 'What is my favourite colour?' },
    ]);
    // Both responses are one conversation (the first response's), listed with its turns.
    const turns = await fetch(`${stack.api.url}/v1/conversations/${requestIdOf(first.id)}/turns`, { headers: { authorization: `Bearer ${await apiKeyFor(org)}` } });
    expect(((await turns.json()) as { data: { request_id: string }[] }).data.map((turn) => turn.request_id)).toEqual([requestIdOf(first.id), requestIdOf(second.id)]);

    // Only the latest response of a conversation continues it; another org cannot see it at all.
    await expect(client.responses.create({ model, input: 'And now?', previous_response_id: first.id })).rejects.toMatchObject({ status: 400, param: 'previous_response_id' });
    const stranger = new OpenAI({ baseURL: `${stack.api.url}/v1`, apiKey: await apiKeyFor(`${org}-other`), maxRetries: 0 });
    await expect(stranger.responses.create({ model, input: 'And now?', previous_response_id: second.id })).rejects.toMatchObject({ status: 400, code: 'previous_response_not_found' });
  });

  it('keeps nothing with store: false, answers before settling it, charges it all the same, and refuses to continue it', async () => {
    // Persist's settlement writes the call ledger: held, the turn's persist step waits mid-write.
    const lock = await holdTable(pool, 'usage_ledger_calls');
    let response: OpenAI.Responses.Response;
    try {
      response = await client.responses.create({ model, input: 'Say something secret.', max_output_tokens: 8, store: false }, { timeout: 60_000 });
      expect(await writeWaitingOn(pool, 'usage_ledger_calls'), 'no persist step was waiting on the call ledger').toBe(true);
      const pending = await pool.query<{ status: string }>('SELECT status FROM usage_ledger WHERE org_id = $1 AND request_id = $2', [org, requestIdOf(response.id)]);
      expect(pending.rows[0]?.status, 'the response waited for its turn to be settled').toBe('reserved');
    } finally {
      lock.release();
    }
    expect((response as unknown as { store: boolean }).store).toBe(false);
    const requestId = requestIdOf(response.id);
    const result = await stack.api.temporal.workflow.getHandle(chatWorkflowId(org, requestId)).result() as { answer: string; usage: { completionTokens: number } };
    expect(response.output_text).toBe(result.answer);
    expect(response.usage!.output_tokens).toBe(result.usage.completionTokens);
    const row = await settledRow(pool, org, requestId);
    expect(row).toMatchObject({ endpoint: 'responses', outcome: 'completed' });
    const stored = await pool.query('SELECT 1 FROM turns WHERE tenant_id = $1 AND request_id = $2', [org, requestId]);
    expect(stored.rowCount).toBe(0);
    const error = await client.responses.create({ model, input: 'Go on.', previous_response_id: response.id }).catch((failure: unknown) => failure);
    expect(error).toMatchObject({ status: 400, param: 'previous_response_id' });
    expect((error as Error).message).toContain('store: false');
  });

  it('refuses what it cannot serve in OpenAI\'s error shape, and points legacy completions elsewhere', async () => {
    await expect(client.responses.create({ model, input: 'hi', previous_response_id: 'resp_does-not-exist' })).rejects.toMatchObject({ status: 400, code: 'previous_response_not_found' });
    await expect(client.responses.create({ model: 'gpt-17', input: 'hi' })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client.responses.create({ model, input: 'hi', background: true })).rejects.toMatchObject({ status: 400, param: 'background' });
    await expect(client.responses.create({ model, input: [{ role: 'assistant', content: 'hello' }] })).rejects.toMatchObject({ status: 400, param: 'input' });
    await expect(client.responses.create({ model, input: [{ type: 'item_reference', id: 'msg_unknown' }] })).rejects.toMatchObject({ status: 400, param: 'input[0].id' });
    const legacy = await client.completions.create({ model, prompt: 'hi' }).catch((failure: unknown) => failure);
    expect(legacy).toBeInstanceOf(OpenAI.NotFoundError);
    expect(legacy).toMatchObject({ code: 'not_found', type: 'invalid_request_error' });
    expect((legacy as Error).message).toContain('/v1/chat/completions');
  });
});
