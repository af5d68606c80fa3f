// Fetches a web page for the model, defending against server-side request forgery: the host must be on the
// allow-list, the name is resolved here and every address it resolves to must be public (see
// network-address-policy.ts), the connection goes to the address that was checked (pinned-http-get.ts, shared with
// ingestion), and each redirect is followed by hand and checked again. Responses are capped in
// size and time and must be text; HTML is handed on as its text (Markdown), as ingestion reads it.
import type { IncomingMessage } from 'node:http';
import { DocumentError } from '../../ingestion/parsed-document.js';
import { htmlToDocument } from '../../ingestion/parsers/parse-html.js';
import { isHostAllowed, parseAllowedHosts } from '../../domain/tools/host-allow-list.js';
import { acceptsHttpFetch, httpFetchArguments } from '../../domain/tools/tool-arguments.js';
import { parametersOf, parseArguments, ToolError, type Tool, type ToolContext } from '../../domain/tools/tool.js';
import { pinnedGet, PinnedGetError, type ResolveHost } from './pinned-http-get.js';

export interface HttpFetchToolOptions {
  /** "host", "host:port" or "*.domain" entries; see host-allow-list.ts. */
  allowedHosts: readonly string[];
  /** CIDRs of internal networks that may be contacted on purpose (never metadata endpoints). */
  trustedNetworks?: readonly string[];
  maxBytes?: number;
  timeoutMs?: number;
  maxRedirects?: number;
  userAgent?: string;
  /** Name resolution; defaults to the operating system resolver (all addresses). */
  resolveHost?: ResolveHost;
}

const textTypes = /^(?:text\/[\w.+-]+|application\/(?:[\w.-]+\+)?(?:json|xml)|application\/xhtml\+xml)$/i;
const name = 'http_fetch';

interface Page {
  contentType: string;
  body: string;
}

export function createHttpFetchTool(options: HttpFetchToolOptions): Tool {
  const allowed = parseAllowedHosts(options.allowedHosts);
  const trustedNetworks = options.trustedNetworks ?? [];
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxRedirects = options.maxRedirects ?? 5;
  const userAgent = options.userAgent ?? 'ragtime-http-fetch/1';
  const exampleHost = allowed.find((entry) => !entry.subdomains && entry.port === undefined)?.host;

  function refuse(message: string): never {
    throw new ToolError(name, 'refused', message, false);
  }

  async function readResponse(response: IncomingMessage): Promise<Page> {
    const declared = Number(response.headers['content-length'] ?? 0);
    if (declared > maxBytes) {
      response.destroy();
      throw new ToolError(name, 'limit_exceeded', `response of ${declared} bytes exceeds the ${maxBytes}-byte limit`, false);
    }
    const contentType = (response.headers['content-type'] ?? 'application/octet-stream').split(';')[0]!.trim();
    if (!textTypes.test(contentType)) {
      response.destroy();
      throw new ToolError(name, 'refused', `content type ${contentType} is not text`, false);
    }
    const chunks: Buffer[] = [];
    let received = 0;
    for await (const chunk of response as AsyncIterable<Buffer>) {
      received += chunk.length;
      if (received > maxBytes) {
        response.destroy();
        throw new ToolError(name, 'limit_exceeded', `response exceeds the ${maxBytes}-byte limit`, false);
      }
      chunks.push(chunk);
    }
    return { contentType, body: decode(Buffer.concat(chunks), response.headers['content-type']) };
  }

  async function fetchFollowingRedirects(start: URL, context: ToolContext): Promise<{ url: URL; status: number; page: Page }> {
    try {
      const { url, status, value } = await pinnedGet(start, {
        trustedNetworks, maxRedirects, timeoutMs, signal: context.signal, resolveHost: options.resolveHost,
        headers: { 'user-agent': userAgent, accept: 'text/html, text/plain, application/json;q=0.9, */*;q=0.1' },
        vetUrl: (url) => {
          if (!isHostAllowed(url, allowed)) refuse(`host ${url.host} is not on the allow-list`);
        },
        read: (_url, response) => readResponse(response),
      });
      return { url, status, page: value };
    } catch (error) {
      if (!(error instanceof PinnedGetError)) throw error;
      const code = { forbidden: 'refused', unresolvable: 'upstream_failed', 'bad-redirect': 'upstream_failed', 'too-many-redirects': 'limit_exceeded', timeout: 'timeout', failed: 'upstream_failed' } as const;
      throw new ToolError(name, code[error.kind], error.message, error.retryable, { cause: error });
    }
  }

  const readPage = (html: string, url: string) => {
    try {
      return htmlToDocument(html, url);
    } catch (error) {
      if (error instanceof DocumentError) throw new ToolError(name, 'limit_exceeded', error.message, false);
      throw error;
    }
  };

  return {
    name,
    description: `Fetches a web page or document over HTTP(S) and returns its text. Only these hosts are reachable: ${options.allowedHosts.join(', ') || '(none)'}.`,
    parameters: parametersOf(httpFetchArguments),
    async run(args, context) {
      const { url: requested } = parseArguments(name, httpFetchArguments, args);
      const { url, status, page } = await fetchFollowingRedirects(new URL(requested), context);
      if (status >= 400) {
        throw new ToolError(name, 'upstream_failed', `${url.host} answered ${status}`, status >= 500 || status === 429);
      }
      if (/html/i.test(page.contentType)) {
        // Markup is noise to a model: the page's text as Markdown, as ingestion reads HTML.
        const document = readPage(page.body, url.toString());
        return { content: document.text, source: { tool: name, title: document.title, url: url.toString() } };
      }
      return { content: page.body, source: { tool: name, title: url.toString(), url: url.toString() } };
    },
    accepts: (args) => acceptsHttpFetch(args, allowed),
    examples: exampleHost ? [{ request: `Summarise https://${exampleHost}/`, arguments: { url: `https://${exampleHost}/` } }] : [],
  };
}

function decode(body: Buffer, contentType: string | undefined): string {
  const charset = /charset=["']?([\w-]+)/i.exec(contentType ?? '')?.[1] ?? 'utf-8';
  try {
    return new TextDecoder(charset).decode(body);
  } catch {
    return new TextDecoder('utf-8').decode(body);
  }
}
