// A worker's /metrics: its own prom-client series followed by the Temporal SDK's worker metrics, which the
// SDK core serves on a private loopback port. /healthz answers 503 while the event-loop watchdog reports a
// recent stall.
import http from 'node:http';
import type { Registry } from 'prom-client';
import type { EventLoopWatchdog } from './event-loop-watchdog.js';

export interface MetricsServerOptions {
  port: number;
  host: string;
  registry: Registry;
  sdkMetricsUrl?: string;
  watchdog?: EventLoopWatchdog;
}

export async function startMetricsServer(options: MetricsServerOptions): Promise<http.Server> {
  const server = http.createServer((request, response) => {
    if (request.url === '/healthz') {
      const health = options.watchdog?.health() ?? { healthy: true };
      const body = health.healthy ? { status: 'ok', ...health } : { status: 'stalled', ...health };
      response.writeHead(health.healthy ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      return;
    }
    if (request.url !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    void (async () => {
      const own = await options.registry.metrics();
      const sdk = options.sdkMetricsUrl ? await fetch(options.sdkMetricsUrl).then((reply) => reply.text()).catch(() => '') : '';
      response.writeHead(200, { 'content-type': options.registry.contentType }).end(`${own}\n${sdk}`);
    })().catch(() => response.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
  return server;
}
