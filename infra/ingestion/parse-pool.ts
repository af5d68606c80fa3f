// Parsing and chunking of untrusted documents, off the worker's event loop: a pool of worker threads, each
// with a heap limit (resourceLimits), each task with a hard deadline. A task past its deadline, cancelled, or
// out of memory terminates its thread (a fresh one replaces it), so a hostile document costs one thread for a
// bounded time while workflow tasks and heartbeats go on. Node's worker_threads rather than piscina: the pool
// is small, and it needs per-task termination and the TypeScript loader when running from source.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Chunk, ChunkingOptions, ChunkSource } from '../../ingestion/chunk-document.js';
import { DocumentError, type DocumentInput, type DocumentLimits, type ParsedDocument } from '../../ingestion/parsed-document.js';
import type { DocumentProcessor } from '../../ingestion/ports.js';
import type { Config } from '../config.js';
import type { ThreadReply, ThreadTask } from './parse-thread.js';

export interface ParsePoolOptions {
  threads: number;
  /** Old-generation heap of each thread (INGESTION_PARSE_HEAP_MB). */
  heapMb: number;
  /** Hard deadline of one task once a thread runs it (INGESTION_PARSE_TIMEOUT_MS). */
  timeoutMs: number;
  limits: DocumentLimits;
  /** Tests only: a module (file URL) whose `parseDocument` the threads use instead of the real one. */
  parserModule?: string;
}

/** The pool and document limits an ingestion worker runs with. */
export function parsePoolOptions(config: Config): ParsePoolOptions {
  return {
    threads: config.INGESTION_PARSE_THREADS,
    heapMb: config.INGESTION_PARSE_HEAP_MB,
    timeoutMs: config.INGESTION_PARSE_TIMEOUT_MS,
    limits: {
      maxExtractedBytes: config.INGESTION_MAX_EXTRACTED_BYTES,
      maxCompressionRatio: config.INGESTION_MAX_COMPRESSION_RATIO,
      maxTextCharacters: config.INGESTION_MAX_TEXT_CHARACTERS,
      maxChunks: config.INGESTION_MAX_CHUNKS,
      maxPdfPages: config.INGESTION_MAX_PDF_PAGES,
      maxNestingDepth: config.INGESTION_MAX_NESTING_DEPTH,
    },
  };
}

type TaskBody = { kind: 'parse'; input: DocumentInput; limits: DocumentLimits } | { kind: 'chunk'; source: ChunkSource; options: ChunkingOptions };

interface Pending {
  body: TaskBody;
  source: string;
  signal?: AbortSignal;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface Thread {
  worker: Worker;
  ready?: boolean;
  busy?: { id: number; pending: Pending; timer: NodeJS.Timeout; onAbort(): void };
}

export class ParsePool implements DocumentProcessor {
  private readonly idle: Thread[] = [];
  private readonly queue: Pending[] = [];
  private readonly threads = new Set<Thread>();
  private nextId = 1;
  private closed = false;

  /** Starts every thread at once, so the first documents do not wait for threads to load their parsers. */
  constructor(private readonly options: ParsePoolOptions) {
    for (let started = 0; started < options.threads; started++) this.warm();
  }

  /** Parses a document under the pool's limits; fails with a DocumentError for bad or over-limit input. */
  parse(input: DocumentInput, signal?: AbortSignal): Promise<ParsedDocument> {
    return this.submit({ kind: 'parse', input, limits: this.options.limits }, input.source, signal) as Promise<ParsedDocument>;
  }

