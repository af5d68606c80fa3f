import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { ChatSocket } from '../support/chat-socket.js';
import { apiKeyFor } from '../support/identities.js';
import { ingestionSettings, sampleCorpus, startIngestionWorker } from '../support/ingestion.js';
import { startApi, startWorker, uniqueTaskQueue, type RunningWorker, type TestApi } from '../support/stack.js';
import { chatWorkflowId } from '../../domain/chat/ids.js';
import { ingestJobWorkflowId } from '../../ingestion/ingestion-job.js';

const contentTypes: Record<string, string> = { '.md': 'text/markdown', '.html': 'text/html', '.txt': 'text/plain' };
const question = 'How long does the Orbitra outdoor sensor mast run on its batteries?';

/** The messages the workflow gave the generate activity: the prompt exactly as the model received it. */
async function generatePrompt(temporal: Client, workflowId: string): Promise<{ role: string; content: string }[]> {
  const history = await temporal.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = history.events!.find((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'generate');
  const input = JSON.parse(Buffer.from(scheduled!.activityTaskScheduledEventAttributes!.input!.payloads![0]!.data!).toString()) as { messages: { role: string; content: string }[] };
  return input.messages;
}

// Documents served over HTTP are ingested through the API, then a question over the WebSocket is answered
// from them: the citations name the right document and the prompt numbers it.
describe('ingest, then ask over the WebSocket', () => {
  const tenant = `docs-${randomUUID().slice(0, 6)}`;
  let settings: Record<string, string>;
  let corpusServer: http.Server;
  let baseUrl: string;
  let ingestion: { stop(): Promise<void> };
  let worker: RunningWorker;
  let api: TestApi;
  let slowWorker: RunningWorker;
  let slowApi: TestApi;
  const chatQueue = uniqueTaskQueue('docs');
  const slowQueue = uniqueTaskQueue('docs-timeout');
  const headers = async (org = tenant) => ({ authorization: `Bearer ${await apiKeyFor(org)}`, 'content-type': 'application/json' });

  beforeAll(async () => {
    settings = await ingestionSettings('chat', { INGESTION_TRUSTED_NETWORKS: '127.0.0.0/8' });
    corpusServer = http.createServer((request, response) => {
      const file = path.join(sampleCorpus, path.basename(request.url ?? ''));
      readFile(file).then(
        (bytes) => response.writeHead(200, { 'content-type': contentTypes[path.extname(file)] ?? 'application/octet-stream' }).end(bytes),
        () => response.writeHead(404).end(),
      );
    });
    await new Promise<void>((resolve) => corpusServer.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(corpusServer.address() as AddressInfo).port}`;
    // A second chat stack whose retrieval cannot finish in time.
    worker = await startWorker(chatQueue, settings);
    [ingestion, api, slowWorker, slowApi] = await Promise.all([
      startIngestionWorker(settings),
      startApi(chatQueue, settings),
      startWorker(slowQueue, { ...settings, RETRIEVAL_TIMEOUT_MS: '1' }),
      startApi(slowQueue, settings),
    ]);
  });
  afterAll(async () => {
    await Promise.all([api?.close(), slowApi?.close()]);
    await Promise.all([worker?.stop(), slowWorker?.stop(), ingestion?.stop()]);
    await new Promise((resolve) => corpusServer?.close(resolve));
  });

  it('ingests URLs through the HTTP API and reports the job to its tenant only', async () => {
    const names = ['orbitra-overview.md', 'orbitra-setup.html', 'orbitra-batteries-and-warranty.txt', 'orbitra-troubleshooting.md', 'missing.md'];
    const started = await fetch(`${api.url}/v1/ingestion/jobs`, { method: 'POST', headers: await headers(), body: JSON.stringify({ jobId: 'corpus', sources: names.map((name) => `${baseUrl}/${name}`) }) });
    expect(started.status).toBe(202);
    expect(await started.json()).toEqual({ job_id: 'corpus', workflow_id: ingestJobWorkflowId(tenant, 'corpus'), status_url: '/v1/ingestion/jobs/corpus' });

    let status: { state: string; progress?: Record<string, unknown> } = { state: 'running' };
    const deadline = Date.now() + 60_000;
    while (status.state === 'running' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      status = await (await fetch(`${api.url}/v1/ingestion/jobs/corpus`, { headers: await headers() })).json() as typeof status;
    }
    expect(status).toMatchObject({ state: 'partial', progress: { total: 5, indexed: 4, failed: 1, failures: [{ source: `${baseUrl}/missing.md`, reason: `${baseUrl}/missing.md: HTTP 404` }] } });

    expect((await fetch(`${api.url}/v1/ingestion/jobs/corpus`, { headers: await headers(`${tenant}-other`) })).status).toBe(404);
    const local = await fetch(`${api.url}/v1/ingestion/jobs`, { method: 'POST', headers: await headers(), body: JSON.stringify({ sources: ['/etc/passwd'] }) });
    expect(local.status).toBe(400);
    expect((await fetch(`${api.url}/v1/ingestion/jobs/corpus`)).status).toBe(401);
  });

  it('answers from the documents: the citations name the right one and the prompt numbers it', async () => {
    const socket = await ChatSocket.open(api.wsUrl, tenant);
    const requestId = randomUUID();
    socket.send({ type: 'chat', requestId, message: question, maxTokens: 48 });
    const events = await socket.waitForEnd(requestId);
    await socket.close();

    expect(events.find((event) => event.type === 'plan')?.data).toMatchObject({ mode: 'rag', retrieval: true });
    const citations = events.find((event) => event.type === 'retrieval.citations')!.data.citations as { index: number; title: string; source: string; snippet: string; documentId: string; score: number }[];
    expect(citations[0]).toMatchObject({ index: 1, title: 'orbitra-batteries-and-warranty', source: `${baseUrl}/orbitra-batteries-and-warranty.txt` });
    expect(citations[0]!.snippet).toContain('18 months');
    expect(events.at(-1)?.type).toBe('answer.done');

    const [system] = await generatePrompt(api.temporal, chatWorkflowId(tenant, requestId));
    for (const citation of citations) expect(system!.content).toContain(`[${citation.index}] ${citation.title}: ${citation.snippet}`);
    expect(system!.content).toContain(`for example [1]; only the numbers 1 to ${citations.length} exist`);
  });

  it('answers without documents, and says so, when retrieval runs out of time', async () => {
    const socket = await ChatSocket.open(slowApi.wsUrl, tenant);
    const requestId = randomUUID();
    socket.send({ type: 'chat', requestId, message: question, maxTokens: 24 });
    const events = await socket.waitForEnd(requestId);
    await socket.close();

    const { skipped } = events.find((event) => event.type === 'retrieval.citations')!.data as { citations: unknown[]; skipped: string };
    expect(events.find((event) => event.type === 'retrieval.citations')?.data).toEqual({ citations: [], skipped: expect.any(String) });
    expect(events.at(-1)?.type).toBe('answer.done');
    const workflowId = chatWorkflowId(tenant, requestId);
    const [system] = await generatePrompt(slowApi.temporal, workflowId);
    expect(system!.content).toContain(`(Document search was unavailable: ${skipped}.)`);
    expect(system!.content).not.toContain('Sources:');
    // The recorded reason is the time limit.
    const history = await slowApi.temporal.workflow.getHandle(workflowId).fetchHistory();
    const failures = history.events!.map((event) => event.markerRecordedEventAttributes?.failure).filter((failure) => !!failure);
    expect(failures.map((failure) => failure!.message)).toEqual(['document search timed out after 1 ms']);
  });
});
