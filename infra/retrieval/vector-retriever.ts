// The chat's Retriever over a VectorIndex: embeds the question, searches dense and keyword vectors with the
// tenant filter always applied, optionally expands the query with terms of the best passages, re-ranks, and
// keeps the top k that fit a token budget as numbered citations. A search slower than the time limit fails
// with a RetrievalError, and the chat answers without documents and says so.
import type { Citation } from '../../domain/chat/chat-request.js';
import type { Retriever } from '../../domain/chat/ports.js';
import { embeddingInput } from '../../ingestion/chunk-document.js';
import { keywordTerms, queryKeywordVector, termIndex } from '../../ingestion/keyword-vector.js';
import type { Embedder, HybridQuery, SearchHit, SparseVector, VectorIndex } from '../../ingestion/ports.js';
import { RagtimeError } from '../../domain/errors.js';

export interface VectorRetrieverOptions {
  /** Citations at most. */
  topK: number;
  /** Candidates taken from each of the dense and keyword searches before fusion and re-ranking. */
  candidates: number;
  /** Estimated prompt tokens all snippets together may take. */
  tokenBudget: number;
  timeoutMs: number;
  /** Re-rank by a convex combination of normalised dense and keyword scores instead of rank fusion alone. */
  rerank: boolean;
  /** Add the most frequent terms of the best passages to the keyword query (pseudo-relevance feedback). */
  queryExpansion: boolean;
  /** The dense score's share in the re-ranking's convex combination; defaults to defaultDenseWeight. */
  denseWeight?: number;
}

/** Search timed out or was cancelled; the retrieve step's one retry may still find the passages. */
export class RetrievalError extends RagtimeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('retrieval_failed', message, { retryable: true, cause: options?.cause });
  }
}

/** The dense score's share in the re-ranking's convex combination (chosen on half of Cranfield's queries with all-MiniLM-L6-v2 int8). */
export const defaultDenseWeight = 0.4;
const expansionPassages = 3;
const expansionTerms = 5;
const expansionWeight = 0.5;
/** A rough, model-independent estimate: English text runs about four characters per token. */
const charactersPerToken = 4;

export class VectorRetriever implements Retriever {
  constructor(
    private readonly index: VectorIndex,
    private readonly embedder: Embedder,
    private readonly options: VectorRetrieverOptions,
  ) {}

  /** When the index cannot answer, says yes: retrieval then fails visibly and the answer says so. */
  async hasDocuments(tenantId: string): Promise<boolean> {
    try {
      return (await this.withTimeout(() => this.index.count(tenantId), undefined)) > 0;
    } catch {
      return true;
    }
  }

  async search(tenantId: string, question: string, options: { signal?: AbortSignal }): Promise<Citation[]> {
    return this.withTimeout(async (signal) => {
      const dense = await this.embedder.embedQuery(question, signal);
      const query: HybridQuery = { tenant: tenantId, dense, sparse: queryKeywordVector(question), limit: this.options.candidates, candidates: this.options.candidates };
      let hits = await this.rank(query);
      if (this.options.queryExpansion && hits.length > 0) hits = await this.rank({ ...query, sparse: expanded(query.sparse, hits.slice(0, expansionPassages)) });
      return this.cite(hits);
    }, options.signal);
  }

  async close(): Promise<void> {
    await this.index.close();
  }

  private async rank(query: HybridQuery): Promise<SearchHit[]> {
    if (!this.options.rerank) return this.index.query({ ...query, mode: 'hybrid' });
    const [dense, keyword] = await Promise.all([this.index.query({ ...query, mode: 'dense' }), this.index.query({ ...query, mode: 'keyword' })]);
    const denseScores = normalised(dense);
    const keywordScores = normalised(keyword);
    const denseWeight = this.options.denseWeight ?? defaultDenseWeight;
    return [...new Map([...keyword, ...dense].map((hit) => [hit.id, hit])).values()]
      .map((hit) => ({ ...hit, score: denseWeight * (denseScores.get(hit.id) ?? 0) + (1 - denseWeight) * (keywordScores.get(hit.id) ?? 0) }))
      .sort((left, right) => right.score - left.score);
  }

  /** The best hits that fit the token budget, numbered from 1; the first is shortened if it alone is too long. */
  private cite(hits: readonly SearchHit[]): Citation[] {
    const citations: Citation[] = [];
    let budget = this.options.tokenBudget;
    for (const hit of hits) {
      if (citations.length >= this.options.topK) break;
      const overhead = estimateTokens(hit.payload.title) + 4;
      let snippet = hit.payload.text;
      if (overhead + estimateTokens(snippet) > budget) {
        if (citations.length > 0) continue;
        snippet = shortened(snippet, Math.max(0, budget - overhead) * charactersPerToken);
      }
      budget -= overhead + estimateTokens(snippet);
      citations.push({ index: citations.length + 1, documentId: hit.payload.documentId, title: hit.payload.title, source: hit.payload.source, snippet, score: hit.score, headingPath: hit.payload.headingPath, position: hit.payload.position });
    }
    return citations;
  }

  private async withTimeout<T>(action: (signal: AbortSignal) => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let onAbort = () => undefined as void;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(timeout.aborted
        ? new RetrievalError(`document search timed out after ${this.options.timeoutMs} ms`)
        : new RetrievalError('document search was cancelled'));
      combined.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([action(combined), aborted]);
    } catch (error) {
      if (timeout.aborted && !(error instanceof RetrievalError)) throw new RetrievalError(`document search timed out after ${this.options.timeoutMs} ms`, { cause: error });
      throw error;
    } finally {
      combined.removeEventListener('abort', onAbort);
    }
  }
}

function normalised(hits: readonly SearchHit[]): Map<string, number> {
  if (hits.length === 0) return new Map();
  const scores = hits.map((hit) => hit.score);
  const low = Math.min(...scores);
  const range = Math.max(...scores) - low || 1;
  return new Map(hits.map((hit) => [hit.id, (hit.score - low) / range]));
}

/** The query's terms plus the most frequent new terms of the given passages, at a lower weight. */
function expanded(query: SparseVector, passages: readonly SearchHit[]): SparseVector {
  const known = new Set(query.indices);
  const counts = new Map<number, number>();
  for (const passage of passages) {
    for (const term of new Set(keywordTerms(embeddingInput(passage.payload)))) {
      const index = termIndex(term);
      if (!known.has(index)) counts.set(index, (counts.get(index) ?? 0) + 1);
    }
  }
  const added = [...counts].sort((left, right) => right[1] - left[1] || left[0] - right[0]).slice(0, expansionTerms).map(([index]) => index);
  const weights = new Map<number, number>(query.indices.map((index, position) => [index, query.values[position]!]));
  for (const index of added) weights.set(index, expansionWeight);
  const indices = [...weights.keys()].sort((left, right) => left - right);
  return { indices, values: indices.map((index) => weights.get(index)!) };
}

function estimateTokens(text: string): number {
  return Math.ceil(text.length / charactersPerToken);
}

function shortened(text: string, characters: number): string {
  if (text.length <= characters) return text;
  const cut = text.slice(0, Math.max(0, characters - 1));
  const boundary = cut.lastIndexOf(' ');
  return `${(boundary > characters / 2 ? cut.slice(0, boundary) : cut).trimEnd()}…`;
}
