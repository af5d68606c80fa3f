import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpFetchTool } from '../../infra/tools/http-fetch-tool.js';
import { checkAddress } from '../../domain/tools/network-address-policy.js';
import { ToolError } from '../../domain/tools/tool.js';

// A local server on 127.0.0.1 plays the allowed site. Loopback is itself forbidden, so the tests that need a
// first successful hop trust 127.0.0.1/32 explicitly, as an operator would trust an internal network.
let server: Server;
let port: number;
let requests: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    requests.push(request.url ?? '');
    const target = new URL(request.url ?? '/', 'http://local');
    if (target.pathname === '/page') {
      response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('hello from the allowed host');
    } else if (target.pathname === '/article') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end('<html><head><title>Station notes</title><script>track()</script></head><body><nav>Home</nav><h1>Notes</h1><p>The mast runs <b>18 months</b>.</p></body></html>');
    } else if (target.pathname === '/redirect') {
      response.writeHead(302, { location: target.searchParams.get('to') ?? '/page' });
      response.end();
    } else if (target.pathname === '/large') {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end('x'.repeat(5000));
    } else if (target.pathname === '/binary') {
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      response.end(Buffer.alloc(10));
    } else if (target.pathname === '/slow') {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('partial');
      setTimeout(() => response.end(), 3000).unref();
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('missing');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const context = () => ({ signal: new AbortController().signal, tenant: 'acme' });

async function refusal(run: Promise<unknown>): Promise<ToolError> {
  const error = await run.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(ToolError);
  return error as ToolError;
}

describe('network address policy', () => {
  it.each([
    '127.0.0.1', '127.5.5.5', '10.0.0.1', '172.16.3.4', '192.168.1.1', '100.64.0.1', '169.254.169.254', '0.0.0.0',
    '::1', '::', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:169.254.169.254', '64:ff9b::7f00:1', '2002:7f00:1::',
    '224.0.0.1', '255.255.255.255', '192.0.2.1', '198.18.0.1', '168.63.129.16', 'fd00:ec2::254', '100.100.100.200',
  ])('refuses %s', (address) => {
    expect(checkAddress(address).allowed).toBe(false);
  });

  it.each(['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111'])('allows public %s', (address) => {
    expect(checkAddress(address)).toEqual({ allowed: true });
  });

  it('never lets a trusted network cover a metadata address', () => {
    expect(checkAddress('169.254.169.254', ['169.254.0.0/16']).allowed).toBe(false);
    expect(checkAddress('169.254.1.1', ['169.254.0.0/16']).allowed).toBe(true);
  });
});

describe('http_fetch tool', () => {
  it('fetches an allowed page from a trusted network', async () => {
    const tool = createHttpFetchTool({ allowedHosts: [`127.0.0.1:${port}`], trustedNetworks: ['127.0.0.1/32'] });
    const result = await tool.run({ url: `http://127.0.0.1:${port}/page` }, context());
    expect(result.content).toBe('hello from the allowed host');
    expect(result.source).toEqual({ tool: 'http_fetch', title: `http://127.0.0.1:${port}/page`, url: `http://127.0.0.1:${port}/page` });
  });

  it('hands on an HTML page as its text, titled by the page', async () => {
    const tool = createHttpFetchTool({ allowedHosts: [`127.0.0.1:${port}`], trustedNetworks: ['127.0.0.1/32'] });
    const result = await tool.run({ url: `http://127.0.0.1:${port}/article` }, context());
    expect(result.content).toBe('# Notes\n\nThe mast runs **18 months**.');
    expect(result.source).toEqual({ tool: 'http_fetch', title: 'Station notes', url: `http://127.0.0.1:${port}/article` });
  });

  it('accepts, without fetching, only http(s) URLs on the allow-list', () => {
    const tool = createHttpFetchTool({ allowedHosts: ['docs.example.com'] });
    expect(tool.accepts!({ url: 'https://docs.example.com/guide' })).toBe(true);
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'https://evil.example.net/', 'ftp://docs.example.com/x', 'https://user:pw@docs.example.com/', 'not a url']) {
      expect(tool.accepts!({ url })).toBe(false);
    }
  });

  it.each([
    ['loopback', (p: number) => `http://127.0.0.1:${p}/page`],
    ['decimal IPv4', (p: number) => `http://2130706433:${p}/page`],
    ['hexadecimal IPv4', (p: number) => `http://0x7f000001:${p}/page`],
    ['octal IPv4', (p: number) => `http://0177.0.0.1:${p}/page`],
    ['short IPv4', (p: number) => `http://127.1:${p}/page`],
    ['IPv6 loopback', (p: number) => `http://[::1]:${p}/page`],
    ['IPv4-mapped IPv6 loopback', (p: number) => `http://[::ffff:7f00:1]:${p}/page`],
  ])('refuses %s spelled as an allowed host without connecting', async (_label, url) => {
    const tool = createHttpFetchTool({ allowedHosts: [`127.0.0.1:${port}`, `[::1]:${port}`, `[::ffff:7f00:1]:${port}`] });
    requests = [];
    const error = await refusal(tool.run({ url: url(port) }, context()));
    expect(error.code).toBe('refused');
    expect(error.retryable).toBe(false);
    expect(requests).toEqual([]);
  });

  it('refuses localhost, which the system resolver maps to loopback', async () => {
    const tool = createHttpFetchTool({ allowedHosts: [`localhost:${port}`] });
    requests = [];
    const error = await refusal(tool.run({ url: `http://localhost:${port}/page` }, context()));
    expect(error.message).toMatch(/forbidden address.*loopback/);
    expect(requests).toEqual([]);
  });

  it.each([
    ['private', '10.1.2.3'], ['link-local metadata', '169.254.169.254'], ['carrier-grade NAT', '100.64.1.1'],
    ['unique-local IPv6', 'fd12::5'], ['mixed answer with one private address', '93.184.215.14,192.168.0.10'],
  ])('refuses an allowed name whose DNS answer is %s', async (_label, answer) => {
    const tool = createHttpFetchTool({ allowedHosts: ['docs.example.test'], resolveHost: async () => answer.split(',') });
    const error = await refusal(tool.run({ url: 'https://docs.example.test/guide' }, context()));
    expect(error.code).toBe('refused');
  });

  it.each([
    ['a metadata address', 'http://169.254.169.254/latest/meta-data/iam/security-credentials/'],
    ['an IPv4-mapped metadata address', 'http://[::ffff:169.254.169.254]/latest/meta-data/'],
    ['a host off the allow-list', 'http://internal.example.test/'],
    ['another scheme', 'file:///etc/passwd'],
  ])('refuses a redirect to %s', async (_label, target) => {
    const tool = createHttpFetchTool({
      allowedHosts: [`127.0.0.1:${port}`, '169.254.169.254', '[::ffff:169.254.169.254]'],
      trustedNetworks: ['127.0.0.1/32'],
    });
    requests = [];
    const error = await refusal(tool.run({ url: `http://127.0.0.1:${port}/redirect?to=${encodeURIComponent(target)}` }, context()));
    expect(error.code).toBe('refused');
    expect(requests).toEqual([`/redirect?to=${encodeURIComponent(target)}`]);
  });

  it('follows an allowed redirect and re-checks it', async () => {
    const tool = createHttpFetchTool({ allowedHosts: [`127.0.0.1:${port}`], trustedNetworks: ['127.0.0.1/32'] });
    const result = await tool.run({ url: `http://127.0.0.1:${port}/redirect?to=/page` }, context());
    expect(result.content).toBe('hello from the allowed host');
  });

  it('stops after the redirect limit', async () => {
    const tool = createHttpFetchTool({ allowedHosts: [`127.0.0.1:${port}`], trustedNetworks: ['127.0.0.1/32'], maxRedirects: 2 });
    const loop = `/redirect?to=${encodeURIComponent(`/redirect?to=${encodeURIComponent('/redirect?to=/page')}`)}`;
    const error = await refusal(tool.run({ url: `http://127.0.0.1:${port}${loop}` }, context()));
    expect(error.code).toBe('limit_exceeded');
  });

  it('enforces the size limit, the content type and the time limit', async () => {
    const tool = createHttpFetchTool({ allowedHosts: [`127.0.0.1:${port}`], trustedNetworks: ['127.0.0.1/32'], maxBytes: 1000, timeoutMs: 300 });
    expect((await refusal(tool.run({ url: `http://127.0.0.1:${port}/large` }, context()))).code).toBe('limit_exceeded');
    expect((await refusal(tool.run({ url: `http://127.0.0.1:${port}/binary` }, context()))).code).toBe('refused');
    const timeout = await refusal(tool.run({ url: `http://127.0.0.1:${port}/slow` }, context()));
    expect(timeout.code).toBe('timeout');
    expect(timeout.retryable).toBe(true);
  });

  it('rejects arguments that are not a URL', async () => {
    const tool = createHttpFetchTool({ allowedHosts: [] });
    expect((await refusal(tool.run({ url: 'not a url' }, context()))).code).toBe('invalid_arguments');
  });
});
