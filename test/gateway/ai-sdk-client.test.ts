// The Vercel AI SDK (`ai` with `@ai-sdk/openai`'s `.chat()` provider and `@ai-sdk/openai-compatible`), with
// only the base URL and key changed, against Ragtime whose model is the recording upstream: generateText and
// streamText with a tool over two steps (the SDK runs the tool and sends its result back), and generateObject.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateObject, generateText, stepCountIs, streamText, tool, type LanguageModel } from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { z } from 'zod';
import { lastGeneration, recordingModel, startRecordingStack, type RecordingStack } from '../support/recording-stack.js';

const weather = tool({
  description: 'The current weather of a city.',
  inputSchema: z.object({ city: z.string(), unit: z.enum(['celsius', 'fahrenheit']).optional() }),
  execute: async ({ city }) => `It is 18 degrees in ${city}.`,
});

describe('the AI SDK against Ragtime', () => {
  let stack: RecordingStack;
  const providers: [string, () => LanguageModel][] = [
    ['@ai-sdk/openai .chat()', () => createOpenAI({ baseURL: stack.baseUrl, apiKey: stack.apiKey, headers: { 'cache-control': 'no-cache' } }).chat(recordingModel)],
    ['@ai-sdk/openai-compatible', () => createOpenAICompatible({
      name: 'ragtime', baseURL: stack.baseUrl, apiKey: stack.apiKey, headers: { 'cache-control': 'no-cache' }, includeUsage: true, supportsStructuredOutputs: true,
    }).chatModel(recordingModel)],
  ];

  beforeAll(async () => {
    stack = await startRecordingStack('ai-sdk');
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  describe.each(providers)('%s', (_name, model) => {
    it('generateText runs a tool over two steps', async () => {
      const result = await generateText({ model: model(), tools: { get_weather: weather }, stopWhen: stepCountIs(2), prompt: 'What is the weather in Paris?', maxRetries: 0 });
      expect(result.steps).toHaveLength(2);
      expect(result.steps[0]!.toolCalls).toEqual([expect.objectContaining({ toolName: 'get_weather', input: { city: 'Paris', unit: 'celsius' } })]);
      expect(result.steps[0]!.finishReason).toBe('tool-calls');
      expect(result.text).toContain('It is 18 degrees in Paris.');
      expect(result.totalUsage.outputTokens).toBeGreaterThan(0);
      const sent = lastGeneration(stack.recorder).messages as { role: string; tool_call_id?: string }[];
      expect(sent.map((message) => message.role).slice(-3)).toEqual(['user', 'assistant', 'tool']);
    });

    it('streamText runs a tool over two steps and reports usage', async () => {
      const result = streamText({ model: model(), tools: { get_weather: weather }, stopWhen: stepCountIs(2), prompt: 'Weather in Paris, please.', maxRetries: 0 });
      const kinds = new Set<string>();
      for await (const part of result.fullStream) kinds.add(part.type);
      expect(kinds).toContain('tool-call');
      expect(kinds).toContain('tool-result');
      expect(await result.text).toContain('It is 18 degrees in Paris.');
      expect((await result.steps)).toHaveLength(2);
      expect((await result.totalUsage).outputTokens).toBeGreaterThan(0);
    });

    it('generateObject gets an object through response_format json_schema', async () => {
      const { object } = await generateObject({ model: model(), schema: z.object({ name: z.string(), age: z.number() }), prompt: 'Invent a person.', maxRetries: 0 });
      expect(object).toEqual({ name: 'Ada', age: 36 });
      const format = lastGeneration(stack.recorder).response_format as { type: string; json_schema: { schema: { properties: Record<string, unknown> } } };
      expect(format.type).toBe('json_schema');
      expect(Object.keys(format.json_schema.schema.properties)).toEqual(['name', 'age']);
    });
  });
});
