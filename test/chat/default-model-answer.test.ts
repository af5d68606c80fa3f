// `./ragtime up`'s own question, answered by `./ragtime up`'s own chat model: the catalogue's default
// (Qwen2.5-Coder-0.5B-Instruct, assembled by setup) on llama.cpp, seeded into the registry as the stack
// seeds it, over the sample corpus ingested with the default chunking, asked over the WebSocket. The answer
// must state the expected fact and cite no source that retrieval did not return (postSafety's check). The
// server's sampling seed is fixed, so the run is repeatable; the chat path's own temperature is kept.
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCitations } from '../../domain/safety/citation-check.js';
import { ChatSocket, answerOf } from '../support/chat-socket.js';
import { freePort } from '../support/free-port.js';
import { runJob, sampleCorpus, startIngestionWorker, temporalClient } from '../support/ingestion.js';
import { projectRoot, startProcess, stopProcess, waitUntil } from '../support/processes.js';
import { routingHarness, type RoutingHarness } from '../support/routing-stack.js';
import { startApi, startWorker, uniqueTaskQueue, type RunningWorker, type TestApi } from '../support/stack.js';

const catalogue = JSON.parse(await readFile(path.join(projectRoot, 'infra/model-server/chat-models.json'), 'utf8')) as { default: string };
const stackUp = await readFile(path.join(projectRoot, 'scripts/stack-up.sh'), 'utf8');
/** The question `./ragtime up` asks when given none. */
const question = /\$\{@:-([^}]+)\}/.exec(stackUp)![1]!;
const expectedFact = /18 months/i;

describe(`the default chat model (${catalogue.default}) on the default question`, () => {
  const tenant = `default-${randomUUID().slice(0, 6)}`;
  const chatQueue = uniqueTaskQueue('default-model');
  let modelServer: ChildProcess;
  let harness: RoutingHarness;
  let settings: Record<string, string>;
  let ingestion: RunningWorker;
  let worker: RunningWorker;
  let api: TestApi;

  beforeAll(async () => {
    const port = await freePort();
    modelServer = startProcess('default-model-server', path.join(projectRoot, '.venv', 'bin', 'python'), [
      'infra/model-server/serve.py', '--model', catalogue.default, '--port', String(port), '--parallel', '1', '--ctx', '4096', '--seed', '1',
    ]);
    await waitUntil('default model server', async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok, 90_000, modelServer);
    // Its own registry environment, which the worker and API seed with LLM_MODEL as `./ragtime up`'s do.
    settings = {
      MODEL_ENVIRONMENT: 'staging', LLM_MODEL: catalogue.default, LLM_BASE_URL: `http://127.0.0.1:${port}/v1`, TOOLS_DEFAULT_ENABLED: 'none',
      // Two shared cores under a test run's load: reading the prompt alone can take longer than the default 30 s.
      LLM_FIRST_TOKEN_TIMEOUT_MS: '180000', LLM_STALL_TIMEOUT_MS: '60000',
      INGESTION_TASK_QUEUE: uniqueTaskQueue('default-model-ingestion'), VECTOR_STORE_DIRECTORY: await mkdtemp(path.join(tmpdir(), 'ragtime-default-model-')),
    };
    harness = await routingHarness(settings);
    settings.REDIS_KEY_PREFIX = harness.config.REDIS_KEY_PREFIX;
    [ingestion, worker] = await Promise.all([startIngestionWorker(settings), startWorker(chatQueue, settings)]);
    api = await startApi(chatQueue, settings);
    const client = await temporalClient();
    try {
      const progress = await runJob(client.temporal, settings, { tenantId: tenant, sources: [sampleCorpus] });
      expect(progress.failed).toBe(0);
    } finally {
      await client.close();
    }
  }, 240_000);
  afterAll(async () => {
    await api?.close();
    await Promise.all([worker?.stop(), ingestion?.stop()]);
    await harness?.close();
    if (modelServer) await stopProcess(modelServer);
  });

  it('states the fact and cites only retrieved sources', { timeout: 300_000 }, async () => {
    const socket = await ChatSocket.open(api.wsUrl, tenant);
    const requestId = randomUUID();
    socket.send({ type: 'chat', requestId, message: question, maxTokens: 200 });
    const events = await socket.waitForEnd(requestId, 280_000);
    await socket.close();

    expect(events.find((event) => event.type === 'model.selected')?.data).toMatchObject({ model: catalogue.default });
    const citations = events.find((event) => event.type === 'retrieval.citations')!.data.citations as { title: string; source: string }[];
    expect(citations.map((citation) => path.basename(citation.source))).toContain('orbitra-batteries-and-warranty.txt');
    const answer = answerOf(events);
    expect(events.at(-1)?.type, answer).toBe('answer.done');
    expect(answer).toMatch(expectedFact);
    const check = checkCitations(answer, citations.map((citation) => ({ names: [citation.title, citation.source] })));
    expect({ unknown: check.unknown, inventedSourceLines: check.inventedSourceLines }, answer).toEqual({ unknown: [], inventedSourceLines: 0 });
  });
});
