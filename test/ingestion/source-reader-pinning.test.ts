// Ingestion's URL reads cannot be rebound: the name is resolved once per hop and the connection goes to the
// address that was checked, every redirect hop is checked again, and a URL that does not parse fails as
// itself. Real HTTP servers on loopback addresses: 127.0.0.2 stands for an allowed address (a trusted
// network), 127.0.0.1 is the loopback target an attacker wants, and is never trusted here.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceReader } from '../../infra/ingestion/source-reader.js';
import { SourceError } from '../../ingestion/ingestion-errors.js';

describe('SourceReader against DNS rebinding and redirects', () => {
  let port: number;
  let victimRequests: string[];
  let victim: http.Server;
  let allowed: http.Server;

  beforeAll(async () => {
    victimRequests = [];
    victim = http.createServer((request, response) => {
      victimRequests.push(request.url ?? '');
      response.writeHead(200, { 'content-type': 'text/plain' }).end('loopback secret');
    });
    await new Promise<void>((resolve) => victim.listen(0, '127.0.0.1', resolve));
    port = (victim.address() as AddressInfo).port;
    allowed = http.createServer((request, response) => {
      if (request.url === '/to-loopback') response.writeHead(302, { location: `http://127.0.0.1:${port}/secret` }).end();
      else if (request.url === '/to-rebound-name') response.writeHead(302, { location: `http://rebind.test:${port}/secret` }).end();
      else if (request.url === '/to-allowed') response.writeHead(301, { location: '/page' }).end();
      else response.writeHead(200, { 'content-type': 'text/plain' }).end(`public page ${request.url}`);
    });
    // Same port on another loopback address, so one URL can reach either server depending on the answer.
    await new Promise<void>((resolve) => allowed.listen(port, '127.0.0.2', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => victim?.close(resolve));
    await new Promise((resolve) => allowed?.close(resolve));
  });

  /** Answers `first` once, then loopback for ever: the rebinding attacker's DNS. */
  function rebindingResolver(first: string) {
    const calls: string[] = [];
    return {
      calls,
      resolveHost: async (hostname: string) => {
        calls.push(hostname);
        return [calls.length === 1 ? first : '127.0.0.1'];
      },
    };
  }

  const reader = (resolveHost: (hostname: string) => Promise<string[]>, timeoutMs = 5_000) =>
    new SourceReader({ maxBytes: 1_000_000, timeoutMs, trustedNetworks: ['127.0.0.2/32'], resolveHost });

  it('connects to the address it checked, not to a second answer', async () => {
    const dns = rebindingResolver('127.0.0.2');
    const { bytes } = await reader(dns.resolveHost).read(`http://rebind.test:${port}/doc`);
    expect(Buffer.from(bytes).toString()).toBe('public page /doc');
    expect(dns.calls).toEqual(['rebind.test']);
    expect(victimRequests).toEqual([]);
  });

  it('never reaches loopback when the name first answers a public address', async () => {
    const dns = rebindingResolver('93.184.215.14');
    const error = await reader(dns.resolveHost, 1_500).read(`http://rebind.test:${port}/doc`).catch((caught: unknown) => caught);
    // No route to the public address from here: the read fails, and it never tried the loopback answer.
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).code).toBe('fetch-failed');
    expect(dns.calls).toEqual(['rebind.test']);
    expect(victimRequests).toEqual([]);
  });

  it('checks every redirect hop: to a loopback address or a name now answering loopback, both refused', async () => {
    for (const path of ['/to-loopback', '/to-rebound-name']) {
      const dns = rebindingResolver('127.0.0.2');
      const error = await reader(dns.resolveHost).read(`http://rebind.test:${port}${path}`).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(SourceError);
      expect(error).toMatchObject({ code: 'forbidden-source', retryable: false });
      expect((error as SourceError).message).toMatch(/loopback/);
    }
    expect(victimRequests).toEqual([]);
  });

  it('follows a redirect to an allowed address', async () => {
    const { bytes } = await reader(async () => ['127.0.0.2']).read(`http://rebind.test:${port}/to-allowed`);
    expect(Buffer.from(bytes).toString()).toBe('public page /page');
  });

  it.each(['http://example.com:99999/', 'http://[fe80::1%25lo]/'])('fails %s as an invalid source, not retried', async (source) => {
    const error = await reader(async () => ['127.0.0.2']).read(source).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({ code: 'invalid-source', retryable: false, message: `${source}: not a valid URL` });
  });
});
