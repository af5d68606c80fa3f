import net from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function listenOn(port: number): Promise<net.Server | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** A free port whose successor is free too: a worker serves /metrics on METRICS_PORT and the SDK's on the next. */
export async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const first = await listenOn(0);
    const port = (first?.address() as net.AddressInfo | undefined)?.port;
    const second = port && port < 65535 ? await listenOn(port + 1) : undefined;
    await Promise.all([first, second].map((server) => new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)))));
    if (port && second) return port;
  }
  throw new Error('no two consecutive free ports');
}