  chunk(source: ChunkSource, options: ChunkingOptions, signal?: AbortSignal): Promise<Chunk[]> {
    return this.submit({ kind: 'chunk', source, options }, source.source, signal) as Promise<Chunk[]>;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0)) pending.reject(new Error('parse pool closed'));
    this.idle.length = 0;
    await Promise.all([...this.threads].map((thread) => thread.worker.terminate()));
  }

  private submit(body: TaskBody, source: string, signal?: AbortSignal): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('parse pool closed'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const pending: Pending = { body, source, resolve, reject, ...(signal ? { signal } : {}) };
      signal?.addEventListener('abort', () => {
        const queued = this.queue.indexOf(pending);
        if (queued >= 0) {
          this.queue.splice(queued, 1);
          reject(signal.reason);
        }
      }, { once: true });
      this.queue.push(pending);
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const thread = this.idle.pop();
      if (!thread) return;
      this.run(thread, this.queue.shift()!);
    }
  }

  private run(thread: Thread, pending: Pending): void {
    const id = this.nextId++;
    const timer = setTimeout(() => this.kill(thread, new DocumentError('parse-timeout',
      `${pending.source}: parsing took longer than the limit of ${this.options.timeoutMs} ms (INGESTION_PARSE_TIMEOUT_MS)`)), this.options.timeoutMs);
    const onAbort = () => this.kill(thread, pending.signal!.reason);
    pending.signal?.addEventListener('abort', onAbort, { once: true });
    thread.busy = { id, pending, timer, onAbort };
    thread.worker.postMessage({ id, ...pending.body } as ThreadTask);
  }

  private settle(thread: Thread, outcome: { value: unknown } | { error: unknown }): void {
    const busy = thread.busy;
    if (!busy) return;
    thread.busy = undefined;
    clearTimeout(busy.timer);
    busy.pending.signal?.removeEventListener('abort', busy.onAbort);
    if ('value' in outcome) busy.pending.resolve(outcome.value);
    else busy.pending.reject(outcome.error);
  }

  /** Ends a thread and its task with `error`; a fresh thread takes the next task. */
  private kill(thread: Thread, error: unknown): void {
    this.settle(thread, { error });
    this.retire(thread);
  }

  private retire(thread: Thread): void {
    const index = this.idle.indexOf(thread);
    if (index >= 0) this.idle.splice(index, 1);
    thread.worker.removeAllListeners();
    thread.worker.on('error', () => {});
    // Its exit code is of no interest: the thread is being replaced.
    thread.worker.terminate().catch(() => undefined);
    this.threads.delete(thread);
    if (this.closed) return;
    // A thread that failed before it was ready (it could not load) is replaced after a pause, not in a loop.
    if (thread.ready) this.warm();
    else setTimeout(() => { if (!this.closed) this.warm(); }, 1000).unref();
  }

  /** A new thread, idle once it has loaded its parsers. */
  private warm(): void {
    const worker = startThread(this.options);
    const thread: Thread = { worker };
    this.threads.add(thread);
    worker.on('message', (message: ThreadReply | 'ready') => {
      if (message === 'ready') {
        thread.ready = true;
        this.idle.push(thread);
        this.dispatch();
        return;
      }
      if (thread.busy?.id !== message.id) return;
      this.settle(thread, message.ok ? { value: message.value } : { error: replyError(message.error) });
      if (this.closed) worker.terminate().catch(() => undefined);
      else {
        this.idle.push(thread);
        this.dispatch();
      }
    });
    worker.on('error', (error: Error & { code?: string }) => {
      const source = thread.busy?.pending.source ?? 'document';
      const failure = error.code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? new DocumentError('limit-exceeded', `${source}: parsing needed more memory than the limit of ${this.options.heapMb} MB (INGESTION_PARSE_HEAP_MB)`)
        : new Error(`parse thread failed: ${error.message}`, { cause: error });
      this.kill(thread, failure);
    });
    worker.on('exit', (code) => {
      if (!this.closed && this.threads.has(thread)) this.kill(thread, new Error(`parse thread exited with code ${code}`));
    });
  }
}

function replyError(error: { message: string; documentCode?: DocumentError['code'] }): Error {
  return error.documentCode ? new DocumentError(error.documentCode, error.message) : new Error(error.message);
}

const threadUrl = new URL(import.meta.url.endsWith('.ts') ? './parse-thread.ts' : './parse-thread.js', import.meta.url);

function startThread(options: ParsePoolOptions): Worker {
  const resourceLimits = { maxOldGenerationSizeMb: options.heapMb, maxYoungGenerationSizeMb: Math.min(64, Math.max(8, options.heapMb / 8)) };
  const workerData = options.parserModule ? { parserModule: options.parserModule } : {};
  if (!threadUrl.pathname.endsWith('.ts')) return new Worker(threadUrl, { resourceLimits, workerData });
  // Running from TypeScript sources (tsx, vitest): the thread registers tsx's loader before loading its body.
  const tsxApi = createRequire(import.meta.url).resolve('tsx/esm/api');
  const bootstrap = `require(${JSON.stringify(tsxApi)}).register(); import(${JSON.stringify(threadUrl.href)});`;
  return new Worker(bootstrap, { eval: true, resourceLimits, workerData, execArgv: [] });
}
