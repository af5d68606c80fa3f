// A model server's stand-in that forwards every request to the real one (llama.cpp) unchanged and records what
// it received: tests assert the exact request the model server got (max_tokens, messages, sampling…).
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  path: string;
  body: Record<string, unknown>;
}

export class RecordingModelProxy {
  readonly received: RecordedRequest[] = [];
  private server?: Server;

  constructor(private readonly upstream: string) {}

  /** Starts on a free port; returns the base URL to register (same path as the upstream's, e.g. …/v1). */
  async start(): Promise<string> {
    const target = new URL(this.upstream);
    this.server = createServer((incoming, outgoing) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const raw = Buffer.concat(chunks);
        if (incoming.method === 'POST' && raw.length > 0) {
          try {
            this.received.push({ path: incoming.url ?? '', body: JSON.parse(raw.toString()) as Record<string, unknown> });
          } catch {
            this.received.push({ path: incoming.url ?? '', body: { unparsed: raw.toString() } });
          }
        }
        const forward = httpRequest({ host: target.hostname, port: target.port, path: incoming.url, method: incoming.method, headers: incoming.headers }, (response) => {
          outgoing.writeHead(response.statusCode ?? 502, response.headers);
          response.pipe(outgoing);
        });
        forward.on('error', () => outgoing.destroy());
        outgoing.on('close', () => forward.destroy());
        forward.end(raw);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${target.pathname}`;
  }

  /** Chat completion requests received since `from` (an index into `received`). */
  chatRequests(from = 0): Record<string, unknown>[] {
    return this.received.slice(from).filter((entry) => entry.path.endsWith('/chat/completions')).map((entry) => entry.body);
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
