// Web search through a SearxNG-compatible JSON API (GET {endpoint}/search?q=…&format=json). The endpoint is
// operator configuration, not model input, so it is not subject to the fetch tool's allow-list; the response
// is still capped in size and time. Results are untrusted text for the model.
import { z } from 'zod';
import { webSearchArguments } from '../../domain/tools/tool-arguments.js';
import { parametersOf, parseArguments, ToolError, type Tool } from '../../domain/tools/tool.js';

export interface WebSearchToolOptions {
  /** Base URL of the SearxNG instance, e.g. http://searxng:8080 */
  endpoint: string;
  maxResults?: number;
  timeoutMs?: number;
  maxBytes?: number;
  /** Extra query parameters, e.g. { categories: 'general', language: 'en' }. */
  parameters?: Record<string, string>;
  fetch?: typeof fetch;
}

const name = 'web_search';
const searxResponse = z.object({
  results: z.array(z.object({
    url: z.string(),
    title: z.string().default(''),
    content: z.string().nullish(),
  }).loose()).default([]),
}).loose();

export function createWebSearchTool(options: WebSearchToolOptions): Tool {
  const maxResults = options.maxResults ?? 5;
  const timeoutMs = options.timeoutMs ?? 8000;
  const maxBytes = options.maxBytes ?? 2 * 1024 * 1024;
  const fetchImplementation = options.fetch ?? fetch;

  return {
    name,
    description: 'Searches the web and returns the top results (title, URL, snippet). Use for recent or general facts that the documents do not cover.',
    parameters: parametersOf(webSearchArguments),
    async run(args, context) {
      const { query } = parseArguments(name, webSearchArguments, args);
      const url = new URL('search', options.endpoint.endsWith('/') ? options.endpoint : `${options.endpoint}/`);
      for (const [key, value] of Object.entries({ ...options.parameters, q: query, format: 'json' })) url.searchParams.set(key, value);
      const signal = AbortSignal.any([context.signal, AbortSignal.timeout(timeoutMs)]);
      let body: string;
      try {
        const response = await fetchImplementation(url, { signal, headers: { accept: 'application/json' }, redirect: 'error' });
        if (!response.ok) throw new ToolError(name, 'upstream_failed', `search endpoint answered ${response.status}`, response.status >= 500 || response.status === 429);
        body = await readLimited(response, maxBytes);
      } catch (error) {
        if (error instanceof ToolError) throw error;
        context.signal.throwIfAborted();
        if (signal.aborted) throw new ToolError(name, 'timeout', `no answer within ${timeoutMs} ms`, true, { cause: error });
        throw new ToolError(name, 'upstream_failed', `search endpoint unreachable: ${(error as Error).message}`, true, { cause: error });
      }
      const parsed = searxResponse.safeParse(parseJson(body));
      if (!parsed.success) throw new ToolError(name, 'upstream_failed', 'search endpoint returned an unexpected document', false);
      const results = parsed.data.results.slice(0, maxResults);
      const content = results.length === 0
        ? `No web results for "${query}".`
        : results.map((result, index) => `${index + 1}. ${result.title}\n   ${result.url}\n   ${(result.content ?? '').replace(/\s+/g, ' ').trim()}`).join('\n');
      // The endpoint is internal configuration: it is not the source a client is shown.
      return { content, source: { tool: name, title: `Web search: ${query}` } };
    },
    accepts: (args) => webSearchArguments.safeParse(args).success,
    examples: [{ request: 'What is the latest news about the James Webb Space Telescope?', arguments: { query: 'James Webb Space Telescope latest news' } }],
  };
}

async function readLimited(response: Response, maxBytes: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let received = 0;
  for await (const chunk of response.body ?? []) {
    received += chunk.length;
    if (received > maxBytes) throw new ToolError(name, 'limit_exceeded', `search response exceeds ${maxBytes} bytes`, false);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
