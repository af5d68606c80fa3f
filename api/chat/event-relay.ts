// Relays one request's events from its Redis Stream to a client, from a given seq, until a terminal event.
// Each relay blocks on its own Redis connection (from a pool) so it gets events the moment they are published.
import type { ChatEvent } from '../../domain/chat/events.js';
import { terminalEventTypes } from '../../domain/chat/events.js';
import type { EventStream } from '../../infra/redis/event-stream.js';
import type { BlockingConnectionPool } from '../../infra/redis/blocking-connections.js';

export interface RelayOptions {
  workflowId: string;
  afterSeq: number;
  events: EventStream;
  /** Where the relay takes its connection for blocking reads; it gives it back when it ends. */
  connections: BlockingConnectionPool;
  send: (event: ChatEvent) => void;
  /** Asked when no event arrived for a while: has the workflow closed without a terminal event? */
  workflowClosed: () => Promise<boolean>;
  signal: AbortSignal;
  blockMs?: number;
}

export type RelayEnd = 'terminal' | 'aborted' | 'closed_without_terminal';

export async function relayEvents(options: RelayOptions): Promise<RelayEnd> {
  const { signal } = options;
  const connection = options.connections.acquire();
  let reusable = true;
  // Interrupts a blocking read: the connection is closed, not reused.
  const stop = () => {
    reusable = false;
    connection.disconnect();
  };
  signal.addEventListener('abort', stop, { once: true });
  let last = options.afterSeq;
  try {
    while (!signal.aborted) {
      let batch: ChatEvent[];
      try {
        batch = await options.events.read(options.workflowId, last, options.blockMs ?? 5_000, connection);
      } catch (error) {
        reusable = false;
        if (signal.aborted) return 'aborted';
        throw error;
      }
      for (const event of batch) {
        if (signal.aborted) return 'aborted';
        options.send(event);
        last = event.seq;
        if (terminalEventTypes.includes(event.type)) return 'terminal';
      }
      if (batch.length === 0 && (await options.workflowClosed())) {
        const rest = await options.events.read(options.workflowId, last, 0, connection);
        for (const event of rest) {
          options.send(event);
          if (terminalEventTypes.includes(event.type)) return 'terminal';
        }
        return 'closed_without_terminal';
      }
    }
    return 'aborted';
  } finally {
    signal.removeEventListener('abort', stop);
    options.connections.release(connection, reusable && !signal.aborted);
  }
}
