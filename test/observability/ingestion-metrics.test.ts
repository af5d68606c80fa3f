// An ingestion worker process with METRICS_PORT serves /metrics: documents finished by status, its step
// timings and the Temporal SDK's worker metrics; the SDK's own log lines are the worker's pino JSON.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePortPair } from '../support/free-port.js';
import { corpusCopy, ingestionSettings, runJob, startIngestionWorkerProcess, temporalClient } from '../support/ingestion.js';
import { logDirectory, stopProcess, waitUntil } from '../support/processes.js';

function sample(text: string, name: string, labels: Record<string, string>): number {
  const line = text.split('\n').find((candidate) =>
    candidate.startsWith(`${name}{`) && Object.entries(labels).every(([key, value]) => candidate.includes(`${key}="${value}"`)));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('ingestion worker metrics', () => {
  let worker: ChildProcess;
  let settings: Record<string, string>;
  let metricsUrl: string;
  let client: Awaited<ReturnType<typeof temporalClient>>;

  beforeAll(async () => {
    const port = await freePortPair();
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
    settings = await ingestionSettings('metrics', { METRICS_PORT: String(port), LOG_LEVEL: 'info' });
    worker = startIngestionWorkerProcess('ingestion-metrics-worker', settings);
    client = await temporalClient();
    await waitUntil('ingestion worker metrics', async () => (await fetch(metricsUrl)).ok, 90_000, worker);
  });
  afterAll(async () => {
    await client?.close();
    await stopProcess(worker);
  });

  it('counts documents indexed, then unchanged on a re-run, and times each step', { timeout: 240_000 }, async () => {
    const tenantId = `metrics-${randomUUID().slice(0, 8)}`;
    const corpus = await corpusCopy();
    const first = await runJob(client.temporal, settings, { tenantId, sources: [corpus] });
    expect(first.indexed).toBeGreaterThan(0);
    const second = await runJob(client.temporal, settings, { tenantId, sources: [corpus] });
    expect(second.unchanged).toBe(first.indexed);

    const text = await (await fetch(metricsUrl)).text();
    expect(sample(text, 'ragtime_ingestion_documents_total', { status: 'indexed' })).toBe(first.indexed);
    expect(sample(text, 'ragtime_ingestion_documents_total', { status: 'unchanged' })).toBe(second.unchanged);
    expect(sample(text, 'ragtime_ingestion_documents_total', { status: 'failed' })).toBe(first.failed + second.failed);
    expect(sample(text, 'ragtime_workflow_step_duration_seconds_count', { step: 'embedChunks', outcome: 'success' })).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^temporal_\w+/m);
    expect(text).not.toContain(tenantId);
  });

  it("writes the Temporal SDK's lines as the worker's JSON, with their task queue", async () => {
    const lines = (await readFile(path.join(logDirectory, 'ingestion-metrics-worker.log'), 'utf8')).split('\n').filter((line) => line.startsWith('{'));
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const stateChange = records.find((record) => record.msg === 'Worker state changed' && record.state === 'RUNNING');
    expect(stateChange, lines.slice(0, 5).join('\n')).toMatchObject({ name: 'ingestion-worker', level: 30, sdkComponent: 'worker', taskQueue: settings.INGESTION_TASK_QUEUE });
  });
});
