import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatSocket } from '../support/chat-socket.js';
import { startApi, startWorker, uniqueTaskQueue, type RunningWorker, type TestApi } from '../support/stack.js';

describe('bad input on the chat WebSocket', () => {
  const taskQueue = uniqueTaskQueue('bad-input');
  let worker: RunningWorker;
  let api: TestApi;
  let socket: ChatSocket;

  beforeAll(async () => {
    [worker, api] = await Promise.all([startWorker(taskQueue), startApi(taskQueue)]);
    socket = await ChatSocket.open(api.wsUrl, 'bad-input');
  });
  afterAll(async () => {
    await socket?.close();
    await api?.close();
    await worker?.stop();
  });

  async function reply(frame: string): Promise<{ type: string; requestId?: string; data: Record<string, unknown> }> {
    const before = socket.events.length;
    socket.send(frame);
    await socket.waitFor('a reply', (events) => events.length > before, 10_000);
    return socket.events[before]!;
  }

  it.each([
    ['malformed JSON', '{"type": "chat", ', 'invalid_json', /not valid JSON/],
    ['a JSON array', '[1, 2]', 'bad_request', /JSON object/],
    ['an unknown type', JSON.stringify({ type: 'teleport', requestId: 'r1' }), 'unknown_message_type', /unknown message type "teleport"/],
    ['a missing message', JSON.stringify({ type: 'chat', requestId: 'r2' }), 'bad_request', /message/],
    ['a bad requestId', JSON.stringify({ type: 'chat', requestId: 'has spaces', message: 'hi' }), 'bad_request', /requestId/],
    ['an unexpected field', JSON.stringify({ type: 'cancel', requestId: 'r3', force: true }), 'bad_request', /force|additional/i],
    ['a negative lastEventId', JSON.stringify({ type: 'resume', requestId: 'r4', lastEventId: -1 }), 'bad_request', /lastEventId/],
    ['a 1 MB message', JSON.stringify({ type: 'chat', requestId: 'big', message: 'x'.repeat(1024 * 1024) }), 'message_too_large', /limit is 65536/],
  ])('answers %s with a clear error and keeps the connection', async (_name, frame, code, message) => {
    const event = await reply(frame);
    expect(event.type).toBe('error');
    expect(event.data.code).toBe(code);
    expect(String(event.data.message)).toMatch(message);
    expect(socket.isOpen).toBe(true);
  });

  it('still serves a valid chat on the same connection afterwards', async () => {
    const requestId = randomUUID();
    socket.send({ type: 'chat', requestId, message: 'Say hi.', maxTokens: 16 });
    const events = await socket.waitForEnd(requestId);
    expect(events.at(-1)!.type).toBe('answer.done');
  });

  it('tells a client that cancels an unknown request', async () => {
    const event = await reply(JSON.stringify({ type: 'cancel', requestId: 'nothing-here' }));
    expect(event).toEqual({ type: 'error', requestId: 'nothing-here', data: { code: 'not_found', message: 'no running request with this requestId' } });
  });
});
