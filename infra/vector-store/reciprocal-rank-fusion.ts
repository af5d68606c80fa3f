import { reciprocalRankFusionK } from '../../ingestion/ports.js';

/** Fuses ranked id lists: each list adds 1 / (k + rank) for every id it holds, rank counted from 1. */
export function reciprocalRankFusion(rankings: readonly (readonly string[])[], limit: number, k = reciprocalRankFusionK): { id: string; score: number }[] {
  const scores = new Map<string, number>();
  for (const ranking of rankings) {
    ranking.forEach((id, rank) => scores.set(id, (scores.get(id) ?? 0) + 1 / (k + rank + 1)));
  }
  return [...scores].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score || a.id.localeCompare(b.id)).slice(0, limit);
}
