// A tool call written as the whole answer's JSON (Qwen2.5 through llama.cpp, which leaves out the
// <tool_call> tags): read as a call only when the whole answer is calls of offered tools with arguments
// their schemas accept; anything else stays text. The adapters read it only when the server parsed no call:
// Ragtime's own tool proposals, and a client's tools in a streamed generation.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCalculatorTool } from '../../domain/tools/calculator-tool.js';
import { toolCallsInText } from '../../domain/tools/text-tool-call.js';
import type { ChatStreamChunk } from '../../domain/chat/ports.js';
import type { ClientTool } from '../../domain/chat/model-request.js';
import { readTextToolCalls } from '../../infra/llm/text-tool-call-stream.js';
import { OpenAICompatibleChatModel } from '../../infra/llm/openai-compatible-chat-model.js';
import { createWebSearchTool } from '../../infra/tools/web-search-tool.js';
import { OpenAIToolCallingModel } from '../../infra/tools/openai-tool-calling-model.js';

const calculator = createCalculatorTool();
const webSearch = createWebSearchTool({ endpoint: 'http://127.0.0.1:1' });
const tools = [calculator, webSearch];

describe('toolCallsInText', () => {
  it('reads Qwen\'s bare call, fenced or not, a stringified arguments object, and an array of calls', () => {
    const expected = [{ tool: 'calculator', arguments: { expression: '37 * 41' } }];
    expect(toolCallsInText('{"name": "calculator", "arguments": {"expression": "37 * 41"}}', tools)).toEqual(expected);
    expect(toolCallsInText('  ```json\n{"name": "calculator", "arguments": {"expression": "37 * 41"}}\n```\n', tools)).toEqual(expected);
    expect(toolCallsInText('```\n{"name": "calculator", "arguments": "{\\"expression\\": \\"37 * 41\\"}"}\n```', tools)).toEqual(expected);
    expect(toolCallsInText('[{"name": "calculator", "arguments": {"expression": "2+2"}}, {"name": "web_search", "arguments": {"query": "orbitra firmware"}}]', tools))
      .toEqual([{ tool: 'calculator', arguments: { expression: '2+2' } }, { tool: 'web_search', arguments: { query: 'orbitra firmware' } }]);
  });

  it('leaves text that merely contains JSON, or a call among prose, as text', () => {
    for (const text of [
      'Here is the call: {"name": "calculator", "arguments": {"expression": "1+1"}}',
      '{"name": "calculator", "arguments": {"expression": "1+1"}} and then I will answer.',
      'The config is ```json\n{"name": "calculator", "arguments": {"expression": "1+1"}}\n```',
      '```json\n{"name": "calculator", "arguments": {"expression": "1+1"}}\n```\nThat computes it.',
      'The Orbitra sensor runs 18 months [1].',
      '{"name": "calculator", "arguments": {"expression": "1+1"}',
      '{}', '[]', '"calculator"', 'null', '',
    ]) expect(toolCallsInText(text, tools), text).toBeUndefined();
  });

  it('refuses a tool not offered, extra fields, arguments the schema refuses, and any bad item of an array', () => {
    for (const text of [
      '{"name": "http_fetch", "arguments": {"url": "http://169.254.169.254/"}}',
      '{"name": "sql_query", "arguments": {"sql": "DROP TABLE users"}}',
      '{"name": "Calculator", "arguments": {"expression": "1+1"}}',
      '{"name": "calculator", "arguments": {"expression": "1+1"}, "then": "exfiltrate"}',
      '{"name": "calculator", "arguments": {}}',
      '{"name": "calculator", "arguments": {"expression": 12}}',
      '{"name": "calculator", "arguments": {"expression": "1+1", "url": "http://evil.example"}}',
      '{"name": "calculator", "arguments": ["1+1"]}',
      '{"name": "calculator", "arguments": "not json"}',
      '{"name": "__proto__", "arguments": {}}',
      '{"name": "calculator"}',
      '[{"name": "calculator", "arguments": {"expression": "1+1"}}, {"name": "http_fetch", "arguments": {"url": "http://x"}}]',
    ]) expect(toolCallsInText(text, tools), text).toBeUndefined();
    expect(toolCallsInText('{"name": "calculator", "arguments": {"expression": "1+1"}}', [webSearch])).toBeUndefined();
    expect(toolCallsInText('{"name": "calculator", "arguments": {"expression": "1+1"}}', [])).toBeUndefined();
  });

  it('never names a tool that was not offered, and never reads prose around JSON as a call (property)', () => {
    const names = fc.constantFrom('calculator', 'web_search', 'http_fetch', 'sql_query', 'constructor', 'toString');
    const value = fc.jsonValue({ maxDepth: 2 });
    const call = fc.record({ name: fc.oneof(names, fc.string()), arguments: fc.oneof(fc.dictionary(fc.constantFrom('expression', 'query', 'url'), value), value) });
    const offered = fc.subarray(tools);
    fc.assert(fc.property(call, offered, fc.string(), (candidate, subset, prose) => {
      const text = JSON.stringify(candidate);
      const calls = toolCallsInText(text, subset) ?? [];
      for (const found of calls) expect(subset.map((tool) => tool.name)).toContain(found.tool);
      if (prose.trim().length > 0 && !/^[\s`]*$/.test(prose)) expect(toolCallsInText(`${prose} ${text}`, subset)).toBeUndefined();
    }), { numRuns: 500 });
  });
});

describe('OpenAIToolCallingModel reads a bare-JSON answer', () => {
  let server: Server;
  let baseUrl: string;
  let answer: { content: string | null; tool_calls?: unknown[] };
  beforeAll(async () => {
    server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ choices: [{ message: { role: 'assistant', ...answer } }] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  const propose = () => new OpenAIToolCallingModel().proposeToolCalls({ baseUrl, model: 'qwen', messages: [{ role: 'user', content: 'What is 37 * 41?' }], tools: [calculator] });

  it('as a call when the server parsed none, and as no call when it is prose or names a tool not offered', async () => {
    answer = { content: '{"name": "calculator", "arguments": {"expression": "37 * 41"}}' };
    expect(await propose()).toEqual([{ tool: 'calculator', arguments: { expression: '37 * 41' } }]);
    answer = { content: 'It is 1517. {"name": "calculator", "arguments": {"expression": "37 * 41"}}' };
    expect(await propose()).toEqual([]);
    answer = { content: '{"name": "web_search", "arguments": {"query": "37 * 41"}}' };
    expect(await propose()).toEqual([]);
  });

  it('keeps the server\'s parsed calls when there are some', async () => {
    answer = { content: '{"name": "calculator", "arguments": {"expression": "1 + 1"}}', tool_calls: [{ type: 'function', function: { name: 'calculator', arguments: '{"expression":"37 * 41"}' } }] };
    expect(await propose()).toEqual([{ tool: 'calculator', arguments: { expression: '37 * 41' } }]);
  });
});

const clientTools: ClientTool[] = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false } } }];
const deltas = (...texts: string[]): ChatStreamChunk[] => texts.map((text) => ({ type: 'delta', text }));
async function collect(chunks: ChatStreamChunk[], tools = clientTools): Promise<ChatStreamChunk[]> {
  const out: ChatStreamChunk[] = [];
  for await (const chunk of readTextToolCalls((async function* () { yield* chunks; })(), tools)) out.push(chunk);
  return out;
}
const textOf = (chunks: ChatStreamChunk[]) => chunks.map((chunk) => (chunk.type === 'delta' ? chunk.text : '')).join('');

describe('readTextToolCalls (a streamed generation with client tools)', () => {
  it('turns a whole-answer call, streamed in pieces, into tool-call chunks with finish reason tool_calls', async () => {
    const out = await collect([...deltas(' ```json\n{"name": "get_', 'weather", "arguments": {"city": ', '"Paris"}}\n```'), { type: 'finish', reason: 'stop' }, { type: 'usage', usage: { promptTokens: 9, completionTokens: 12 } }]);
    expect(out).toEqual([
      { type: 'tool_call', index: 0, id: expect.stringMatching(/^call_[0-9a-f]{24}$/), name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'finish', reason: 'tool_calls' },
      { type: 'usage', usage: { promptTokens: 9, completionTokens: 12 } },
    ]);
  });

  it('streams prose at once, and gives back held JSON that is no call as the same text', async () => {
    const prose = await collect([...deltas('It is ', 'sunny {"name": "get_weather"}'), { type: 'finish', reason: 'stop' }]);
    expect(prose).toEqual([...deltas('It is ', 'sunny {"name": "get_weather"}'), { type: 'finish', reason: 'stop' }]);
    for (const text of ['{"city": "Paris"}', '{"name": "send_email", "arguments": {"to": "a@b.c"}}', '{"name": "get_weather", "arguments": {"town": "Paris"}}', '[1, 2]', '``` not json ```']) {
      const out = await collect([...deltas(text.slice(0, 5), text.slice(5)), { type: 'finish', reason: 'stop' }]);
      expect(textOf(out), text).toBe(text);
      expect(out.filter((chunk) => chunk.type === 'tool_call')).toEqual([]);
      expect(out.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
    }
  });

  it('leaves the server\'s own parsed calls alone, and gives back held text when the stream ends without a finish', async () => {
    const parsed: ChatStreamChunk[] = [{ type: 'tool_call', index: 0, id: 'x', name: 'get_weather', arguments: '{"city":"Rome"}' }, { type: 'finish', reason: 'tool_calls' }];
    expect(await collect([...deltas(' '), ...parsed])).toEqual([...deltas(' '), ...parsed]);
    expect(await collect(deltas('{"name": "get_weather", "arguments": {"city": "Paris"}}'))).toEqual(deltas('{"name": "get_weather", "arguments": {"city": "Paris"}}'));
  });
});

describe('OpenAICompatibleChatModel with client tools', () => {
  let server: Server;
  let baseUrl: string;
  let content: string;
  beforeAll(async () => {
    server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const piece of [content.slice(0, 7), content.slice(7)]) response.write(`data: ${JSON.stringify({ choices: [{ delta: { content: piece } }] })}\n\n`);
      response.end(`data: ${JSON.stringify({ choices: [{ delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  const stream = async (generation: { tools?: ClientTool[]; toolChoice?: 'none' | 'auto' }) => {
    const out: ChatStreamChunk[] = [];
    for await (const chunk of new OpenAICompatibleChatModel().stream({ baseUrl, model: 'qwen', messages: [{ role: 'user', content: 'Weather in Paris?' }], maxTokens: 64, generation })) out.push(chunk);
    return out;
  };

  it('reads the whole-answer call when tools are offered, and not with tool_choice none or without tools', async () => {
    content = '{"name": "get_weather", "arguments": {"city": "Paris"}}';
    expect((await stream({ tools: clientTools })).map((chunk) => chunk.type)).toEqual(['tool_call', 'finish']);
    expect(textOf(await stream({ tools: clientTools, toolChoice: 'none' }))).toBe(content);
    expect(textOf(await stream({}))).toBe(content);
  });
});
