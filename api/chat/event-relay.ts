// Relays one request's events from its Redis Stream to a client, from a given seq, until a terminal event.
// Each relay blocks on its own Redis connection so it gets events the moment they are published.
import type { Redis } from 'ioredis';
import type { ChatEvent } from '../../domain/chat/events.js';
import { terminalEventTypes } from '../../domain/chat/events.js';
import type { EventStream } from '../../infra/redis/event-stream.js';

export interface RelayOptions {
  workflowId: string;
  afterSeq: number;
  events: EventStream;
  /** A dedicated connection for blocking reads; the relay disconnects it when it ends. */
  connection: Redis;
  send: (event: ChatEvent) => void;
  /** Asked when no event arrived for a while: has the workflow closed without a terminal event? */
  workflowClosed: () => Promise<boolean>;
  signal: AbortSignal;
  blockMs?: number;
}

export type RelayEnd = 'terminal' | 'aborted' | 'closed_without_terminal';

export async function relayEvents(options: RelayOptions): Promise<RelayEnd> {
  const { connection, signal } = options;
  const stop = () => connection.disconnect();
  signal.addEventListener('abort', stop, { once: true });
  let last = options.afterSeq;
  try {
    while (!signal.aborted) {
      let batch: ChatEvent[];
      try {
        batch = await options.events.read(options.workflowId, last, options.blockMs ?? 5_000, connection);
      } catch (error) {
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
    connection.disconnect();
  }
}
