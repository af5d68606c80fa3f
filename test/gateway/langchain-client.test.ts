// LangChain's `@langchain/openai` ChatOpenAI, with only the base URL and key changed, against Ragtime whose
// model is the recording upstream: bindTools and a tool result round trip, withStructuredOutput (its default
// json_schema method reaches the model server), and streaming with usage.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatOpenAI } from '@langchain/openai';
import { AIMessage, AIMessageChunk, HumanMessage, ToolMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { z } from 'zod';
import { lastGeneration, recordingModel, startRecordingStack, type RecordingStack } from '../support/recording-stack.js';

const getWeather = tool(async ({ city }) => `It is 18 degrees in ${city}.`, {
  name: 'get_weather',
  description: 'The current weather of a city.',
  schema: z.object({ city: z.string(), unit: z.enum(['celsius', 'fahrenheit']).optional() }),
});

describe('LangChain ChatOpenAI against Ragtime', () => {
  let stack: RecordingStack;
  let chat: ChatOpenAI;

  beforeAll(async () => {
    stack = await startRecordingStack('langchain');
    chat = new ChatOpenAI({
      model: recordingModel, apiKey: stack.apiKey, maxRetries: 0,
      configuration: { baseURL: stack.baseUrl, defaultHeaders: { 'cache-control': 'no-cache' } },
    });
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('calls a bound tool and answers from its result', async () => {
    const withTools = chat.bindTools([getWeather]);
    const question = new HumanMessage('What is the weather in Paris?');
    const call = await withTools.invoke([question]);
    expect(call.tool_calls).toHaveLength(1);
    expect(call.tool_calls![0]).toMatchObject({ name: 'get_weather', args: { city: 'Paris', unit: 'celsius' } });
    expect((lastGeneration(stack.recorder).tools as { function: { name: string } }[])[0]!.function.name).toBe('get_weather');

    const result = await getWeather.invoke(call.tool_calls![0]!);
    expect(result).toBeInstanceOf(ToolMessage);
    const answer = await withTools.invoke([question, call as AIMessage, result as ToolMessage]);
    expect(answer.content).toBe('The tool answered: It is 18 degrees in Paris.');
    const sent = lastGeneration(stack.recorder).messages as { role: string; tool_call_id?: string }[];
    expect(sent.map((message) => message.role).slice(-3)).toEqual(['user', 'assistant', 'tool']);
    expect(sent.at(-1)!.tool_call_id).toBe(call.tool_calls![0]!.id);
  });

  it('returns structured output through response_format json_schema', async () => {
    const person = z.object({ name: z.string(), age: z.number() });
    const structured = chat.withStructuredOutput(person, { name: 'person' });
    expect(await structured.invoke('Invent a person.')).toEqual({ name: 'Ada', age: 36 });
    const format = lastGeneration(stack.recorder).response_format as { type: string; json_schema: { name: string; schema: { required: string[] } } };
    expect(format.type).toBe('json_schema');
    expect(format.json_schema.name).toBe('person');
    expect(format.json_schema.schema.required).toEqual(['name', 'age']);
  });

  it('streams with usage, and streams a tool call', async () => {
    let text = '';
    let last: AIMessageChunk | undefined;
    for await (const chunk of await chat.stream('Say hello.')) {
      text += String(chunk.content);
      last = last ? last.concat(chunk) : chunk;
    }
    expect(text).toBe('Hello from the recording model.');
    expect(last!.usage_metadata!.output_tokens).toBeGreaterThan(0);
    expect(last!.usage_metadata!.total_tokens).toBe(last!.usage_metadata!.input_tokens + last!.usage_metadata!.output_tokens);

    let gathered: AIMessageChunk | undefined;
    for await (const chunk of await chat.bindTools([getWeather]).stream('Weather in Paris?')) gathered = gathered ? gathered.concat(chunk) : chunk;
    expect(gathered!.tool_calls).toEqual([expect.objectContaining({ name: 'get_weather', args: { city: 'Paris', unit: 'celsius' } })]);
  });
});
