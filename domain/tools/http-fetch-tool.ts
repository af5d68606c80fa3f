// Fetches a web page for the model, defending against server-side request forgery: the host must be on the
// allow-list, the name is resolved here and every address it resolves to must be public (see
// network-address-policy.ts), the connection goes to the address that was checked (so a second DNS answer
// cannot swap in another), and each redirect is followed by hand and checked again. Responses are capped in
// size and time and must be text; HTML is handed on as its text (Markdown), as ingestion reads it.
import { lookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { z } from 'zod';
import { htmlToDocument } from '../../ingestion/parsers/parse-html.js';
import { isHostAllowed, parseAllowedHosts } from './host-allow-list.js';
import { checkAddress } from './network-address-policy.js';
import { parametersOf, parseArguments, ToolError, type Tool, type ToolContext } from './tool.js';

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
  resolveHost?: (hostname: string) => Promise<string[]>;
}

const argumentsSchema = z.object({
  url: z.string().url().max(2048).describe('Absolute http(s) URL on an allowed host'),
});

const textTypes = /^(?:text\/[\w.+-]+|application\/(?:[\w.-]+\+)?(?:json|xml)|application\/xhtml\+xml)$/i;
const redirectStatuses = new Set([301, 302, 303, 307, 308]);
const name = 'http_fetch';

async function systemResolve(hostname: string): Promise<string[]> {
  const answers = await lookup(hostname, { all: true, verbatim: true });
  return answers.map((answer) => answer.address);
}

type Hop = { kind: 'redirect'; location: URL } | { kind: 'response'; status: number; contentType: string; body: string };

export function createHttpFetchTool(options: HttpFetchToolOptions): Tool {
  const allowed = parseAllowedHosts(options.allowedHosts);
  const trustedNetworks = options.trustedNetworks ?? [];
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxRedirects = options.maxRedirects ?? 5;
  const resolveHost = options.resolveHost ?? systemResolve;
  const userAgent = options.userAgent ?? 'ragtime-http-fetch/1';
  const exampleHost = allowed.find((entry) => !entry.subdomains && entry.port === undefined)?.host;

  function refuse(message: string): never {
    throw new ToolError(name, 'refused', message, false);
  }

  /** The checked address to connect to for `url`, or a refusal. */
  async function vetTarget(url: URL): Promise<string> {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') refuse(`scheme ${url.protocol} is not allowed`);
    if (url.username || url.password) refuse('URLs with credentials are not allowed');
    if (!isHostAllowed(url, allowed)) refuse(`host ${url.host} is not on the allow-list`);
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    let addresses: string[];
    if (isIP(literal)) addresses = [literal];
    else {
      try {
        addresses = await resolveHost(url.hostname);
      } catch (error) {
        throw new ToolError(name, 'upstream_failed', `cannot resolve ${url.hostname}`, true, { cause: error });
      }
    }
    if (addresses.length === 0) throw new ToolError(name, 'upstream_failed', `${url.hostname} has no addresses`, true);
    for (const address of addresses) {
      const decision = checkAddress(address, trustedNetworks);
      if (!decision.allowed) refuse(`${url.hostname} resolves to a forbidden address: ${decision.reason}`);
    }
    return addresses[0]!;
  }

  function fetchHop(url: URL, address: string, signal: AbortSignal): Promise<Hop> {
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<Hop>((resolve, reject) => {
      const outgoing = request(
        {
          host: address,
          port: url.port || (url.protocol === 'https:' ? 443 : 80),
          path: `${url.pathname}${url.search}`,
          method: 'GET',
          headers: { host: url.host, 'user-agent': userAgent, accept: 'text/html, text/plain, application/json;q=0.9, */*;q=0.1' },
          servername: isIP(url.hostname.replace(/^\[|\]$/g, '')) ? undefined : url.hostname,
          signal,
          agent: false,
        },
        (response) => {
          readResponse(url, response).then(resolve, reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end();
    });
  }

  async function readResponse(url: URL, response: IncomingMessage): Promise<Hop> {
    const status = response.statusCode ?? 0;
    if (redirectStatuses.has(status)) {
      response.resume();
      const location = response.headers.location;
      if (!location) throw new ToolError(name, 'upstream_failed', `redirect ${status} without a location`, false);
      return { kind: 'redirect', location: new URL(location, url) };
    }
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
    return { kind: 'response', status, contentType, body: decode(Buffer.concat(chunks), response.headers['content-type']) };
  }

  async function fetchFollowingRedirects(start: URL, context: ToolContext): Promise<{ url: URL; hop: Extract<Hop, { kind: 'response' }> }> {
    const signal = AbortSignal.any([context.signal, AbortSignal.timeout(timeoutMs)]);
    let url = start;
    for (let redirects = 0; ; redirects += 1) {
      const address = await vetTarget(url);
      let hop: Hop;
      try {
        hop = await fetchHop(url, address, signal);
      } catch (error) {
        if (error instanceof ToolError) throw error;
        context.signal.throwIfAborted();
        if (signal.aborted) throw new ToolError(name, 'timeout', `no complete response within ${timeoutMs} ms`, true, { cause: error });
        throw new ToolError(name, 'upstream_failed', `request to ${url.host} failed: ${(error as Error).message}`, true, { cause: error });
      }
      if (hop.kind === 'response') return { url, hop };
      if (redirects >= maxRedirects) throw new ToolError(name, 'limit_exceeded', `more than ${maxRedirects} redirects`, false);
      url = hop.location;
    }
  }

  return {
    name,
    description: `Fetches a web page or document over HTTP(S) and returns its text. Only these hosts are reachable: ${options.allowedHosts.join(', ') || '(none)'}.`,
    parameters: parametersOf(argumentsSchema),
    async run(args, context) {
      const { url: requested } = parseArguments(name, argumentsSchema, args);
      const { url, hop } = await fetchFollowingRedirects(new URL(requested), context);
      if (hop.status >= 400) {
        throw new ToolError(name, 'upstream_failed', `${url.host} answered ${hop.status}`, hop.status >= 500 || hop.status === 429);
      }
      if (/html/i.test(hop.contentType)) {
        // Markup is noise to a model: the page's text as Markdown, as ingestion reads HTML.
        const page = htmlToDocument(hop.body, url.toString());
        return { content: page.text, source: { tool: name, title: page.title, url: url.toString() } };
      }
      return { content: hop.body, source: { tool: name, title: url.toString(), url: url.toString() } };
    },
    accepts(args) {
      const parsed = argumentsSchema.safeParse(args);
      if (!parsed.success) return false;
      const url = new URL(parsed.data.url);
      return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password && isHostAllowed(url, allowed);
    },
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
