// A worker's /metrics: its own prom-client series followed by the Temporal SDK's worker metrics, which the
// SDK core serves on a private loopback port.
import http from 'node:http';
import type { Registry } from 'prom-client';

export async function startMetricsServer(options: { port: number; host: string; registry: Registry; sdkMetricsUrl?: string }): Promise<http.Server> {
  const server = http.createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(request.url === '/healthz' ? 200 : 404, { 'content-type': 'text/plain' }).end(request.url === '/healthz' ? 'ok' : 'not found');
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
