// Redis restarted without its data while an answer streams: generate restores the stream from the text it
// holds, so a client that resumes with its last seq receives every character exactly once. The Redis here is
// the test's own redis-server on a free port; the API and the worker use it alone.
import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatWorkflowId } from '../../domain/chat/ids.js';
import { ChatSocket, answerOf, type ReceivedEvent } from '../support/chat-socket.js';
import { freePort } from '../support/free-port.js';
import { startProcess, stopProcess, waitUntil } from '../support/processes.js';
import { services } from '../support/services.js';
import { startApi, startWorker, uniqueTaskQueue, type RunningWorker, type TestApi } from '../support/stack.js';

const longQuestion = 'Write a very long story about a dragon who learns to sail. Make it at least 1500 words.';

describe('an answer streaming while Redis restarts empty', () => {
  const taskQueue = uniqueTaskQueue('redis-loss');
  let port: number;
  let redis: ChildProcess | undefined;
  let worker: RunningWorker;
  let api: TestApi;
  const pool = new pg.Pool({ connectionString: services().databaseUrl, max: 1 });

  async function startRedis(): Promise<void> {
    redis = startProcess('redis-loss-redis', 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
    const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      await waitUntil('test redis', async () => {
        if (probe.status !== 'ready') await probe.connect();
        return (await probe.ping()) === 'PONG';
      }, 10_000, redis);
    } finally {
      probe.disconnect();
    }
  }

  beforeAll(async () => {
    port = await freePort();
    await startRedis();
    const environment = { REDIS_URL: `redis://127.0.0.1:${port}` };
    [worker, api] = await Promise.all([startWorker(taskQueue, environment), startApi(taskQueue, environment)]);
  });
  afterAll(async () => {
    await api?.close();
    await worker?.stop();
    await stopProcess(redis, 'SIGKILL');
    await pool.end();
  });

  it('gives the resuming client the whole answer once, with contiguous offsets and no repeated seq', { timeout: 360_000 }, async () => {
    const org = `redis-loss-${randomUUID().slice(0, 6)}`;
    const requestId = randomUUID();
    const socket = await ChatSocket.open(api.wsUrl, org);
    socket.send({ type: 'chat', requestId, message: longQuestion, maxTokens: 80 });
    await socket.waitFor('deltas before the restart', () => socket.for(requestId).filter((event) => event.type === 'answer.delta').length >= 5, 120_000);

    await stopProcess(redis, 'SIGKILL');
    const deltasBeforeRestart = socket.for(requestId).filter((event) => event.type === 'answer.delta').length;
    await startRedis();

    // The client resumes from the last seq it saw whenever the server says the stream was interrupted.
    const received: ReceivedEvent[] = [];
    let handled = 0;
    let interruptions = 0;
    await socket.waitFor('the end of the answer', () => {
      for (const event of socket.for(requestId).slice(handled)) {
        handled += 1;
        if (event.type === 'error' && /interrupted/.test(String(event.data.message))) {
          interruptions += 1;
          socket.send({ type: 'resume', requestId, lastEventId: received.filter((each) => each.seq !== undefined).at(-1)?.seq ?? 0 });
          continue;
        }
        received.push(event);
      }
      return received.some((event) => event.type === 'answer.done' || event.type === 'error');
    }, 200_000);
    await socket.close();

    expect(received.at(-1)!.type).toBe('answer.done');
    const seqs = received.map((event) => event.seq!);
    expect(seqs.every((seq, index) => index === 0 || seq > seqs[index - 1]!), `seqs ${seqs.join(',')}`).toBe(true);
    const answer = answerOf(received);
    const { rows } = await pool.query<{ answer: string }>('SELECT answer FROM turns WHERE tenant_id = $1 AND request_id = $2', [org, requestId]);
    expect(rows[0]?.answer).toBe(answer);
    expect(received.filter((event) => event.type === 'answer.delta').length).toBeGreaterThan(deltasBeforeRestart);
    // The Redis that restarted empty holds the whole answer again, its first deltas included: generate restored them.
    const restored = await api.events.deltas(chatWorkflowId(org, requestId));
    expect(restored.map((delta) => delta.text).join('')).toBe(answer);
    expect(restored[0]!.seq).toBe(received.find((event) => event.type === 'answer.delta')!.seq);
    console.log(`redis restarted after ${deltasBeforeRestart} deltas; ${interruptions} interruption(s) reported to the client`);
  });
});
