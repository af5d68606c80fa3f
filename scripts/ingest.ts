// Ingests files, folders and URLs through the ingestion workflows (a running ingestion worker does the
// work), drawing a progress bar and ending with a summary: documents, chunks, unchanged, deleted, failed with
// reasons. A progress query that fails (the worker is busy or restarting) is retried; the job goes on anyway.
// Exit codes: 0 every document indexed, unchanged or deleted; 3 partial (some documents failed); 4 failed (the
// job failed or every document did); 2 usage; 1 the job could not be started or followed.
// Usage: tsx scripts/ingest.ts <paths|urls…> [--tenant t] [--job id] [--concurrency n]
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../infra/config.js';
import { ingestJobState, startIngestJob, type JobState } from '../clients/ingestion-jobs.js';
import type { JobProgress } from '../ingestion/ingestion-job.js';

const exitCodes = { ok: 0, error: 1, usage: 2, partial: 3, failed: 4 } as const;
/** How long progress queries may keep failing in a row before the CLI gives up following the job. */
const followForMs = 5 * 60_000;

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const index = args.indexOf(`--${name}`);
  if (index === -1) return undefined;
  const [, value] = args.splice(index, 2);
  if (value === undefined) throw new Error(`--${name} needs a value`);
  return value;
};

async function main(): Promise<number> {
  const tenantId = option('tenant') ?? 'public';
  const jobId = option('job') ?? `job-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}-${randomUUID().slice(0, 6)}`;
  const concurrency = option('concurrency');
  if (args.length === 0 || args.some((arg) => arg.startsWith('--'))) {
    console.error('usage: tsx scripts/ingest.ts <paths|urls…> [--tenant t] [--job id] [--concurrency n]');
    return exitCodes.usage;
  }
  const sources = args.map((source) => (/^https?:\/\//i.test(source) ? source : path.resolve(source)));
  const config = loadConfig();
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  try {
    const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
    const job = await startIngestJob(temporal, config.INGESTION_TASK_QUEUE, { tenantId, jobId, sources, ...(concurrency ? { concurrency: Number(concurrency) } : {}) });
    console.log(`ingestion job ${job.jobId} (workflow ${job.workflowId}${job.started ? '' : ', already started: following it'})`);
    const link = `${config.TEMPORAL_UI_URL.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(config.TEMPORAL_NAMESPACE)}/workflows/${encodeURIComponent(job.workflowId)}`;
    console.log(`Temporal UI: ${link}`);
    const bar = new ProgressBar();
    for (;;) {
      const state = await followState(() => ingestJobState(temporal, tenantId, jobId), bar);
      if (!state) {
        bar.end();
        console.error(`lost track of job ${jobId}: progress queries kept failing for ${followForMs / 60_000} minutes; it may still be running: ${link}`);
        return exitCodes.error;
      }
      if (state.state === 'not-found') throw new Error(`job ${jobId} not found`);
      if (state.state === 'failed') {
        bar.end();
        console.error(`job failed: ${state.error}`);
        return exitCodes.failed;
      }
      if (state.progress) bar.draw(state.progress);
      if (state.state === 'completed' || state.state === 'partial') {
        bar.end();
        printSummary(state.progress);
        const succeeded = state.progress.indexed + state.progress.unchanged + state.progress.deleted;
        if (state.progress.failed === 0) return exitCodes.ok;
        return succeeded > 0 ? exitCodes.partial : exitCodes.failed;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    await connection.close();
  }
}

/** The job's state, retrying a failed query with backoff; undefined once queries failed for followForMs. */
async function followState(read: () => Promise<JobState>, bar: ProgressBar): Promise<JobState | undefined> {
  const since = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (Date.now() - since > followForMs) return undefined;
      bar.note(`progress query failed (${error instanceof Error ? error.message : String(error)}); retrying (attempt ${attempt})`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 500 * 2 ** Math.min(attempt, 5))));
    }
  }
}

class ProgressBar {
  private last = '';
  private readonly interactive = process.stdout.isTTY === true;

  draw(progress: JobProgress): void {
    const width = 30;
    const ratio = progress.total > 0 ? progress.processed / progress.total : 0;
    const filled = Math.round(ratio * width);
    const line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${progress.processed}/${progress.total} documents · ${progress.embedded} chunks embedded · ${progress.failed} failed`;
    if (line === this.last) return;
    this.last = line;
    if (this.interactive) process.stdout.write(`\r${line}`);
    else console.log(line);
  }

  /** A line of its own, keeping the bar below it. */
  note(message: string): void {
    if (this.interactive && this.last) process.stdout.write('\n');
    console.error(message);
    this.last = '';
  }

  end(): void {
    if (this.interactive && this.last) process.stdout.write('\n');
  }
}

function printSummary(progress: JobProgress): void {
  console.log(`\ndocuments: ${progress.total} (${progress.indexed} indexed, ${progress.unchanged} unchanged, ${progress.deleted} deleted, ${progress.failed} failed)`);
  console.log(`chunks: ${progress.chunks} (${progress.embedded} embedded, ${progress.written} points written, ${progress.removed} stale points removed)`);
  console.log(`skipped: ${progress.unchanged} unchanged document(s)`);
  if (progress.failed > 0) {
    console.log(`failed: ${progress.failed}`);
    for (const failure of progress.failures) console.log(`  ${failure.reason.startsWith(failure.source) ? failure.reason : `${failure.source}: ${failure.reason}`}`);
    if (progress.failed > progress.failures.length) console.log(`  … and ${progress.failed - progress.failures.length} more`);
  }
}

main().then((code) => process.exit(code), (error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(exitCodes.error);
});
