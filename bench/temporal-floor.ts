// The floor of Temporal's cost per run on the dev server: CPU milliseconds the server spends per workflow
// that does nothing, runs one local activity, or one activity (and the events each records), started the
// way the API starts chat turns (eager start to a worker on the same connection). Compare with the chat
// turn's figure in bench/gateway-overhead.ts: it says how much fewer events could save at best.
// Also the latency of a run (start to result, p50) and how many runs the server really started eagerly.
//   npx tsx bench/temporal-floor.ts [--runs 200] [--concurrency 8] [--dynamic-config KEY=VALUE[,KEY=VALUE]]
// --dynamic-config passes server settings to the dev server, e.g. system.enableActivityEagerExecution=true.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { CpuMeter, processTree, startService, stopService, waitFor } from './lib/process-cpu.js';
import { percentile } from './lib/metrics.js';
import { printTable } from './lib/table.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const index = args.indexOf(`--${name}`);
  return index === -1 ? fallback : args[index + 1] ?? fallback;
};
const runs = Number(option('runs', '200'));
const concurrency = Number(option('concurrency', '8'));
const dynamicConfig = option('dynamic-config', '').split(',').filter(Boolean).flatMap((setting) => ['--dynamic-config-value', setting]);

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const port = await freePort();
  const work = mkdtempSync(path.join(tmpdir(), 'temporal-floor-'));
  const server = startService('temporal-floor', path.resolve('.venv/bin/temporal'), ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port),
    '--db-filename', path.join(work, 'temporal.db'), '--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal', '--log-level', 'warn', ...dynamicConfig]);
  try {
    const address = `127.0.0.1:${port}`;
    await waitFor('Temporal', async () => {
      const probe = await NativeConnection.connect({ address });
      await probe.close();
      return true;
    }, 60_000, server);
    const connection = await NativeConnection.connect({ address });
    const taskQueue = `floor-${randomUUID().slice(0, 6)}`;
    const worker = await Worker.create({
      connection, taskQueue, workflowsPath: path.resolve('bench/lib/floor-workflows.ts'),
      activities: { echo: async (value: string) => value },
    });
    const running = worker.run();
    const client = new Client({ connection });
    const meter = new CpuMeter('temporal', () => processTree(server.child.pid!));
    const rows: (string | number)[][] = [['workflow', 'server CPU ms/run', 'history events', 'runs/s', 'latency p50 ms', 'started eagerly']];
    for (const workflow of ['emptyWorkflow', 'localActivityWorkflow', 'activityWorkflow']) {
      const latencies: number[] = [];
      let eager = 0;
      const runOnce = async () => {
        const started = performance.now();
        const handle = await client.workflow.start(workflow, { taskQueue, workflowId: `${workflow}-${randomUUID()}`, args: ['x'], requestEagerStart: true });
        await handle.result();
        latencies.push(performance.now() - started);
        if (handle.eagerlyStarted) eager += 1;
        return handle;
      };
      for (let warm = 0; warm < 10; warm += 1) await runOnce();
      latencies.length = 0;
      eager = 0;
      await meter.begin();
      let next = 0;
      const started = performance.now();
      await Promise.all(Array.from({ length: concurrency }, async () => {
        while (next < runs) {
          next += 1;
          await runOnce();
        }
      }));
      const seconds = (performance.now() - started) / 1000;
      const cpu = (await meter.elapsed()) / runs;
      const latency = percentile(latencies, 0.5);
      const eagerShare = `${eager}/${runs}`;
      const history = await (await runOnce()).fetchHistory();
      rows.push([workflow, cpu, history.events?.length ?? 0, runs / seconds, latency, eagerShare]);
    }
    console.log(`\nTemporal dev server (SQLite, WAL${dynamicConfig.length ? `, ${option('dynamic-config', '')}` : ''}), ${runs} runs per workflow at concurrency ${concurrency}\n`);
    printTable(rows);
    worker.shutdown();
    await running;
    await connection.close();
  } finally {
    await stopService(server);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
