// The read side of a request's event log, as the API relays it to clients: the events a client has not seen yet,
// as an async iterable that ends with the request. infra/redis/event-feed.ts implements it on the Redis Stream.
import type { ChatEvent } from './events.js';

export interface FollowOptions {
  /** Ends the iteration (the client left); a read in flight is interrupted, not waited for. */
  signal: AbortSignal;
  /** Asked when no event arrived for a while: has the run closed without a terminal event? */
  runClosed: () => Promise<boolean>;
}

export interface EventFeed {
  /**
   * The request's events with seq > afterSeq, in order, each as soon as it is published. The iteration ends
   * after a terminal event (answer.done, error), when the signal aborts, or when the run closed without one.
   */
  follow(workflowId: string, afterSeq: number, options: FollowOptions): AsyncIterable<ChatEvent>;
  /** The events published so far, without waiting. */
  published(workflowId: string): Promise<ChatEvent[]>;
}
