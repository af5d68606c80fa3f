// The ingest CLI as an operator runs it: it prints the Temporal UI link with the configured address and
// exits with the job's outcome (0 all indexed or unchanged, 3 partial, 4 failed).
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestionSettings, startIngestionWorker } from '../support/ingestion.js';
import { projectRoot } from '../support/processes.js';
import { testEnvironment } from '../support/services.js';

const run = promisify(execFile);

describe('scripts/ingest.ts', () => {
  let settings: Record<string, string>;
  let worker: { stop(): Promise<void> };
  let folder: string;

  beforeAll(async () => {
    settings = await ingestionSettings('cli');
    worker = await startIngestionWorker(settings);
    folder = await mkdtemp(path.join(tmpdir(), 'ragtime-cli-'));
    await mkdir(path.join(folder, 'good'));
    await mkdir(path.join(folder, 'bad'));
    await writeFile(path.join(folder, 'good', 'harbour.md'), '# Harbour\n\nThe ferry leaves at nine.');
    await writeFile(path.join(folder, 'bad', 'broken.json'), '{"unterminated": ');
  });
  afterAll(async () => {
    await worker?.stop();
    await rm(folder, { recursive: true, force: true });
  });

  async function ingest(sources: string[], tenant: string): Promise<{ code: number; stdout: string; stderr: string }> {
    const env = { ...process.env, ...testEnvironment(settings), TEMPORAL_UI_URL: 'http://temporal-ui.example:8080/' };
    return run(path.join(projectRoot, 'node_modules', '.bin', 'tsx'), ['scripts/ingest.ts', ...sources, '--tenant', tenant], { cwd: projectRoot, env, timeout: 120_000 })
      .then(({ stdout, stderr }) => ({ code: 0, stdout, stderr }), (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }));
  }

  it('exits 0 when every document is indexed (then unchanged), 3 when some fail, 4 when all fail', async () => {
    const tenant = `cli-${randomUUID().slice(0, 6)}`;
    const good = await ingest([path.join(folder, 'good')], tenant);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/Temporal UI: http:\/\/temporal-ui\.example:8080\/namespaces\/default\/workflows\/ingest-/);
    expect(good.stdout).toContain('1 indexed');
    expect((await ingest([path.join(folder, 'good')], tenant)).code).toBe(0);

    const partial = await ingest([path.join(folder, 'good'), path.join(folder, 'bad')], tenant);
    expect(partial.code).toBe(3);
    expect(partial.stdout).toContain('broken.json is not valid JSON');

    const failed = await ingest([path.join(folder, 'bad')], tenant);
    expect(failed.code).toBe(4);
  });
});
