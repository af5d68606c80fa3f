// Timeouts and caps at the edge: an idle WebSocket is closed, one that answers pings is not; the per-key and
// per-org caps on open sockets refuse the next upgrade with 429; slow headers and slow bodies are cut off.
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyFor } from '../support/identities.js';
import { startApi, uniqueTaskQueue, type TestApi } from '../support/stack.js';

const org = `limits-${randomUUID().slice(0, 6)}`;

function open(url: string, key: string, options: WebSocket.ClientOptions = {}): Promise<{ socket: WebSocket; status?: number; body?: string }> {
  const socket = new WebSocket(url, { headers: { authorization: `Bearer ${key}` }, ...options });
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ socket }));
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ socket, status: response.statusCode!, body }));
    });
    socket.once('error', reject);
  });
}

function closed(socket: WebSocket): Promise<{ code: number; reason: string; at: number }> {
  return new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString(), at: Date.now() })));
}

/** Sends raw HTTP and reports the status line the server answers with and when the connection closed. */
function rawRequest(url: string, parts: string[], gapMs: number): Promise<{ statusLine: string; elapsedMs: number }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(Number(port), hostname);
    let received = '';
    let timer: NodeJS.Timeout | undefined;
    socket.on('data', (chunk) => (received += chunk.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ statusLine: received.split('\r\n')[0] ?? '', elapsedMs: Date.now() - started });
    });
    let index = 0;
    const next = () => {
      if (socket.destroyed || index >= parts.length) return;
      socket.write(parts[index]!);
      index += 1;
      timer = setTimeout(next, gapMs);
    };
    socket.once('connect', next);
  });
}

describe('connection limits', () => {
  let api: TestApi;
  let key: string;
  beforeAll(async () => {
    api = await startApi(uniqueTaskQueue('limits'), {
      WS_IDLE_TIMEOUT_MS: '1500', WS_PING_INTERVAL_MS: '250', WS_MAX_SOCKETS_PER_KEY: '2', WS_MAX_SOCKETS_PER_ORG: '3',
      API_HEADERS_TIMEOUT_MS: '1000', API_REQUEST_TIMEOUT_MS: '2000',
    });
    key = await apiKeyFor(org);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('closes a socket that neither sends nor answers pings, telling it why, and keeps one that answers pings', async () => {
    const silent = (await open(api.wsUrl, key, { autoPong: false })).socket;
    const live = (await open(api.wsUrl, key)).socket;
    const told: string[] = [];
    silent.on('message', (raw) => told.push(raw.toString()));
    const opened = Date.now();
    const silentClosed = await closed(silent);
    expect(silentClosed.code).toBe(4408);
    expect(silentClosed.reason).toBe('idle_timeout');
    expect(silentClosed.at - opened).toBeGreaterThanOrEqual(1400);
    expect(silentClosed.at - opened).toBeLessThan(5000);
    expect(JSON.parse(told[0]!)).toMatchObject({ type: 'error', data: { code: 'idle_timeout' } });
    // Well past the idle timeout, the socket that answers pings is still open.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(live.readyState).toBe(WebSocket.OPEN);
    live.close();
    await closed(live);
  });

  it('refuses the socket over the per-key cap with 429 too_many_sockets, and admits again once one closes', async () => {
    const first = await open(api.wsUrl, key);
    const second = await open(api.wsUrl, key);
    const third = await open(api.wsUrl, key);
    expect(third.status).toBe(429);
    expect(JSON.parse(third.body!).error).toMatchObject({ code: 'too_many_sockets', message: expect.stringMatching(/this API key \(at most 2\)/) });
    first.socket.close();
    await closed(first.socket);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const again = await open(api.wsUrl, key);
    expect(again.status).toBeUndefined();
    for (const socket of [second.socket, again.socket]) socket.close();
    await Promise.all([closed(second.socket), closed(again.socket)]);
  });

  it('refuses the socket over the per-org cap even from another key of the org', async () => {
    const other = await apiKeyFor(org, { userId: 'other-user' });
    const third = await apiKeyFor(org, { userId: 'third-user' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const sockets = [await open(api.wsUrl, key), await open(api.wsUrl, key), await open(api.wsUrl, other)];
    expect(sockets.map((entry) => entry.status)).toEqual([undefined, undefined, undefined]);
    const refused = await open(api.wsUrl, third);
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body!).error.message).toMatch(/this organization \(at most 3\)/);
    for (const { socket } of sockets) socket.close();
    await Promise.all(sockets.map(({ socket }) => closed(socket)));
  });

  it('answers 408 to a client that trickles its headers, and to one that trickles its body', async () => {
    const headers = await rawRequest(api.url, ['GET /healthz HTTP/1.1\r\n', 'Host: x\r\n', 'X-A: 1\r\n', 'X-B: 1\r\n', 'X-C: 1\r\n', 'X-D: 1\r\n', 'X-E: 1\r\n', 'X-F: 1\r\n'], 400);
    expect(headers.statusLine).toMatch(/^HTTP\/1\.1 408/);
    expect(headers.elapsedMs).toBeLessThan(4000);
    const body = await rawRequest(api.url, [
      `POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n`,
      ...Array.from({ length: 20 }, () => ' '),
    ], 300);
    expect(body.statusLine).toMatch(/^HTTP\/1\.1 408/);
    expect(body.elapsedMs).toBeLessThan(5000);
  });
});
