// Re-ranks hybrid candidates by a convex combination of their min-max normalised dense (cosine) and
// keyword (BM25) scores, which uses the score magnitudes that rank-based RRF throws away. It is not a
// cross-encoder: no cross-encoder model ships inside an npm or PyPI package that this machine can use.
import type { HybridQuery, SearchHit, VectorIndex } from '../../ingestion/ports.js';

export async function scoreFusionRerank(index: VectorIndex, query: HybridQuery, candidates: number, denseWeight = 0.6): Promise<SearchHit[]> {
  const [dense, keyword] = await Promise.all([
    index.query({ ...query, mode: 'dense', limit: candidates }),
    index.query({ ...query, mode: 'keyword', limit: candidates }),
  ]);
  const denseScores = normalise(dense);
  const keywordScores = normalise(keyword);
  const hits = new Map([...keyword, ...dense].map((hit) => [hit.id, hit]));
  return [...hits.values()]
    .map((hit) => ({ ...hit, score: denseWeight * (denseScores.get(hit.id) ?? 0) + (1 - denseWeight) * (keywordScores.get(hit.id) ?? 0) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, query.limit);
}

function normalise(hits: readonly SearchHit[]): Map<string, number> {
  const scores = hits.map((hit) => hit.score);
  const low = Math.min(...scores);
  const range = Math.max(...scores) - low || 1;
  return new Map(hits.map((hit) => [hit.id, (hit.score - low) / range]));
}
