/** Share of the relevant documents found in the first k results. */
export function recallAt(k: number, ranking: readonly string[], gains: ReadonlyMap<string, number>): number {
  if (gains.size === 0) return 0;
  return ranking.slice(0, k).filter((id) => gains.has(id)).length / gains.size;
}

/** Normalised discounted cumulative gain of the first k results (graded gains). */
export function ndcgAt(k: number, ranking: readonly string[], gains: ReadonlyMap<string, number>): number {
  const dcg = (values: number[]) => values.slice(0, k).reduce((sum, gain, rank) => sum + (2 ** gain - 1) / Math.log2(rank + 2), 0);
  const ideal = dcg([...gains.values()].sort((a, b) => b - a));
  return ideal === 0 ? 0 : dcg(ranking.map((id) => gains.get(id) ?? 0)) / ideal;
}

export function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] ?? Number.NaN;
}

export function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}
