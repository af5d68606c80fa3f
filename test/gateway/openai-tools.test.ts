// The official `openai` npm client, with only the base URL and key changed, against Ragtime whose model is a
// recording OpenAI-compatible upstream: tool calls (plain and streamed) come back, a tool result round trip
// works, response_format / seed / max_completion_tokens / tools reach the model server exactly as sent,
// content parts of any length are accepted, a capability the model lacks is a 400 naming it, PII in a tool
// argument is redacted, and tool-call tokens are charged like any other.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import type { ChatTurnResult } from '../../domain/chat/chat-request.js';
import { withDefaults } from '../../domain/routing/model-registration.js';
import { streamedAnswer } from '../support/routing-stack.js';
import { lastGeneration, recordingModel as model, startRecordingStack, type RecordingStack } from '../support/recording-stack.js';
import { holdTable, ledgerPool, settledRow, writeWaitingOn } from './gateway-helpers.js';

const weatherTool: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The current weather of a city.',
    parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } }, required: ['city'] },
  },
};
const noCache = { headers: { 'cache-control': 'no-cache' } };

describe('the openai npm client: tools, structured output, sampling and content parts through Ragtime', () => {
  let stack: RecordingStack;
  let client: OpenAI;
  const pool = ledgerPool();

  beforeAll(async () => {
    stack = await startRecordingStack('openai-tools');
    client = new OpenAI({ baseURL: stack.baseUrl, apiKey: stack.apiKey, maxRetries: 0 });
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
    await pool.end();
  });

  async function storedTurn(requestId: string): Promise<{ answer: string; outcome: string } | undefined> {
    return (await pool.query<{ answer: string; outcome: string }>('SELECT answer, outcome FROM turns WHERE tenant_id = $1 AND request_id = $2', [stack.org, requestId])).rows[0];
  }

  it('returns the model\'s tool call, sends the tools to the model server as sent, and charges the call\'s tokens', async () => {
    const completion = await client.chat.completions.create({
      model, messages: [{ role: 'user', content: 'What is the weather in Paris?' }], tools: [weatherTool], tool_choice: 'auto', parallel_tool_calls: false,
    }, noCache);
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls).toHaveLength(1);
    const call = choice.message.tool_calls![0]! as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(call.type).toBe('function');
    expect(call.id).toMatch(/^call_/);
    expect(call.function.name).toBe('get_weather');
    expect(JSON.parse(call.function.arguments)).toEqual({ city: 'Paris', unit: 'celsius' });

    const received = lastGeneration(stack.recorder);
    expect(received.tools).toEqual([weatherTool]);
    expect(received.tool_choice).toBe('auto');
    expect(received.parallel_tool_calls).toBe(false);

    // The recording server reports the call's header and its 9 argument pieces as completion tokens: charged as they are.
    const row = await settledRow(pool, stack.org, completion.id.replace(/^chatcmpl-/, ''));
    expect(completion.usage!.completion_tokens).toBe(10);
    expect(row).toMatchObject({ outcome: 'completed', completion_tokens: 10, model });
  });

  it('streams a tool call as fragments with their index, then finish_reason tool_calls and usage', async () => {
    const stream = await client.chat.completions.create({
      model, messages: [{ role: 'user', content: 'Weather in Paris, please.' }], tools: [weatherTool], stream: true, stream_options: { include_usage: true },
    }, noCache);
    const fragments: OpenAI.ChatCompletionChunk.Choice.Delta.ToolCall[] = [];
    const finishReasons: string[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      fragments.push(...(chunk.choices[0]?.delta.tool_calls ?? []));
      if (chunk.choices[0]?.finish_reason) finishReasons.push(chunk.choices[0].finish_reason);
      if (chunk.usage) usage = chunk.usage;
    }
    expect(finishReasons).toEqual(['tool_calls']);
    expect(fragments.length).toBeGreaterThan(1);
    expect(fragments.every((fragment) => fragment.index === 0)).toBe(true);
    expect(fragments[0]).toMatchObject({ type: 'function', function: { name: 'get_weather' } });
    expect(fragments[0]!.id).toMatch(/^call_/);
    expect(fragments.slice(1).every((fragment) => fragment.id === undefined)).toBe(true);
    expect(JSON.parse(fragments.map((fragment) => fragment.function?.arguments ?? '').join(''))).toEqual({ city: 'Paris', unit: 'celsius' });
    expect(usage!.completion_tokens).toBe(10);
  });

  it('continues with the tool\'s result: the assistant call and the tool message reach the model server', async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [
      { role: 'user', content: 'What is the weather in Paris?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_abc', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'call_abc', content: '18 degrees and sunny' },
    ];
    const completion = await client.chat.completions.create({ model, messages, tools: [weatherTool] }, noCache);
    expect(completion.choices[0]!.message.content).toBe('The tool answered: 18 degrees and sunny');
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    const received = lastGeneration(stack.recorder).messages as Record<string, unknown>[];
    expect(received.slice(-3)).toEqual([
      { role: 'user', content: 'What is the weather in Paris?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_abc', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', content: '18 degrees and sunny', tool_call_id: 'call_abc' },
    ]);
  });

  it('keeps tool calls and tool results in the history before the question', async () => {
    const earlier: OpenAI.ChatCompletionMessageParam[] = [
      { role: 'user', content: 'Weather in Rome?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_rome', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Rome"}' } }] },
      { role: 'tool', tool_call_id: 'call_rome', content: '21 degrees' },
      { role: 'assistant', content: 'It is 21 degrees in Rome.' },
    ];
    await client.chat.completions.create({ model, messages: [...earlier, { role: 'user', content: 'And in Paris?' }], tools: [weatherTool] }, noCache);
    const received = lastGeneration(stack.recorder).messages as Record<string, unknown>[];
    expect(received.slice(1)).toEqual([
      { role: 'user', content: 'Weather in Rome?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_rome', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Rome"}' } }] },
      { role: 'tool', content: '21 degrees', tool_call_id: 'call_rome' },
      { role: 'assistant', content: 'It is 21 degrees in Rome.' },
      { role: 'user', content: 'And in Paris?' },
    ]);
  });

  it('passes response_format, seed, max_completion_tokens, penalties and allowed server sampling through exactly', async () => {
    const schema = { type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer' } }, required: ['name', 'age'], additionalProperties: false };
    const completion = await client.chat.completions.create({
      model, messages: [{ role: 'user', content: 'Invent a person.' }],
      response_format: { type: 'json_schema', json_schema: { name: 'person', schema, strict: true } },
      seed: 42, max_completion_tokens: 3, frequency_penalty: 0.5, presence_penalty: -0.25, logit_bias: { '15339': -100 }, temperature: 0.2,
      // vLLM's own sampling fields, allowed for this model by its registration.
      ...{ top_k: 5, min_p: 0.1 },
    }, noCache);
    const received = lastGeneration(stack.recorder);
    expect(received).toMatchObject({
      response_format: { type: 'json_schema', json_schema: { name: 'person', schema, strict: true } },
      seed: 42, max_tokens: 3, frequency_penalty: 0.5, presence_penalty: -0.25, logit_bias: { '15339': -100 }, temperature: 0.2, top_k: 5, min_p: 0.1,
    });
    // Three pieces of the scripted JSON: the cap was honoured exactly, and the answer says it was cut.
    expect(completion.usage!.completion_tokens).toBe(3);
    expect(completion.choices[0]!.finish_reason).toBe('length');
  });

  it('accepts a one-element content array and joins text parts', async () => {
    const single = await client.chat.completions.create({ model, messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] }, noCache);
    expect(single.choices[0]!.message.content).toBe('Hello from the recording model.');
    expect((lastGeneration(stack.recorder).messages as { content: unknown }[]).at(-1)!.content).toBe('hi');
    await client.chat.completions.create({ model, messages: [{ role: 'user', content: [{ type: 'text', text: 'one ' }, { type: 'text', text: 'two ' }, { type: 'text', text: 'three' }] }] }, noCache);
    expect((lastGeneration(stack.recorder).messages as { content: unknown }[]).at(-1)!.content).toBe('one two three');
  });

  it('refuses what the model cannot do with a 400 naming the capability, before the model server is asked', async () => {
    const before = stack.recorder.requests.length;
    const image = client.chat.completions.create({
      model, messages: [{ role: 'user', content: [{ type: 'text', text: 'What is in this picture?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] }],
    });
    await expect(image).rejects.toMatchObject({ status: 400, code: 'bad_request', param: 'messages' });
    await expect(image).rejects.toThrow(/image input \(vision\)/);
    await expect(client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }], logprobs: true, top_logprobs: 2 }))
      .rejects.toMatchObject({ status: 400, param: 'logprobs', message: expect.stringMatching(/log probabilities/) });
    await expect(client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }], ...{ repetition_penalty: 1.1 } }))
      .rejects.toMatchObject({ status: 400, param: 'repetition_penalty', message: expect.stringMatching(/sampling parameter repetition_penalty/) });
    await expect(client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }], n: 2 })).rejects.toMatchObject({ status: 400, param: 'n' });
    expect(stack.recorder.requests.length).toBe(before);
  });

  it('redacts PII in a tool call\'s arguments, streamed and not, as it redacts text', async () => {
    stack.recorder.reply = () => ({ toolCalls: [{ name: 'send_mail', arguments: JSON.stringify({ to: 'ada.lovelace@example.com', body: 'Hello' }) }] });
    try {
      const mailTool: OpenAI.ChatCompletionTool = { type: 'function', function: { name: 'send_mail', parameters: { type: 'object', properties: { to: { type: 'string' }, body: { type: 'string' } } } } };
      const request = { model, messages: [{ role: 'user' as const, content: `Mail Ada hello (${randomUUID().slice(0, 4)}).` }], tools: [mailTool] };
      const plain = await client.chat.completions.create(request, noCache);
      const call = plain.choices[0]!.message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
      expect(call.function.arguments).not.toContain('ada.lovelace@example.com');
      expect(JSON.parse(call.function.arguments)).toEqual({ to: '[redacted:email]', body: 'Hello' });

      const stream = await client.chat.completions.create({ ...request, stream: true }, noCache);
      let streamed = '';
      for await (const chunk of stream) streamed += chunk.choices[0]?.delta.tool_calls?.map((fragment) => fragment.function?.arguments ?? '').join('') ?? '';
      expect(JSON.parse(streamed)).toEqual({ to: '[redacted:email]', body: 'Hello' });
    } finally {
      delete stack.recorder.reply;
    }
  });

  it('answers a non-streamed completion before its turn is stored, with the stored turn\'s answer and the workflow\'s result', { timeout: 120_000 }, async () => {
    // A line restating a source list: streamed as written, taken out of the answer that is kept.
    stack.recorder.reply = () => ({ text: 'Blue and green.\n[1] colour-chart', toolCalls: [{ name: 'get_weather', arguments: JSON.stringify({ city: 'Paris' }) }] });
    const lock = await holdTable(pool, 'turns');
    let requestId = '';
    try {
      const completion = await client.chat.completions.create({ model, messages: [{ role: 'user', content: `Two colours (${randomUUID().slice(0, 4)}).` }], tools: [weatherTool] }, { ...noCache, timeout: 60_000 });
      requestId = completion.id.replace(/^chatcmpl-/, '');
      // Answered while persist waits on the lock: the turn is not stored yet.
      expect(await storedTurn(requestId), 'the completion waited for its turn to be stored').toBeUndefined();
      expect(await writeWaitingOn(pool, 'turns'), 'no persist step was waiting on the turns table').toBe(true);
      const workflowId = (completion as unknown as { ragtime: { workflow_id: string } }).ragtime.workflow_id;
      const events = await stack.harness.events.range(workflowId, 0);
      expect(events.some((event) => event.type === 'answer.done')).toBe(true);
      expect(streamedAnswer(events)).toBe('Blue and green.\n[1] colour-chart');
      lock.release();
      const result = await stack.api.temporal.workflow.getHandle(workflowId).result() as ChatTurnResult;
      const choice = completion.choices[0]!;
      expect(choice.message.content).toBe('Blue and green.');
      expect(choice.message.content).toBe(result.answer);
      expect(choice.message.tool_calls).toEqual(result.toolCalls);
      expect(choice.finish_reason).toBe('tool_calls');
      expect(completion.usage).toEqual({ prompt_tokens: result.usage.promptTokens, completion_tokens: result.usage.completionTokens, total_tokens: result.usage.promptTokens + result.usage.completionTokens });
      expect(await storedTurn(requestId)).toEqual({ answer: 'Blue and green.', outcome: 'completed' });
      expect(await settledRow(pool, stack.org, requestId)).toMatchObject({ outcome: 'completed', completion_tokens: result.usage.completionTokens });
    } finally {
      lock.release();
      delete stack.recorder.reply;
    }
  });

  it('caches a streamed answer as it is kept, so a later identical request gets what a non-streamed one would', async () => {
    stack.recorder.reply = () => ({ text: 'Blue and green.\n[1] colour-chart' });
    try {
      const request = { model, messages: [{ role: 'user' as const, content: `Two colours again (${randomUUID().slice(0, 4)}).` }] };
      let streamed = '';
      for await (const chunk of await client.chat.completions.create({ ...request, stream: true })) streamed += chunk.choices[0]?.delta.content ?? '';
      expect(streamed).toBe('Blue and green.\n[1] colour-chart');
      const hit = await client.chat.completions.create(request).withResponse();
      expect(hit.response.headers.get('x-ragtime-cache')).toBe('hit');
      expect(hit.data.choices[0]!.message.content).toBe('Blue and green.');
    } finally {
      delete stack.recorder.reply;
    }
  });

  it('returns log probabilities from a model registered with them, streamed and not', async () => {
    const registration = (await stack.harness.registry.list('staging')).find((entry) => entry.model === model)!;
    await stack.harness.registry.register(withDefaults({ ...registration, capabilities: { ...registration.capabilities, logprobs: true } }));
    try {
      const request = { model, messages: [{ role: 'user' as const, content: 'Say hello.' }], logprobs: true, top_logprobs: 2 };
      const plain = await client.chat.completions.create(request);
      expect(lastGeneration(stack.recorder)).toMatchObject({ logprobs: true, top_logprobs: 2 });
      const tokens = plain.choices[0]!.logprobs!.content!;
      expect(tokens.map((token) => token.token).join('')).toBe(plain.choices[0]!.message.content);
      expect(tokens[0]).toMatchObject({ logprob: -0.25, top_logprobs: [{ token: 'Hell#0' }, { token: 'Hell#1' }] });

      const stream = await client.chat.completions.create({ ...request, stream: true });
      const streamed: OpenAI.ChatCompletionTokenLogprob[] = [];
      let text = '';
      for await (const chunk of stream) {
        streamed.push(...(chunk.choices[0]?.logprobs?.content ?? []));
        text += chunk.choices[0]?.delta.content ?? '';
      }
      expect(streamed.map((token) => token.token).join('')).toBe(text);
      expect(streamed).toEqual(tokens);
    } finally {
      await stack.harness.registry.register(registration);
    }
  });

  it('forwards image parts in order to a model registered with vision', async () => {
    const registration = (await stack.harness.registry.list('staging')).find((entry) => entry.model === model)!;
    await stack.harness.registry.register(withDefaults({ ...registration, capabilities: { ...registration.capabilities, vision: true } }));
    try {
      const image = { type: 'image_url' as const, image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' as const } };
      await client.chat.completions.create({ model, messages: [{ role: 'user', content: [{ type: 'text', text: 'Compare ' }, image, { type: 'text', text: 'with this one.' }] }] }, noCache);
      expect((lastGeneration(stack.recorder).messages as { content: unknown }[]).at(-1)!.content).toEqual([{ type: 'text', text: 'Compare ' }, image, { type: 'text', text: 'with this one.' }]);
      await client.chat.completions.create({ model, messages: [{ role: 'user', content: [image] }] }, noCache);
      expect((lastGeneration(stack.recorder).messages as { content: unknown }[]).at(-1)!.content).toEqual([image]);
    } finally {
      await stack.harness.registry.register(registration);
    }
  });

  it('answers a cache hit with the cached answer\'s usage, streamed and not, marked as cached and free in the ledger', async () => {
    const request = { model, messages: [{ role: 'user' as const, content: `Say hello ${randomUUID().slice(0, 6)}.` }], max_completion_tokens: 64 };
    const first = await client.chat.completions.create(request);
    const hit = await client.chat.completions.create(request).withResponse();
    expect(hit.response.headers.get('x-ragtime-cache')).toBe('hit');
    expect(hit.data.usage).toEqual(first.usage);
    expect(hit.data.usage!.completion_tokens).toBeGreaterThan(0);
    expect((hit.data as unknown as { ragtime: { cached: boolean } }).ragtime.cached).toBe(true);
    expect(await settledRow(pool, stack.org, hit.data.id.replace(/^chatcmpl-/, ''))).toMatchObject({ cached: true, cost_micros: '0', completion_tokens: 0 });

    const stream = await client.chat.completions.create({ ...request, stream: true, stream_options: { include_usage: true } });
    let usage: OpenAI.CompletionUsage | null | undefined;
    let cached: boolean | undefined;
    for await (const chunk of stream) {
      if (chunk.usage) {
        usage = chunk.usage;
        cached = (chunk as unknown as { ragtime: { cached: boolean } }).ragtime.cached;
      }
    }
    expect(usage).toEqual(first.usage);
    expect(cached).toBe(true);
  });
});
