// The request's event stream read as an EventFeed (domain/chat/event-feed.ts): blocking XREADs on a pooled
// connection, so each event reaches the client the moment it is published. The write side is event-stream.ts.
import type { EventFeed, FollowOptions } from '../../domain/chat/event-feed.js';
import { terminalEventTypes, type ChatEvent } from '../../domain/chat/events.js';
import type { BlockingConnectionPool } from './blocking-connections.js';
import type { EventStream } from './event-stream.js';

export class RedisEventFeed implements EventFeed {
  constructor(
    private readonly events: EventStream,
    /** Where each follower takes its connection for blocking reads; it gives it back when it ends. */
    private readonly connections: BlockingConnectionPool,
    private readonly blockMs = 5_000,
  ) {}

  async *follow(workflowId: string, afterSeq: number, { signal, runClosed }: FollowOptions): AsyncGenerator<ChatEvent> {
    const connection = this.connections.acquire();
    let reusable = true;
    // Interrupts a blocking read: the connection is closed, not reused.
    const stop = () => {
      reusable = false;
      connection.disconnect();
    };
    signal.addEventListener('abort', stop, { once: true });
    let last = afterSeq;
    try {
      while (!signal.aborted) {
        let batch: ChatEvent[];
        try {
          batch = await this.events.read(workflowId, last, this.blockMs, connection);
        } catch (error) {
          reusable = false;
          if (signal.aborted) return;
          throw error;
        }
        for (const event of batch) {
          if (signal.aborted) return;
          yield event;
          last = event.seq;
          if (terminalEventTypes.includes(event.type)) return;
        }
        if (batch.length === 0 && (await runClosed())) {
          // What was published between the last read and the close, then the end.
          for (const event of await this.events.read(workflowId, last, 0, connection)) {
            yield event;
            if (terminalEventTypes.includes(event.type)) return;
          }
          return;
        }
      }
    } finally {
      signal.removeEventListener('abort', stop);
      this.connections.release(connection, reusable && !signal.aborted);
    }
  }

  published(workflowId: string): Promise<ChatEvent[]> {
    return this.events.range(workflowId, 0);
  }
}
