// The packaged SmolLM2 on llama.cpp's server with the tool-calling chat template (infra/model-server), on a
// free port: the real protocol and the real grammar-constrained tool calls, for the suites that need them.
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { freePort } from '../support/free-port.js';
import { projectRoot, startProcess, stopProcess, waitUntil } from '../support/processes.js';

export const toolModelAlias = 'smollm2-135m-tools';

export interface ToolModelServer {
  baseUrl: string;
  stop(): Promise<void>;
}

export async function startToolCallingModelServer(name = 'tool-model-server'): Promise<ToolModelServer> {
  const port = await freePort();
  const child: ChildProcess = startProcess(name, path.join(projectRoot, '.venv', 'bin', 'python'), [
    'infra/model-server/serve.py', '--model', 'smollm2-135m-instruct', '--port', String(port), '--alias', toolModelAlias, '--parallel', '2', '--ctx', '8192',
    '--chat-template-file', 'infra/model-server/tool-calling-template.jinja',
  ]);
  try {
    await waitUntil('tool-calling model server', async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok, 90_000, child);
  } catch (error) {
    await stopProcess(child);
    throw error;
  }
  return { baseUrl: `http://127.0.0.1:${port}/v1`, stop: () => stopProcess(child) };
}
