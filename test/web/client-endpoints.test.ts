// The HTTP and WebSocket surface the web client needs, called as a browser would: the key as a WebSocket
// subprotocol, conversations listed, named and read back with their turns, files uploaded for ingestion and
// the catalog of what is indexed, each scoped to the caller's org.
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatWorkflowId } from '../../domain/chat/ids.js';
import { apiKeyFor } from '../support/identities.js';
import { ingestionSettings, startIngestionWorker } from '../support/ingestion.js';
import { startApi, startWorker, uniqueTaskQueue, type RunningWorker, type TestApi } from '../support/stack.js';

describe('endpoints of the web client', () => {
  const chatQueue = uniqueTaskQueue('web-endpoints');
  const org = `webapi-${randomUUID().slice(0, 6)}`;
  const otherOrg = `${org}-other`;
  let worker: RunningWorker;
  let ingestion: { stop(): Promise<void> };
  let api: TestApi;
  let uploads: string;
  const auth = async (tenant = org) => ({ authorization: `Bearer ${await apiKeyFor(tenant)}` });

  beforeAll(async () => {
    uploads = await mkdtemp(path.join(tmpdir(), 'ragtime-endpoint-uploads-'));
    const settings = await ingestionSettings('web-endpoints', { INGESTION_UPLOAD_DIRECTORY: uploads, LLM_STALL_TIMEOUT_MS: '60000' });
    [worker, ingestion, api] = await Promise.all([startWorker(chatQueue, settings), startIngestionWorker(settings), startApi(chatQueue, settings)]);
  });
  afterAll(async () => {
    await api?.close();
    await Promise.all([worker?.stop(), ingestion?.stop()]);
  });

  function openSocket(protocols: string[]): Promise<{ socket?: WebSocket; status?: number }> {
    return new Promise((resolve) => {
      const socket = new WebSocket(api.wsUrl, protocols);
      socket.once('open', () => resolve({ socket }));
      socket.once('unexpected-response', (_request, response) => resolve({ status: response.statusCode }));
      socket.once('error', () => resolve({}));
    });
  }

  it('accepts the key as a subprotocol, selects only `ragtime`, and answers a chat whose turn the conversation lists', async () => {
    const key = await apiKeyFor(org);
    expect((await openSocket(['ragtime', 'ragtime.bearer.rt_AAAAAAAAAAAAAAAA_bad'])).status).toBe(401);
    expect((await openSocket(['ragtime'])).status).toBe(401);
    // Offering only the key: the server never echoes it back, so the handshake cannot complete.
    expect((await openSocket([`ragtime.bearer.${key}`])).socket).toBeUndefined();

    const { socket } = await openSocket(['ragtime', `ragtime.bearer.${key}`]);
    expect(socket!.protocol).toBe('ragtime');
    const conversationId = `c-${randomUUID()}`;
    const requestId = randomUUID();
    const done = new Promise<Record<string, unknown>>((resolve) => socket!.on('message', (raw) => {
      const event = JSON.parse(raw.toString()) as { type: string; data: Record<string, unknown> };
      if (event.type === 'answer.done' || event.type === 'error') resolve({ type: event.type, ...event.data });
    }));
    socket!.send(JSON.stringify({ type: 'chat', requestId, conversationId, message: 'Name a color.', maxTokens: 8 }));
    expect(await done).toMatchObject({ type: 'answer.done', conversationId });
    socket!.close();

    const listed = await (await fetch(`${api.url}/v1/conversations`, { headers: await auth() })).json() as { data: { id: string; title: string; turns: number }[] };
    expect(listed.data).toEqual([expect.objectContaining({ id: conversationId, title: 'Name a color.', turns: 1 })]);
    const turns = await (await fetch(`${api.url}/v1/conversations/${conversationId}/turns`, { headers: await auth() })).json() as { data: Record<string, unknown>[] };
    expect(turns.data).toEqual([expect.objectContaining({
      request_id: requestId, question: 'Name a color.', outcome: 'completed', workflow_id: chatWorkflowId(org, requestId),
      temporal_ui_url: `http://127.0.0.1:8233/namespaces/default/workflows/${encodeURIComponent(chatWorkflowId(org, requestId))}`,
    })]);
    expect((turns.data[0]!.answer as string).length).toBeGreaterThan(0);

    const other = await (await fetch(`${api.url}/v1/conversations/${conversationId}/turns`, { headers: await auth(otherOrg) })).json() as { data: unknown[] };
    expect(other.data).toEqual([]);
    expect((await (await fetch(`${api.url}/v1/conversations`, { headers: await auth(otherOrg) })).json() as { data: unknown[] }).data).toEqual([]);
  });

  it('names a conversation (creating it when it has no turns yet) and refuses a bad name with 400', async () => {
    const id = `c-${randomUUID()}`;
    const rename = async (body: unknown, headers?: Record<string, string>) => fetch(`${api.url}/v1/conversations/${id}`, {
      method: 'PATCH', headers: { ...(headers ?? await auth()), 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    expect(await (await rename({ title: '  Trip planning ' })).json()).toEqual({ object: 'conversation', id, title: 'Trip planning' });
    const listed = await (await fetch(`${api.url}/v1/conversations`, { headers: await auth() })).json() as { data: { id: string; title: string }[] };
    expect(listed.data.find((entry) => entry.id === id)).toMatchObject({ title: 'Trip planning' });
    for (const bad of [{ title: '   ' }, { title: '' }, { name: 'x' }, { title: 'x'.repeat(201) }]) {
      const response = await rename(bad);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'bad_request' } });
    }
    expect((await fetch(`${api.url}/v1/conversations/bad%20id`, { method: 'PATCH', headers: { ...(await auth()), 'content-type': 'application/json' }, body: '{"title":"x"}' })).status).toBe(400);
    expect((await fetch(`${api.url}/v1/conversations`)).status).toBe(401);
  });

  it('ingests an uploaded file for the caller only and lists it by its name, never the server path', async () => {
    const upload = async (name: string, body: string, contentType = 'application/octet-stream', tenant = org) => fetch(`${api.url}/v1/ingestion/files?name=${encodeURIComponent(name)}`, {
      method: 'POST', headers: { ...(await auth(tenant)), 'content-type': contentType }, body,
    });
    const notes = '# Notes\n\nThe blue door opens on Tuesdays only.\n';
    const started = await upload('notes.md', notes);
    expect(started.status).toBe(202);
    const job = await started.json() as { job_id: string; status_url: string; bytes: number };
    expect(job.bytes).toBe(Buffer.byteLength(notes));
    let state: { state: string; progress?: { indexed: number } } = { state: 'running' };
    const deadline = Date.now() + 90_000;
    while (state.state === 'running' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      state = await (await fetch(`${api.url}${job.status_url}`, { headers: await auth() })).json() as typeof state;
    }
    expect(state).toMatchObject({ state: 'completed', progress: { indexed: 1 } });

    const documents = await (await fetch(`${api.url}/v1/ingestion/documents`, { headers: await auth() })).json() as { data: Record<string, unknown>[] };
    expect(documents.data).toEqual([expect.objectContaining({ source: 'notes.md', uploaded: true, title: 'Notes', status: 'indexed', chunks: 1 })]);
    expect(JSON.stringify(documents)).not.toContain(uploads);
    expect((await (await fetch(`${api.url}/v1/ingestion/documents`, { headers: await auth(otherOrg) })).json() as { data: unknown[] }).data).toEqual([]);

    for (const name of ['../escape.md', '.hidden', 'a/b.md', '']) expect((await upload(name, 'x')).status).toBe(400);
    expect((await upload('empty.md', '')).status).toBe(400);
    expect((await upload('typed.md', 'x', 'text/markdown')).status).toBe(415);
  });
});
