// One HTTP(S) GET that a DNS answer cannot redirect: the host is resolved once per hop, every address it
// resolves to must pass the address policy (network-address-policy.ts), and the connection goes to the
// address that was checked (the Host header and TLS name stay the URL's), so a second, different answer
// (DNS rebinding) is never used. Redirects are followed by hand and each target is checked the same way.
// Shared by the http_fetch tool and ingestion's SourceReader; each maps PinnedGetError to its own errors.
// The address policy itself is pure and lives in the domain (domain/tools/network-address-policy.ts).
import { lookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { RagtimeError } from '../../domain/errors.js';
import { checkAddress } from '../../domain/tools/network-address-policy.js';

export type PinnedGetFailure = 'forbidden' | 'unresolvable' | 'bad-redirect' | 'too-many-redirects' | 'timeout' | 'failed';

/** Why a pinned GET failed; its code is the kind of failure, which each caller maps to its own errors. */
export class PinnedGetError extends RagtimeError {
  constructor(readonly kind: PinnedGetFailure, message: string, retryable: boolean, options?: { cause?: unknown }) {
    super(kind, message, { retryable, cause: options?.cause });
  }
}

/** Name resolution: every address of a host name. */
export type ResolveHost = (hostname: string) => Promise<string[]>;

export async function systemResolve(hostname: string): Promise<string[]> {
  const answers = await lookup(hostname, { all: true, verbatim: true });
  return answers.map((answer) => answer.address);
}

const redirectStatuses = new Set([301, 302, 303, 307, 308]);

export interface PinnedGetOptions<T> {
  /** CIDRs of internal networks that may be contacted on purpose (never metadata endpoints). */
  trustedNetworks: readonly string[];
  resolveHost?: ResolveHost;
  maxRedirects: number;
  /** For the whole exchange, redirects included. */
  timeoutMs: number;
  signal?: AbortSignal;
  headers: Record<string, string>;
  /** Called for the first URL and every redirect target before it is resolved; throws to refuse it. */
  vetUrl?: (url: URL) => void;
  /** Reads a final (non-redirect) response; what it throws reaches the caller unchanged. */
  read: (url: URL, response: IncomingMessage) => Promise<T>;
}

type Hop<T> = { kind: 'redirect'; location: string | undefined; status: number } | { kind: 'response'; status: number; value: T } | { kind: 'read-failed'; error: unknown };

export async function pinnedGet<T>(start: URL, options: PinnedGetOptions<T>): Promise<{ url: URL; status: number; value: T }> {
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  let url = start;
  for (let redirects = 0; ; redirects += 1) {
    const address = await vetTarget(url, options);
    let hop: Hop<T>;
    try {
      hop = await requestOnce(url, address, options, signal);
    } catch (error) {
      options.signal?.throwIfAborted();
      if (deadline.aborted) throw new PinnedGetError('timeout', `no complete response within ${options.timeoutMs} ms`, true, { cause: error });
      throw new PinnedGetError('failed', `request to ${url.host} failed: ${(error as Error).message}`, true, { cause: error });
    }
    if (hop.kind === 'read-failed') throw hop.error;
    if (hop.kind === 'response') return { url, status: hop.status, value: hop.value };
    if (!hop.location) throw new PinnedGetError('bad-redirect', `redirect ${hop.status} without a location`, false);
    if (redirects >= options.maxRedirects) throw new PinnedGetError('too-many-redirects', `more than ${options.maxRedirects} redirects`, false);
    try {
      url = new URL(hop.location, url);
    } catch (error) {
      throw new PinnedGetError('bad-redirect', `redirect ${hop.status} to an invalid location`, false, { cause: error });
    }
  }
}

/** The checked address to connect to for `url`. */
async function vetTarget(url: URL, options: PinnedGetOptions<unknown>): Promise<string> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new PinnedGetError('forbidden', `scheme ${url.protocol} is not allowed`, false);
  if (url.username || url.password) throw new PinnedGetError('forbidden', 'URLs with credentials are not allowed', false);
  options.vetUrl?.(url);
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isIP(literal)) addresses = [literal];
  else {
    try {
      addresses = await (options.resolveHost ?? systemResolve)(url.hostname);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new PinnedGetError('unresolvable', `cannot resolve ${url.hostname}${code ? ` (${code})` : ''}`, code !== 'ENOTFOUND', { cause: error });
    }
  }
  if (addresses.length === 0) throw new PinnedGetError('unresolvable', `${url.hostname} has no addresses`, true);
  for (const address of addresses) {
    const decision = checkAddress(address, options.trustedNetworks);
    if (!decision.allowed) throw new PinnedGetError('forbidden', `${url.hostname} resolves to a forbidden address: ${decision.reason}`, false);
  }
  return addresses[0]!;
}

function requestOnce<T>(url: URL, address: string, options: PinnedGetOptions<T>, signal: AbortSignal): Promise<Hop<T>> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<Hop<T>>((resolve, reject) => {
    const outgoing = request(
      {
        host: address,
        port: url.port || (url.protocol === 'https:' ? 443 : 80),
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers: { ...options.headers, host: url.host },
        servername: isIP(url.hostname.replace(/^\[|\]$/g, '')) ? undefined : url.hostname,
        signal,
        agent: false,
      },
      (response) => {
        const status = response.statusCode ?? 0;
        if (redirectStatuses.has(status)) {
          response.resume();
          resolve({ kind: 'redirect', status, location: response.headers.location });
          return;
        }
        options.read(url, response).then((value) => resolve({ kind: 'response', status, value }), (error: unknown) => {
          // A body cut short (deadline, caller, a reset: Node's E… codes) is a transport failure, not the reader's verdict.
          if (signal.aborted || /^E[A-Z_]+$/.test(String((error as NodeJS.ErrnoException).code))) reject(error);
          else resolve({ kind: 'read-failed', error });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}
