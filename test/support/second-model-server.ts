// A second real model server (llama.cpp with the packaged SmolLM2, on a free port) for suites that register
// more than one endpoint, and the registry admin CLI run as its own process, as an operator runs it.
import { execFile, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';
import { projectRoot, startProcess, stopProcess, waitUntil } from './processes.js';
import { testEnvironment } from './services.js';

export interface ModelServer {
  baseUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startSecondModelServer(name: string, alias: string): Promise<ModelServer> {
  const port = await freePort();
  const child = startProcess(name, path.join(projectRoot, '.venv', 'bin', 'python'), ['infra/model-server/serve.py', '--model', 'smollm2-135m-instruct', '--port', String(port), '--alias', alias, '--parallel', '2', '--threads', '1', '--ctx', '4096']);
  await waitUntil(name, async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok, 90_000, child);
  return { baseUrl: `http://127.0.0.1:${port}/v1`, process: child, stop: () => stopProcess(child, 'SIGKILL') };
}

const run = promisify(execFile);

/** `registry …` through scripts/registry.ts in a separate process, with this suite's database and Redis prefix. */
export async function registryCli(args: string[], env: Record<string, string>): Promise<string> {
  const { stdout } = await run(path.join(projectRoot, 'node_modules', '.bin', 'tsx'), ['scripts/registry.ts', ...args], { cwd: projectRoot, env: { ...process.env, ...testEnvironment(env) }, timeout: 60_000 });
  return stdout;
}
