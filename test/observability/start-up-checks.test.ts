// Start-up with a dependency missing: the API and each worker exit non-zero at once with a message naming
// the dependency and its address (without credentials), instead of running and failing every request.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.js';
import { projectRoot } from '../support/processes.js';
import { testEnvironment } from '../support/services.js';

/** Runs an entry point to its exit with the test services and `overrides`. */
function startUp(entry: string, overrides: Record<string, string>) {
  const run = spawnSync('npx', ['tsx', entry], {
    cwd: projectRoot, encoding: 'utf8', timeout: 60_000,
    env: { ...process.env, ...testEnvironment(overrides) },
  });
  expect(run.status, `${entry} still running or killed; stderr: ${run.stderr}`).not.toBeNull();
  expect(run.status).not.toBe(0);
  return run.stderr;
}

describe('start-up with a dependency missing', () => {
  it('the API names Redis', { timeout: 90_000 }, async () => {
    const unused = await freePort();
    const stderr = startUp('api/server.ts', { REDIS_URL: `redis://127.0.0.1:${unused}`, API_PORT: String(await freePort()) });
    expect(stderr).toMatch(new RegExp(`Redis is unreachable at redis://127\\.0\\.0\\.1:${unused}`));
  });

  it('a chat worker names PostgreSQL, without the credentials in its URL', { timeout: 90_000 }, async () => {
    const unused = await freePort();
    const stderr = startUp('workers/chat-worker.ts', { DATABASE_URL: `postgres://postgres:hunter2@127.0.0.1:${unused}/ragtime` });
    expect(stderr).toMatch(new RegExp(`PostgreSQL is unreachable at postgres://127\\.0\\.0\\.1:${unused}/ragtime`));
    expect(stderr).not.toContain('hunter2');
  });

  it('a chat worker names Redis', { timeout: 90_000 }, async () => {
    const unused = await freePort();
    const stderr = startUp('workers/chat-worker.ts', { REDIS_URL: `redis://127.0.0.1:${unused}` });
    expect(stderr).toMatch(new RegExp(`Redis is unreachable at redis://127\\.0\\.0\\.1:${unused}`));
  });

  it('an ingestion worker names PostgreSQL', { timeout: 90_000 }, async () => {
    const unused = await freePort();
    const stderr = startUp('workers/ingestion-worker.ts', { DATABASE_URL: `postgres://postgres@127.0.0.1:${unused}/ragtime` });
    expect(stderr).toMatch(new RegExp(`PostgreSQL is unreachable at postgres://127\\.0\\.0\\.1:${unused}/ragtime`));
  });

  it('an ingestion worker names Temporal', { timeout: 90_000 }, async () => {
    const unused = await freePort();
    const stderr = startUp('workers/ingestion-worker.ts', { TEMPORAL_ADDRESS: `127.0.0.1:${unused}` });
    expect(stderr).toMatch(new RegExp(`Temporal is unreachable at 127\\.0\\.0\\.1:${unused}`));
  });

  it('an ingestion worker names the embedding server', { timeout: 90_000 }, async () => {
    const unused = await freePort();
    const stderr = startUp('workers/ingestion-worker.ts', { EMBEDDINGS_BASE_URL: `http://127.0.0.1:${unused}/v1` });
    expect(stderr).toMatch(new RegExp(`embedding server is unreachable at http://127\\.0\\.0\\.1:${unused}/v1`));
  });
});
