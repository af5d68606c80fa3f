// A real tool call end to end: the packaged SmolLM2-135M on llama.cpp's server with the tool-calling chat
// template (infra/model-server/tool-calling-template.jinja, --jinja), registered with the tools capability,
// asked through Ragtime with the official `openai` client. The tiny model calls a tool only when the
// conversation shows it one call first (a one-shot example, as Ragtime's own tool step primes it); asked
// cold, with `tool_choice` auto or required, it answers in text (llama.cpp does not force the call).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { withDefaults } from '../../domain/routing/model-registration.js';
import { startModelStack, type ModelStack } from '../support/recording-stack.js';
import { startToolCallingModelServer, toolModelAlias, type ToolModelServer } from '../tools/tool-calling-model-server.js';

describe('SmolLM2 on llama.cpp calls a client tool through Ragtime', () => {
  let model: ToolModelServer;
  let stack: ModelStack;

  beforeAll(async () => {
    model = await startToolCallingModelServer('local-tool-call-model');
    stack = await startModelStack('local-tool-call', withDefaults({
      model: toolModelAlias, endpoint: model.baseUrl, environment: 'staging', contextLength: 8192, capabilities: { tools: true, jsonMode: false },
    }));
  }, 180_000);
  afterAll(async () => {
    await stack?.close();
    await model?.stop();
  });

  it('streams the model\'s tool call with its arguments and finish_reason tool_calls', { timeout: 240_000 }, async () => {
    const client = new OpenAI({ baseURL: stack.baseUrl, apiKey: stack.apiKey, maxRetries: 0, timeout: 230_000 });
    const stream = await client.chat.completions.create({
      model: toolModelAlias, temperature: 0, max_tokens: 40, stream: true,
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'The current weather of a city.', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }],
      messages: [
        { role: 'system', content: 'Call get_weather for every question about the weather.' },
        { role: 'user', content: 'What is the weather in Rome?' },
        { role: 'assistant', content: '', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Rome"}' } }] },
        { role: 'user', content: 'What is the weather in Paris?' },
      ],
    }, { headers: { 'cache-control': 'no-cache' } });
    const fragments: OpenAI.ChatCompletionChunk.Choice.Delta.ToolCall[] = [];
    const finishReasons: string[] = [];
    for await (const chunk of stream) {
      fragments.push(...(chunk.choices[0]?.delta.tool_calls ?? []));
      if (chunk.choices[0]?.finish_reason) finishReasons.push(chunk.choices[0].finish_reason);
    }
    expect(finishReasons).toEqual(['tool_calls']);
    expect(fragments[0]).toMatchObject({ index: 0, type: 'function', function: { name: 'get_weather' } });
    expect(JSON.parse(fragments.map((fragment) => fragment.function?.arguments ?? '').join(''))).toEqual({ city: 'Paris' });
  });
});
