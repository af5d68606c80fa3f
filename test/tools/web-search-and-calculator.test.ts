import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calculate, createCalculatorTool } from '../../domain/tools/calculator-tool.js';
import { ToolError } from '../../domain/tools/tool.js';
import { ToolRegistry } from '../../domain/tools/tool-registry.js';
import { createWebSearchTool } from '../../infra/tools/web-search-tool.js';

// A SearxNG stand-in speaking its JSON API: /search?q=…&format=json → { query, results: [{ url, title, content, engine }] }.
let server: Server;
let endpoint: string;
const seen: URLSearchParams[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://local');
    seen.push(url.searchParams);
    if (url.pathname !== '/searx/search' || url.searchParams.get('format') !== 'json') {
      response.writeHead(404).end();
      return;
    }
    const query = url.searchParams.get('q') ?? '';
    if (query === 'fail') {
      response.writeHead(503).end();
      return;
    }
    if (query === 'stall') return;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({
      query,
      number_of_results: 3,
      results: [1, 2, 3].map((index) => ({ url: `https://example.org/${index}`, title: `Result ${index} for ${query}`, content: `Snippet\n ${index}`, engine: 'duckduckgo' })),
    }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/searx`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const context = () => ({ signal: new AbortController().signal, tenant: 'acme' });

describe('web_search tool', () => {
  it('returns numbered results from a SearxNG-compatible endpoint', async () => {
    const tool = createWebSearchTool({ endpoint, maxResults: 2, parameters: { language: 'en' } });
    const result = await tool.run({ query: 'temporal workflows' }, context());
    expect(result.content).toBe([
      '1. Result 1 for temporal workflows\n   https://example.org/1\n   Snippet 1',
      '2. Result 2 for temporal workflows\n   https://example.org/2\n   Snippet 2',
    ].join('\n'));
    expect(result.source.title).toBe('Web search: temporal workflows');
    expect(seen.at(-1)?.get('language')).toBe('en');
  });

  it('reports upstream failures and timeouts as retryable', async () => {
    const tool = createWebSearchTool({ endpoint, timeoutMs: 200 });
    const failed = await tool.run({ query: 'fail' }, context()).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(ToolError);
    expect((failed as ToolError).retryable).toBe(true);
    const stalled = await tool.run({ query: 'stall' }, context()).catch((error: unknown) => error);
    expect((stalled as ToolError).code).toBe('timeout');
  });
});

describe('calculator tool', () => {
  it('evaluates arithmetic', async () => {
    const tool = createCalculatorTool();
    expect((await tool.run({ expression: '(1200 * 1.07^3) / 12' }, context())).content).toBe('(1200 * 1.07^3) / 12 = 122.5043');
    expect(calculate('sqrt(16) + 5! - max(1, 2) % 2')).toBe(124);
  });

  it.each([
    ['x = 1', 'assignment'], ['f(x) = x', 'functionassignment'], ['cos.constructor', 'accessor'], ['import({}, {})', 'function "import"'],
    ['evaluate("1+1")', 'function "evaluate"'], ['[1, 2]', 'array'], ['5 cm', 'unknown name "cm"'], ['"text"', 'only numbers'],
    ['1 ? 2 : 3', 'conditional'], ['171!', 'factorial is limited'], ['process', 'unknown name'],
  ])('refuses %s', async (expression, reason) => {
    const error = await createCalculatorTool().run({ expression }, context()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ToolError);
    expect((error as ToolError).code).toBe('invalid_arguments');
    expect((error as Error).message).toContain(reason);
  });
});

describe('ToolRegistry', () => {
  it('lists OpenAI tool definitions with JSON-schema parameters and runs tools by name', async () => {
    const registry = new ToolRegistry([createCalculatorTool(), createWebSearchTool({ endpoint })]);
    expect(registry.names()).toEqual(['calculator', 'web_search']);
    expect(registry.definitions()[0]).toMatchObject({
      type: 'function',
      function: { name: 'calculator', parameters: { type: 'object', required: ['expression'], properties: { expression: { type: 'string' } } } },
    });
    expect((await registry.run('calculator', { expression: '2+2' }, context())).content).toBe('2+2 = 4');
    await expect(registry.run('shell', {}, context())).rejects.toThrow(/no tool named "shell"/);
  });
});
