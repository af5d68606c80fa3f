// Relays (followers of the Redis event feed) share pooled blocking-read connections (real Redis): a relay that
// ends on its terminal event gives its connection back for the next one; a relay interrupted mid-read (the client
// left) closes its connection and never hands it on, so no stale blocking read can answer the next relay.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { AnswerDoneEventData, ChatEvent } from '../../domain/chat/events.js';
import { BlockingConnectionPool } from '../../infra/redis/blocking-connections.js';
import { RedisEventFeed } from '../../infra/redis/event-feed.js';
import { EventStream } from '../../infra/redis/event-stream.js';
import { createRedis } from '../../infra/redis/redis-client.js';
import { services } from '../support/services.js';

function answerDone(workflowId: string): AnswerDoneEventData {
  return { workflowId, conversationId: 'c', usage: { promptTokens: 0, completionTokens: 1 }, citations: 0, temporalUiUrl: 'http://localhost:8233' };
}

describe('relay connections', () => {
  const redis = createRedis(services().redisUrl, `${services().redisKeyPrefix}relay-pool:`);
  const events = new EventStream(redis, 60);
  const pool = new BlockingConnectionPool(redis);
  const feed = new RedisEventFeed(events, pool, 2_000);
  afterAll(() => {
    pool.close();
    redis.disconnect();
  });

  /** Follows the feed to its end; says whether it ended on a terminal event or because the signal aborted. */
  const relay = async (workflowId: string, signal: AbortSignal, received: ChatEvent[]) => {
    for await (const event of feed.follow(workflowId, 0, { signal, runClosed: async () => false })) received.push(event);
    const last = received.at(-1)?.type;
    return last === 'answer.done' || last === 'error' ? 'terminal' : signal.aborted ? 'aborted' : 'closed_without_terminal';
  };

  it('reuses the connection of a relay that ended on its terminal event', async () => {
    const workflowId = `pool-${randomUUID()}`;
    await events.appendDelta(workflowId, 0, 'Hello');
    await events.publish(workflowId, { type: 'answer.done', dedupeKey: 'answer.done', data: answerDone(workflowId) });
    const received: ChatEvent[] = [];
    const first = pool.acquire();
    await first.ping();
    pool.release(first, true);

    expect(await relay(workflowId, new AbortController().signal, received)).toBe('terminal');
    expect(received.map((event) => event.type)).toEqual(['answer.delta', 'answer.done']);
    const next = pool.acquire();
    expect(next).toBe(first);
    pool.release(next, true);
  });

  it('closes the connection of a relay interrupted mid-read and hands out a fresh one', async () => {
    const workflowId = `pool-${randomUUID()}`;
    const held = pool.acquire();
    await held.ping();
    pool.release(held, true);
    const controller = new AbortController();
    const received: ChatEvent[] = [];
    const running = relay(workflowId, controller.signal, received);
    await new Promise((resolve) => setTimeout(resolve, 200));
    controller.abort();
    expect(await running).toBe('aborted');
    expect(held.status).not.toBe('ready');
    const next = pool.acquire();
    expect(next).not.toBe(held);
    await events.appendDelta(workflowId, 0, 'late');
    expect(await events.read(workflowId, 0, 100, next)).toHaveLength(1);
    pool.release(next, true);
  });
});
