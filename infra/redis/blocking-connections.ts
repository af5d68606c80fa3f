// Connections for blocking reads (XREAD BLOCK), kept for the next relay instead of one new connection,
// with its TCP and protocol handshake, per request. A blocking read occupies its connection, so each relay
// holds one while it runs; one interrupted mid-read (the client left) is closed, never reused.
import type { Redis } from 'ioredis';

export class BlockingConnectionPool {
  private idle: Redis[] = [];
  private closed = false;

  constructor(private readonly source: Redis, private readonly maxIdle = 256) {}

  acquire(): Redis {
    return this.idle.pop() ?? this.source.duplicate();
  }

  /** Back to the pool when no read is in flight on it; `reusable: false` closes it. */
  release(connection: Redis, reusable: boolean): void {
    if (reusable && !this.closed && connection.status === 'ready' && this.idle.length < this.maxIdle) this.idle.push(connection);
    else connection.disconnect();
  }

  close(): void {
    this.closed = true;
    for (const connection of this.idle) connection.disconnect();
    this.idle = [];
  }
}
