// The published contract: /openapi.json is OpenAPI 3.1 generated from the route schemas, /docs serves its page
// from local assets, and Schemathesis (PyPI, in .venv) generates requests from it, with a valid key, against a
// real API process: no 5xx, and every response conforms to its schema. Bounded: examples per operation and a
// time budget for the whole run.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiProcess, type ApiProcess } from '../support/api-process.js';
import { apiKeyFor } from '../support/identities.js';
import { projectRoot } from '../support/processes.js';
import { startWorker, uniqueTaskQueue, type RunningWorker } from '../support/stack.js';

const run = promisify(execFile);
const examples = Number(process.env.SCHEMATHESIS_EXAMPLES ?? 10);

describe('the OpenAPI contract', () => {
  const taskQueue = uniqueTaskQueue('contract');
  let worker: RunningWorker;
  let api: ApiProcess;
  let key: string;

  beforeAll(async () => {
    [worker, api, key] = await Promise.all([startWorker(taskQueue), startApiProcess('contract-api', taskQueue), apiKeyFor(`contract-${randomUUID().slice(0, 6)}`)]);
  });
  afterAll(async () => {
    await api?.stop();
    await worker?.stop();
  });

  it('publishes OpenAPI 3.1 with a response schema on every operation, and a docs page without a CDN', async () => {
    const document = await (await fetch(`${api.url}/openapi.json`)).json() as { openapi: string; paths: Record<string, Record<string, { responses?: Record<string, unknown> }>> };
    expect(document.openapi).toBe('3.1.0');
    const operations = Object.entries(document.paths).flatMap(([route, methods]) => Object.entries(methods).map(([method, operation]) => ({ route, method, operation })));
    expect(operations.map(({ method, route }) => `${method} ${route}`).sort()).toEqual([
      'get /healthz', 'get /metrics', 'get /readyz', 'get /v1/conversations', 'get /v1/conversations/{conversationId}',
      'get /v1/conversations/{conversationId}/turns', 'get /v1/ingestion/documents', 'get /v1/ingestion/jobs/{jobId}',
      'get /v1/models', 'get /v1/models/{model}', 'get /v1/providers', 'get /v1/providers/{model}/metrics',
      'get /v1/responses/{response_id}', 'get /v1/usage', 'patch /v1/conversations/{conversationId}', 'post /v1/chat/completions',
      'post /v1/embeddings', 'post /v1/fusion', 'post /v1/ingestion/files', 'post /v1/ingestion/jobs', 'post /v1/responses',
    ]);
    // (@fastify/swagger gives a route without a schema a bare 'Default Response': a described answer has content.)
    const undescribed = operations.filter(({ operation }) => !Object.entries(operation.responses ?? {}).some(([status, response]) => status.startsWith('2') && !!(response as { content?: unknown }).content))
      .map(({ method, route }) => `${method} ${route}`);
    expect(undescribed).toEqual([]);
    const page = await fetch(`${api.url}/docs/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toMatch(/swagger-ui/);
    expect(html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)[^"']*\.(js|css)/);
  });

  it('passes Schemathesis: no 5xx and no response outside its schema', { timeout: 240_000 }, async () => {
    // Schemathesis keeps its cache in its working directory: there, not in the repository.
    const reportDir = path.join(projectRoot, '.data', 'test-logs', 'schemathesis');
    mkdirSync(reportDir, { recursive: true });
    const result = await run(path.join(projectRoot, '.venv', 'bin', 'schemathesis'), [
      'run', `${api.url}/openapi.json`,
      '--header', `Authorization: Bearer ${key}`,
      '--checks', 'not_a_server_error,response_schema_conformance,content_type_conformance',
      '--max-examples', String(examples),
      '--max-time', '90',
      '--request-timeout', '30',
      '--workers', '1',
      '--seed', '13',
      '--report', 'junit', '--report-dir', reportDir,
    ], { cwd: reportDir, timeout: 200_000, maxBuffer: 32 * 1024 * 1024 }).catch((error: { stdout?: string; stderr?: string; code?: number }) => error);
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
    expect((result as { code?: number }).code ?? 0, output.slice(-6000)).toBe(0);
    expect(output).toMatch(/passed/i);
  });
});
