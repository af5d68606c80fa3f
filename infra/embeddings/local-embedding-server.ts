// Starts a local embedding model of embedding-models.json (all-MiniLM-L6-v2 int8 from PyPI packages, or
// all-mpnet-base-v2 built as ONNX from its PyPI parts at setup), served over the OpenAI /v1/embeddings protocol
// by embedding-server.py. Nothing is downloaded at run time.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OpenAIEmbedder } from './openai-embedder.js';
import { catalogueDefaultModel, localEmbeddingModels, type LocalEmbeddingModel } from './embedding-catalogue.js';

/** The test suites' model (small and fast), which the server starts when no model is named. */
export const localEmbeddingModel: LocalEmbeddingModel = localModel('all-minilm-l6-v2-int8');

/** What `./ragtime up` serves (embedding-models.json's default), and so the retrieval the quickstart gets. */
export const quickstartEmbeddingModel: LocalEmbeddingModel = localModel(catalogueDefaultModel);

export const localEmbeddingServerScript = fileURLToPath(new URL('./embedding-server.py', import.meta.url));

export function localModel(name: string): LocalEmbeddingModel {
  const model = localEmbeddingModels.get(name);
  if (!model) throw new Error(`${name} is not a local embedding model (${[...localEmbeddingModels.keys()].join(', ')})`);
  return model;
}

export interface LocalEmbeddingServerOptions {
  /** A model of embedding-models.json; defaults to localEmbeddingModel (all-MiniLM-L6-v2 int8). */
  model?: string;
  /** A Python with infra/python-requirements.txt installed; defaults to localEmbeddingPython(). */
  python?: string;
  host?: string;
  port: number;
  /** CPU threads for inference; defaults to all cores. */
  threads?: number;
  startTimeoutMs?: number;
}

/** The project's .venv Python when present, else python3 from PATH. */
export function localEmbeddingPython(projectRoot = process.cwd()): string {
  const fromVenv = resolve(projectRoot, '.venv/bin/python');
  return existsSync(fromVenv) ? fromVenv : 'python3';
}

export class LocalEmbeddingServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly baseUrl: string,
    readonly model: LocalEmbeddingModel,
  ) {}

  static async start(options: LocalEmbeddingServerOptions): Promise<LocalEmbeddingServer> {
    const host = options.host ?? '127.0.0.1';
    const python = options.python ?? localEmbeddingPython();
    const model = localModel(options.model ?? localEmbeddingModel.model);
    const args = [localEmbeddingServerScript, '--model', model.model, '--host', host, '--port', String(options.port), ...(options.threads ? ['--threads', String(options.threads)] : [])];
    const child = spawn(python, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (data: Buffer) => { stderr = (stderr + data.toString()).slice(-2000); });
    const hint = '(bash scripts/setup.sh installs .venv and builds the models)';
    const exited = once(child, 'exit').then(() => { throw new Error(`local embedding server exited during start-up ${hint}: ${stderr.trim()}`); });
    const spawnFailed = once(child, 'error').then(([error]) => { throw new Error(`cannot start ${python} ${hint}: ${(error as Error).message}`); });
    exited.catch(() => undefined);
    spawnFailed.catch(() => undefined);
    const server = new LocalEmbeddingServer(child, `http://${host}:${options.port}/v1`, model);
    try {
      await Promise.race([waitForHealth(`http://${host}:${options.port}/health`, options.startTimeoutMs ?? 60_000), exited, spawnFailed]);
    } catch (error) {
      child.kill('SIGTERM');
      throw error;
    }
    return server;
  }

  embedder(options: { batchSize?: number; timeoutMs?: number } = {}): OpenAIEmbedder {
    return localEmbedder(this.baseUrl, { ...options, model: this.model });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exit = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    await exit;
  }
}

/** A client for a local embedding server that someone else started (a worker's composition root, global setup). */
export function localEmbedder(baseUrl: string, options: { batchSize?: number; timeoutMs?: number; model?: LocalEmbeddingModel } = {}): OpenAIEmbedder {
  const { model, dimensions } = options.model ?? localEmbeddingModel;
  return new OpenAIEmbedder({ baseUrl, model, dimensions, inputKind: 'none', batchSize: options.batchSize ?? 32, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
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
