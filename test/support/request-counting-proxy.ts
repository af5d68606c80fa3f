// A pass-through HTTP proxy that counts the requests it forwards by path: put in front of the local embedding
// server, it shows whether a step called the embedding model at all.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CountingProxy {
  /** The target's base URL through the proxy (same path as the target's). */
  url: string;
  /** Requests forwarded so far whose path ends with `suffix`. */
  count(suffix: string): number;
  close(): Promise<void>;
}

export async function startCountingProxy(targetBaseUrl: string): Promise<CountingProxy> {
  const target = new URL(targetBaseUrl);
  const paths: string[] = [];
  const server = createServer((request, response) => {
    void (async () => {
      paths.push(request.url!.split('?')[0]!);
      const body = Buffer.concat(await request.toArray());
      const headers: Record<string, string> = {};
      for (const name of ['content-type', 'authorization', 'accept']) {
        const value = request.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      const answer = await fetch(new URL(request.url!, target.origin), { method: request.method!, headers, ...(body.length > 0 ? { body } : {}) });
      response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/octet-stream' });
      response.end(Buffer.from(await answer.arrayBuffer()));
    })().catch((error: Error) => response.writeHead(502).end(error.message));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${target.pathname}`,
    count: (suffix) => paths.filter((path) => path.endsWith(suffix)).length,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
