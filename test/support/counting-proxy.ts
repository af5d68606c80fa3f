// A model server's stand-in for accounting tests: forwards to the real one and counts what it served.
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Forwards to a model server, counting the content chunks it passes on and the completion tokens the server
 * reports in finished streams (a token that completes no character has no content chunk); optionally cuts
 * the first stream.
 */
export class CountingProxy {
  contentChunks = 0;
  reportedCompletionTokens = 0;
  private server!: Server;
  constructor(private readonly upstream: string, private cutAfterChunks?: number) {}

  async start(): Promise<string> {
    const target = new URL(this.upstream);
    this.server = createServer((incoming, outgoing) => {
      const forward = httpRequest({ host: target.hostname, port: target.port, path: incoming.url, method: incoming.method, headers: incoming.headers }, (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        const cut = this.cutAfterChunks;
        this.cutAfterChunks = undefined;
        let sent = 0;
        let buffered = '';
        response.on('data', (data: Buffer) => {
          buffered += data.toString();
          const events = buffered.split('\n\n');
          buffered = events.pop()!;
          for (const event of events) {
            if (cut !== undefined && sent >= cut) {
              response.destroy();
              outgoing.destroy();
              return;
            }
            if (/"content":"[^"]/.test(event)) {
              this.contentChunks += 1;
              sent += 1;
            }
            const reported = /"completion_tokens":(\d+)/.exec(event);
            if (reported) this.reportedCompletionTokens += Number(reported[1]);
            outgoing.write(`${event}\n\n`);
          }
        });
        response.on('end', () => outgoing.end(buffered));
      });
      forward.on('error', () => outgoing.destroy());
      incoming.pipe(forward);
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${target.pathname}`;
  }

  close(): void {
    this.server.closeAllConnections();
    this.server.close();
  }
}
