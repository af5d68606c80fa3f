// The local stack supervises itself: the API under scripts/supervise.sh (as ./ragtime up runs it) is killed
// with SIGKILL, comes back and is ready within seconds, and scripts/stack-status.sh (./ragtime status) reports
// the restart; a component that keeps crashing is restarted with a growing delay. Its own data directory and
// a free port: a stack running on the default ports is not touched.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.js';
import { projectRoot, startProcess, stopProcess, waitUntil } from '../support/processes.js';
import { testEnvironment } from '../support/services.js';
import { uniqueTaskQueue } from '../support/stack.js';

const run = promisify(execFile);

describe('./ragtime up supervises the API', () => {
  const dataDirectory = mkdtempSync(path.join(os.tmpdir(), 'ragtime-supervise-'));
  let supervisor: ChildProcess | undefined;
  afterAll(async () => {
    await stopProcess(supervisor);
    rmSync(dataDirectory, { recursive: true, force: true });
  });

  it('restarts a killed API, ready again within seconds, and status reports it', { timeout: 180_000 }, async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const environment = testEnvironment({ CHAT_TASK_QUEUE: uniqueTaskQueue('supervise'), API_PORT: String(port), RAGTIME_DATA_DIR: dataDirectory });
    supervisor = startProcess('supervised-api', 'bash', ['scripts/supervise.sh', 'api', 'tsx', 'api/server.ts'], environment);
    await waitUntil('supervised api ready', async () => (await fetch(`${url}/readyz`)).ok, 90_000, supervisor);
    const status = (extra: Record<string, string> = {}) => run('bash', ['scripts/stack-status.sh'], {
      cwd: projectRoot, env: { ...process.env, RAGTIME_DATA_DIR: dataDirectory, API_PORT: String(port), RAGTIME_STATUS_COMPONENTS: 'api', ...extra },
    }).catch((error: { stdout: string; code: number }) => error);
    expect((await status()).stdout).toMatch(/^api\s+running\s+0\s+ok$/m);

    const first = Number(readFileSync(path.join(dataDirectory, 'pids', 'api.child'), 'utf8'));
    process.kill(-first, 'SIGKILL');
    const killedAt = Date.now();
    await waitUntil('api down', async () => !(await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(500) }).then((response) => response.ok, () => false)), 10_000);
    await waitUntil('api back and ready', async () => (await fetch(`${url}/readyz`)).ok, 60_000, supervisor);
    const downFor = Date.now() - killedAt;
    console.log(`API back and ready ${downFor} ms after SIGKILL`);
    expect(downFor).toBeLessThan(30_000);
    expect(Number(readFileSync(path.join(dataDirectory, 'pids', 'api.child'), 'utf8'))).not.toBe(first);
    expect((await status()).stdout).toMatch(/^api\s+running\s+1\s+ok$/m);
  });
});

describe('the supervisor backs off a component that keeps crashing', () => {
  it('doubles the delay after each quick crash up to the cap, and stops at once on SIGTERM while waiting', { timeout: 60_000 }, async () => {
    const dataDirectory = mkdtempSync(path.join(os.tmpdir(), 'ragtime-backoff-'));
    const supervisor = spawn('bash', ['scripts/supervise.sh', 'looper', 'bash', '-c', 'exit 3'], {
      cwd: projectRoot, env: { ...process.env, RAGTIME_DATA_DIR: dataDirectory, SUPERVISE_MAX_DELAY: '4' }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    supervisor.stderr.on('data', (chunk: Buffer) => { log += chunk.toString(); });
    const exited = new Promise<number | null>((resolve) => supervisor.once('exit', (code) => resolve(code)));
    try {
      // 1 + 2 + 4 s of waiting, then the fourth restart is announced with the capped delay.
      await waitUntil('four restarts announced', () => Promise.resolve((log.match(/restart \d+ in/g) ?? []).length >= 4), 30_000);
      expect([...log.matchAll(/restart (\d+) in (\d+) s/g)].slice(0, 4).map((match) => [Number(match[1]), Number(match[2])]))
        .toEqual([[1, 1], [2, 2], [3, 4], [4, 4]]);
      expect(log).toMatch(/looper exited with status 3/);
      const stoppedAt = Date.now();
      supervisor.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(Date.now() - stoppedAt).toBeLessThan(2_000);
      expect(readFileSync(path.join(dataDirectory, 'pids', 'looper.restarts'), 'utf8').trim()).toBe('4');
    } finally {
      supervisor.kill('SIGKILL');
      rmSync(dataDirectory, { recursive: true, force: true });
    }
  });
});
